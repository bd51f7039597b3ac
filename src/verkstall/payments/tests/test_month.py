"""The month's payment basis from what was registered (SPEC R9.4, R9.2, R3.2, R3.8, R9.1):
a hospital stay, a switch mid-month, temporary increases of 5 and 6 days, an acute oral order
with exceeded time, prices changing mid-month, and a correction after the month is closed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from verkstall.core.clock import travel_to
from verkstall.core.errors import ValidationFailed
from verkstall.deadlines.models import RuleProfile
from verkstall.orders.models import EventKind
from verkstall.payments import basis_selectors, selectors, services
from verkstall.payments.basis_types import FLAG_REASSESS, LineKind, Period
from verkstall.payments.models import PaymentLine

from .conftest import RESPITE, at, granted

MARCH = Period(2026, 3)
FEBRUARY = Period(2026, 2)
APR_2 = date(2026, 4, 2)


def basis(pw, period=MARCH, provider=None):
    return basis_selectors.compute_basis(selectors.BasisScope(pw.muni.pk, provider), period)


def lines(pw, period=MARCH, kind=None, order=None):
    found = [r.line for r in basis(pw, period).rows]
    return [
        ln
        for ln in found
        if (kind is None or ln.kind == kind) and (order is None or ln.order_id == order.pk)
    ]


def test_a_month_with_a_hospital_stay_reduces_the_payment_by_the_profile_rule(pw):  # R9.4, R7.1
    from verkstall.absences.services import register_absence

    order = pw.order()
    with travel_to(at(date(2026, 3, 12))):
        stay = register_absence(
            pw.staff_a, order, reason="hospital", from_date="2026-03-01", to_date="2026-03-10"
        )
    with travel_to(at(APR_2)):
        (line,) = lines(pw)
        assert (line.days, line.absence_days, line.absences) == (21, 10, (stay.pk,))
        assert line.amount == Decimal("8400.00")  # 31 h a month, 21 of 31 days, 400 kr
        started = order.events.get(kind=EventKind.STARTED)
        assert started.pk in line.events and line.services == (order.services.get().pk,)
        # The municipality's routine pays the first 3 days of a hospital stay (R11.4).
        RuleProfile.objects.filter(slug="gotland").update(absence_payment_days=3)
        (line,) = lines(pw)
        assert (line.days, line.absence_days, line.amount) == (24, 7, Decimal("9600.00"))
        # ... and does not count an absence of the client's own choice at all.
        RuleProfile.objects.filter(slug="gotland").update(absence_payment_reasons=["own_choice"])
        (line,) = lines(pw)
        assert (line.days, line.absence_days) == (31, 0)


def test_a_switch_mid_month_pays_the_old_provider_to_the_switch_and_the_new_from_it(pw):  # R9.4
    from verkstall.orders import services as orders
    from verkstall.orders import switch_services

    order = pw.order()
    with travel_to(at(date(2026, 3, 2))):
        switch = switch_services.request_switch(
            pw.officer, order=order, new_provider=pw.b, requested_on=date(2026, 3, 2)
        )
        switch_services.inform_new_provider(pw.officer, switch=switch)
    with travel_to(at(date(2026, 3, 3))):
        switch_services.register_agreed_date(pw.staff_b, switch=switch, agreed_date="2026-03-16")
    with travel_to(at(date(2026, 3, 16), 8)):
        new = switch_services.complete_switch(pw.officer, switch=switch).new_order
        orders.acknowledge_order(pw.staff_b, new)
        orders.register_start(pw.staff_b, new, start_date="2026-03-16")
    with travel_to(at(APR_2)):
        old_line, new_line = sorted(lines(pw), key=lambda ln: ln.days)
        assert (old_line.provider_id, old_line.order_id, old_line.days) == (pw.a.pk, order.pk, 15)
        assert (new_line.provider_id, new_line.order_id, new_line.days) == (pw.b.pk, new.pk, 16)
        assert old_line.amount + new_line.amount == Decimal("12400.00")  # each day paid once
        # Each provider's unit manager sees its own side only.
        own = basis_selectors.compute_basis(selectors.basis_scope(pw.manager_b), MARCH)
        assert [r.line.order_id for r in own.rows] == [new.pk]


def test_a_temporary_increase_of_5_days_fits_and_one_of_6_is_flagged(pw):  # R3.8, R9.4
    from verkstall.orders.change_services import report_temporary_change

    order = pw.order()
    with travel_to(at(date(2026, 3, 20))):
        five = report_temporary_change(
            pw.staff_a,
            order,
            kind="increase",
            from_date="2026-03-03",
            to_date="2026-03-07",
            reason="Anhörig bortrest",
        )
        six = report_temporary_change(
            pw.staff_a,
            order,
            kind="increase",
            from_date="2026-03-10",
            to_date="2026-03-15",
            reason="Efter fall i hemmet",
        )
    with travel_to(at(APR_2)):
        (paid,) = lines(pw, kind=LineKind.GRANTED)
        assert paid.amount == Decimal("12400.00")  # nothing extra for either
        first, second = lines(pw, kind=LineKind.TEMPORARY_CHANGE)
        assert (first.changes, first.amount, first.flag) == ((five.pk,), 0, "")
        assert "5 dagar" in first.note and "ryms i befintlig ersättning" in first.note
        assert (second.changes, second.amount, second.flag) == ((six.pk,), 0, FLAG_REASSESS)
        assert six.event_id in second.events


def test_an_acute_oral_order_pays_the_exceeded_time_of_its_period(pw, api):  # R3.2, R9.4
    order = pw.order(date(2026, 3, 10), acute_hour=7)
    service = order.services.get().pk
    with travel_to(at(date(2026, 3, 13))):
        for day, hours in (("2026-03-10", "4"), ("2026-03-11", "2")):
            response = api(pw.staff_a).post(
                "/api/performed-time/",
                {
                    "order": order.pk,
                    "granted_service": service,
                    "kind": "exceeded",
                    "day": day,
                    "hours": hours,
                },
                format="json",
            )
            assert response.status_code == 201, response.json()
    with travel_to(at(date(2026, 4, 3))):
        response = api(pw.staff_a).post(
            "/api/performed-time/",
            {
                "order": order.pk,
                "granted_service": service,
                "kind": "exceeded",
                "day": "2026-04-01",
                "hours": "1",
            },
            format="json",
        )
        assert response.status_code == 400
        assert "akuta perioden" in response.json()["day"][0]
        granted_line = lines(pw, kind=LineKind.GRANTED)[0]
        assert granted_line.days == 22 and granted_line.amount == Decimal("8800.00")
        (exceeded,) = lines(pw, kind=LineKind.EXCEEDED)
        assert (exceeded.quantity, exceeded.amount) == (Decimal("6.00"), Decimal("2400.00"))
        assert len(exceeded.performed) == 2


def test_performed_time_of_respite_is_paid_per_performed_hour(pw, client):  # R9.2, R9.4
    order = pw.order(services=[granted(RESPITE, "10")])
    service = order.services.get().pk
    client.force_login(pw.staff_a)
    with travel_to(at(date(2026, 3, 20))):
        page = client.get(f"/payments/orders/{order.pk}/time/")
        assert page.status_code == 200 and "Registrera tid" in page.content.decode()
        for day, hours in (("2026-03-02", "3"), ("2026-03-09", "2,5")):
            response = client.post(
                f"/payments/orders/{order.pk}/time/add/",
                {"granted_service": service, "kind": "performed", "day": day, "hours": hours},
            )
            assert response.status_code == 302
        bad = client.post(
            f"/payments/orders/{order.pk}/time/add/",
            {"granted_service": service, "kind": "performed", "day": "2026-03-02", "hours": "1"},
        )
        assert bad.status_code == 400 and "redan tid registrerad" in bad.content.decode()
    with travel_to(at(APR_2)):
        (line,) = lines(pw)
        assert (line.kind, line.quantity, line.amount) == (
            LineKind.PERFORMED,
            Decimal("5.50"),
            Decimal("2090.00"),
        )


def test_prices_changing_mid_month_give_a_line_per_price(pw):  # R9.4
    order = pw.order()
    with travel_to(at(date(2026, 3, 1))):
        services.end_price(pw.lov, pw.care_price, valid_to="2026-03-15")
        new = services.add_price(
            pw.lov,
            service_type="hemtjanst-omvardnad",
            unit="granted_hour",
            amount="500",
            valid_from="2026-03-16",
        )
    with travel_to(at(APR_2)):
        first, second = lines(pw, order=order)
        assert (first.price_id, first.days, first.amount) == (
            pw.care_price.pk,
            15,
            Decimal("6000.00"),
        )
        assert (second.price_id, second.days, second.amount) == (new.pk, 16, Decimal("8000.00"))


def test_a_correction_after_the_close_is_an_adjustment_in_the_next_month(pw, client):  # R9.4
    from verkstall.absences.services import register_absence

    order = pw.order(services=[granted(amount="28")])
    client.force_login(pw.lov)
    with travel_to(at(date(2026, 3, 6))):
        close = services.close_month(pw.lov, period="2026-02")
        assert (close.early, close.total) == (False, Decimal("11200.00"))  # 28 days x 400
        csv = client.get("/payments/basis/export.csv?period=2026-02").content
        xlsx = client.get("/payments/basis/export.xlsx?period=2026-02").content
    # A hospital stay in February registered late, after the close (R9.1).
    with travel_to(at(date(2026, 3, 9))):
        register_absence(
            pw.staff_a, order, reason="hospital", from_date="2026-02-10", to_date="2026-02-14"
        )
        assert client.get("/payments/basis/export.csv?period=2026-02").content == csv
        assert client.get("/payments/basis/export.xlsx?period=2026-02").content == xlsx
        assert PaymentLine.objects.filter(close=close).get().amount == Decimal("11200.00")
    with travel_to(at(APR_2)):
        march = basis(pw)
        assert march.adjusted == [FEBRUARY]
        (adjustment,) = [r.line for r in march.rows if r.line.adjustment]
        assert adjustment.concerns == "2026-02" and adjustment.amount == Decimal("-2000.00")
        assert adjustment.absence_days == 5 and adjustment.order_id == order.pk
        text = client.get("/payments/basis/export.csv?period=2026-03").content.decode("utf-8-sig")
        assert "2026-03;2026-02;ja;Björkens Hemtjänst" in text and "-2000,00" in text
    # Closing March pays the adjustment once: April owes nothing more for February.
    with travel_to(at(date(2026, 4, 6))):
        services.close_month(pw.lov, period="2026-03")
        assert not [r for r in basis(pw, Period(2026, 4)).rows if r.line.adjustment]


def test_the_month_after_a_close_names_providers_and_clients_as_the_register_does(pw):  # R9.4
    order = pw.order(services=[granted(amount="28")])
    with travel_to(at(date(2026, 3, 6))):
        services.close_month(pw.lov, period="2026-02")
    # Renamed after February was paid: March (which recomputes February) shows the new names.
    order.provider.name = "Björkens Omsorg AB"
    order.provider.save(update_fields=["name"])
    order.person.last_name = "Nyberg"
    order.person.save(update_fields=["last_name"])
    with travel_to(at(APR_2)):
        march = basis(pw)
        assert march.adjusted == [FEBRUARY]
        rows = [r for r in march.rows if r.line.order_id == order.pk]
        assert rows and {r.provider_name for r in rows} == {"Björkens Omsorg AB"}
        assert all(r.person_name.endswith("Nyberg") for r in rows)
    # The closed month itself keeps the names it was paid under.
    feb = basis(pw, FEBRUARY)
    assert {r.provider_name for r in feb.rows} == {"Björkens Hemtjänst"}


def test_a_closed_month_refuses_performed_time(pw, api):  # R9.2, R9.1
    order = pw.order(services=[granted(RESPITE, "10")])
    service = order.services.get().pk
    with travel_to(at(date(2026, 2, 20))):
        created = api(pw.staff_a).post(
            "/api/performed-time/",
            {"order": order.pk, "granted_service": service, "day": "2026-02-03", "hours": "2"},
            format="json",
        )
        assert created.status_code == 201
    entry = created.json()["id"]
    with travel_to(at(date(2026, 3, 6))):
        services.close_month(pw.lov, period="2026-02")
        client = api(pw.staff_a)
        body = {"order": order.pk, "granted_service": service, "day": "2026-02-04", "hours": "1"}
        refused = client.post("/api/performed-time/", body, format="json")
        assert refused.status_code == 409 and refused.json()["code"] == "month_closed"
        assert "2026-02 är stängd" in refused.json()["detail"]
        assert client.patch(f"/api/performed-time/{entry}/", {"hours": "3"}).status_code == 409
        assert client.delete(f"/api/performed-time/{entry}/").status_code == 409
        # The open month still takes time.
        body["day"] = "2026-03-02"
        assert client.post("/api/performed-time/", body, format="json").status_code == 201


def test_the_month_is_closed_after_the_registration_day_or_early_with_a_reason(pw):  # R9.1
    pw.order()
    with travel_to(at(date(2026, 3, 5))):
        with pytest.raises(ValidationFailed) as caught:
            services.close_month(pw.lov, period="2026-02")
        assert "till och med 2026-03-05" in caught.value.errors["reason"][0]
        close = services.close_month(pw.lov, period="2026-02", reason="Bokslut")
        assert close.early and close.reason == "Bokslut"
    with travel_to(at(date(2026, 4, 20))), pytest.raises(ValidationFailed) as caught:
        services.close_month(pw.lov, period="2026-04")
    assert "stäng 2026-03 först" in caught.value.errors["period"][0]
    with travel_to(at(date(2026, 4, 20))), pytest.raises(ValidationFailed) as caught:
        services.close_month(pw.lov, period="2026-3")
    assert caught.value.errors == {"period": ["Ange månaden som ÅÅÅÅ-MM."]}


def test_the_first_close_lies_within_the_correction_window(pw):  # R9.1, R9.4
    """Months close in order and never reopen: a first close mistyped years back would hold
    every later month, so it is refused (the profile's `payment_correction_months`, 12)."""
    pw.order()
    with travel_to(at(date(2026, 4, 20))):
        with pytest.raises(ValidationFailed) as caught:
            services.close_month(pw.lov, period="2006-03", reason="Fel år")
        assert "högst 12 månader bakåt (tidigast 2025-04)" in caught.value.errors["period"][0]
        with pytest.raises(ValidationFailed) as caught:
            services.close_month(pw.lov, period="0001-01", reason="Fel år")
        assert caught.value.errors == {"period": ["Ange månaden som ÅÅÅÅ-MM."]}
        assert services.close_month(pw.lov, period="2025-04", reason="Start").period == date(
            2025, 4, 1
        )
