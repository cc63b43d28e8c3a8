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
    "admin": {"models", "services", "files", "tasks", "templatetags", "queue", "reminders"},
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


STAMPED = {"updated_at", "remind_after"}  # Stamped.STAMPED_FIELDS of Pledge and ProgressUpdate
STAMPING = {"models/stamped.py", "models/pledge.py", "services/writes.py"}  # Stamped.stamp, records_update


def stamping_bypasses(path):
    """Where `path` sets a stamped field itself or bulk-updates pledges or updates directly."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets = node.targets if isinstance(node, ast.Assign) else []
        for target in targets:
            for element in target.elts if isinstance(target, ast.Tuple) else [target]:
                if isinstance(element, ast.Attribute) and element.attr in STAMPED:
                    found.append(f"line {node.lineno}: sets .{element.attr}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver = node.func.value
            if (
                node.func.attr == "bulk_update"
                and isinstance(receiver, ast.Attribute)
                and isinstance(receiver.value, ast.Name)
                and receiver.value.id in ("Pledge", "ProgressUpdate")
            ):
                found.append(f"line {node.lineno}: {receiver.value.id}.objects.bulk_update")
            if node.func.attr == "update" and any(k.arg in {"updated_at", "created_at"} for k in node.keywords):
                found.append(f"line {node.lineno}: .update(...) of a stamped field")
    return found


def test_no_writer_stamps_a_record_by_hand_or_bulk_updates_around_the_write_service():
    bypasses = {
        str(path.relative_to(PLEDGES)): stamping_bypasses(path)
        for path in PLEDGES.rglob("*.py")
        if "migrations" not in path.parts and str(path.relative_to(PLEDGES)) not in STAMPING
    }
    assert {name: found for name, found in bypasses.items() if found} == {}
