"""A safety alarm follows a provider switch (SPEC R2.6, seed 002 §Byte av utförare: "HMC ändrar
så att trygghetslarmet blir kopplat till ny aktuell utförare från överenskommet
verkställighetsdatum"): completing the switch opens a task the aids centre confirms."""

from __future__ import annotations

from datetime import date

import pytest

from verkstall.alarms import services
from verkstall.alarms.models import AlarmContactMove
from verkstall.alarms.services import StepNotAllowed
from verkstall.core.clock import travel_to
from verkstall.core.errors import PermissionDenied
from verkstall.deadlines.models import DueItem
from verkstall.journal.models import CaseJournalEntry
from verkstall.orders import services as orders
from verkstall.orders import switch_services

from .conftest import ALARM, CARE, TUE_3_MAR, WED_4_MAR, at

WED_18_MAR = date(2026, 3, 18)  # 14 days after the request
THU_19_MAR = date(2026, 3, 19)


def switched(g, services_granted):
    order = g.order(services=services_granted, state="acknowledged")
    with travel_to(at(TUE_3_MAR, 12)):
        orders.register_start(g.staff, order, start_date=TUE_3_MAR)
    with travel_to(at(WED_4_MAR)):
        switch = switch_services.request_switch(
            g.officer, order=order, new_provider=g.angens, requested_on=WED_4_MAR
        )
        switch_services.inform_new_provider(g.officer, switch=switch)
        switch_services.register_agreed_date(g.staff_angens, switch=switch, agreed_date=WED_18_MAR)
    with travel_to(at(WED_18_MAR, 8)):
        return order, switch_services.complete_switch(g.officer, switch=switch)


def test_the_new_provider_orders_the_move_and_the_aids_centre_confirms(g):  # R2.6 R4.1
    order, switch = switched(g, [ALARM])
    new_order = switch.new_order
    note = (
        "Trygghetslarm: Ängens Omsorg beställer flytten av larmet från hjälpmedelscentralen, "
        "som kopplar larmet till Ängens Omsorg från och med 2026-03-18."
    )
    journal = CaseJournalEntry.objects.filter(person=order.person).order_by("-id").first()
    assert note in journal.text
    # The switch itself orders nothing: the new provider's own clock runs (R2.6, 3 weekdays).
    assert not AlarmContactMove.objects.exists()
    items = {i.rule.code: i for i in DueItem.objects.filter(order=new_order)}
    assert items["larm-bestallt-hmc"].status == "open"
    assert "larm-installerat" not in items
    with travel_to(at(WED_18_MAR, 10)):
        services.register_alarm_ordered(g.staff_angens, order=new_order)
    move = AlarmContactMove.objects.get()
    assert (move.order, move.old_provider, move.new_provider) == (new_order, g.bjorkens, g.angens)
    assert move.from_date == WED_18_MAR and move.is_open
    items = {i.rule.code: i for i in DueItem.objects.filter(order=new_order)}
    assert items["larm-bestallt-hmc"].status == "met_on_time"
    assert items["larm-installerat"].status == "open"
    with travel_to(at(THU_19_MAR)):
        with pytest.raises(StepNotAllowed, match="bekräfta att larmets kontaktuppgifter"):
            services.register_alarm_installed(g.hmc, order=new_order)
        for actor in (g.staff_angens, g.officer, g.other_hmc):
            with pytest.raises(PermissionDenied):
                services.confirm_contact_move(actor, move=move)
        services.confirm_contact_move(g.hmc, move=move)
        with pytest.raises(StepNotAllowed, match="bekräftades redan 2026-03-19"):
            services.confirm_contact_move(g.hmc, move=move)
    move.refresh_from_db()
    assert move.confirmed_by == g.hmc and not move.is_open
    installed = DueItem.objects.get(order=new_order, rule__code="larm-installerat")
    assert installed.status == "met_on_time"


def test_a_switch_without_an_alarm_opens_no_move(g):  # R2.6
    _order, switch = switched(g, [CARE])
    assert not AlarmContactMove.objects.exists()
    assert not switch.new_order.events.filter(kind__startswith="alarm").exists()
