"""The production settings, as the web benchmark runs them: plain http on loopback (no TLS proxy
in front), a bare view to measure against, and the cache switched off on request."""

import os

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False
if os.environ.get("BENCH_CACHE_OFF"):
    CACHES = {name: {"BACKEND": "django.core.cache.backends.dummy.DummyCache"} for name in ("default", "near")}
