"""Corrections of an order while it is still a draft (SPEC R1.1 "correct ... a draft order",
R3.1).

Before the order is sent, the officer of the client's unit may correct what the order form
holds: the provider, the provider's unit, which of the decision's granted services it orders,
and the information to the provider. A correction never overwrites silently: it needs a
reason, and the order's history gets an event DRAFT_CORRECTED with every changed field's old
and new value, who and why (`data`: `changes`, `reason`, `text`). Once sent, an order is
changed by a new version after a reassessment instead (R3.10, change_services) and its dates
by correction_services.

DRAFT_CORRECTED drives no clock (no rule may name it, core/event_kinds.py), which is right for
a draft. Corrections recorded before the kind existed are CREATED events marked
`draft_corrected` in their data; order events are append-only, so they stay as they are and
the order page labels both the same ("Utkast rättat", the kind's label).
"""

from __future__ import annotations

from django.db import transaction

from verkstall.access.policies import require_officer_of_unit
from verkstall.core.errors import TransitionNotAllowed, ValidationFailed
from verkstall.providers.models import Provider, ProviderUnit

from .models import EventKind, Order, OrderEvent
from .services import lock_order, officer_of_unit, record_event
from .states import State

#: The event a draft correction writes (see the module's docstring).
DRAFT_CORRECTED_KIND = EventKind.DRAFT_CORRECTED
REASON_MAX = 300
LABELS = {
    "provider": "Utförare",
    "provider_unit": "Utförarenhet",
    "services": "Insatser",
    "instructions": "Information till utföraren",
}


def may_correct_draft(user, order: Order) -> bool:
    """The order page offers the correction only then: a draft, to the client's officer."""
    return order.state == State.DRAFT.value and officer_of_unit(user, order)


def _services_text(services) -> str:
    return "; ".join(str(s) for s in sorted(services, key=lambda s: s.pk))


def _provider_of(order: Order, provider, errors: dict) -> Provider | None:
    if provider in (None, ""):
        return order.provider
    provider_id = getattr(provider, "pk", provider)
    found = Provider.objects.filter(pk=provider_id, municipality_id=order.municipality_id).first()
    if found is None:
        errors["provider"] = "Okänd utförare."
    return found


def _unit_of(order: Order, provider: Provider, provider_unit, errors: dict):
    """The provider's unit: the one given, or the order's own if it belongs to the provider
    (a unit of the provider the draft no longer goes to is dropped)."""
    if provider_unit is None:
        return (
            order.provider_unit
            if order.provider_unit_id and (order.provider_unit.provider_id == provider.pk)
            else None
        )
    if provider_unit == "":
        return None
    unit_id = getattr(provider_unit, "pk", provider_unit)
    found = ProviderUnit.objects.filter(pk=unit_id, provider=provider).first()
    if found is None:
        errors["provider_unit"] = "Enheten hör inte till vald utförare."
    return found


def _services_of(order: Order, services, errors: dict) -> list:
    granted = list(order.decision.services.all())
    if services is None:
        return list(order.services.all())
    ids = [str(getattr(s, "pk", s)) for s in services]
    chosen = [g for g in granted if str(g.pk) in ids]
    if len(chosen) != len(set(ids)):
        errors["services"] = "Insatserna måste höra till beslutet."
    elif not chosen:
        errors["services"] = "Välj minst en beviljad insats."
    return chosen


@transaction.atomic
def correct_draft(
    actor,
    order: Order,
    *,
    reason: str,
    provider=None,
    provider_unit=None,
    services=None,
    instructions: str | None = None,
) -> OrderEvent:
    """Correct a draft order (R1.1): the fields given (None: unchanged; `provider_unit` ""
    clears it). Refused (409) once the order is no longer a draft; a correction that changes
    nothing, or without a reason, is refused with the field's error. Returns the event."""
    order = lock_order(order)
    require_officer_of_unit(actor, order.unit_id, "ändra beställningen")
    if order.state != State.DRAFT.value:
        raise TransitionNotAllowed(
            f"Beställningen är {order.get_state_display().lower()}; bara ett utkast kan "
            "ändras. En skickad beställning ändras med en ny version efter omprövning.",
            state=order.state,
            action="correct_draft",
            allowed=[],
        )
    errors: dict[str, str] = {}
    new_provider = _provider_of(order, provider, errors)
    new_unit = _unit_of(order, new_provider, provider_unit, errors) if new_provider else None
    new_services = _services_of(order, services, errors)
    new_instructions = order.instructions if instructions is None else instructions.strip()
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Ange varför utkastet ändras."
    elif len(reason) > REASON_MAX:
        errors["reason"] = f"Skälet får vara högst {REASON_MAX} tecken."
    if errors:
        raise ValidationFailed(errors)
    old_services = list(order.services.all())
    before = {
        "provider": order.provider.name,
        "provider_unit": order.provider_unit.name if order.provider_unit_id else "",
        "services": _services_text(old_services),
        "instructions": order.instructions,
    }
    after = {
        "provider": new_provider.name,
        "provider_unit": new_unit.name if new_unit else "",
        "services": _services_text(new_services),
        "instructions": new_instructions,
    }
    ids_changed = (
        new_provider.pk != order.provider_id
        or (new_unit.pk if new_unit else None) != order.provider_unit_id
        or {s.pk for s in new_services} != {s.pk for s in old_services}
        or new_instructions != order.instructions
    )
    changes = [
        {"field": f, "label": LABELS[f], "old": before[f], "new": after[f]}
        for f in LABELS
        if before[f] != after[f]
    ]
    if not ids_changed:
        raise ValidationFailed({"__all__": "Inget i utkastet har ändrats."})
    order.provider = new_provider
    order.provider_unit = new_unit
    order.instructions = new_instructions
    order.save(update_fields=["provider", "provider_unit", "instructions", "updated_at"])
    order.services.set(new_services)
    lines = "; ".join(f"{c['label']}: {c['old'] or '–'} → {c['new'] or '–'}" for c in changes)
    return record_event(
        actor,
        order,
        kind=DRAFT_CORRECTED_KIND,
        data={
            "changes": changes,
            "reason": reason,
            "text": f"Utkastet ändrat. {lines}. Skäl: {reason}",
        },
        allowed_states=(State.DRAFT.value,),
    )
