import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


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


@pytest.fixture
def reference_data(db):
    """Countries, topics and units, as `make run` loads them."""
    call_command(
        "loaddata", *(ROOT / "fixtures" / name for name in ("countries.json", "topics.json", "units.json")), verbosity=0
    )


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
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)

    return take
