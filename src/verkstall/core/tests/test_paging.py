"""The lists' one paging and sorting (core/paging.py, issue 17 item 5), without a database: the
page asked for, its bounds, the links that keep the other parameters, and the whitelisted sort."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest

from verkstall.core.paging import DEFAULT_SIZE, NBSP, Sorting, paginate, swedish_number


class Expr:
    """A stand-in for a Django expression: records the direction asked for."""

    def __init__(self, name):
        self.name = name

    def asc(self, nulls_last=False):
        return f"{self.name} asc{' nulls last' if nulls_last else ''}"

    def desc(self, nulls_last=False):
        return f"{self.name} desc{' nulls last' if nulls_last else ''}"


class Rows:
    """A stand-in for a queryset: counts, slices and remembers its order."""

    def __init__(self, n, ordering=()):
        self.items = list(range(1, n + 1))
        self.ordering = list(ordering)
        self.counted = 0

    def count(self):
        self.counted += 1
        return len(self.items)

    def order_by(self, *fields):
        ordered = Rows(0, fields)
        ordered.items = self.items
        return ordered

    def __getitem__(self, index):
        return self.items[index]


# "date" may be null (its nulls last either way); the names never are.
SORTING = Sorting(
    columns={"name": (Expr("last"), Expr("first")), "date": (Expr("at"),)},
    default="-date",
    nullable=frozenset({"date"}),
)


def _query(url: str) -> list[tuple[str, str]]:
    return parse_qsl(url.split("?", 1)[1]) if "?" in url else []


def test_the_page_shows_its_rows_and_the_total():  # issue 17 item 5
    rows = Rows(1234)
    page = paginate(rows, {"page": "2"})
    assert rows.counted == 1  # one COUNT for the total
    assert page.rows == list(range(51, 101))
    assert (page.start, page.end, page.total, page.pages) == (51, 100, 1234, 25)
    assert (page.start_text, page.total_text) == ("51", f"1{NBSP}234")
    assert page.has_previous and page.has_next


@pytest.mark.parametrize(
    ("asked", "shown"),
    [
        ("abc", 1),
        ("0", 1),
        ("-3", 1),
        ("", 1),
        ("1.5", 1),
        ("٣", 1),  # an Arabic-Indic digit is not a page number here
        ("25", 25),
        ("26", 25),
        ("99999999999999999999999", 25),
    ],
)
def test_a_page_out_of_bounds_or_not_a_number_is_the_first_or_the_last(asked, shown):
    page = paginate(Rows(1234), {"page": asked})
    assert page.number == shown
    assert page.rows[0] == (shown - 1) * DEFAULT_SIZE + 1


def test_an_empty_list_is_page_one_of_one_and_reads_no_rows():
    page = paginate(Rows(0), {"page": "7"})
    assert (page.number, page.pages, page.rows, page.start, page.end) == (1, 1, [], 0, 0)
    assert not page


@pytest.mark.parametrize(("asked", "size"), [("25", 25), ("100", 100), ("30", 50), ("x", 50)])
def test_the_page_size_is_one_of_those_offered(asked, size):
    page = paginate(Rows(500), {"size": asked})
    assert page.size == size and len(page.rows) == size
    assert [link.number for link in page.size_links] == [25, 50, 100]
    assert [link.current for link in page.size_links] == [size == 25, size == 50, size == 100]


def test_every_link_keeps_the_other_parameters_and_starts_a_new_size_or_sort_on_page_one():
    params = [("state", "sent"), ("page", "3"), ("sort", "name"), ("size", "25")]
    page = paginate(Rows(500), params, sorting=SORTING)
    assert _query(page.next_url) == [
        ("state", "sent"),
        ("sort", "name"),
        ("size", "25"),
        ("page", "4"),
    ]
    assert _query(page.previous_url) == [
        ("state", "sent"),
        ("sort", "name"),
        ("size", "25"),
        ("page", "2"),
    ]
    # Page one and the default size stay out of the link.
    first = page.page_links[0]
    assert (first.number, _query(first.url)) == (
        1,
        [("state", "sent"), ("sort", "name"), ("size", "25")],
    )
    assert _query(page.size_links[1].url) == [("state", "sent"), ("sort", "name")]
    assert _query(page.sort_url("date")) == [("state", "sent"), ("size", "25"), ("sort", "date")]
    assert page.hidden_fields == [("sort", "name"), ("size", "25")]


def test_the_page_numbers_show_the_ends_and_the_neighbours_with_gaps():
    page = paginate(Rows(1000), {"page": "10"})  # 20 pages
    numbers = [link.number for link in page.page_links]
    assert numbers == [1, None, 8, 9, 10, 11, 12, None, 20]
    assert [link.number for link in page.page_links if link.current] == [10]


def test_a_prefix_pages_one_list_of_several_on_a_screen():
    params = {"new-page": "2", "page": "9", "start-page": "3"}
    page = paginate(Rows(120), params, prefix="new-")
    assert page.number == 2
    assert dict(_query(page.next_url)) == {"new-page": "3", "page": "9", "start-page": "3"}


def test_the_links_go_to_another_path_when_given():
    page = paginate(Rows(120), None, path="/clients/search/")
    assert page.next_url == "/clients/search/?page=2"
    assert page.url(page=1) == "/clients/search/"


@pytest.mark.parametrize(
    ("asked", "key", "descending", "order"),
    [
        ("name", "name", False, ["last asc", "first asc", "id"]),
        ("-name", "name", True, ["last desc", "first desc", "-id"]),
        ("date", "date", False, ["at asc nulls last", "id"]),
        (None, "date", True, ["at desc nulls last", "-id"]),
        ("password", "date", True, ["at desc nulls last", "-id"]),
        ("--name", "date", True, ["at desc nulls last", "-id"]),
        ("id", "date", True, ["at desc nulls last", "-id"]),
    ],
)
def test_only_a_whitelisted_sort_is_used_with_the_id_breaking_ties(asked, key, descending, order):
    page = paginate(Rows(10), {"sort": asked} if asked is not None else {}, sorting=SORTING)
    assert (page.sort_key, page.descending) == (key, descending)
    assert SORTING.order_by(key, descending) == order


def test_the_sorted_column_has_aria_sort_and_its_link_turns_it_around():
    page = paginate(Rows(10), {"sort": "name"}, sorting=SORTING)
    assert (page.aria_sort("name"), page.aria_sort("date")) == ("ascending", "")
    assert dict(_query(page.sort_url("name"))) == {"sort": "-name"}
    page = paginate(Rows(10), {"sort": "-name"}, sorting=SORTING)
    assert page.aria_sort("name") == "descending"
    assert dict(_query(page.sort_url("name"))) == {"sort": "name"}


def test_a_default_sort_that_is_not_a_column_is_a_programming_error():
    with pytest.raises(ValueError, match="not a column"):
        Sorting(columns={"name": (Expr("n"),)}, default="-date")


def test_a_grouped_list_sorts_within_its_groups_whatever_the_direction():  # issue 17 item 5
    grouped = Sorting(columns={"name": (Expr("last"),)}, default="name", leading=(Expr("group"),))
    assert grouped.order_by("name", False) == ["group asc", "last asc", "id"]
    assert grouped.order_by("name", True) == ["group asc", "last desc", "-id"]


def test_a_total_counted_already_is_not_counted_again():  # issue 17 item 5 (the watchlists)
    rows = Rows(120)
    page = paginate(rows, {"page": "3"}, total=120)
    assert rows.counted == 0 and (page.number, page.total, len(page)) == (3, 120, 20)


def test_wrap_turns_each_row_of_the_page_only():
    seen = []
    page = paginate(Rows(500), {"page": "2", "size": "25"}, wrap=lambda r: seen.append(r) or -r)
    assert page.rows == [-r for r in range(26, 51)] and len(seen) == 25


def test_swedish_numbers_group_thousands_with_a_non_breaking_space():
    assert swedish_number(5) == "5"
    assert swedish_number(1234567) == f"1{NBSP}234{NBSP}567"
