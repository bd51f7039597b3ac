"""The goals of a decision (seed 002 §Social dokumentation: "Dokumentationen skall visa ... hur
målen i beslutet har uppnåtts"; issue 16 item 10) and the decision letter that carries the
assessment when the routine posts it with the decision (seed 002 §Beställning/Uppdrag:
"Utredning och beslutsmeddelande postas till den enskilde"; issue 16 item 12): the decision
takes its goals on the screen and in the API; the decision page, the letter and the order
(which the provider reads) show them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from verkstall.core import clock
from verkstall.core.errors import ValidationFailed
from verkstall.deadlines import profile_io
from verkstall.deadlines import services as deadline_services
from verkstall.deadlines.models import RuleProfile
from verkstall.decisions import documents
from verkstall.decisions.correction_services import correct_decision
from verkstall.decisions.models import Decision, DecisionGoal

pytestmark = pytest.mark.django_db

GOALS = ["Klara morgonrutinen med stöd", "Komma ut på promenad varje vecka"]
ASSESSMENT = "Utredningen visar behov av stöd vid personlig hygien."


def test_seed_002_the_decision_screen_takes_goals_one_a_line(world, client):
    """Seed 002 "målen i beslutet": the officer writes the goals, one a line; they are kept in
    order and shown on the decision's page."""
    person = world.person()
    client.force_login(world.officer)
    response = client.post(
        reverse("decision-create", args=[person.pk]),
        {
            "decided_on": (clock.today() - timedelta(days=1)).isoformat(),
            "assessment_summary": ASSESSMENT,
            "goals": "\n".join(GOALS) + "\n\n",
            "services-TOTAL_FORMS": "1",
            "services-INITIAL_FORMS": "0",
            "services-0-service_type": "hemtjanst-omvardnad",
            "services-0-scope_amount": "10",
            "services-0-scope_unit": "hours_per_month",
        },
    )
    assert response.status_code == 302
    decision = Decision.objects.get(person=person)
    assert [g.text for g in decision.goals.all()] == GOALS
    page = client.get(reverse("decision-detail", args=[decision.pk])).content.decode()
    assert all(goal in page for goal in GOALS)


def test_seed_002_the_api_takes_and_gives_the_goals(world, api):
    """Seed 002: POST /api/decisions/ with `goals`; the decision answers them in order; a goal
    over the length limit is a 400 naming it."""
    person = world.person()
    body = {
        "person": person.pk,
        "decided_on": clock.today().isoformat(),
        "services": [
            {
                "service_type": "hemtjanst-omvardnad",
                "scope_amount": "5",
                "scope_unit": "hours_per_month",
            }
        ],
    }
    made = api(world.officer).post("/api/decisions/", {**body, "goals": GOALS}, format="json")
    assert made.status_code == 201
    assert [g["text"] for g in made.json()["goals"]] == GOALS
    too_long = api(world.officer).post(
        "/api/decisions/", {**body, "goals": ["x" * 1001]}, format="json"
    )
    assert too_long.status_code == 400 and "goals[0]" in too_long.json()


def test_seed_002_the_provider_reads_the_goals_on_its_order(world, client):
    """Seed 002, R5.2: the provider who holds the order sees the goals of the decision behind
    it on the order (and so in the order document it prints)."""
    decision = world.decision(goals=GOALS)
    order = world.order(decision=decision, state="sent")
    client.force_login(world.staff_a)
    page = client.get(reverse("order-detail", args=[order.pk])).content.decode()
    assert 'id="decision-goals"' in page and GOALS[1] in page
    client.force_login(world.staff_b)
    assert client.get(reverse("order-detail", args=[order.pk])).status_code == 404


def test_seed_002_a_goal_answered_by_the_plan_is_reworded_not_removed(world):
    """Seed 002, R1.1: a correction keeps a goal that did not change (its plan entry stays on
    it), rewords in place, and refuses to remove a goal the plan already answers."""
    from verkstall.plans.models import PlanGoal

    decision = world.decision(goals=GOALS)
    first, second = decision.goals.all()
    order = world.order(decision=decision, state="started")
    from verkstall.plans import services as plans

    plan = plans.start_plan(world.staff_a, order)
    PlanGoal.objects.create(municipality=world.muni, plan=plan, goal=second, how="Promenad")
    correct_decision(
        world.officer, decision, goals=["Ny första", GOALS[1], "Ett tredje mål"], reason="Fel"
    )
    assert [(g.pk, g.text) for g in decision.goals.all()] == [
        (first.pk, "Ny första"),
        (second.pk, GOALS[1]),
        (DecisionGoal.objects.get(text="Ett tredje mål").pk, "Ett tredje mål"),
    ]
    with pytest.raises(ValidationFailed) as exc:
        correct_decision(world.officer, decision, goals=["Ny första"], reason="Fel")
    assert "goals" in exc.value.errors
    assert decision.goals.count() == 3


def _letter(world, profile: str, *, code: str = "hemtjanst-omvardnad") -> str:
    world.muni.rule_profile = profile
    world.muni.save()
    decision = world.decision(
        assessment_summary=ASSESSMENT,
        goals=GOALS,
        services=[{"service_type": code, "scope_amount": "1", "scope_unit": "place"}],
    )
    return documents.render_letter_html(Decision.objects.get(pk=decision.pk))


def test_seed_002_gotlands_letter_carries_the_assessment_and_the_goals(world):
    """Seed 002 §Beställning/Uppdrag: "Utredning och beslutsmeddelande postas till den
    enskilde": under the Gotland profile the letter carries the assessment, and the goals."""
    html = _letter(world, "gotland")
    assert "Utredningen som beslutet bygger på" in html and ASSESSMENT in html
    assert all(goal in html for goal in GOALS)


def test_seed_002_a_routine_that_does_not_post_it_leaves_the_assessment_out(world):
    """Seed 002 vs 000/001: the Stockholm routine says nothing of posting the assessment, so its
    letter does not carry it (the goals are still there)."""
    html = _letter(world, "stockholm-hv")
    assert ASSESSMENT not in html and "Utredningen som beslutet bygger på" not in html
    assert GOALS[0] in html


def test_seed_002_iub_letter_is_the_message_alone(world):
    """Seed 002 §IUB: for a service without needs assessment only the message is posted, also
    under the Gotland profile."""
    html = _letter(world, "gotland", code="iub-service")
    assert ASSESSMENT not in html


def test_seed_002_the_practice_is_the_profiles_and_travels_with_it(world):
    """R11.4, seed 002: `letter_includes_assessment` is rule-profile data: the built-in Gotland
    profile has it, the others not; a copy keeps it, the administrator changes it, and the
    export and import carry it."""
    assert RuleProfile.objects.get(slug="gotland").letter_includes_assessment is True
    assert RuleProfile.objects.get(slug="stockholm-hv").letter_includes_assessment is False
    copy = deadline_services.copy_profile(
        None, source=RuleProfile.objects.get(slug="gotland"), owner=world.muni
    )
    assert copy.letter_includes_assessment is True
    deadline_services.update_profile(None, copy, letter_includes_assessment=False)
    copy.refresh_from_db()
    assert copy.letter_includes_assessment is False
    with pytest.raises(ValidationFailed):
        deadline_services.update_profile(None, copy, letter_includes_assessment="ja")
    document = profile_io.export_profile(RuleProfile.objects.get(slug="gotland"))
    assert document["profile"]["flags"] == {"letter_includes_assessment": True}
    imported = profile_io.import_profile(None, document, slug="gotland-import")
    assert imported.letter_includes_assessment is True
    document["profile"]["flags"] = {"letter_includes_assessment": "yes"}
    with pytest.raises(ValidationFailed) as exc:
        profile_io.import_profile(None, document, slug="gotland-import-2")
    assert "profile.flags.letter_includes_assessment" in exc.value.errors
    world.muni.rule_profile = copy.slug
    world.muni.save()
    decision = world.decision(assessment_summary=ASSESSMENT)
    assert ASSESSMENT not in documents.render_letter_html(Decision.objects.get(pk=decision.pk))
