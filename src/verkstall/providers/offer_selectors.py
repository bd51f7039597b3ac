"""Which providers an order form offers, and how (issue 17 item 4; SPEC R2.1, R2.2, R2.4, R2.6).

- The provider the client chose (val or omval, R2.2) or was assigned by the no-choice rotation
  (R2.4): the order form starts from it (`decision_choice`).
- The providers at their capacity cap for the services in the client's area (R2.1): the order
  form and the switch's new-provider list mark them before anything is sent
  (`caps_for_decision`, `caps_for_order`), with the same option text and explanation
  (`provider_choices`, `caps_explanation`): one marking for both lists. Whether a cap stops a
  switch is still the service's word (`selectors.takeover_problem`, R2.6: a client returning
  from a temporary stay is taken back regardless).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from verkstall.core import clock

from .models import Contract, ProviderChoice
from .selectors import cap_in_force, valid_on


@dataclass(frozen=True)
class Cap:
    """A provider at its capacity cap for one or more of the services: which, why, and the
    last day the cap holds (None: until lifted)."""

    provider_id: int
    provider_name: str
    service_names: tuple[str, ...]
    reason: str
    until: date | None


def caps_for(
    *, municipality_id: int, area_id: int | None, service_type_ids: Iterable[int], day=None
) -> dict[int, Cap]:
    """The providers at their cap on `day` (today) for any of the LOV service types in the
    area: by each provider's latest contract line in force for the type, as the switch's
    check reads it (selectors.takeover_problem). One query; nothing without an area."""
    ids = set(service_type_ids)
    if area_id is None or not ids:
        return {}
    day = day or clock.today()
    lines = (
        Contract.objects.filter(
            valid_on(day),
            municipality_id=municipality_id,
            area_id=area_id,
            service_type_id__in=ids,
            service_type__lov=True,
        )
        .select_related("provider", "service_type")
        .order_by("provider_id", "service_type_id", "-valid_from", "-id")
    )
    deciding: dict[tuple[int, int], Contract] = {}
    for line in lines:
        deciding.setdefault((line.provider_id, line.service_type_id), line)
    capped: dict[int, list[Contract]] = {}
    for (provider_id, _type), line in deciding.items():
        if cap_in_force(line, day):
            capped.setdefault(provider_id, []).append(line)
    return {
        pk: Cap(
            provider_id=pk,
            provider_name=held[0].provider.name,
            service_names=tuple(sorted({c.service_type.name for c in held})),
            reason=next((c.capacity_reason.strip() for c in held if c.capacity_reason.strip()), ""),
            until=max((c.capacity_until for c in held if c.capacity_until), default=None),
        )
        for pk, held in capped.items()
    }


def caps_for_decision(decision, day=None) -> dict[int, Cap]:
    """The caps for the decision's granted services in its client's area (the order form)."""
    return caps_for(
        municipality_id=decision.municipality_id,
        area_id=decision.person.area_id,
        service_type_ids=[g.service_type_id for g in decision.services.all()],
        day=day,
    )


def caps_for_order(order, day=None) -> dict[int, Cap]:
    """The caps for the order's services in its client's area (the switch's new provider)."""
    return caps_for(
        municipality_id=order.municipality_id,
        area_id=order.person.area_id,
        service_type_ids=[g.service_type_id for g in order.services.all()],
        day=day,
    )


def provider_label(provider, cap: Cap | None = None) -> str:
    """A provider as a list offers it: its name, how a provider outside the system takes its
    orders, and "taket nått" when it is at its cap."""
    notes = [] if provider.is_connected else [provider.get_channel_display()]
    if cap is not None:
        notes.append(_("taket nått"))
    return f"{provider.name} ({', '.join(notes)})" if notes else provider.name


def provider_choices(providers, caps: dict[int, Cap]) -> list[tuple[int, str]]:
    """(id, label) of each provider, those at their cap marked (`provider_label`)."""
    return [(p.pk, provider_label(p, caps.get(p.pk))) for p in providers]


def caps_explanation(caps: dict[int, Cap], providers=None) -> str:
    """What "taket nått" means, each capped provider (of `providers`, when given) with its
    services, reason and end; "" when none is at its cap."""
    shown = None if providers is None else {p.pk for p in providers}
    parts = []
    for cap in sorted(caps.values(), key=lambda c: c.provider_name):
        if shown is not None and cap.provider_id not in shown:
            continue
        text = f"{cap.provider_name}: {', '.join(cap.service_names)}"
        if cap.until:
            text += " " + _("till och med %(day)s") % {"day": cap.until.isoformat()}
        if cap.reason:
            text += f" ({cap.reason})"
        parts.append(text)
    if not parts:
        return ""
    return (
        _(
            "Taket nått: utföraren tar inte emot nya brukare just nu i klientens område. "
            "Bara en klient som återvänder från tillfällig vistelse till sin ordinarie "
            "utförare tas emot ändå."
        )
        + " "
        + "; ".join(parts)
        + "."
    )


def decision_choice(decision) -> ProviderChoice | None:
    """The latest registered choice or rotation assignment of any of the decision's granted
    services (R2.2, R2.4): the provider the order form starts from."""
    return (
        ProviderChoice.objects.filter(granted_service__decision_id=decision.pk)
        .select_related("provider")
        .order_by("-registered_at", "-id")
        .first()
    )
