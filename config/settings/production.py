"""Production: every secret and host comes from the environment; nothing insecure by default.

`python manage.py check --deploy` is clean with the values the README's production section gives.
"""

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_str

from .base import *  # noqa: F403

DEBUG = False

SECRET_KEY = env_str("DJANGO_SECRET_KEY", required=True)
# A short, repetitive or published key lets anyone forge sessions and password-reset links.
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be at least 50 random characters, e.g. from "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
    )
if SECRET_KEY == LOCAL_SECRET_KEY or SECRET_KEY.startswith("django-insecure-"):  # noqa: F405
    raise ImproperlyConfigured("DJANGO_SECRET_KEY is a published example key; generate a secret one.")

# Where the public reaches the site: every absolute link (feeds, JSON, calendar, e-mails) uses it.
PLEDGES_SITE_URL = env_str("PLEDGES_SITE_URL", required=True).rstrip("/")
if not PLEDGES_SITE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured(f"PLEDGES_SITE_URL={PLEDGES_SITE_URL!r} must start with https://.")

# HTTPS only. The site runs behind a reverse proxy that terminates TLS and sets
# X-Forwarded-Proto (which it must overwrite, never pass on from the client).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Set DJANGO_SECURE_SSL_REDIRECT=false only when the proxy itself redirects http to https:
# Django would otherwise redirect a second time for nothing (check --deploy then warns, rightly).
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
# A load balancer polls /healthz over plain http inside the network; it gets an answer, not a redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# HSTS: browsers refuse plain http to this host for a year. Set DJANGO_HSTS_SECONDS=0 only when
# the proxy already sends the header.
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
# Preloading commits the whole domain to HTTPS in browsers' built-in lists, hard to undo: an
# operator's decision (DJANGO_HSTS_PRELOAD=true), not a default. Its warning says only that.
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
SECURE_CONTENT_TYPE_NOSNIFF = True

# Static files: collected by `manage.py collectstatic`, served by whitenoise straight from the web
# process, compressed, with content-hashed names cached for a year.
MIDDLEWARE.insert(  # noqa: F405 (from base, by the star import above)
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,  # noqa: F405
    "whitenoise.middleware.WhiteNoiseMiddleware",
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
