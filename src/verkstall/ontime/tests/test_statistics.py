"""Who sees which on-time figures, and the screen's chart, table and CSV (SPEC R9.4, issue 15
item 7)."""

from __future__ import annotations

import csv
import io
import re

import pytest

from verkstall.core.errors import PermissionDenied
from verkstall.deadlines.models import DueItem, Rule
from verkstall.ontime import selectors
from verkstall.ontime.selectors import Filters

from .conftest import MARCH

pytestmark = pytest.mark.django_db
URL = "/statistics/on-time/"
QUERY = {"first": "2026-03", "last": "2026-03"}


def _march(user):
    return selectors.statistics(user, Filters(first=MARCH, last=MARCH))


def _figures(row):
    f = row.figures
    return (f.volume, f.on_time, f.late, f.overdue, f.pending, f.percent_on_time,
            f.late_median, f.late_p90, f.lead_median)  # fmt: skip


def test_figures_of_a_hand_made_month(stats):  # R9.4
    report = _march(stats.lov)
    rows = {row.provider: _figures(row) for row in report.rows}
    assert rows == {
        "Omsorg A AB": (5, 1, 2, 1, 1, 25, 4, 5, 7),
        "Omsorg B AB": (1, 1, 0, 0, 0, 100, None, None, 4),
        "Kommunens genomsnitt": (6, 2, 2, 1, 1, 40, 4, 5, 4),
    }
    assert {row.month for row in report.rows} == {MARCH}
    assert {row.rule_code for row in report.rows} == {"kvittens-och-start"}


def test_the_statistics_take_three_queries(stats, django_assert_num_queries):  # R9.4
    with django_assert_num_queries(3):
        _march(stats.lov)


def test_a_provider_sees_its_own_and_the_average_but_no_other_provider(stats):  # R9.4
    report = _march(stats.staff_a)
    assert [(r.provider, r.figures.volume) for r in report.rows] == [
        ("Omsorg A AB", 5),
        ("Kommunens genomsnitt", 6),
    ]
    report = _march(stats.manager_b)
    assert [(r.provider, r.figures.volume) for r in report.rows] == [
        ("Omsorg B AB", 1),
        ("Kommunens genomsnitt", 6),
    ]


def test_a_provider_filter_does_not_reach_another_provider(stats):  # R9.4
    report = selectors.statistics(
        stats.staff_a, Filters(first=MARCH, last=MARCH, provider_id=stats.provider_b.pk)
    )
    assert {r.provider for r in report.rows} == {"Omsorg A AB", "Kommunens genomsnitt"}


def test_an_officer_sees_the_clients_of_the_own_unit(stats):  # R9.4
    rows = {r.provider: _figures(r) for r in _march(stats.officer).rows}
    assert rows == {
        "Omsorg A AB": (5, 1, 2, 1, 1, 25, 4, 5, 7),
        "Enhetens klienter, alla utförare": (5, 1, 2, 1, 1, 25, 4, 5, 7),
    }
    rows = {r.provider: r.figures.volume for r in _march(stats.other_officer).rows}
    assert rows == {"Omsorg B AB": 1, "Enhetens klienter, alla utförare": 1}


def test_other_roles_see_nothing(stats, client):  # R9.4
    with pytest.raises(PermissionDenied):
        _march(stats.fee_officer)
    client.force_login(stats.fee_officer)
    assert client.get(URL).status_code == 403


def test_the_rule_filter(stats):  # R9.4
    report = selectors.statistics(
        stats.lov, Filters(first=MARCH, last=MARCH, rule_code="genomforandeplan-skickad")
    )
    assert report.rows == []


def _table(html: str) -> list[list[str]]:
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", tr, re.S)]
        for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def test_the_provider_page_shows_no_other_provider(stats, client):  # R9.4
    client.force_login(stats.staff_a)
    response = client.get(URL, QUERY)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Omsorg A AB" in html and "Kommunens genomsnitt" in html
    assert "Omsorg B AB" not in html
    csv_text = client.get(URL + "export.csv", QUERY).content.decode("utf-8-sig")
    assert "Omsorg B AB" not in csv_text


def test_the_chart_is_accessible_svg_with_one_bar_per_row(stats, client):  # R9.4
    client.force_login(stats.lov)
    html = client.get(URL, QUERY).content.decode()
    svg = re.search(r"<svg\b.*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg
    assert "style=" not in svg and "<script" not in html.split("<main", 1)[1]
    rows = _table(html)
    assert len(rows) == 3
    assert len(re.findall(r'<rect class="bar', svg)) == len(rows)


def test_the_csv_equals_the_table(stats, client):  # R9.4
    client.force_login(stats.lov)
    rows = _table(client.get(URL, QUERY).content.decode())
    response = client.get(URL + "export.csv", QUERY)
    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert lines[0][0] == "Utförare" and lines[1:] == rows


def test_a_bad_month_is_refused_on_the_form(stats, client):  # R9.4
    client.force_login(stats.lov)
    response = client.get(URL, {"first": "2026-05", "last": "2026-03"})
    assert response.status_code == 400
    assert "Från-månaden ligger efter till-månaden." in response.content.decode()
    assert client.get(URL + "export.csv", {"first": "mars"}).status_code == 400


def test_the_default_page_shows_the_last_months(stats, client):  # R9.4
    client.force_login(stats.officer)
    html = client.get(URL).content.decode()
    assert "Omsorg A AB" in html and "Omsorg B AB" not in html.split("<table", 1)[1]


def test_a_name_a_spreadsheet_would_run_is_guarded_in_the_csv(stats, client):  # R9.4
    """A provider's or a rule's name that starts like a formula gets an apostrophe in the CSV
    (core/csv_export.py); the page shows it as it is, and the numbers stay numbers."""
    stats.provider_a.name = '=HYPERLINK("http://x.invalid";"A")'
    stats.provider_a.save()
    Rule.objects.filter(pk__in=DueItem.objects.values("rule")).update(name="@Kvittens")
    client.force_login(stats.lov)
    response = client.get(URL + "export.csv", QUERY)
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    ours = next(line for line in lines if "HYPERLINK" in line[0])
    assert ours[:2] == ['\'=HYPERLINK("http://x.invalid";"A")', "'@Kvittens"]
    assert ours[3:] == ["5", "1", "2", "1", "1", "25", "4", "5", "7"]
    assert all(line[1] == "'@Kvittens" for line in lines[1:])
    rows = _table(client.get(URL, QUERY).content.decode())
    assert {row[1] for row in rows} == {"@Kvittens"}
