"""The plan shared with the person (SPEC R5.2; seed 002 §Genomförandeplan: "Upprättad
genomförandeplan delges den enskilde ... Om den enskilde inte är delaktig ska orsak
dokumenteras"): the provider registers how and when, or why not; the order's history and the
plan page show it to the officer; Gotland's clock for it is met."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.urls import reverse

from verkstall.core.clock import travel_to
from verkstall.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from verkstall.deadlines.calendar import STOCKHOLM
from verkstall.deadlines.models import DueItem
from verkstall.orders.models import EventKind, Order
from verkstall.plans import services
from verkstall.plans.sharing_selectors import order_sharings
from verkstall.plans.sharing_services import share_plan

pytestmark = pytest.mark.django_db

MON_2_MAR = date(2026, 3, 2)
TEXTS = {
    "what": "Stöd vid dusch",
    "how": "Lugnt",
    "when": "Morgon",
    "by_whom": "Kontaktmannen",
    "participation": "Den enskilde deltog hemma.",
}


@pytest.fixture(autouse=True)
def _documents_in_tmp(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), STOCKHOLM)


def sent_plan(world, provider=None, *, on=MON_2_MAR):
    provider = provider or world.provider_a
    actor = world._provider_actor(provider)
    with travel_to(at(on)):
        order = world.order(provider=provider, state="started")
        plan = services.start_plan(actor, order, **TEXTS)
        plan = services.send_plan(actor, plan)
    return order, plan


def shared_events(order: Order):
    return list(order.events.filter(kind=EventKind.PLAN_SHARED).order_by("seq"))


def test_the_provider_registers_how_and_when_the_plan_was_shared(world, client):  # R5.2 [002]
    order, plan = sent_plan(world)
    with travel_to(at(date(2026, 3, 5))):
        event = share_plan(
            world.staff_a,
            plan,
            shared=True,
            shared_on=date(2026, 3, 4),
            method="in_person",
            note="En kopia lämnades.",
        )
    assert event.kind == EventKind.PLAN_SHARED and event.on_behalf_of is None
    assert event.occurred_at == at(date(2026, 3, 4), 0)  # the day it was shared
    assert event.data["shared"] is True and event.data["shared_on"] == "2026-03-04"
    assert event.data["text"].startswith("Version delgiven den enskilde 2026-03-04")
    [sharing] = order_sharings(order).values()
    assert (sharing.plan_id, sharing.shared, sharing.method) == (plan.pk, True, "in_person")

    # The officer sees it: in the order's history and on the plan page.
    client.force_login(world.officer)
    page = client.get(reverse("order-detail", args=[order.pk])).content.decode()
    assert "Genomförandeplan delgiven den enskilde" in page and "En kopia lämnades." in page
    page = client.get(reverse("plan-page", args=[order.pk])).content.decode()
    assert "Planen delgavs den enskilde 2026-03-04: personligen" in page
    assert 'id="share-form"' not in page  # the officer does not register it for a provider


def test_not_shared_is_registered_with_why(world, client):  # R5.2 [002] "orsak dokumenteras"
    order, plan = sent_plan(world)
    client.force_login(world.staff_a)
    url = reverse("plan-share", args=[order.pk, plan.pk])
    response = client.post(url, {"shared": "no"})
    assert response.status_code == 400
    assert "Ange varför planen inte har delgivits" in response.content.decode()
    assert shared_events(order) == []
    response = client.post(url, {"shared": "no", "reason": "Den enskilde avböjde en kopia."})
    assert response.status_code == 302
    [event] = shared_events(order)
    assert event.data["shared"] is False
    assert event.data["text"] == "Inte delgiven den enskilde: Den enskilde avböjde en kopia."
    page = client.get(reverse("plan-page", args=[order.pk])).content.decode()
    assert "Planen har inte delgivits den enskilde: Den enskilde avböjde en kopia." in page


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"shared": True, "method": "post"}, "shared_on"),
        ({"shared": True, "shared_on": "2026-03-09", "method": "post"}, "shared_on"),  # future
        ({"shared": True, "shared_on": "2026-02-27", "method": "post"}, "shared_on"),  # before
        ({"shared": True, "shared_on": "2026-03-03", "method": "brevduva"}, "method"),
        ({"shared": "kanske"}, "shared"),
        ({"shared": False, "reason": "x" * 2001}, "reason"),
    ],
)
def test_bad_input_is_refused_by_field_and_nothing_is_written(world, given, field):  # R5.2
    order, plan = sent_plan(world)
    with travel_to(at(date(2026, 3, 5))), pytest.raises(ValidationFailed) as refused:
        share_plan(world.staff_a, plan, **given)
    assert field in refused.value.errors
    assert shared_events(order) == []


def test_a_draft_is_not_shared_and_others_may_not_register_it(world):  # R5.2
    order, plan = sent_plan(world)
    with travel_to(at(MON_2_MAR)):
        draft = services.start_plan(world.staff_a, order)  # a revision: a new draft
    with pytest.raises(TransitionNotAllowed):
        share_plan(world.staff_a, draft, shared=True, shared_on=MON_2_MAR, method="post")
    for outsider in (world.officer, world.staff_b):
        with pytest.raises(PermissionDenied):
            share_plan(outsider, plan, shared=True, shared_on=MON_2_MAR, method="post")
    assert shared_events(order) == []


def test_the_officer_registers_it_for_a_provider_not_connected(world):  # R5.2 R3.3
    _order, plan = sent_plan(world, world.offline)
    with travel_to(at(date(2026, 3, 3))):
        event = share_plan(
            world.officer, plan, shared=True, shared_on=MON_2_MAR, method="post", channel="phone"
        )
    assert event.on_behalf_of == world.offline and event.channel == "phone"


def test_the_api_registers_and_shows_the_sharing(world, api):  # R5.2
    order, plan = sent_plan(world)
    url = f"/api/plans/{plan.pk}/share/"
    with travel_to(at(date(2026, 3, 3))):
        refused = api(world.staff_a).post(url, {"shared": True, "method": "post"}, format="json")
        assert refused.status_code == 400 and "shared_on" in refused.json()
        body = {"shared": True, "shared_on": "2026-03-03", "method": "email"}
        response = api(world.staff_a).post(url, body, format="json")
    assert response.status_code == 200
    assert response.json()["sharing"]["shared_on"] == "2026-03-03"
    assert response.json()["sharing"]["method"] == "email"
    listed = api(world.officer).get("/api/plans/", {"order": order.pk}).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [row["sharing"]["shared"] for row in rows] == [True]
    assert api(world.staff_b).post(url, body, format="json").status_code == 404


def test_gotlands_clock_waits_for_the_plan_to_be_shared(world):  # R5.2 [002]
    world.muni.rule_profile = "gotland"
    world.muni.save()
    order, plan = sent_plan(world)
    due = DueItem.objects.get(order=order, rule__code="genomforandeplan-delgiven", cycle=0)
    assert due.status == "open" and due.due_at is None and due.responsible == "provider"
    with travel_to(at(date(2026, 3, 4))):
        share_plan(world.staff_a, plan, shared=True, shared_on=MON_2_MAR, method="in_person")
    due.refresh_from_db()
    assert due.status == "met_on_time"
