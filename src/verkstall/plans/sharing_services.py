"""The plan shared with the person (SPEC R5.2, seed 002 §Genomförandeplan: "Upprättad
genomförandeplan delges den enskilde ... Om den enskilde inte är delaktig ska orsak
dokumenteras").

The provider registers, for a plan it has sent, how and when the person (or their
representative) was given it, or why not. The registration is the order event PLAN_SHARED
(clock event "plan.shared") in the order's history, where the officer sees it; a routine may
have a clock that it meets (Gotland's `genomforandeplan-delgiven`). A later registration of
the same plan (shared after all) is a new event; the latest one is the plan's answer
(`sharing_selectors`).
"""

from __future__ import annotations

from django.db import transaction

from verkstall.access.policies import provider_side
from verkstall.core import clock
from verkstall.core.dates import local_day, parse_date
from verkstall.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from verkstall.orders.models import EventKind
from verkstall.orders.services import ON_BEHALF_CHANNELS, record_event

from .models import ImplementationPlan, PlanStatus

#: How the plan reached the person (R5.2): code -> how the history says it.
SHARE_METHODS = {
    "in_person": "Personligen, vid ett möte med den enskilde",
    "representative": "Till den enskildes företrädare",
    "post": "Per post",
    "email": "Per e-post",
    "other": "På annat sätt",
}
MAX_TEXT = 2000


def _checked(errors: dict, field: str, value, *, required: bool, message: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if value not in (None, "") and not isinstance(value, str):
        errors[field] = "Ska vara en text."
    elif required and not text:
        errors[field] = message
    elif len(text) > MAX_TEXT:
        errors[field] = f"Högst {MAX_TEXT} tecken."
    return text


def _history_text(shared: bool, day, method: str, reason: str, note: str) -> str:
    """The registration as the order's history says it, in Swedish."""
    if shared:
        text = f"Version delgiven den enskilde {day:%Y-%m-%d}: {SHARE_METHODS[method].lower()}."
    else:
        text = f"Inte delgiven den enskilde: {reason}"
    return f"{text} {note}".strip() if note else text


@transaction.atomic
def share_plan(
    actor,
    plan: ImplementationPlan,
    *,
    shared,
    shared_on=None,
    method: str = "",
    reason: str = "",
    note: str = "",
    channel: str = "",
):
    """Register that a sent plan was shared with the person (R5.2): `shared` True with the
    day (`shared_on`, not in the future, not before the plan was begun) and how (`method`,
    SHARE_METHODS); or `shared` False with why not (`reason`). `note` is optional. By the
    provider's staff, or by the municipality for a provider not connected (`channel`: how
    the provider's report came in). Records PLAN_SHARED in the order's history, in the same
    transaction; returns the event."""
    plan = (
        ImplementationPlan.objects.select_for_update(of=("self",))
        .select_related("order__provider")
        .get(pk=plan.pk)
    )
    allowed, on_behalf = provider_side(actor, plan.order.provider)
    if not allowed:
        raise PermissionDenied("Endast utföraren kan registrera att planen delgivits.")
    if plan.status == PlanStatus.DRAFT:
        raise TransitionNotAllowed(
            "Planen är ett utkast. Det är den upprättade planen som delges den enskilde: "
            "skicka den först.",
            state=plan.status,
            action="share",
            allowed=[PlanStatus.SENT.value, PlanStatus.CONFIRMED.value],
        )
    errors: dict[str, str] = {}
    if shared not in (True, False):
        errors["shared"] = "Ange om planen har delgivits den enskilde eller inte."
    day = None
    if shared is True:
        day = parse_date(shared_on, "shared_on", errors)
        if day is not None and day > clock.today():
            errors["shared_on"] = "Dagen kan inte ligga i framtiden."
        elif day is not None and day < (begun := local_day(plan.begun_at)):
            errors["shared_on"] = f"Dagen kan inte ligga före planen påbörjades ({begun:%Y-%m-%d})."
        if method not in SHARE_METHODS:
            errors["method"] = "Ange hur planen delgavs: " + ", ".join(
                label.lower() for label in SHARE_METHODS.values()
            )
    reason = _checked(
        errors,
        "reason",
        reason,
        required=shared is False,
        message="Ange varför planen inte har delgivits den enskilde.",
    )
    note = _checked(errors, "note", note, required=False, message="")
    if on_behalf is not None and channel not in ON_BEHALF_CHANNELS:
        channel = "post"
    if errors:
        raise ValidationFailed(errors)
    day = day or clock.today()
    data = {
        "plan": plan.pk,
        "version": plan.version,
        "shared": shared,
        "shared_on": day.isoformat() if shared else None,
        "method": method if shared else "",
        "reason": "" if shared else reason,
        "note": note,
        "text": _history_text(shared, day, method, reason, note),
    }
    return record_event(
        actor,
        plan.order,
        kind=EventKind.PLAN_SHARED,
        occurred_at=clock.start_of_day(day),
        data=data,
        on_behalf_of=on_behalf,
        channel=channel if on_behalf is not None else "",
    )
