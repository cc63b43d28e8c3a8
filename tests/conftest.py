import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

ROOT = Path(__file__).resolve().parent.parent
# The real SMTP server, broker and workers of the mail tests (smtp, broker, workers).
pytest_plugins = ["tests.live"]


@pytest.fixture(autouse=True)
def fresh_site():
    """Each test starts as a freshly started site does: an empty cache, the default language
    (a request to /ru/ leaves Russian active in the thread that served it)."""
    from django.conf import settings
    from django.core.cache import caches
    from django.utils import translation

    for cache in caches.all():
        cache.clear()
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def dump_folder(settings, tmp_path):
    """Whole open-data files kept per data version go to a folder of the test's own: a version's
    token can recur between tests whose data differ (each test's writes are rolled back)."""
    settings.PLEDGES_DUMP_DIR = tmp_path / "dumps"


@pytest.fixture(scope="session")
def reference_rows(django_db_setup, django_db_blocker):
    """The reference fixtures, read once per test process: [(model, {column: value})]."""
    from django.core import serializers

    rows = []
    with django_db_blocker.unblock():  # units are matched by natural key, which asks the database
        for name in ("countries.json", "topics.json", "units.json"):
            for record in serializers.deserialize("json", (ROOT / "fixtures" / name).read_text(encoding="utf-8")):
                model = type(record.object)
                rows.append(
                    (model, {f.attname: getattr(record.object, f.attname) for f in model._meta.concrete_fields})
                )
    return rows


@pytest.fixture
def reference_data(db, reference_rows):
    """Countries, topics and units, as `make run` loads them (`loaddata` of fixtures/).

    Written in bulk from the fixtures as read once: loaddata saved each of their 274 rows one by
    one, a quarter of a second a test, and a third of the suite's set-up time.
    """
    from django.core.management.color import no_style
    from django.db import connection

    models = list(dict.fromkeys(model for model, _values in reference_rows))
    for model in models:
        # Some rows exist already (migrations create the units): as loaddata, they are overwritten.
        model._base_manager.bulk_create(
            [model(**values) for kind, values in reference_rows if kind is model],
            update_conflicts=True,
            unique_fields=[model._meta.pk.name],
            update_fields=[f.name for f in model._meta.concrete_fields if not f.primary_key],
        )
    # As loaddata does: the next record created gets the id after the fixtures' own.
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


@pytest.fixture
def roles(db):
    """The Editors and Viewers groups. Tests that commit (browser tests) empty the database
    afterwards, groups included, so every test asks for them again."""
    from django.apps import apps

    from pledges.roles import ensure_groups

    ensure_groups(apps)


@pytest.fixture
def editor(roles):
    user = get_user_model().objects.create_user("ed", password="pw-for-tests", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def viewer(roles):
    user = get_user_model().objects.create_user("vi", password="pw-for-tests", is_staff=True)
    user.groups.add(Group.objects.get(name="Viewers"))
    return user


@pytest.fixture
def seeded(reference_data):
    """The seed pledges and their progress, loaded through the importer as `make run` does."""
    from pledges.management.commands.setup_site import load_seeds

    return load_seeds()


@pytest.fixture
def my_pledge_due_soon(seeded, editor):
    """A seed pledge owned by the editor, its deadline three weeks away."""
    from datetime import date, timedelta

    from pledges.models import Pledge

    pledge = Pledge.objects.get(slug="training-5000-places")
    pledge.deadline_end = date.today() + timedelta(days=20)
    pledge.owner = editor
    pledge.save()
    return pledge


# Browser tests drive the system's Chromium through Playwright (its own browser download is not
# used). Where Chromium is missing they skip, saying how to get it; .ci/run installs it.
CHROMIUM = os.environ.get("PLEDGES_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


def pytest_collection_modifyitems(items):
    """Mark every test that opens a browser page, so a run can leave them out (-m "not browser")."""
    for item in items:
        if {"browser", "new_page"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's chromium package or set PLEDGES_CHROMIUM")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in the test thread; Django's ORM calls from the
    # test itself are still plain synchronous calls.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser):
    """Open pages in fresh browser contexts (separate cookies: separate people)."""
    contexts = []

    def open_page(width=1280, height=900):
        context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot():
    """Save a full-page screenshot under var/screenshots/, for people to look at after a run."""
    from django.conf import settings

    folder = Path(settings.VAR_DIR) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        # At most the first 5,000 px of a long page (an import's report of 1,500 rows is far
        # taller, and capturing all of it took over 15 s on a busy machine), with time to spare.
        height = min(page.evaluate("document.documentElement.scrollHeight"), 5000)
        width = page.viewport_size["width"] if page.viewport_size else 1280
        page.screenshot(
            path=str(folder / f"{name}.png"),
            full_page=True,
            clip={"x": 0, "y": 0, "width": width, "height": height},
            timeout=60_000,
        )

    return take
