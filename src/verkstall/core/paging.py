"""One paging and sorting for the screens' lists (issue 17 item 5): orders, the provider's
inbox, clients, the client search, messages, the watchlists and the access log.

A page is two queries whatever the list's size: one COUNT for the total, one for the page's
rows (plus the list's own prefetches, one query each, never one per row). The page number,
the page size and the sort come from the query string and are never an error: a page that is
not a number, or below one, is the first page, one beyond the last is the last; a size that
is not offered is the default; a sort that is not whitelisted is the list's default. Every
link keeps the request's other parameters (a list's filters), so paging, sorting and a filter
work together.

Pure: the rows are anything with `.count()`, `.order_by()` and slicing (a queryset); a sort
column is an expression with `.asc()` and `.desc()` (Django's `F`, `Lower`, `Case`), given by
the list's selector. The template partial `core/_paging.html` shows a page, and the tag
`{% sort_header %}` (core/templatetags/paging.py) a sortable column's header.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

PAGE_SIZES = (25, 50, 100)
DEFAULT_SIZE = 50
# Page numbers shown on each side of the current one (the first and last always show).
WINDOW = 2
# A page number longer than this is not a page anyone asked for: the last page.
_MAX_DIGITS = 9
NBSP = "\u00a0"


def swedish_number(n: int) -> str:
    """1234 -> "1 234" with a non-breaking space, as Swedish writes thousands."""
    return f"{n:,}".replace(",", NBSP)


@dataclass(frozen=True)
class Sorting:
    """The columns a list sorts by, each a key of the query string's `sort` (`sort=key`
    ascending, `sort=-key` descending) naming its expressions in ascending order, and the
    default (a key, with "-" for descending). The id breaks ties, in the sort's direction, so
    that a page never shows a row of the page before it. The columns in `nullable` put their
    nulls last either way (SQLite and PostgreSQL disagree otherwise); the others are sorted
    plainly, so that PostgreSQL can read a descending sort backwards off an ascending index
    (`DESC NULLS LAST` would not match it)."""

    columns: Mapping[str, tuple]
    default: str
    nullable: frozenset[str] = frozenset()
    #: Expressions every sort starts with, always ascending: a list shown in groups (the
    #: watchlist's overdue, today, "snarast", the rest) sorts within its groups.
    leading: tuple = ()

    def __post_init__(self):
        if self.default.lstrip("-") not in self.columns:
            raise ValueError(f"default sort {self.default!r} is not a column")

    def parse(self, value: str | None) -> tuple[str, bool]:
        """(key, descending) of the query string's value; the default for anything else."""
        text = (value or "").strip()
        descending = text.startswith("-")
        key = text[1:] if descending else text
        if key in self.columns:
            return key, descending
        return self.default.lstrip("-"), self.default.startswith("-")

    def order_by(self, key: str, descending: bool) -> list:
        nulls = {"nulls_last": True} if key in self.nullable else {}
        exprs = [e.desc(**nulls) if descending else e.asc(**nulls) for e in self.columns[key]]
        return [*(e.asc() for e in self.leading), *exprs, "-id" if descending else "id"]


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None: the gap between page numbers
    url: str = ""
    current: bool = False


@dataclass
class Page:
    """One page of a list, with what its links need. `prefix` names this list's parameters
    when a screen pages several lists (`new-page`); `path` is where the links go ("" for the
    page itself)."""

    rows: list
    number: int
    size: int
    total: int
    params: list[tuple[str, str]] = field(default_factory=list)
    prefix: str = ""
    path: str = ""
    sort_key: str | None = None
    descending: bool = False
    sortable: frozenset[str] = frozenset()

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __bool__(self) -> bool:
        return bool(self.rows)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def start(self) -> int:
        return (self.number - 1) * self.size + 1 if self.total else 0

    @property
    def end(self) -> int:
        return min(self.number * self.size, self.total)

    @property
    def start_text(self) -> str:
        return swedish_number(self.start)

    @property
    def end_text(self) -> str:
        return swedish_number(self.end)

    @property
    def total_text(self) -> str:
        return swedish_number(self.total)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    def url(self, **changes) -> str:
        """This list's link with `changes` (page, size, sort) and every other parameter kept.
        Page 1 and the default size are left out of the link."""
        names = {self.prefix + k: v for k, v in changes.items()}
        kept = [(k, v) for k, v in self.params if k not in names]
        for name, value in names.items():
            if value is None or (name == self.prefix + "page" and value == 1):
                continue
            if name == self.prefix + "size" and value == DEFAULT_SIZE:
                continue
            kept.append((name, str(value)))
        return f"{self.path}?{urlencode(kept)}" if kept else (self.path or "?")

    @property
    def previous_url(self) -> str:
        return self.url(page=self.number - 1)

    @property
    def next_url(self) -> str:
        return self.url(page=self.number + 1)

    @property
    def page_links(self) -> list[PageLink]:
        """The first and last page, and those near the current one, with a gap between."""
        shown = sorted(
            {1, self.pages}
            | set(range(max(1, self.number - WINDOW), min(self.pages, self.number + WINDOW) + 1))
        )
        links, last = [], 0
        for n in shown:
            if n > last + 1:
                links.append(PageLink(None))
            links.append(PageLink(n, self.url(page=n), n == self.number))
            last = n
        return links

    @property
    def size_links(self) -> list[PageLink]:
        return [PageLink(s, self.url(size=s, page=1), s == self.size) for s in PAGE_SIZES]

    @property
    def sort_value(self) -> str:
        """The sort as the query string writes it ("-created"), for a filter form to keep."""
        if self.sort_key is None:
            return ""
        return f"-{self.sort_key}" if self.descending else self.sort_key

    @property
    def hidden_fields(self) -> list[tuple[str, str]]:
        """The sort and size a list's filter form keeps as hidden fields (a new filter starts
        on the first page)."""
        fields = [(self.prefix + "sort", self.sort_value)] if self.sort_value else []
        if self.size != DEFAULT_SIZE:
            fields.append((self.prefix + "size", str(self.size)))
        return fields

    def sort_url(self, key: str) -> str:
        """The column's link: ascending, or descending when it is the ascending sort now."""
        flip = key == self.sort_key and not self.descending
        return self.url(sort=f"-{key}" if flip else key, page=1)

    def aria_sort(self, key: str) -> str:
        """The column's `aria-sort`: only the sorted column has one ("" for the others)."""
        if key != self.sort_key:
            return ""
        return "descending" if self.descending else "ascending"


def _pairs(params) -> list[tuple[str, str]]:
    """The query string's (name, value) pairs, in order, from a QueryDict or a mapping."""
    if params is None:
        return []
    if hasattr(params, "lists"):
        return [(k, v) for k, values in params.lists() for v in values]
    if isinstance(params, Mapping):
        return [(k, v) for k, v in params.items()]
    return list(params)


def _last(pairs: Iterable[tuple[str, str]], name: str) -> str | None:
    found = None
    for k, v in pairs:
        if k == name:
            found = v
    return found


def _number(text: str | None) -> int | None:
    text = (text or "").strip()
    if not text.isascii() or not text.isdigit():
        return None
    return int(text) if len(text) <= _MAX_DIGITS else 10**_MAX_DIGITS


def paginate(
    rows,
    params=None,
    *,
    sorting: Sorting | None = None,
    prefix: str = "",
    path: str = "",
    wrap: Callable | None = None,
    total: int | None = None,
) -> Page:
    """The page of `rows` that the query string `params` asks for (see the module's text);
    `wrap` turns each row of the page into what the list shows (a client as a list row).
    `total`: the rows' number when the caller has counted them already (a list that counts
    its groups in one query), instead of a COUNT of its own."""
    pairs = _pairs(params)
    size = _number(_last(pairs, prefix + "size"))
    size = size if size in PAGE_SIZES else DEFAULT_SIZE
    key, descending = None, False
    if sorting is not None:
        key, descending = sorting.parse(_last(pairs, prefix + "sort"))
        rows = rows.order_by(*sorting.order_by(key, descending))
    total = rows.count() if total is None else total
    pages = max(1, math.ceil(total / size))
    asked = _number(_last(pairs, prefix + "page"))
    number = min(max(asked or 1, 1), pages)
    items = list(rows[(number - 1) * size : number * size]) if total else []
    if wrap is not None:
        items = [wrap(row) for row in items]
    return Page(
        rows=items,
        number=number,
        size=size,
        total=total,
        params=pairs,
        prefix=prefix,
        path=path,
        sort_key=key,
        descending=descending,
        sortable=frozenset(sorting.columns) if sorting else frozenset(),
    )
