"""The packages depend one way (ARCHITECTURE.md): the record knows nothing of the rest, services
know only the record, and the editors' admin and the public site are used by nobody else but
the subscriptions, whose e-mails say what the public pages say."""

import ast
from pathlib import Path

import pytest

PLEDGES = Path(__file__).resolve().parent.parent / "pledges"

# What each package may import from the app, beside itself.
ALLOWED = {
    "models": set(),
    "services": {"models"},
    "files": {"models", "services", "queue"},
    "reminders": {"models", "services", "roles"},
    "public": {"models", "services", "files", "templatetags", "tasks", "queue"},
    "subscriptions": {"models", "services", "public"},
    "admin": {"models", "services", "files", "tasks", "templatetags", "queue"},
}


def app_imports(path):
    """The app's packages and modules `path` imports (pledges.X -> X), at any depth."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ["pledges", *path.relative_to(PLEDGES).parent.parts]
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:  # relative: from its own package up
            base = package[: len(package) - node.level + 1]
            module = ".".join([*base, *([node.module] if node.module else [])])
            if not node.module:  # `from .. import services`: the names are the modules
                names |= {alias.name for alias in node.names} if base == ["pledges"] else set()
        elif isinstance(node, ast.ImportFrom) and node.module == "pledges":  # from pledges import tasks
            names |= {alias.name for alias in node.names}
            continue
        elif isinstance(node, ast.ImportFrom) and node.module:
            module = node.module
        elif isinstance(node, ast.Import):
            module = next((alias.name for alias in node.names if alias.name.startswith("pledges.")), "")
        else:
            continue
        parts = module.split(".")
        if parts[0] == "pledges" and len(parts) > 1:
            names.add(parts[1])
    return names


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_each_package_imports_only_what_lies_beneath_it(package):
    wrong = {
        str(path.relative_to(PLEDGES)): sorted(app_imports(path) - ALLOWED[package] - {package})
        for path in (PLEDGES / package).rglob("*.py")
    }
    assert {name: found for name, found in wrong.items() if found} == {}


def test_nothing_outside_them_imports_the_admin_or_the_public_site():
    outside = [
        path
        for path in PLEDGES.rglob("*.py")
        if path.relative_to(PLEDGES).parts[0] not in ("admin", "public", "subscriptions")
    ]
    assert [str(path.relative_to(PLEDGES)) for path in outside if app_imports(path) & {"admin", "public"}] == []
    subscriptions = (PLEDGES / "subscriptions").rglob("*.py")
    assert [str(path.relative_to(PLEDGES)) for path in subscriptions if "admin" in app_imports(path)] == []
