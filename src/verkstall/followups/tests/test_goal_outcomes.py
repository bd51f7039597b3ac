"""How each goal of the decision was met, recorded with the follow-up (seed 002 §Social
dokumentation: "hur målen i beslutet har uppnåtts"; R6.3: documented in the case journal and
a message to the provider; issue 16 item 10)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from verkstall.core.errors import ValidationFailed
from verkstall.followups import services
from verkstall.followups.models import FollowUp, GoalOutcome
from verkstall.journal.models import CaseJournalEntry, Message

pytestmark = pytest.mark.django_db

GOALS = ["Klara morgonrutinen med stöd", "Komma ut på promenad varje vecka"]


def goal_order(world):
    return world.order(decision=world.decision(goals=GOALS), state="started")


def test_r6_3_seed_002_the_follow_up_records_how_each_goal_was_met(world):
    """R6.3, seed 002: the officer judges each goal (met, partly met, not met, with a note);
    the outcomes are kept with the follow-up and written into the case journal and the message
    to the provider."""
    order = goal_order(world)
    first, second = order.decision.goals.all()
    followup = services.record_followup(
        world.officer,
        order,
        "unchanged",
        "Allt fungerar.",
        goal_outcomes=[
            {"goal": first.pk, "assessment": "met"},
            {"goal": second.pk, "assessment": "partly_met", "note": "Bara vid fint väder."},
        ],
    )
    outcomes = {o.goal_id: (o.assessment, o.note) for o in followup.goal_outcomes.all()}
    assert outcomes == {first.pk: ("met", ""), second.pk: ("partly_met", "Bara vid fint väder.")}
    journal = CaseJournalEntry.objects.get(person=order.person, title="Uppföljning")
    assert f"{GOALS[0]}: uppnått." in journal.text
    assert f"{GOALS[1]}: delvis uppnått. Bara vid fint väder." in journal.text
    message = Message.objects.get(order=order, subject__startswith="Uppföljning")
    assert "delvis uppnått" in message.body


def test_r6_3_seed_002_a_bad_goal_outcome_writes_nothing(world):
    """R6.3, seed 002: a goal of another decision, an unknown assessment or a note without an
    assessment is refused, and the follow-up is not recorded (no half-written records)."""
    order = goal_order(world)
    first = order.decision.goals.first()
    foreign = world.decision(goals=["Annat"]).goals.get()
    for bad in (
        [{"goal": foreign.pk, "assessment": "met"}],
        [{"goal": first.pk, "assessment": "kanske"}],
        [{"goal": first.pk, "assessment": "", "note": "Oklart"}],
    ):
        with pytest.raises(ValidationFailed):
            services.record_followup(world.officer, order, "unchanged", goal_outcomes=bad)
    assert not FollowUp.objects.filter(done_at__isnull=False).exists()
    assert not GoalOutcome.objects.exists()


def test_r6_3_seed_002_the_follow_up_page_takes_and_shows_the_outcomes(world, client):
    """R6.3, seed 002: the officer's follow-up form has a judgement per goal; the recorded
    outcomes show on the follow-up page, to the officer and to the provider of the order."""
    order = goal_order(world)
    first, second = order.decision.goals.all()
    client.force_login(world.officer)
    url = reverse("followup-page", args=[order.pk])
    assert f'name="goal-{first.pk}-assessment"' in client.get(url).content.decode()
    refused = client.post(
        reverse("followup-record", args=[order.pk]),
        {"outcome": "unchanged", f"goal-{first.pk}-assessment": "fel"},
    )
    assert refused.status_code == 400 and not GoalOutcome.objects.exists()
    done = client.post(
        reverse("followup-record", args=[order.pk]),
        {
            "outcome": "unchanged",
            f"goal-{first.pk}-assessment": "not_met",
            f"goal-{first.pk}-note": "Behöver mer tid.",
            f"goal-{second.pk}-assessment": "",
        },
    )
    assert done.status_code == 302
    assert list(GoalOutcome.objects.values_list("goal_id", "assessment")) == [(first.pk, "not_met")]
    client.force_login(world.staff_a)
    page = client.get(url).content.decode()
    assert "inte uppnått" in page and "Behöver mer tid." in page
