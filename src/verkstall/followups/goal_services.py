"""How each goal of the decision was met, recorded with the follow-up (seed 002 §Social
dokumentation: "hur målen i beslutet har uppnåtts"; R6.3). `services.record_followup` checks
the outcomes before it writes anything, stores them with the follow-up, and puts them in the
case journal and the message to the provider."""

from __future__ import annotations

from verkstall.core.errors import ValidationFailed
from verkstall.decisions.models import DecisionGoal

from .models import FollowUp, GoalAssessment, GoalOutcome

MAX_NOTE_LENGTH = 2000


def clean_goal_outcomes(order, outcomes) -> list[tuple[DecisionGoal, str, str]]:
    """(goal, assessment, note) for each outcome given, checked against the goals of the
    order's decision; `outcomes` is a list of {"goal": id, "assessment": met | partly_met |
    not_met, "note": text}. A goal left without an assessment is not judged this time (a note
    without one is an error). Errors are keyed `goals.<id>`; nothing is written."""
    goals = {g.pk: g for g in DecisionGoal.objects.filter(decision_id=order.decision_id)}
    errors: dict[str, str] = {}
    cleaned = []
    seen = set()
    for i, item in enumerate(outcomes or []):
        if not isinstance(item, dict):
            errors[f"goals[{i}]"] = "Ange målet och hur det har uppnåtts."
            continue
        raw = item.get("goal")
        goal = goals.get(raw if isinstance(raw, int) else int(raw) if str(raw).isdigit() else -1)
        key = f"goals.{raw}"
        if goal is None:
            errors[key] = "Målet hör inte till beslutet bakom beställningen."
            continue
        if goal.pk in seen:
            errors[key] = "Målet är angivet två gånger."
            continue
        seen.add(goal.pk)
        assessment = item.get("assessment") or ""
        note = str(item.get("note") or "").strip()
        if not assessment:
            if note:
                errors[key] = "Ange om målet har uppnåtts, delvis uppnåtts eller inte uppnåtts."
            continue
        if assessment not in GoalAssessment.values:
            errors[key] = "Ange om målet har uppnåtts, delvis uppnåtts eller inte uppnåtts."
        elif len(note) > MAX_NOTE_LENGTH:
            errors[key] = f"Kommentaren får vara högst {MAX_NOTE_LENGTH} tecken."
        else:
            cleaned.append((goal, assessment, note))
    if errors:
        raise ValidationFailed(errors)
    return sorted(cleaned, key=lambda c: (c[0].position, c[0].pk))


def save_goal_outcomes(followup: FollowUp, cleaned) -> list[GoalOutcome]:
    """Store the checked outcomes with the follow-up (in the caller's transaction)."""
    return GoalOutcome.objects.bulk_create(
        GoalOutcome(
            municipality_id=followup.municipality_id,
            followup=followup,
            goal=goal,
            assessment=assessment,
            note=note,
        )
        for goal, assessment, note in cleaned
    )


def goal_outcome_text(cleaned) -> str:
    """The outcomes as the case journal and the provider's message say them."""
    lines = []
    for goal, assessment, note in cleaned:
        line = f"- {goal.text}: {GoalAssessment(assessment).label.lower()}"
        lines.append(f"{line}. {note}" if note else f"{line}.")
    return "Målen i beslutet:\n" + "\n".join(lines) if lines else ""
