"""The Celery application. Settings prefixed CELERY_ in Django settings configure it."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("pledges")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
