"""Who sees and changes what in payments (SPEC R9.4, R9.2, Actors, R10.4), bad input as 400s
with Swedish messages, the price import, and a basis read in a fixed number of queries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from verkstall.absences.models import AbsenceReason
from verkstall.access.roles import Role
from verkstall.audit.models import AccessLogEntry
from verkstall.core.clock import travel_to
from verkstall.core.errors import PermissionDenied, ValidationFailed
from verkstall.deadlines.models import ABSENCE_REASON_CHOICES
from verkstall.payments import basis_selectors, selectors, services
from verkstall.payments.basis_types import Period
from verkstall.payments.models import Price
from verkstall.tooling import testing as build

from .conftest import RESPITE, at, granted

MARCH = Period(2026, 3)
APR_2 = date(2026, 4, 2)


def test_the_basis_is_the_municipalitys_and_a_provider_sees_its_own(pw, client):  # R9.4
    mine, theirs = pw.order(provider=pw.a), pw.order(provider=pw.b)
    with travel_to(at(APR_2)):
        client.force_login(pw.manager_a)
        page = client.get("/payments/basis/?period=2026-03")
        assert page.status_code == 200
        text = page.content.decode()
        assert f"#{mine.pk}" in text and f"#{theirs.pk}" not in text
        assert client.get(f"/payments/basis/?period=2026-03&provider={pw.b.pk}").status_code == 404
        exported = client.get("/payments/basis/export.csv?period=2026-03").content.decode()
        assert mine.person.formatted_personal_number in exported
        assert theirs.person.formatted_personal_number not in exported
        for user in (pw.staff_a, pw.officer):
            client.force_login(user)
            assert client.get("/payments/basis/?period=2026-03").status_code == 403
            assert client.get("/payments/basis/export.csv?period=2026-03").status_code == 403
        client.force_login(pw.fee)
        both = client.get("/payments/basis/?period=2026-03").content.decode()
        assert f"#{mine.pk}" in both and f"#{theirs.pk}" in both


def test_another_municipality_sees_none_of_it(pw, client):  # Actors, R9.4
    order = pw.order()
    other = build.municipality(profile="gotland")
    admin = build.user(Role.LOV_ADMIN, other, username="lov-other")
    with travel_to(at(APR_2)):
        assert basis_selectors.compute_basis(selectors.BasisScope(pw.muni.pk, None), MARCH).rows
        client.force_login(admin)
        page = client.get("/payments/basis/?period=2026-03")
        assert page.status_code == 200 and f"#{order.pk}" not in page.content.decode()
        assert client.get(f"/payments/basis/?period=2026-03&provider={pw.a.pk}").status_code == 404
        assert client.get("/payments/prices/").status_code == 200
        assert "Björkens" not in client.get("/payments/prices/").content.decode()
        ended = client.post(f"/payments/prices/{pw.care_price.pk}/end/", {"valid_to": "2026-05-01"})
        assert ended.status_code == 404
        with pytest.raises(PermissionDenied):
            services.close_month(pw.officer, period="2026-02")


def test_another_providers_time_is_not_found(pw, api):  # R9.2, Actors
    order = pw.order(services=[granted(RESPITE, "10")])
    with travel_to(at(date(2026, 3, 20))):
        entry = services.register_performed_time(
            pw.staff_a,
            order=order,
            granted_service=order.services.get(),
            day="2026-03-02",
            hours="2",
        )
        other = api(pw.staff_b)
        assert other.get(f"/api/performed-time/{entry.pk}/").status_code == 404
        assert other.patch(f"/api/performed-time/{entry.pk}/", {"hours": "1"}).status_code == 404
        assert other.delete(f"/api/performed-time/{entry.pk}/").status_code == 404
        assert other.get("/api/performed-time/").json()["results"] == []
        body = {"order": order.pk, "granted_service": entry.granted_service_id}
        body |= {"day": "2026-03-03", "hours": "1"}
        refused = other.post("/api/performed-time/", body, format="json")
        assert refused.status_code == 400 and "order" in refused.json()
        mine = api(pw.staff_a).get(f"/api/performed-time/?order={order.pk}").json()["results"]
        assert [row["id"] for row in mine] == [entry.pk]


def test_bad_input_is_a_400_with_swedish_messages(pw, api):  # R9.2
    order = pw.order(services=[granted(RESPITE, "10")])
    care = pw.order()
    service = order.services.get().pk
    staff = api(pw.staff_a)
    with travel_to(at(date(2026, 3, 20))):
        cases = [
            ({"hours": "abc"}, "hours"),
            ({"hours": "25"}, "hours"),
            ({"hours": "0"}, "hours"),
            ({"day": "2026-03-25"}, "day"),  # a day to come
            ({"day": "2025-12-31"}, "day"),  # before the start
            ({"day": "not a day"}, "day"),
            ({"kind": "overtime"}, "kind"),
            ({"kind": "exceeded"}, "kind"),  # no acute oral order
            ({"granted_service": care.services.get().pk}, "granted_service"),
            ({"order": "x"}, "order"),
        ]
        for change, field in cases:
            body = {"order": order.pk, "granted_service": service, "day": "2026-03-02"}
            body |= {"hours": "2"}
            body.update(change)
            response = staff.post("/api/performed-time/", body, format="json")
            assert response.status_code == 400, (change, response.content)
            assert field in response.json(), (change, response.json())
        not_performed = staff.post(
            "/api/performed-time/",
            {
                "order": care.pk,
                "granted_service": care.services.get().pk,
                "day": "2026-03-02",
                "hours": "2",
            },
            format="json",
        )
        assert not_performed.status_code == 400
        assert "avlösning, ledsagning och särskild omvårdnad" in str(not_performed.json())


def test_an_officer_registers_time_for_a_provider_not_connected(pw, api):  # R9.2, R3.3
    order = pw.order(provider=pw.offline, services=[granted(RESPITE, "10")])
    body = {"order": order.pk, "granted_service": order.services.get().pk}
    body |= {"day": "2026-03-02", "hours": "2"}
    with travel_to(at(date(2026, 3, 20))):
        missing = api(pw.officer).post("/api/performed-time/", body, format="json")
        assert missing.status_code == 400 and "channel" in missing.json()
        done = api(pw.officer).post(
            "/api/performed-time/", body | {"channel": "post"}, format="json"
        )
        assert done.status_code == 201
        assert done.json()["on_behalf_of"] == pw.offline.pk and done.json()["channel"] == "post"


def test_prices_do_not_overlap_and_only_the_lov_administrator_sets_them(pw, client):  # R9.4
    with travel_to(at(date(2026, 3, 1))):
        with pytest.raises(ValidationFailed) as caught:
            services.add_price(
                pw.lov,
                service_type="hemtjanst-omvardnad",
                unit="day",
                amount="100",
                valid_from="2026-06-01",
            )
        assert "överlappar" in caught.value.errors["valid_from"][0]
        with pytest.raises(ValidationFailed) as caught:
            services.add_price(
                pw.lov,
                service_type="hemtjanst-service",
                unit="performed_hour",
                amount="1",
                valid_from="2026-06-01",
            )
        assert "unit" in caught.value.errors
        with pytest.raises(PermissionDenied):
            services.add_price(
                pw.fee,
                service_type="hemtjanst-service",
                unit="day",
                amount="1",
                valid_from="2026-06-01",
            )
        client.force_login(pw.lov)
        bad = client.post(
            "/payments/prices/add/",
            {
                "service_type": "hemtjanst-service",
                "unit": "day",
                "amount": "-5",
                "valid_from": "2026-06-01",
            },
        )
        assert bad.status_code == 400 and "negativt" in bad.content.decode()
        ok = client.post(
            "/payments/prices/add/",
            {
                "service_type": "hemtjanst-service",
                "unit": "day",
                "amount": "120,50",
                "valid_from": "2026-06-01",
            },
        )
        assert ok.status_code == 302
        assert Price.objects.get(service_type__code="hemtjanst-service").amount == Decimal("120.50")
        client.force_login(pw.fee)
        assert client.get("/payments/prices/").status_code == 200
        assert (
            client.post("/payments/prices/add/", {"service_type": "ledsagning"}).status_code == 403
        )


def test_a_price_list_is_imported_whole_or_not_at_all(pw, tmp_path):  # R9.4
    good = tmp_path / "priser.csv"
    good.write_text(
        "insats;prisenhet;pris;från;till\n"
        "ledsagning;per utförd timme;395,00;2026-01-01;\n"
        "Särskild omvårdnad;per utförd timme;450;2026-01-01;2026-12-31\n",
        encoding="utf-8-sig",
    )
    bad = tmp_path / "fel.csv"
    bad.write_text(
        "insats;prisenhet;pris;från\n"
        "ledsagning;per utförd timme;395;2027-01-01\n"
        "okänd;per dag;100;2027-01-01\n"
        "avlosning;per timme;abc;2027-13-01\n"
        "hemtjanst-omvardnad;per dag;100;2026-06-01\n"
        "ledsagning;per utförd timme;400;2027-06-01\n",
        encoding="utf-8",
    )
    before = Price.objects.count()
    with travel_to(at(date(2026, 3, 1))), pytest.raises(CommandError) as caught:
        call_command("import_prices", str(bad), municipality=pw.muni.code)
    assert caught.value.returncode == 1 and Price.objects.count() == before
    with travel_to(at(date(2026, 3, 1))):
        report = services.import_prices(pw.lov, content=bad.read_bytes())
        errors = [str(e) for e in report.errors]
        assert "Rad 3, insats: Insatsen «okänd» finns inte" in errors[0]
        assert any(e.startswith("Rad 4, prisenhet: Okänd prisenhet «per timme»") for e in errors)
        assert any(e.startswith("Rad 4, pris: «abc» är inget belopp") for e in errors)
        assert any(e.startswith("Rad 4, från: Ogiltigt datum") for e in errors)
        assert any(e.startswith("Rad 5, från: Priset för Hemtjänst") for e in errors)
        assert any(e == "Rad 6, från: Perioden överlappar priset på rad 2." for e in errors)
        call_command("import_prices", str(good), municipality=pw.muni.code)
    assert Price.objects.count() == before + 2


def test_the_basis_reads_in_a_fixed_number_of_queries(pw):  # R9.4
    pw.order()
    with travel_to(at(date(2026, 3, 6))):
        services.close_month(pw.lov, period="2026-02")
    scope = selectors.BasisScope(pw.muni.pk, None)

    def count() -> int:
        with travel_to(at(APR_2)), CaptureQueriesContext(connection) as queries:
            basis_selectors.compute_basis(scope, MARCH)
        return len(queries)

    few = count()
    for _ in range(4):
        pw.order(services=[granted(), granted(RESPITE, "10")])
    assert count() == few <= 14


def test_an_export_is_logged_for_every_client_in_it(pw, client):  # R10.4, R9.4
    orders = [pw.order(), pw.order(provider=pw.b)]
    client.force_login(pw.fee)
    with travel_to(at(APR_2)):
        response = client.get("/payments/basis/export.xlsx?period=2026-03")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="ersattningsunderlag-2026-03.xlsx"'
    )
    logged = set(
        AccessLogEntry.objects.filter(action="export", user_id=pw.fee.pk).values_list(
            "person_id", flat=True
        )
    )
    assert logged == {o.person_id for o in orders}


def test_the_profile_names_the_absence_reasons_of_the_absences_app():
    assert [code for code, _ in ABSENCE_REASON_CHOICES] == list(AbsenceReason.values)
    assert dict(ABSENCE_REASON_CHOICES) == dict(AbsenceReason.choices)


def test_a_bad_month_is_a_400_and_the_workbook_reads_back(pw, client):  # R9.4
    import io

    from openpyxl import load_workbook

    pw.order()
    client.force_login(pw.lov)
    with travel_to(at(APR_2)):
        for url in ("/payments/basis/?period=2026-13", "/payments/basis/export.csv?period=x"):
            response = client.get(url)
            assert response.status_code == 400 and "ÅÅÅÅ-MM" in response.content.decode()
        book = client.get("/payments/basis/export.xlsx?period=2026-03").content
    sheet = load_workbook(io.BytesIO(book)).active
    header, row = list(sheet.iter_rows(values_only=True))
    assert header[0] == "Underlagsmånad" and row[0] == "2026-03"
    assert row[16] == 12400 and row[3] == "Björkens Hemtjänst" and len(row[7]) == 13
