"""The layering rules of ARCHITECTURE.md, checked on the source itself.

Only services write and only selectors read: a module that is neither (views, API, forms,
commands, demo data) may not touch a model manager or call a write method on a model. This is
how a reader checks that no view, endpoint or command bypasses the services or the scoping.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "verkstall"

# Modules allowed to use model managers: data access is their job.
DATA_LAYER = {
    "services.py",
    "selectors.py",
    "scoping.py",
    "models.py",
    "testing.py",
    # Test tooling too: the isolation proof's oracle reads raw rows on purpose, never through
    # the selectors whose scoping it checks (core/isolation_check.py).
    "isolation_check.py",
    "engine.py",
    "reminders.py",
}
WRITE_METHODS = {
    "save",
    "delete",
    "create",
    "update",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
    "set",
    "add",
    "remove",
    "clear",
}
PURE_MODULES = [
    "orders/states.py",
    "access/roles.py",
    "decisions/catalogue.py",
    "deadlines/calendar.py",
    "providers/rotation.py",
    "audit/retention.py",
]


def _modules():
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC)
        data_layer = path.name in DATA_LAYER or path.name.endswith(
            ("_services.py", "_selectors.py")
        )
        if "migrations" in rel.parts or "tests" in rel.parts or data_layer:
            continue
        yield rel, ast.parse(path.read_text(), filename=str(path))


def test_only_services_and_selectors_touch_model_managers():  # ARCHITECTURE "Shape"
    offenders = []
    for rel, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("objects", "_default_manager"):
                offenders.append(f"{rel}:{node.lineno} .{node.attr}")
    assert offenders == []


def test_views_api_and_commands_call_no_model_write_methods():  # ARCHITECTURE "Shape"
    offenders = []
    for rel, tree in _modules():
        if rel.name not in ("views.py", "api.py", "forms.py", "demo.py") and (
            "commands" not in rel.parts
        ):
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in WRITE_METHODS
                and not (isinstance(node.func.value, ast.Name) and node.func.value.id == "services")
            ):
                offenders.append(f"{rel}:{node.lineno} .{node.func.attr}()")
    assert offenders == []


def test_pure_rule_modules_import_no_django():  # ARCHITECTURE "Inside an app"
    for rel in PURE_MODULES:
        tree = ast.parse((SRC / rel).read_text())
        names = [
            alias.name if isinstance(node, ast.Import) else node.module or ""
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in getattr(node, "names", [])
        ]
        assert not [n for n in names if n.startswith(("django", "rest_framework"))], rel
