"""Writes of the client's provider choice (SPEC R2.2, R2.3, R2.6)."""

from __future__ import annotations

from django.db import transaction

from verkstall.access.policies import require_officer_of_unit
from verkstall.core import clock
from verkstall.core.dates import parse_date
from verkstall.core.errors import ValidationFailed

from . import selectors
from .models import Provider, ProviderChoice

# --- Provider choice (SPEC R2.2, R2.3, R2.6) --------------------------------------------------

ACTIVE_CHOICE_KINDS = (ProviderChoice.Kind.CHOICE, ProviderChoice.Kind.RECHOICE)


@transaction.atomic
def register_choice(
    actor,
    *,
    granted_service,
    provider,
    kind: str = ProviderChoice.Kind.CHOICE,
    form_received_on,
    returning_from_temporary_stay: bool = False,
) -> ProviderChoice:
    """Register the client's active choice of provider: the signed choice form's arrival and
    the event "Val av utförare LOV" or "Omval utförare LOV" (R2.2, seed 004 §Övrigt).

    The provider must have a contract in force today for the service type in the client's
    area (R2.1) and take new clients, unless the client returns from a temporary stay to the
    provider they had, which must take them back regardless of its cap (R2.6, seed 002). The
    choice is written to the case journal, and the decision's due items are recomputed, so
    the choice deadline (R2.3, Solna: 2 months) is met by it.
    """
    from verkstall.deadlines.engine import recompute_decision
    from verkstall.journal.case_services import write_case_entry
    from verkstall.journal.models import CaseJournalEntry

    decision = granted_service.decision
    person = decision.person
    require_officer_of_unit(actor, decision.unit_id, "registrera val av utförare")
    errors: dict[str, str] = {}
    if kind not in ACTIVE_CHOICE_KINDS:
        errors["kind"] = "Ange val eller omval av utförare."
    received = parse_date(form_received_on, "form_received_on", errors)
    today = clock.today()
    if received and received > today:
        errors["form_received_on"] = "Valblanketten kan inte ha inkommit i framtiden."
    service_type = granted_service.service_type
    if not service_type.lov:
        errors["granted_service"] = "Insatsen omfattas inte av valfrihetssystemet (LOV)."
    elif granted_service.valid_to and granted_service.valid_to < today:
        errors["granted_service"] = "Insatsen har upphört."
    elif person.area_id is None:
        errors["granted_service"] = "Klienten har inget hemtjänstområde; ange det först."
    provider_obj = selectors.in_municipality(Provider, provider, decision.municipality_id)
    if provider_obj is None:
        errors["provider"] = "Välj en utförare i kommunen."
    if errors:
        raise ValidationFailed(errors)
    option = selectors.choice_for_provider(granted_service, provider_obj, day=today)
    if option is None:
        raise ValidationFailed(
            {"provider": "Utföraren har inget gällande avtal för insatsen i klientens område."}
        )
    if option.at_capacity:
        if not returning_from_temporary_stay:
            until = option.capacity_until
            raise ValidationFailed(
                {
                    "provider": "Utföraren tar inte emot nya brukare just nu"
                    + (f" (till och med {until.isoformat()})" if until else "")
                    + f": {option.capacity_reason}"
                }
            )
        if not selectors.has_held_provider(person, provider_obj):
            raise ValidationFailed(
                {
                    "returning_from_temporary_stay": "Undantaget från kapacitetstaket gäller "
                    "bara den utförare klienten hade före den tillfälliga vistelsen."
                }
            )
    choice = ProviderChoice.objects.create(
        municipality_id=decision.municipality_id,
        person=person,
        granted_service=granted_service,
        provider=provider_obj,
        kind=kind,
        form_received_on=received,
        registered_by=actor,
        registered_at=clock.now(),
    )
    label = ProviderChoice.Kind(kind).label
    text = (
        f"{label}: {provider_obj.name} för {service_type.name} "
        f"(beslut {decision.decided_on.isoformat()}). "
        f"Valblanketten inkom {received.isoformat()}."
    )
    if option.at_capacity:
        text += (
            " Klienten återvänder från en tillfällig vistelse; ordinarie utförare tar emot "
            "klienten oavsett kapacitetstak."
        )
    write_case_entry(
        actor, person=person, title=label, text=text, kind=CaseJournalEntry.Kind.CHOICE
    )
    recompute_decision(decision)
    return choice
