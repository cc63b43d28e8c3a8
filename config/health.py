"""`/healthz`: whether this web process can do its work, for a load balancer or an orchestrator.

200 when the database, the cache and the Celery broker all answer; 503 naming each that did not.
Each check is one round trip with a short timeout, so it can be polled every few seconds.
"""

import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)
BROKER_TIMEOUT_SECONDS = 2


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache():
    key, value = "healthz", uuid.uuid4().hex
    cache.set(key, value, 30)
    if cache.get(key) != value:
        raise RuntimeError("the cache did not keep a value")


def _broker():
    from config.celery_app import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT_SECONDS)


CHECKS = {"database": _database, "cache": _cache, "broker": _broker}


@never_cache
def healthz(request):
    """Run every check; 200 if all pass, else 503 with the failing ones and why."""
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except Exception as error:  # anything a dependency can throw: refused, timed out, auth ...
            logger.error("Health check: %s failed: %s", name, error)
            results[name] = f"failed: {type(error).__name__}"
    healthy = all(result == "ok" for result in results.values())
    return JsonResponse({"status": "ok" if healthy else "failing", **results}, status=200 if healthy else 503)
