"""The plan's answer to each goal of the decision (seed 002 §Social dokumentation: "hur målen i
beslutet har uppnåtts"; R5.2: what, how, when and by whom): written by the provider on the
draft, carried into a revision. Kept beside services.py, which calls `carry_goal_entries`."""

from __future__ import annotations

from django.db import transaction

from verkstall.access.policies import provider_side
from verkstall.core.concurrency import touch
from verkstall.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed

from .models import ImplementationPlan, PlanGoal, PlanStatus

MAX_ENTRY_LENGTH = 4000


def goal_entry_errors(plan: ImplementationPlan, entries: dict) -> dict[str, str]:
    """What is wrong with `entries` (goal id -> text) for this plan: a goal of another
    decision, a text too long. Keyed `goals.<id>`."""
    own = set(plan.order.decision.goals.values_list("pk", flat=True))
    errors = {}
    for goal_id, text in entries.items():
        if goal_id not in own:
            errors[f"goals.{goal_id}"] = "Målet hör inte till beslutet bakom beställningen."
        elif not isinstance(text, str):
            errors[f"goals.{goal_id}"] = "Skriv hur planen arbetar mot målet."
        elif len(text.strip()) > MAX_ENTRY_LENGTH:
            errors[f"goals.{goal_id}"] = f"Högst {MAX_ENTRY_LENGTH} tecken per mål."
    return errors


@transaction.atomic
def save_goal_entries(actor, plan: ImplementationPlan, *, entries: dict) -> list[PlanGoal]:
    """Write, per goal of the decision, how the draft plan addresses it (`entries`: goal id ->
    text; a blank text removes the goal's entry). The provider side only, on a draft."""
    plan = (
        ImplementationPlan.objects.select_for_update(of=("self",))
        .select_related("order__provider", "order__decision")
        .get(pk=plan.pk)
    )
    allowed, _on_behalf = provider_side(actor, plan.order.provider)
    if not allowed:
        raise PermissionDenied("Endast utföraren kan ändra genomförandeplanen.")
    if plan.status != PlanStatus.DRAFT:
        raise TransitionNotAllowed(
            "Planen är redan skickad; påbörja en ny version för att revidera den.",
            state=plan.status,
            action="edit",
            allowed=[],
        )
    errors = goal_entry_errors(plan, entries)
    if errors:
        raise ValidationFailed(errors)
    current = {e.goal_id: e for e in plan.goal_entries.all()}
    changed = False
    for goal_id, text in entries.items():
        text = text.strip()
        entry = current.get(goal_id)
        if not text:
            if entry is not None:
                entry.delete()
                changed = True
        elif entry is None:
            PlanGoal.objects.create(
                municipality_id=plan.municipality_id, plan=plan, goal_id=goal_id, how=text
            )
            changed = True
        elif entry.how != text:
            entry.how = text
            entry.save(update_fields=["how"])
            changed = True
    if changed:  # the plan's new version names its goals (core/concurrency.py)
        touch(plan, "goals")
    return list(plan.goal_entries.select_related("goal"))


def carry_goal_entries(previous: ImplementationPlan | None, plan: ImplementationPlan) -> None:
    """A revision starts from the previous version's goal entries (as from its texts)."""
    if previous is None:
        return
    PlanGoal.objects.bulk_create(
        PlanGoal(municipality_id=plan.municipality_id, plan=plan, goal_id=e.goal_id, how=e.how)
        for e in previous.goal_entries.all()
    )
