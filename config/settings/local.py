"""Laptop defaults: SQLite under var/, debug pages, e-mails as files, no servers needed."""

from config.env import env_str

from .base import *  # noqa: F403

DEBUG = True
# A fixed key is fine on a laptop; production refuses to start without DJANGO_SECRET_KEY.
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "local-only-not-secret-8f2d0c1e7b6a4d3f9e5a")
PLEDGES_CREATE_LOCAL_EDITOR = True
