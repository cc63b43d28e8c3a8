"""What `make run` does to a fresh database, and the settings an operator gives."""

import os
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from pledges.models import Country, Pledge, ProgressUpdate
from tests.conftest import ROOT

pytestmark = pytest.mark.django_db


def test_setup_loads_reference_data_and_seeds_once_and_prints_the_editor_password_once(settings, capsys, roles):
    settings.PLEDGES_CREATE_LOCAL_EDITOR = True

    call_command("setup_site")
    first = capsys.readouterr().out
    call_command("setup_site")
    second = capsys.readouterr().out

    assert Country.objects.filter(code="KZ").exists()
    assert (Pledge.objects.count(), ProgressUpdate.objects.count()) == (16, 60)
    assert "user name 'editor', password '" in first and "password" not in second
    password = first.split("password '")[1].split("'")[0]
    assert get_user_model().objects.get(username="editor").check_password(password)


def test_setup_creates_no_account_outside_local_settings(settings):
    settings.PLEDGES_CREATE_LOCAL_EDITOR = False

    call_command("setup_site")

    assert not get_user_model().objects.exists()


def run_django(settings_module, **env):
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": settings_module, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


# What the README's production section asks an operator to set (a key of 50+ random characters).
PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "q8Zr3vN1xKp5Lw7Ty2Bc9Hd4Jf6Mg0Sa-Ue_Io8Pl3Kj5Hg7Fd2Sa9Qw4Er6Ty",
    "DJANGO_ALLOWED_HOSTS": "pledges.example",
    "PLEDGES_SITE_URL": "https://pledges.example",
}


def test_production_refuses_to_start_without_a_secret_key():
    result = run_django("config.settings.production")

    assert result.returncode != 0
    assert "The environment variable DJANGO_SECRET_KEY must be set." in result.stderr


def test_production_starts_with_its_environment():
    result = run_django("config.settings.production", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr


def test_a_malformed_setting_is_named():
    result = run_django("config.settings.local", EMAIL_HOST="smtp.example", EMAIL_PORT="twenty-five")
    assert "EMAIL_PORT='twenty-five' is not a whole number." in result.stderr


def test_reminder_lead_times_are_read_from_the_environment():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.PLEDGES_REMINDER_LEAD_DAYS)",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={
            "PATH": os.environ["PATH"],
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "PLEDGES_REMINDER_LEAD_DAYS": "14, 60,3",
        },
    )
    assert result.stdout.strip() == "[60, 14, 3]", result.stderr


@pytest.mark.parametrize(
    "env, message",
    [
        (
            {"PLEDGES_REMINDER_LEAD_DAYS": "90,soon"},
            "PLEDGES_REMINDER_LEAD_DAYS='90,soon' must be whole numbers of days",
        ),
        (
            {"PLEDGES_REMINDER_CLAIM_TIMEOUT_SECONDS": "60"},
            "PLEDGES_REMINDER_CLAIM_TIMEOUT_SECONDS must be longer than",
        ),
        ({"PLEDGES_REMINDER_LEAD_DAYS": "40000,7"}, "PLEDGES_REMINDER_LEAD_DAYS: 40000 days is more than the 3650"),
        # A mistyped switch stops the start instead of reading as "off" (why config/env.py stays).
        ({"EMAIL_HOST": "smtp.example.org", "EMAIL_USE_TLS": "ture"}, "EMAIL_USE_TLS='ture' is not a boolean"),
    ],
)
def test_unsafe_or_mistyped_settings_stop_the_start(env, message):
    result = run_django("config.settings.local", **env)
    assert result.returncode != 0
    assert message in result.stderr
