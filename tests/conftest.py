from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def reference_data(db):
    """Countries and topics, as `make run` loads them."""
    call_command("loaddata", ROOT / "fixtures" / "countries.json", ROOT / "fixtures" / "topics.json", verbosity=0)


@pytest.fixture
def editor(db):
    user = get_user_model().objects.create_user("ed", password="pw-for-tests", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def viewer(db):
    user = get_user_model().objects.create_user("vi", password="pw-for-tests", is_staff=True)
    user.groups.add(Group.objects.get(name="Viewers"))
    return user


@pytest.fixture
def seeded(reference_data):
    """The seed pledges and their progress, loaded through the importer as `make run` does."""
    from pledges.management.commands.setup_site import load_seeds

    return load_seeds()
