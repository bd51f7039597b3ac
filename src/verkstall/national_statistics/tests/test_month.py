"""The national individual statistics from the month data, the screen and the export (SPEC
R9.6), on the payment tests' municipality (payments.tests.conftest)."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from verkstall.audit.models import AccessLogEntry
from verkstall.core.clock import travel_to
from verkstall.national_statistics import selectors
from verkstall.payments.basis_types import Period
from verkstall.payments.tests.conftest import CARE, at, granted

MARCH = Period(2026, 3)
APR_2 = date(2026, 4, 2)
CARE_HOME = "vard-och-omsorgsboende"
ALARM = "trygghetslarm"


def _month(pw):
    return selectors.month_for(selectors.statistics_scope(pw.lov), MARCH)


def _lines(month, file):
    return [r.line() for r in month.records if r.file == file]


def _number(order):
    return order.person.personal_number


def test_home_care_hours_care_home_start_and_end_in_the_month(pw):  # R9.6
    from verkstall.orders import services as orders

    care = pw.order(services=[granted(CARE, "31")])
    home = pw.order(start=date(2026, 3, 10), services=[granted(CARE_HOME, "1", "place")])
    ending = pw.order(services=[granted(ALARM, "1", "place")])
    with travel_to(at(date(2026, 3, 20))):
        orders.end_order(pw.staff_a, ending, end_date=date(2026, 3, 18))
    month = _month(pw)
    code = pw.muni.code
    assert month.problems == []
    assert sorted(_lines(month, "1")) == sorted(
        [f"{code};202603;{_number(care)};01;031", f"{code};202603;{_number(home)};02;"]
    )
    assert sorted(_lines(month, "2")) == sorted(
        [
            f"{code};202603;{_number(home)};02;20260310;",
            f"{code};202603;{_number(ending)};04;;20260318",
        ]
    )
    assert [(c[0], c[2], c[3]) for c in month.counts()] == [
        ("01", 1, 0),
        ("02", 1, 1),
        ("04", 0, 1),
    ]


def test_a_person_with_two_service_kinds_has_two_records(pw):  # R9.6
    order = pw.order(services=[granted(CARE, "12,5"), granted(ALARM, "1", "place")])
    month = _month(pw)
    n, code = _number(order), pw.muni.code
    assert _lines(month, "1") == [f"{code};202603;{n};01;013", f"{code};202603;{n};04;"]


def _other_municipality_order():
    """A started home-care order in a second municipality (its own officer and provider)."""
    from verkstall.access.roles import Role
    from verkstall.decisions.models import ServiceType
    from verkstall.decisions.services import record_decision
    from verkstall.orders import services as orders
    from verkstall.people.services import register_person
    from verkstall.providers.models import Contract
    from verkstall.tooling import testing as build

    muni = build.municipality(name="Annan kommun", profile="gotland")
    area = build.area(muni, "Centrum")
    officer = build.user(Role.OFFICER, muni, unit=build.unit(muni), username="annan-hl")
    provider = build.provider(muni, "Annan Hemtjänst")
    staff = build.user(Role.PROVIDER_STAFF, muni, provider=provider, username="annan-u")
    Contract.objects.create(
        municipality=muni,
        provider=provider,
        service_type=ServiceType.objects.get(code=CARE),
        area=area,
        valid_from=date(2025, 1, 1),
    )
    start = date(2026, 1, 5)
    with travel_to(at(start, 12)):
        person = register_person(
            officer,
            personal_number=build.test_number(),
            first_name="Annan",
            last_name="Klient",
            street_address="Gatan 1",
            postal_code="11111",
            city="Staden",
            area=area.pk,
        )
        decision = record_decision(officer, person=person, decided_on=start, services=[granted()])
        order = orders.create_order(officer, decision=decision, provider=provider)
        orders.send_order(officer, order)
        orders.acknowledge_order(staff, order)
        orders.register_start(staff, order, start_date=start)
    return order


def test_another_municipalitys_persons_are_never_in_the_file(pw, client):  # R9.6, tenancy
    mine = pw.order()
    theirs = _other_municipality_order()
    month = _month(pw)
    numbers = {r.values[2] for r in month.records}
    assert numbers == {_number(mine)}
    client.force_login(pw.lov)
    with travel_to(at(APR_2)):
        body = client.get("/statistics/national/export/?period=2026-03&file=1").content
    assert _number(theirs).encode() not in body and _number(mine).encode() in body


def test_an_error_blocks_the_export_and_the_screen_hides_the_personnummer(pw, client):  # R9.6
    bad = pw.order(services=[granted(CARE, "3", "visits_per_week")])
    client.force_login(pw.lov)
    with travel_to(at(APR_2)):
        page = client.get("/statistics/national/?period=2026-03")
        refused = client.get("/statistics/national/export/?period=2026-03&file=1")
    text = page.content.decode()
    assert page.status_code == 200
    assert "besök per vecka" in text and "KG" in text and f"<td>{bad.person_id}</td>" in text
    # The layout is not checked against the published bilaga: the screen says so (R9.6).
    assert 'id="format-unverified"' in text and "inte kontrollerade" in text
    assert _number(bad) not in text and _number(bad)[:8] not in text
    assert refused.status_code == 409
    assert "Filen kan inte exporteras" in refused.content.decode()
    assert "attachment" not in refused.get("Content-Disposition", "")


def test_the_export_is_the_exact_file_and_is_logged(pw, client):  # R9.6, R10.4
    order = pw.order(start=date(2026, 3, 2), services=[granted(CARE, "7,5")])
    client.force_login(pw.lov)
    with travel_to(at(APR_2)):
        one = client.get("/statistics/national/export/?period=2026-03&file=1")
        two = client.get("/statistics/national/export/?period=2026-03&file=2")
    code, n = pw.muni.code, _number(order)
    assert one.status_code == 200
    assert one.content == f"{code};202603;{n};01;008\r\n".encode("ascii")
    assert two.content == f"{code};202603;{n};01;20260302;\r\n".encode("ascii")
    assert one["Content-Disposition"] == f'attachment; filename="SOL1_{code}_202603.txt"'
    logged = AccessLogEntry.objects.filter(action="export", user_id=pw.lov.pk)
    assert set(logged.values_list("person_id", flat=True)) == {order.person_id}


def test_only_the_lov_administrator_reaches_the_statistics(pw, client):  # R9.6, Actors
    for user in (pw.officer, pw.fee, pw.manager_a):
        client.force_login(user)
        assert client.get("/statistics/national/?period=2026-03").status_code == 403


def test_the_month_is_loaded_in_a_fixed_number_of_queries(pw):  # R9.6
    pw.order()
    with CaptureQueriesContext(connection) as few:
        _month(pw)
    for _ in range(3):
        pw.order(services=[granted(CARE, "10"), granted(ALARM, "1", "place")])
    with CaptureQueriesContext(connection) as many:
        _month(pw)
    assert len(many) == len(few) <= 12
