"""The test suite's settings: fast hashing, in-memory e-mail, isolated var directory."""

from config.env import env_str

from .base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if not EMAIL_HOST:  # noqa: F405 (tests of real delivery set EMAIL_HOST to their own SMTP server)
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks published by the code under test go nowhere unless a test names a real broker.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "memory://")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
# A worker started by a test shares the test database, so SQLite's must be a file.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # noqa: F405 (a fresh clone has no var/ yet)
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}  # noqa: F405
