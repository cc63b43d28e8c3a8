"""Asking a worker for a task, from a web request or a command, without failing the caller.

The one place the project hands work to Celery. Tasks are named, not imported, so the code that
asks (the admin, the public pages, the import jobs) does not depend on `pledges.tasks`, which calls
that code: the dependency runs one way.
"""

import logging

from celery import current_app

logger = logging.getLogger(__name__)


def enqueue(task_name, *args, if_down=""):
    """Queue the task named `task_name` now; False, and a line in the log (ending with what
    happens instead, `if_down`), if the broker is down."""
    try:
        # A connection of its own, made now from the current settings, closed straight after.
        with current_app.connection_for_write() as connection:
            current_app.send_task(task_name, args=args, connection=connection, retry=False)
    except Exception as error:  # kombu's OperationalError, a refused connection, a timeout ...
        logger.warning("Could not queue %s%s (%s)%s", task_name, args or "", error, f"; {if_down}" if if_down else "")
        return False
    return True
