"""The Gotland demo (issue 14 §6): the LOV administrator `lovadmin.gotland` logs in to a capacity
cap to review and may lift it (SPEC R2.1, R2.4); scenario 2's switch (SCENARIOS.md) can be walked
to the end: Bengt was assigned by rotation past Ängens's cap, the officer completes his switch to
Ängens on the agreed date, and the aids centre confirms the alarm's contact move (R2.6, R4.1).
The placement unit's and the aids centre's waiting work are in placements/tests/test_demo.py and
alarms/tests/test_demo.py."""

from __future__ import annotations

import pytest
from django.test import Client

from verkstall.access.models import User
from verkstall.alarms import selectors as alarm_reads
from verkstall.core import clock
from verkstall.orders.models import Order, ProviderSwitch
from verkstall.providers.models import Contract, RotationAssignment
from verkstall.tooling import demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    demo.seed()


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _angens_cap() -> Contract:
    return Contract.objects.get(
        municipality__code="0980",
        provider__name="Ängens Omsorg",
        area__name="Visby",
        service_type__code="hemtjanst-omvardnad",
    )


def test_gotlands_lov_admin_has_a_cap_to_review_and_may_lift_it(seeded):  # R2.1 R2.4
    lov = client_for("lovadmin.gotland")
    assert lov.get("/").url == "/lov/contracts/"
    page = lov.get("/lov/contracts/").content.decode()
    assert "Ängens Omsorg" in page and "Kapacitetstak nått" in page
    cap = _angens_cap()
    assert not cap.accepts_new_clients
    # Stockholm's LOV administrator may not touch Gotland's contract lines.
    assert client_for("lovadmin").get(f"/lov/contracts/{cap.pk}/capacity/").status_code == 404
    lifted = lov.post(f"/lov/contracts/{cap.pk}/capacity/", {"accepts_new_clients": "on"})
    assert lifted.status_code == 302
    cap.refresh_from_db()
    assert cap.accepts_new_clients


def test_scenario_2_switch_can_be_walked_to_the_end(seeded):  # R2.4 R2.6 R4.1
    (switch,) = ProviderSwitch.objects.filter(person__last_name="Stenkumla")
    old = switch.old_order
    # Bengt did not choose: the officer assigned his personal care by rotation, to Björkens.
    assignment = RotationAssignment.objects.get(person=switch.person)
    assert assignment.provider.name == "Björkens Hemtjänst" == old.provider.name
    assert _angens_cap().accepts_new_clients is False  # at its cap again, after the request
    # Ängens reported the agreed date, the end of the 14 days' notice; it is reached.
    assert switch.new_provider.name == "Ängens Omsorg" and switch.completed_at is None
    assert switch.agreed_date == switch.notice_ends_on <= clock.today()
    assert old.events.filter(kind="alarm_installed").exists()

    # The officer completes the switch on the switch page, in one step.
    officer = client_for("handlaggare.gotland")
    page = officer.get(f"/switches/{switch.pk}/").content.decode()
    assert f"/switches/{switch.pk}/complete/" in page
    done = officer.post(f"/switches/{switch.pk}/complete/", {})
    assert done.status_code == 302
    switch.refresh_from_db()
    new = Order.objects.get(pk=switch.new_order_id)
    assert new.provider.name == "Ängens Omsorg"
    old.refresh_from_db()
    assert old.state == "ended"

    # Ängens orders the alarm's move (R2.6); the aids centre sees the move and confirms it.
    ordered = client_for("utforare.angen").post(f"/orders/{new.pk}/alarm/", {"ordered_on": ""})
    assert ordered.status_code == 302
    hmc = User.objects.get(username="hmc")
    move = alarm_reads.open_contact_moves(hmc).get(order=new)
    confirmed = client_for("hmc").post(f"/alarms/moves/{move.pk}/confirm/")
    assert confirmed.status_code == 302
    move.refresh_from_db()
    assert move.confirmed_at is not None
    # A second seed adds nothing and leaves the walked switch alone.
    demo.seed()
    assert ProviderSwitch.objects.filter(person__last_name="Stenkumla").count() == 1
