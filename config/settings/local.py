"""Laptop defaults: SQLite under var/, debug pages, e-mails as files, no servers needed."""

from config.env import env_int, env_str

from .base import *  # noqa: F403

DEBUG = True
# A fixed key is fine on a laptop; production refuses to start with it.
SECRET_KEY = env_str("DJANGO_SECRET_KEY", LOCAL_SECRET_KEY)  # noqa: F405
PLEDGES_CREATE_LOCAL_EDITOR = True
# Sweep for due reminders every minute on a laptop, so a due reminder shows up in var/mail/ soon.
CELERY_BEAT_SCHEDULE["send-reminders"]["schedule"] = env_int("PLEDGES_REMINDER_SWEEP_SECONDS", 60)  # noqa: F405
CELERY_BEAT_SCHEDULE["send-reminders"]["options"]["expires"] = CELERY_BEAT_SCHEDULE["send-reminders"]["schedule"]  # noqa: F405
