"""The Russian and Chinese catalogues: whole, valid, and with the plural forms each language needs."""

import shutil
import subprocess

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["ru", "zh_Hans"])
def test_the_catalogue_is_whole_and_valid(language):
    if shutil.which("msgfmt") is None:
        pytest.skip("msgfmt (GNU gettext) is not installed")
    po = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"

    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)], capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr
    assert " translated messages." in result.stderr


@pytest.mark.parametrize(
    "overdue, words",
    [
        (1, "срок прошёл, а обещание не выполнено"),
        (2, "срока прошли, а обещания не выполнены"),
        (5, "сроков прошли, а обещания не выполнены"),
        (21, "срок прошёл, а обещание не выполнено"),
    ],
)
def test_russian_counts_take_the_form_their_number_needs(overdue, words):
    from django.utils import translation

    with translation.override("ru"):
        said = translation.ngettext(
            "deadline passed without being kept", "deadlines passed without being kept", overdue
        )
        tracked = translation.ngettext("%(counter)s pledge tracked", "%(counter)s pledges tracked", 16)

    assert said == words
    assert tracked % {"counter": 16} == "Отслеживается обещаний: 16"


def test_the_russian_overview_says_its_counts_in_russian(client, seeded):
    page = client.get("/ru/").content.decode()

    assert "Отслеживается обещаний: 16" in page and "pledges tracked" not in page
    assert '<strong class="state-overdue">2</strong> срока прошли, а обещания не выполнены</a>' in page  # two of them
