"""Tiny, strict readers for settings that come from the environment.

Each one fails loudly with the variable's name when a value cannot be understood,
so a typo in production stops the process at start-up instead of misbehaving later.

Kept instead of django-environ for that reason: its `env.bool()` reads any word outside its list
of true words as False (django-environ 0.14, `Env.parse_value`), so `DJANGO_SECURE_COOKIES=ture`
would turn a safety setting off without a word. The database URL is read by dj-database-url.
"""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
# Reminders further ahead than this are noise, and the reminder log stores a lead in a small integer.
MAX_LEAD_DAYS = 3650
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name, default=None, *, required=False):
    """Return the variable as text; with required=True a missing or empty one is an error."""
    value = os.environ.get(name)
    if value is None or value == "":
        if required:
            raise ImproperlyConfigured(
                f"The environment variable {name} must be set. (On a laptop, use the local settings: "
                "DJANGO_SETTINGS_MODULE=config.settings.local, as `make run` does.)"
            )
        return default
    return value


def env_bool(name, default=False):
    """Return the variable as a boolean (1/0, true/false, yes/no, on/off)."""
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use true or false).")


def env_int(name, default):
    """Return the variable as an integer."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None


def env_list(name, default=()):
    """Return a comma-separated variable as a list of stripped, non-empty items."""
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_days(name, default):
    """Return a comma-separated list of whole, positive numbers of days, largest first."""
    items = env_list(name, [str(day) for day in default])
    try:
        days = sorted({int(item) for item in items}, reverse=True)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={','.join(items)!r} must be whole numbers of days, e.g. 90,30,7.") from None
    if not days or days[-1] <= 0:
        raise ImproperlyConfigured(f"{name} must list at least one positive number of days.")
    if days[0] > MAX_LEAD_DAYS:
        raise ImproperlyConfigured(
            f"{name}: {days[0]} days is more than the {MAX_LEAD_DAYS} (ten years) a reminder may lead."
        )
    return days


def env_admins(name):
    """Return "Name <address>, other@address" as Django's ADMINS list of (name, address)."""
    from email.utils import getaddresses

    admins = []
    for item in env_list(name):
        ((person, address),) = getaddresses([item])
        if "@" not in address:
            raise ImproperlyConfigured(f"{name}: {item!r} is not an e-mail address.")
        admins.append((person or address, address))
    return admins
