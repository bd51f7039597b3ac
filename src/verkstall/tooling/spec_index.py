"""The map from every SPEC id to its code: docs/SPEC-INDEX.md (`python -m verkstall spec_index`).

Read from the code, never kept by hand:
- the ids and their text come from SPEC.md (its section on actors counts as one id);
- a module cites an id in a docstring or a comment (`src/verkstall`, test folders left out);
- a rule cites an id in the `spec` field of the built-in profile fixture;
- a test cites an id on its `def` line (`def test_x():  # R<n>.<m>`), in its docstring, or in a
  comment inside it.

An id that no module, rule or test cites is listed as "not built", never left out. Ids are cited
one by one: a range of ids counts only its two ends (`ranges` finds such ranges).
Everything is sorted, so the same tree gives the same file.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from verkstall.deadlines.profiles import builtin_profiles

ACTORS = "Actors"
ID = re.compile(r"\bR\d+\.\d+\b|\bActors\b")
RANGE = re.compile(r"\bR\d+\.\d+\s*(?:-|–|—|\.\.)\s*R?\d+(?:\.\d+)?\b")
SPEC_ITEM = re.compile(r"^- (R\d+\.\d+)\s+(.*)$")
ACTORS_HEADING = re.compile(r"^## Actors\b(.*)$")
SOURCE_TAG = re.compile(r"\s*\[[^\]]*\]")
TEXT_WIDTH = 110
OUTPUT = Path("docs") / "SPEC-INDEX.md"


@dataclass(frozen=True)
class Requirement:
    id: str
    text: str  # one line


@dataclass
class Entry:
    requirement: Requirement
    modules: set[str] = field(default_factory=set)
    rules: set[str] = field(default_factory=set)
    tests: set[str] = field(default_factory=set)

    @property
    def built(self) -> bool:
        """Some module or rule carries it out (a test alone does not make an id built)."""
        return bool(self.modules or self.rules)

    @property
    def status(self) -> str:
        if self.built:
            return "built" if self.tests else "built, NO TEST"
        return "tested, no module cites it" if self.tests else "not built"


def one_line(text: str) -> str:
    text = " ".join(SOURCE_TAG.sub("", text).split())
    sentence = re.split(r"(?<=[.:;])\s", text, maxsplit=1)[0]
    if len(sentence) > TEXT_WIDTH:
        sentence = sentence[: TEXT_WIDTH - 1].rstrip() + "…"
    return sentence


def parse_spec(text: str) -> list[Requirement]:
    """The ids of SPEC.md in its order, each with the first sentence of its text."""
    found: list[Requirement] = []
    current: list[str] | None = None
    current_id = ""

    def close():
        if current is not None:
            found.append(Requirement(current_id, one_line(" ".join(current))))

    for line in text.splitlines():
        heading = ACTORS_HEADING.match(line)
        item = SPEC_ITEM.match(line)
        if heading:
            close()
            current = None
            found.append(Requirement(ACTORS, "Who each role is and what each may see."))
        elif item:
            close()
            current_id, current = item.group(1), [item.group(2)]
        elif current is not None and line.startswith("  ") and line.strip():
            current.append(line.strip())
        else:
            close()
            current = None
    close()
    ids = [r.id for r in found]
    if len(ids) != len(set(ids)):
        raise ValueError("SPEC.md gives an id twice")
    return found


def _python_files(root: Path) -> Iterator[Path]:
    yield from sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)


def _is_test_path(path: Path) -> bool:
    return "tests" in path.parts or path.name.startswith("test_") or path.name == "conftest.py"


def _comments(source: str) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            found.setdefault(token.start[0], []).append(token.string)
    return found


def _docstrings(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(
            node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef
        ) and (doc := ast.get_docstring(node, clean=False)):
            yield doc


def module_citations(src: Path) -> dict[str, set[str]]:
    """id -> modules (dotted names) whose docstrings or comments cite it."""
    found: dict[str, set[str]] = {}
    for path in _python_files(src):
        rel = path.relative_to(src.parent)
        if _is_test_path(rel):
            continue
        source = path.read_text(encoding="utf-8")
        texts = [c for cs in _comments(source).values() for c in cs]
        texts += list(_docstrings(ast.parse(source)))
        name = ".".join(rel.with_suffix("").parts).removesuffix(".__init__")
        for text in texts:
            for spec_id in ID.findall(text):
                found.setdefault(spec_id, set()).add(name)
    return found


def rule_citations() -> dict[str, set[str]]:
    """id -> built-in rules ("profile/code") whose fixture entry cites it."""
    found: dict[str, set[str]] = {}
    for slug, profile in builtin_profiles().items():
        for code, spec_id in profile.spec_ids.items():
            found.setdefault(spec_id, set()).add(f"{slug}/{code}")
    return found


@dataclass(frozen=True)
class CitedTest:
    name: str  # path::function or path::Class::method, path from the repository's root
    ids: tuple[str, ...]
    def_line: int


def find_test_files(repo: Path) -> list[Path]:
    candidates = [*(repo / "src").rglob("test_*.py"), *(repo / "tests").rglob("test_*.py")]
    return sorted(p for p in candidates if "tests" in p.relative_to(repo).parts)


def tests_in(path: Path, repo: Path) -> list[CitedTest]:
    """Every test function of a file with the ids it cites on its `def` line, in its
    docstring, or in a comment inside it."""
    source = path.read_text(encoding="utf-8")
    comments = _comments(source)
    rel = path.relative_to(repo).as_posix()
    found = []

    def visit(body: Iterable[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
                visit(node.body, f"{prefix}{node.name}::")
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
                "test"
            ):
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                texts = [
                    c for line in range(first, node.end_lineno + 1) for c in comments.get(line, [])
                ]
                texts.append(ast.get_docstring(node) or "")
                ids = sorted({i for text in texts for i in ID.findall(text)}, key=sort_key)
                found.append(CitedTest(f"{rel}::{prefix}{node.name}", tuple(ids), node.lineno))

    visit(ast.parse(source).body, "")
    return found


def all_tests(repo: Path) -> list[CitedTest]:
    return [t for path in find_test_files(repo) for t in tests_in(path, repo)]


def sort_key(spec_id: str) -> tuple[int, int]:
    if spec_id == ACTORS:
        return (0, 0)
    major, minor = spec_id[1:].split(".")
    return (int(major), int(minor))


def ranges(repo: Path) -> list[str]:
    """Places in code and tests where an id range stands for its members."""
    found = []
    for path in [*_python_files(repo / "src"), *_python_files(repo / "tests")]:
        source = path.read_text(encoding="utf-8")
        texts = [(line, c) for line, cs in _comments(source).items() for c in cs]
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                texts.append((node.lineno, node.value))
        for line, text in texts:
            for match in RANGE.findall(text):
                found.append(f"{path.relative_to(repo).as_posix()}:{line}: {match}")
    return sorted(set(found))


def build(spec_text: str, repo: Path) -> list[Entry]:
    entries = [Entry(r) for r in parse_spec(spec_text)]
    by_id = {e.requirement.id: e for e in entries}
    for spec_id, modules in module_citations(repo / "src" / "verkstall").items():
        if spec_id in by_id:
            by_id[spec_id].modules |= modules
    for spec_id, rules in rule_citations().items():
        if spec_id in by_id:
            by_id[spec_id].rules |= rules
    for test in all_tests(repo):
        for spec_id in test.ids:
            if spec_id in by_id:
                by_id[spec_id].tests.add(test.name)
    return entries


def unknown_ids(spec_text: str, repo: Path) -> dict[str, list[str]]:
    """Ids that code, rules or tests cite but SPEC.md does not give -> where."""
    known = {r.id for r in parse_spec(spec_text)}
    found: dict[str, set[str]] = {}
    cited = [
        *module_citations(repo / "src" / "verkstall").items(),
        *rule_citations().items(),
    ]
    cited += [(i, {t.name}) for t in all_tests(repo) for i in t.ids]
    for spec_id, where in cited:
        if spec_id not in known:
            found.setdefault(spec_id, set()).update(where)
    return {k: sorted(v) for k, v in sorted(found.items())}


def render(entries: list[Entry]) -> str:
    built = [e for e in entries if e.built]
    lines = [
        "# SPEC index",
        "",
        "Generated by `python -m verkstall spec_index` from the code; do not edit by hand",
        "(CI runs `python -m verkstall spec_index --check`). For each id of SPEC.md, in its",
        "order: the modules whose docstrings or comments cite it, the built-in profile rules",
        "whose `spec` field cites it, and the tests that cite it on their `def` line, in their",
        'docstring or in a comment. An id that nothing cites is listed as "not built".',
        "",
        f"{len(entries)} ids: {len(built)} built, {len(entries) - len(built)} not built.",
        "",
    ]
    not_built = [e.requirement.id for e in entries if not e.built]
    if not_built:
        lines += [f"Not built: {', '.join(not_built)}.", ""]
    for entry in entries:
        req = entry.requirement
        lines += [f"## {req.id}", "", req.text, "", f"Status: {entry.status}.", ""]
        if entry.modules:
            lines.append("Modules: " + ", ".join(f"`{m}`" for m in sorted(entry.modules)) + ".")
            lines.append("")
        if entry.rules:
            lines.append("Rules: " + ", ".join(f"`{r}`" for r in sorted(entry.rules)) + ".")
            lines.append("")
        if entry.tests:
            lines.append(f"Tests ({len(entry.tests)}):")
            lines.append("")
            lines += [f"- `{t}`" for t in sorted(entry.tests)]
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def generate(spec_path: Path, repo: Path) -> str:
    return render(build(spec_path.read_text(encoding="utf-8"), repo))
