"""What an operator meets in the first hour: safe settings, `check --deploy`, headers, /healthz."""

import os
import subprocess
import sys

import pytest
from django.test import override_settings

from tests.conftest import ROOT
from tests.test_setup import PRODUCTION_ENV, run_django

pytestmark = pytest.mark.django_db


def run(args, **env):
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": os.environ["PATH"], **env},
    )


# Settings an operator cannot get wrong quietly


@pytest.mark.parametrize(
    "key, message",
    [
        ("too-short-0123456789", "DJANGO_SECRET_KEY must be at least 50 random characters"),
        ("x" * 60, "DJANGO_SECRET_KEY must be at least 50 random characters"),
        ("django-insecure-" + "k3j4h5g6f7d8s9a0q1w2e3r4t5y6u7i8o9p0z1x2c3v4b5n6m7", "a published example key"),
    ],
)
def test_production_refuses_a_weak_or_published_secret_key(key, message):
    result = run_django("config.settings.production", **{**PRODUCTION_ENV, "DJANGO_SECRET_KEY": key})

    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.parametrize("entry", ["config.wsgi", "config.asgi", "config.celery_app"])
def test_entry_points_never_fall_back_to_the_local_settings(entry):
    result = run(["-c", f"import {entry}; from django.conf import settings; print(settings.DEBUG)"])

    assert result.returncode != 0
    assert "The environment variable DJANGO_SECRET_KEY must be set." in result.stderr
    assert "config.settings.local" in result.stderr  # the error says what a laptop uses instead


def test_manage_py_without_settings_is_production():
    result = run(["manage.py", "check"], **{k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"})

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_check_deploy_is_clean_with_the_documented_environment():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (1 silenced)." in result.stdout  # W021: HSTS preload, by choice


def test_production_settings_name_https_hsts_and_a_shared_cache():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.CACHES['default']['BACKEND'], s.PLEDGES_SITE_URL)"
    )
    result = run(
        ["-c", code],
        DJANGO_SETTINGS_MODULE="config.settings.production",
        CACHE_URL="redis://127.0.0.1:6379/3",
        **PRODUCTION_ENV,
    )

    assert result.stdout.split() == ["True", "31536000", "config.cache.RedisCache", "https://pledges.example"], (
        result.stderr
    )


def test_a_cache_url_that_is_not_redis_stops_the_start():
    result = run_django("config.settings.production", CACHE_URL="memcached://127.0.0.1:11211", **PRODUCTION_ENV)

    assert result.returncode != 0
    assert "CACHE_URL='memcached://127.0.0.1:11211' must be a redis://" in result.stderr


# Headers every page carries


@pytest.mark.parametrize("url", ["/en/", "/admin/login/"])
def test_pages_carry_a_content_security_policy_without_inline_script(client, url):
    policy = client.get(url)["Content-Security-Policy"]

    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe" not in policy
    assert directives["frame-ancestors"] == "'none'"


def test_each_response_carries_a_request_id_and_keeps_a_proxys(client):
    first, second = client.get("/en/about/"), client.get("/en/about/")
    given = client.get("/en/about/", HTTP_X_REQUEST_ID="lb-1234")

    assert len(first["X-Request-ID"]) == 32 and first["X-Request-ID"] != second["X-Request-ID"]
    assert given["X-Request-ID"] == "lb-1234"
    assert client.get("/en/about/", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"] != "<script>"


# /healthz


def test_healthz_answers_200_when_everything_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_names_the_cache_that_does_not_answer(client):
    unreachable = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    with override_settings(CACHES=unreachable):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["cache"].startswith("failed: ")
    assert response.json()["database"] == "ok" and response.json()["broker"] == "ok"


def test_healthz_names_the_broker_that_does_not_answer(client):
    from config.celery_app import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = original

    assert response.status_code == 503
    assert response.json()["broker"].startswith("failed: ")
    assert response.json()["database"] == "ok"


# Errors: to stderr with their tracebacks, and to ADMINS by e-mail


def test_an_error_goes_to_the_admins_by_e_mail_with_its_traceback(settings):
    import logging

    from django.core import mail

    settings.ADMINS = [("Ops", "ops@example.org")]
    try:
        raise ValueError("the pledge table caught fire")
    except ValueError:
        logging.getLogger("django.request").error("Internal Server Error: /en/", exc_info=True)

    (message,) = mail.outbox
    assert message.to == ["ops@example.org"] and "Internal Server Error: /en/" in message.subject
    assert "ValueError\nthe pledge table caught fire" in message.body and "Traceback" in message.body


def test_an_error_goes_to_stderr_with_its_traceback_under_the_production_settings():
    code = (
        "import django, logging; django.setup()\n"
        "try:\n    raise ValueError('the pledge table caught fire')\n"
        "except ValueError:\n    logging.getLogger('django.request').error('Internal Server Error: /en/', exc_info=True)"
    )
    result = run(["-c", code], DJANGO_SETTINGS_MODULE="config.settings.production", **PRODUCTION_ENV)

    assert "ERROR [-] django.request: Internal Server Error: /en/" in result.stderr
    assert "Traceback (most recent call last):" in result.stderr
    assert "ValueError: the pledge table caught fire" in result.stderr
