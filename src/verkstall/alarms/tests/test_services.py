"""The safety alarm's steps and their clocks (SPEC R4.1, seed 002 §Utförare av trygghetslarm):
the provider orders the alarm from the aids centre within 3 weekdays of the order; the aids
centre installs it within 3 weekdays of that. Gotland's rules `larm-bestallt-hmc` and
`larm-installerat`."""

from __future__ import annotations

from datetime import date

import pytest

from verkstall.alarms import services
from verkstall.alarms.services import StepNotAllowed
from verkstall.core.clock import travel_to
from verkstall.core.errors import PermissionDenied, ValidationFailed
from verkstall.deadlines.models import DueItem
from verkstall.orders.models import OrderEvent

from .conftest import CARE, FRI_6_MAR, MON_2_MAR, THU_5_MAR, TUE_3_MAR, WED_4_MAR, at


def item(order, code):
    return DueItem.objects.get(order=order, rule__code=code)


def test_alarm_ordered_and_installed_meet_both_items(g):  # R4.1
    order = g.order(state="acknowledged")
    ordered_item = item(order, "larm-bestallt-hmc")
    assert ordered_item.due_date == THU_5_MAR and ordered_item.responsible == "provider"
    assert not DueItem.objects.filter(order=order, rule__code="larm-installerat").exists()

    with travel_to(at(TUE_3_MAR, 11)):
        event = services.register_alarm_ordered(g.staff, order=order)
    assert event.kind == "alarm_ordered" and event.channel == "system"
    assert item(order, "larm-bestallt-hmc").status == "met_on_time"
    installing = item(order, "larm-installerat")
    assert installing.responsible == "aids_centre" and installing.status == "open"
    assert installing.due_date == FRI_6_MAR  # Wed, Thu, Fri

    with travel_to(at(THU_5_MAR, 14)):
        services.register_alarm_installed(g.hmc, order=order)
    assert item(order, "larm-installerat").status == "met_on_time"


def test_a_late_installation_is_met_late_and_dated_as_given(g):  # R4.1
    order = g.order()
    with travel_to(at(TUE_3_MAR, 11)):
        services.register_alarm_ordered(g.staff, order=order)
    with travel_to(at(date(2026, 3, 12), 9)):
        event = services.register_alarm_installed(g.hmc, order=order, installed_on="2026-03-10")
    assert event.data["installed_on"] == "2026-03-10"
    assert item(order, "larm-installerat").status == "met_late"


def test_the_officer_registers_for_a_provider_not_connected(g):  # R4.1 R3.3
    order = g.order(provider=g.faro)
    with travel_to(at(WED_4_MAR, 10)), pytest.raises(ValidationFailed) as refused:
        services.register_alarm_ordered(g.officer, order=order)
    assert "channel" in refused.value.errors
    with travel_to(at(WED_4_MAR, 10)):
        event = services.register_alarm_ordered(
            g.officer, order=order, ordered_on=TUE_3_MAR, channel="phone"
        )
    assert event.on_behalf_of == g.faro and event.channel == "phone"
    assert event.occurred_at == at(TUE_3_MAR, 0)
    assert item(order, "larm-bestallt-hmc").status == "met_on_time"


def test_who_may_record_each_step(g):  # R4.1
    order = g.order()
    with travel_to(at(TUE_3_MAR, 11)):
        with pytest.raises(PermissionDenied, match="ansluten till systemet"):
            services.register_alarm_ordered(g.officer, order=order)
        with pytest.raises(PermissionDenied):
            services.register_alarm_ordered(g.staff_angens, order=order)
        with pytest.raises(PermissionDenied):
            services.register_alarm_ordered(g.hmc, order=order)
        services.register_alarm_ordered(g.staff, order=order)
        for actor in (g.staff, g.officer, g.other_hmc, g.placement):
            with pytest.raises(PermissionDenied, match="Endast hjälpmedelscentralen"):
                services.register_alarm_installed(actor, order=order)


def test_steps_out_of_turn_are_409(g):  # R4.1
    order = g.order()
    with travel_to(at(TUE_3_MAR, 11)):
        with pytest.raises(StepNotAllowed, match="inte beställt"):
            services.register_alarm_installed(g.hmc, order=order)
        services.register_alarm_ordered(g.staff, order=order)
        with pytest.raises(StepNotAllowed, match="redan beställt") as twice:
            services.register_alarm_ordered(g.staff, order=order)
        services.register_alarm_installed(g.hmc, order=order)
        with pytest.raises(StepNotAllowed, match="redan registrerat som installerat"):
            services.register_alarm_installed(g.hmc, order=order)
    assert twice.value.status_code == 409
    assert OrderEvent.objects.filter(order=order, kind__startswith="alarm").count() == 2


def test_bad_dates_are_field_errors_in_swedish(g):  # R4.1
    order = g.order()
    with travel_to(at(TUE_3_MAR, 11)):
        for value, message in (
            ("2026-03-01", "kan inte ligga före 2026-03-02"),
            ("2026-03-04", "kan inte ligga i framtiden"),
            ("inte ett datum", ""),
        ):
            with pytest.raises(ValidationFailed) as refused:
                services.register_alarm_ordered(g.staff, order=order, ordered_on=value)
            assert message in " ".join(refused.value.errors["ordered_on"])
        services.register_alarm_ordered(g.staff, order=order)
        with pytest.raises(ValidationFailed) as refused:
            services.register_alarm_installed(g.hmc, order=order, installed_on=MON_2_MAR)
    assert "kan inte ligga före 2026-03-03" in refused.value.errors["installed_on"][0]


def test_an_order_without_an_alarm_or_a_closed_one_is_refused(g):  # R4.1
    order = g.order(services=(CARE,))
    with travel_to(at(TUE_3_MAR, 11)), pytest.raises(ValidationFailed) as refused:
        services.register_alarm_ordered(g.staff, order=order)
    assert refused.value.errors == {"order": ["Beställningen har inget trygghetslarm."]}
    draft = g.order()
    from verkstall.orders import services as orders

    with travel_to(at(TUE_3_MAR, 11)):
        orders.cancel_order(g.officer, draft, reason="Fel")
        with pytest.raises(StepNotAllowed, match="makulerad"):
            services.register_alarm_ordered(g.staff, order=draft)
