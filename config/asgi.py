"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

# Production unless told otherwise: a forgotten variable must never serve debug pages with a
# published key. A laptop says DJANGO_SETTINGS_MODULE=config.settings.local (make run does).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_asgi_application()
