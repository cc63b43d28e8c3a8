#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    # Production unless told otherwise: a forgotten variable must never serve debug pages with a
    # published key. A laptop says DJANGO_SETTINGS_MODULE=config.settings.local (make run does).
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
