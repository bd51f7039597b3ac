"""The demo's aids centre `hmc` (Region Gotland) has real work waiting (SPEC R4.1, R2.6, R3.6,
issue 14 §6), and every Gotland alarm and meal item can be met."""

from __future__ import annotations

import pytest

from verkstall.access.models import User
from verkstall.alarms import selectors
from verkstall.core import clock
from verkstall.deadlines.event_sources import rule_reachability
from verkstall.deadlines.models import DueItem
from verkstall.tooling import demo

pytestmark = pytest.mark.django_db


def test_hmc_has_alarms_to_install_and_a_move_to_confirm(settings, tmp_path):  # R4.1 R2.6
    settings.DATA_DIR = tmp_path
    demo.seed()
    hmc = User.objects.get(username="hmc")
    awaiting = list(selectors.awaiting_installation(hmc))
    assert [o.person.first_name for o in awaiting] == ["Ingrid", "Gösta"]  # oldest first
    items = DueItem.objects.filter(order__in=awaiting, rule__code="larm-installerat")
    assert {i.status for i in items} == {"open"}
    due = sorted(i.due_date for i in items)
    assert due[0] < clock.today() <= due[1]  # Ingrid's is overdue, Gösta's is not
    (move,) = selectors.open_contact_moves(hmc)
    assert move.order.person.first_name == "Maj" and move.new_provider.name == "Ängens Omsorg"
    installed = selectors.alarm_orders_for(hmc).filter(alarm_installed_at__isnull=False)
    assert {o.person.first_name for o in installed} >= {"Sven", "Maj"}
    # Björkens has an alarm and a meal delivery to order.
    open_codes = set(
        DueItem.objects.filter(
            municipality=hmc.municipality, status="open", rule__code__in=(
                "larm-bestallt-hmc", "matdistribution-bestalld")
        ).values_list("rule__code", flat=True)
    )  # fmt: skip
    assert open_codes == {"larm-bestallt-hmc", "matdistribution-bestalld"}
    # No Gotland alarm or meal item waits for an event nothing records (issue 14).
    gotland = DueItem.objects.filter(municipality=hmc.municipality).select_related("rule")
    assert not [i.rule.code for i in gotland if rule_reachability(i.rule).problem]
    # A second run adds nothing.
    demo.seed()
    assert selectors.awaiting_installation(hmc).count() == 2
