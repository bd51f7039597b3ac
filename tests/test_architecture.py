"""The layering rules of ARCHITECTURE.md, checked on the source itself.

Only services write and only selectors read: a module that is neither (views, API, forms,
commands, demo data) may not touch a model manager or call a write method on a model. This is
how a reader checks that no view, endpoint or command bypasses the services or the scoping.
"""

from __future__ import annotations

import ast
import fnmatch
import textwrap
from dataclasses import dataclass
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
    # the selectors whose scoping it checks (tooling/isolation_*.py); the benchmark generator
    # bulk-writes what the services would have written (tooling/generator_*.py).
    "isolation_world.py",
    "isolation_operations.py",
    "generator_world.py",
    "generator_rows.py",
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


# ---------------------------------------------------------------------------------------------
# The layers (docs/architecture.md), enforced on the import graph.
#
# One line per layer, lowest first. A module may import from its own unit and from any unit on
# a line above it, never from a line below, also not inside a function. Units on one line are
# separated by "|" and may not import each other. A unit is a set of patterns matched against
# the module's dotted path under `verkstall` ("orders" is the app and everything in it,
# "journal.case_services" one module); the longest matching pattern decides, so the case
# journal sits low while the rest of "journal" sits above orders. The case journal's writes
# (and the journal's models, which name higher models only by string) sit below people, which
# writes the protection note; its reads sit above people, whose selectors check the client.
# The background jobs (issue 17 item 8) sit just above access: the apps whose long work they
# run (payments, ontime) register their kinds (jobs/registry.py).
# The drafts of long text fields (issue 17 item 1) sit above the clients they name and below
# every app whose screens keep them; those apps register their screens (drafts/registry.py).
# The last line is the tooling (demo data, test builders, isolation proof, benchmarks, SPEC
# index) and the project wiring (an indented line continues the line above).
LAYER_ORDER = """
core
outbox
access
jobs
journal.models journal.case_services
people
journal.case_selectors
drafts
decisions
deadlines
providers
orders
journal
absences | plans | followups | alarms | placements | vouchers | transfers | integrations
fees | ivo | ontime
payments
months | national_statistics
audit
tooling
    settings settings_production urls api_urls wsgi __main__ health monitoring
"""

# The Django role modules, by file name: everything else in a domain app is a pure core unless
# it is named in DJANGO_ADAPTERS below.
DJANGO_ROLES = {
    "__init__",
    "models",
    "services",
    "selectors",
    "scoping",
    "views",
    "api",
    "forms",
    "urls",
    "apps",
    "admin",
    "tasks",
    "middleware",
    "context_processors",
}
DJANGO_ROLE_SUFFIXES = ("_services", "_selectors", "_views", "_urls", "_forms", "_api")
DJANGO_PACKAGES = ("migrations", "management", "templatetags", "tests")
DJANGO_PREFIXES = ("django", "rest_framework", "drf_spectacular")

# Modules that are not named for a Django role but whose job is to adapt Django (or that build
# on such a module). Each must really import Django, directly or through another project
# module; one that stops doing so is a pure core and must leave this list (tested).
DJANGO_ADAPTERS = {
    "access.authentication": "DRF token authentication",
    "access.declarations": "the URL and model declarations of the access log",
    "access.permissions": "DRF permission classes",
    "access.session_timeout": "session middleware settings",
    "audit.capture": "the request's access-log buffer",
    "audit.client_models": "the client-bearing models, read from the app registry",
    "audit.idempotency": "middleware that replays the first answer to a keyed API write",
    "audit.form_once": "middleware that sends a create form sent again to what it created",
    "deadlines.watchlist_scopes": "the watchlist scopes, as query expressions",
    "core.bulk_sql": "one UPDATE statement for many rows, through the database connection",
    "core.clock": "timezone-aware now() from django.utils",
    "core.concurrency": "the row version's model mixin, form field and conflict (issue 18)",
    "core.db_functions": "database expressions (the writing transaction, the settled ones)",
    "core.date_fields": "form and serializer date fields",
    "core.dates": "date windows with Django's timezone",
    "core.openapi": "drf-spectacular hooks",
    "core.pagination": "DRF pagination",
    "core.request_guards": "request middleware",
    "core.security": "security headers middleware",
    "core.uploads": "uploaded files",
    "deadlines.engine": "recomputes due items in the database",
    "deadlines.feed_models": "the calendar feed's token model (models.py is full)",
    "deadlines.reminder_models": "the reminders' log model (models.py is full)",
    "deadlines.profile_io": "exports and imports rule profiles from and to the database",
    "deadlines.trial": "tries a stored rule, checking the service type in the catalogue",
    "deadlines.reminders": "reminder mails and their query",
    "decisions.documents": "PDF rendering with templates",
    "orders.documents": "PDF rendering with templates",
    "payments.job_kinds": "the basis' file and the month close as background jobs",
    "ontime.job_kinds": "a large on-time report as a background job",
    "ontime.presentation": "the report's table and chart, from the selectors' report",
    "people.presentation": "template-facing display of a person",
    "plans.storage": "file storage",
    "providers.importing": "checks uploads and dates with core.uploads/core.dates",
    "providers.import_models": "the contract import job's model (models.py is full)",
}


def _parse_layers(text: str) -> dict[str, tuple[int, str]]:
    """pattern -> (layer index, unit name); a unit is named by its first pattern."""
    patterns: dict[str, tuple[int, str]] = {}
    lines: list[str] = []
    for raw in text.strip().splitlines():
        if raw.startswith(" ") and lines:  # an indented line continues the one above
            lines[-1] += " " + raw.strip()
        elif raw.strip():
            lines.append(raw.strip())
    for index, line in enumerate(lines):
        for unit in line.split("|"):
            names = unit.split()
            for name in names:
                patterns[name] = (index, names[0])
    return patterns


LAYERS = _parse_layers(LAYER_ORDER)


def layer_of(module: str, layers: dict[str, tuple[int, str]] = LAYERS) -> tuple[int, str]:
    """The (layer, unit) of a module given by its path under `verkstall` ("orders.services")."""
    if module == "":  # the verkstall package itself: project wiring, the top
        top = max(layers.values())
        return top
    best = None
    for pattern, place in layers.items():
        matches = fnmatch.fnmatchcase(module, pattern) or fnmatch.fnmatchcase(
            module, pattern + ".*"
        )
        if matches and (best is None or len(pattern) > len(best[0])):
            best = (pattern, place)
    if best is None:
        raise AssertionError(f"{module} is on no layer: add its app to LAYER_ORDER")
    return best[1]


@dataclass(frozen=True)
class Import:
    source: str  # importing module, path under verkstall
    target: str  # imported module, path under verkstall ("" for the verkstall package)
    name: str | None  # the name imported from target, if not a module
    line: int
    project: bool  # target is a verkstall module


def _module_name(rel: Path) -> str:
    parts = list(rel.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def source_tree(root: Path = SRC) -> dict[str, str]:
    """Every non-test, non-migration module under `root`: dotted path -> source text."""
    modules = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if "migrations" in rel.parts or "tests" in rel.parts:
            continue
        modules[_module_name(rel)] = path.read_text()
    return modules


def imports_of(
    modules: dict[str, str], packages: set[str] | None = None
) -> dict[str, list[Import]]:
    """Every import of every module (top level and inside functions), resolved to modules.

    `from . import x` and `from verkstall.a import b` point at the submodule when `b` is one,
    and at the package (with `name`) when it is a name defined there. Relative imports are
    resolved against the module's package. Names are dotted paths under `verkstall`.
    """
    if packages is None:
        packages = {name for name in modules if any(m.startswith(name + ".") for m in modules)}
    result: dict[str, list[Import]] = {}
    for module, text in modules.items():
        found = result.setdefault(module, [])
        package = module if module in packages else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    target = _local(alias.name)
                    found.append(
                        Import(module, target or alias.name, None, node.lineno, target is not None)
                    )
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".") if package else []
                    base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                    target = ".".join(base + ([node.module] if node.module else []))
                    local = True
                else:
                    local = _local(node.module or "") is not None
                    target = _local(node.module or "") if local else node.module or ""
                for alias in node.names:
                    sub = f"{target}.{alias.name}" if target else alias.name
                    if local and sub in modules:
                        found.append(Import(module, sub, None, node.lineno, True))
                    else:
                        found.append(Import(module, target, alias.name, node.lineno, local))
    return result


def _local(dotted: str) -> str | None:
    if dotted == "verkstall":
        return ""
    if dotted.startswith("verkstall."):
        return dotted.removeprefix("verkstall.")
    return None


def upward_imports(graph: dict[str, list[Import]], layers=LAYERS) -> list[str]:
    """Imports of a module on a higher layer, or of a sibling unit on the same layer."""
    offenders = []
    for module, found in graph.items():
        here = layer_of(module, layers)
        for imp in found:
            if not imp.project or not imp.target:
                continue
            there = layer_of(imp.target, layers)
            if there[0] > here[0] or (there[0] == here[0] and there[1] != here[1]):
                offenders.append(f"{module}:{imp.line} -> {imp.target} ({here[1]} < {there[1]})")
    return sorted(offenders)


def import_cycles(graph: dict[str, list[Import]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    edges = {
        m: sorted({i.target for i in found if i.project and i.target in graph and i.target != m})
        for m, found in graph.items()
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0

    def visit(root: str) -> None:  # iterative, so deep graphs do not hit the recursion limit
        nonlocal counter
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        components.append(sorted(component))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return components


def private_imports(modules: dict[str, str], graph: dict[str, list[Import]]) -> list[str]:
    """Names starting with "_" (dunders aside) taken from another module: imported by name,
    or read as an attribute of an imported project module (`services._lock`)."""

    def private(name: str) -> bool:
        return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))

    offenders = []
    for module, found in graph.items():
        for imp in found:
            if imp.name and private(imp.name):
                offenders.append(f"{module}:{imp.line} {imp.target or 'verkstall'}.{imp.name}")
        module_aliases = set()
        for node in ast.walk(ast.parse(modules[module])):
            if isinstance(node, ast.Import):
                module_aliases |= {
                    a.asname or a.name.partition(".")[0]
                    for a in node.names
                    if _local(a.name) is not None
                }
            elif isinstance(node, ast.ImportFrom):
                module_aliases |= {
                    a.asname or a.name
                    for a in node.names
                    for imp in found
                    if imp.line == node.lineno and imp.name is None and imp.target.endswith(a.name)
                }
        for node in ast.walk(ast.parse(modules[module])):
            if (
                isinstance(node, ast.Attribute)
                and private(node.attr)
                and _root_name(node.value) in module_aliases
            ):
                offenders.append(f"{module}:{node.lineno} .{node.attr}")
    return offenders


def _root_name(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def pure_cores(modules: dict[str, str], layers=LAYERS) -> set[str]:
    """The pure cores, derived: every module of a domain app (any layer below the tooling)
    that is not a Django role module (DJANGO_ROLES by file name, the `*_services`-style
    suffixes, migrations/commands/template tags) and not a named Django adapter."""
    top = max(place[0] for place in layers.values())
    cores = set()
    for module in modules:
        parts = module.split(".")
        if len(parts) < 2 or layer_of(module, layers)[0] == top:
            continue
        name = parts[-1]
        if (
            name in DJANGO_ROLES
            or name.endswith(DJANGO_ROLE_SUFFIXES)
            or set(parts) & set(DJANGO_PACKAGES)
            or module in DJANGO_ADAPTERS
        ):
            continue
        cores.add(module)
    return cores


def django_reach(graph: dict[str, list[Import]]) -> dict[str, str]:
    """Module -> the first Django import it reaches, directly or through project modules."""
    reach: dict[str, str] = {}
    for module, found in graph.items():
        for imp in found:
            if not imp.project and imp.target.startswith(DJANGO_PREFIXES):
                reach[module] = f"{module}:{imp.line} imports {imp.target}"
                break
    changed = True
    while changed:
        changed = False
        for module, found in graph.items():
            if module in reach:
                continue
            for imp in found:
                if imp.project and imp.target in reach:
                    reach[module] = f"{module}:{imp.line} -> {reach[imp.target]}"
                    changed = True
                    break
    return reach


# The real tree, parsed once.
_TREE = source_tree()
_GRAPH = imports_of(_TREE)


MAX_MODULE_LINES = 500


def test_no_module_is_over_500_lines():  # issue 12: modules a reader can hold in mind
    long = {
        str(path.relative_to(SRC)): n
        for path in SRC.rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
        if (n := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_every_module_is_on_a_layer():  # ARCHITECTURE "Shape"
    for module in _GRAPH:
        layer_of(module)


def test_no_import_against_the_layer_order():  # ARCHITECTURE "Shape": lower never imports higher
    assert upward_imports(_GRAPH) == []


def test_no_import_cycle_between_modules():  # ARCHITECTURE "Shape"
    assert import_cycles(_GRAPH) == []


def test_no_private_name_is_imported_from_another_module():  # ARCHITECTURE "Shape"
    assert private_imports(_TREE, _GRAPH) == []


def test_pure_cores_reach_no_django():  # ARCHITECTURE "Inside an app"
    """Pure cores (see `pure_cores`) import no Django or DRF, not even through another project
    module; the deadline rules and profiles are among them."""
    cores = pure_cores(_TREE)
    assert {
        "deadlines.rules",
        "deadlines.profiles",
        "deadlines.calendar",
        "orders.states",
        "access.roles",
        "decisions.catalogue",
        "providers.rotation",
        "audit.retention",
    } <= cores
    reach = django_reach(_GRAPH)
    assert sorted(reach[m] for m in cores if m in reach) == []


def test_django_adapters_list_only_modules_that_need_django():  # keeps the exception list exact
    reach = django_reach(_GRAPH)
    assert sorted(m for m in DJANGO_ADAPTERS if m not in reach) == []


# --- The checks fail on planted violations (a small synthetic tree, not the real one). ---

PLANTED_LAYERS = _parse_layers("""
low
mid.case_*
mid
left | right
tooling
""")


def _planted(**sources: str) -> tuple[dict[str, str], dict[str, list[Import]]]:
    modules = {name.replace("__", "."): textwrap.dedent(text) for name, text in sources.items()}
    return modules, imports_of(modules)


def test_self_test_planted_upward_import_is_found():
    _, graph = _planted(
        low="",
        low__rules="def f():\n    from verkstall.mid import models\n",
        mid="",
        mid__models="from ..low import rules\n",
        mid__case_services="from verkstall.mid.models import X\n",
        left="",
        left__services="from verkstall.right.models import Y\n",
        right="",
        right__models="",
        tooling__demo="from verkstall import left, right\nimport verkstall.mid.models\n",
    )
    assert upward_imports(graph, PLANTED_LAYERS) == [
        "left.services:1 -> right.models (left < right)",
        "low.rules:2 -> mid.models (low < mid)",
        "mid.case_services:1 -> mid.models (mid.case_* < mid)",
    ]


def test_self_test_planted_cycle_is_found():
    _, graph = _planted(
        a="",
        a__one="from . import two\n",
        a__two="def f():\n    from verkstall.a.three import g\n",
        a__three="import verkstall.a.one\n",
        a__four="from .one import h\n",
    )
    assert import_cycles(graph) == [["a.one", "a.three", "a.two"]]
    _, acyclic = _planted(a="", a__one="from . import two\n", a__two="")
    assert import_cycles(acyclic) == []


def test_self_test_planted_private_import_is_found():
    modules, graph = _planted(
        a="",
        a__services="def _lock():\n    pass\n",
        b="",
        b__one="from verkstall.a.services import _lock, __version__\n",
        b__two="def f():\n    from ..a import services\n    services._lock()\n",
        b__three="import verkstall.a.services\nverkstall.a.services._lock()\n",
        b__four="from verkstall.a.services import lock\nfrom x import y\ny._z\n",
    )
    assert private_imports(modules, graph) == [
        "b.one:1 a.services._lock",
        "b.two:3 ._lock",
        "b.three:2 ._lock",
    ]


def test_self_test_planted_django_import_in_a_pure_core_is_found():
    modules, graph = _planted(
        low="",
        low__rules="from .helpers import x\n",
        low__helpers="def f():\n    from django.db import models\n",
        low__models="from django.db import models\n",
        low__table="import enum\n",
    )
    cores = pure_cores(modules, PLANTED_LAYERS)
    assert cores == {"low.rules", "low.helpers", "low.table"}
    reach = django_reach(graph)
    assert sorted(m for m in cores if m in reach) == ["low.helpers", "low.rules"]


def test_every_hook_is_answered_once_the_apps_are_ready():  # ARCHITECTURE "Shape": hooks
    """Each hook a lower layer calls has its handler, registered in a higher app's
    AppConfig.ready() (core/hooks.py); a hook nobody answers would silently do nothing."""
    from verkstall.core import hooks

    assert {name: len(hooks.handlers(name)) for name in hooks.HOOKS} == dict.fromkeys(
        hooks.HOOKS, 1
    )
