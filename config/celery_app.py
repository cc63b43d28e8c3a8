"""The Celery application. Settings prefixed CELERY_ in Django settings configure it."""

import os
from pathlib import Path

from celery import Celery

# Production unless told otherwise: a forgotten variable must never serve debug pages with a
# published key. A laptop says DJANGO_SETTINGS_MODULE=config.settings.local (make run does).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("pledges")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _make_filesystem_queue(sender, **kwargs):
    """The filesystem transport (the no-server default) needs its folders to exist."""
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
