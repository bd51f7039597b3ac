"""Every write to the care-home and day-activity queue (SPEC R8.1, R8.2, R8.3, seed 001 §Skyndsam
placering, §Dagverksamhet).

1. ``enqueue``: the officer puts the client in the queue for one or more homes (or day-activity
   units) in order of preference, with the granted service it rests on; an urgent placement
   also gives where the client is now, when the hospital said the client is ready for
   discharge, and anything else of importance. The payment-liability date is computed from the
   profile (`selectors.liability_from`) and the decision's clocks move (the profile's
   ``betalningsansvar`` rule starts on "placement.discharge_ready").
2. ``offer_place``: the placement unit offers a place at one of the chosen homes.
3. ``record_answer``: the client accepted (the clock's stop event "placement.place_accepted")
   or declined with a reason; what a decline means is the profile's `queue_declines_allowed`.
   The officer is told in the case journal (and sees the entry on the queue page).
4. ``order_to_home``: the officer sends the order to the accepted home in one step.
5. ``withdraw``: the officer of the entry's unit, or the placement unit, removes the client from
   the queue with a reason (no longer wants a place, moved, died); an open offer is closed and
   an urgent placement's payment-liability clock no longer runs (deadlines.engine).

Each step is one transaction and takes the acting user; bad input is a ValidationFailed with
Swedish messages, a step out of turn a 409.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from verkstall.access.policies import require_officer_of_unit
from verkstall.core import clock
from verkstall.core.dates import parse_past_moment
from verkstall.core.errors import DomainError, PermissionDenied, ValidationFailed
from verkstall.deadlines.engine import recompute_decision
from verkstall.deadlines.threshold_selectors import threshold
from verkstall.decisions.catalogue import ServiceKind
from verkstall.decisions.models import GrantedService
from verkstall.journal.case_services import write_case_entry
from verkstall.orders import services as order_services
from verkstall.providers.models import ProviderUnit

from .models import OPEN, EntryState, Outcome, PlaceOffer, QueueChoice, QueueEntry
from .selectors import is_placement_unit, journal_safe, liability_from

#: The profile's threshold: declined offers before the client leaves the queue (R8.2).
DECLINES_ALLOWED = "queue_declines_allowed"
JOURNAL_TITLE = "Kö och placering"


class QueueStepNotAllowed(DomainError):
    """A queue step taken out of turn (409, like an order transition that is not allowed)."""

    status_code = 409
    code = "queue_step_not_allowed"


def _require_placement_unit(actor, entry: QueueEntry, what: str) -> None:
    if not is_placement_unit(actor, entry.municipality_id):
        raise PermissionDenied(f"Endast kommunens handläggningsenhet kan {what}.")


def _lock(entry: QueueEntry) -> QueueEntry:
    return (
        QueueEntry.objects.select_for_update(of=("self",))
        .select_related("person", "decision", "granted_service__service_type")
        .get(pk=entry.pk)
    )


def _journal(actor, entry: QueueEntry, text: str) -> None:
    write_case_entry(actor, person=entry.person, title=JOURNAL_TITLE, text=text)


def _homes(actor, granted: GrantedService, homes, errors: dict) -> list[ProviderUnit]:
    """The chosen homes, in order of preference: units of the municipality that offer the
    granted service's type (R8.1, R8.3)."""
    ids = []
    for value in homes or ():
        raw = getattr(value, "pk", value)
        if str(raw).isdigit() and int(raw) not in ids:
            ids.append(int(raw))
        elif not str(raw).isdigit():
            errors["homes"] = "Okänt boende."
            return []
        else:
            errors["homes"] = "Samma boende kan bara väljas en gång."
            return []
    if not ids:
        errors["homes"] = "Välj minst ett boende eller en enhet, i önskad ordning."
        return []
    found = {
        u.pk: u
        for u in ProviderUnit.objects.filter(
            pk__in=ids,
            municipality_id=actor.municipality_id,
            service_types=granted.service_type_id,
        ).select_related("provider")
    }
    if len(found) != len(ids):
        errors["homes"] = "Välj bland kommunens enheter som erbjuder den beviljade insatsen."
        return []
    return [found[pk] for pk in ids]


@transaction.atomic
def enqueue(
    actor,
    *,
    granted_service,
    homes,
    urgent: bool = False,
    current_location: str = "",
    discharge_ready_at=None,
    notes: str = "",
) -> QueueEntry:
    """Put the client in the queue (R8.1, R8.3). Only a service that goes through the queue
    (the catalogue's `queued`: care home, day activity); short-term and profile homes stay
    outside (R2.5, the proximity rule). An urgent placement (care home only) needs where the
    client is now and when the hospital said the client is ready for discharge."""
    errors: dict[str, str] = {}
    granted = (
        GrantedService.objects.select_related("decision__person", "service_type")
        .filter(pk=getattr(granted_service, "pk", granted_service))
        .first()
        if str(getattr(granted_service, "pk", granted_service)).isdigit()
        else None
    )
    if granted is None or granted.municipality_id != actor.municipality_id:
        raise ValidationFailed({"granted_service": "Okänd beviljad insats."})
    decision = granted.decision
    require_officer_of_unit(actor, decision.unit_id, "ställa klienten i kö")
    if not granted.service_type.queued:
        raise ValidationFailed(
            {
                "granted_service": "Insatsen går inte via kö. Korttidsboende och profilboende "
                "ligger utanför kön: välj enhet enligt närhetsprincipen."
            }
        )
    if granted.valid_to is not None and granted.valid_to < clock.today():
        errors["granted_service"] = "Insatsen gäller inte längre."
    if QueueEntry.objects.filter(granted_service=granted, state__in=OPEN).exists():
        errors["granted_service"] = "Klienten står redan i kö för insatsen."
    chosen = _homes(actor, granted, homes, errors)
    current_location = (current_location or "").strip()
    notes = (notes or "").strip()
    ready_at = None
    if urgent:
        if granted.service_type.kind != ServiceKind.CARE_HOME:
            errors["urgent"] = "Skyndsam placering gäller vård- och omsorgsboende."
        if not current_location:
            errors["current_location"] = "Ange var den enskilde befinner sig nu."
        ready_at = parse_past_moment(
            discharge_ready_at,
            "discharge_ready_at",
            errors,
            missing="Ange när sjukhuset meddelade att den enskilde är utskrivningsklar.",
        )
    if len(current_location) > 200:
        errors["current_location"] = "Högst 200 tecken."
    if errors:
        raise ValidationFailed(errors)
    entry = QueueEntry.objects.create(
        municipality_id=decision.municipality_id,
        unit_id=decision.unit_id,
        officer=actor,
        person=decision.person,
        decision=decision,
        granted_service=granted,
        urgent=bool(urgent),
        current_location=current_location if urgent else "",
        discharge_ready_at=ready_at,
        liability_from=liability_from(decision, ready_at) if ready_at else None,
        notes=notes,
    )
    QueueChoice.objects.bulk_create(
        QueueChoice(entry=entry, home=home, rank=rank) for rank, home in enumerate(chosen, 1)
    )
    names = ", ".join(f"{rank}. {home}" for rank, home in enumerate(chosen, 1))
    text = f"Ställd i kö för {granted.service_type.name}: {names}."
    if urgent:
        # A protected client's whereabouts stay on the entry, shown to named staff only (R10.5).
        where = journal_safe(decision.person, current_location, kept_on="köplatsen")
        text += (
            f"\nSkyndsam placering. Befinner sig nu: {where}. Utskrivningsklar "
            f"{timezone.localtime(ready_at):%Y-%m-%d %H:%M}; kommunens betalningsansvar inträder "
            f"{entry.liability_from:%Y-%m-%d}."
        )
    if notes:
        text += f"\n{notes}"
    _journal(actor, entry, text)
    if urgent:
        recompute_decision(decision)  # the payment-liability clock starts (R8.1)
    return entry


@transaction.atomic
def offer_place(actor, *, entry: QueueEntry, home) -> PlaceOffer:
    """The placement unit offers a place at one of the homes the client chose (R8.2, R8.3)."""
    entry = _lock(entry)
    _require_placement_unit(actor, entry, "erbjuda plats")
    if entry.state != EntryState.WAITING:
        raise QueueStepNotAllowed(
            f"Köplatsen väntar inte på erbjudande (läge: {entry.get_state_display().lower()})."
        )
    home_id = getattr(home, "pk", home)
    choice = (
        entry.choices.select_related("home__provider").filter(home_id=home_id).first()
        if str(home_id).isdigit()
        else None
    )
    if choice is None:
        raise ValidationFailed({"home": "Välj ett av de boenden som klienten har önskat."})
    offer = PlaceOffer.objects.create(
        municipality_id=entry.municipality_id, entry=entry, home=choice.home, offered_by=actor
    )
    entry.state = EntryState.OFFERED
    entry.save(update_fields=["state"])
    _journal(actor, entry, f"Plats erbjuden på {choice.home}.")
    return offer


@transaction.atomic
def record_answer(actor, *, offer: PlaceOffer, accepted: bool, reason: str = "") -> PlaceOffer:
    """The client's answer to the offer (R8.2). Accepted: the payment-liability clock stops
    and the officer is told, who then sends the order. Declined (with a reason): the client
    stays in the queue, or leaves it after the profile's `queue_declines_allowed` declines."""
    entry = _lock(offer.entry)
    _require_placement_unit(actor, entry, "registrera svar på erbjuden plats")
    offer = PlaceOffer.objects.select_for_update().select_related("home").get(pk=offer.pk)
    if offer.outcome or entry.state != EntryState.OFFERED:
        raise QueueStepNotAllowed("Erbjudandet är redan besvarat.")
    reason = (reason or "").strip()
    if not accepted and not reason:
        raise ValidationFailed({"reason": "Ange skälet till att klienten tackade nej."})
    if len(reason) > 300:
        raise ValidationFailed({"reason": "Högst 300 tecken."})
    now = clock.now()
    offer.outcome = Outcome.ACCEPTED if accepted else Outcome.DECLINED
    offer.answered_by = actor
    offer.answered_at = now
    offer.decline_reason = "" if accepted else reason
    offer.save()
    if accepted:
        entry.state = EntryState.ACCEPTED
        entry.accepted_at = now
        entry.save(update_fields=["state", "accepted_at"])
        _journal(
            actor,
            entry,
            f"Klienten har tackat ja till plats på {offer.home}. Handläggaren skickar "
            "beställningen till boendet.",
        )
        recompute_decision(entry.decision)  # the payment-liability clock stops (R8.1)
        return offer
    declines = entry.offers.filter(outcome=Outcome.DECLINED).count()
    allowed = threshold(entry.municipality_id, DECLINES_ALLOWED)
    text = f"Klienten tackade nej till plats på {offer.home}. Skäl: {reason}"
    if declines >= allowed:
        entry.state = EntryState.REMOVED
        entry.removed_at = now
        entry.removed_reason = f"Tackat nej till {declines} erbjudna platser."
        entry.save(update_fields=["state", "removed_at", "removed_reason"])
        text += f"\nKlienten har tackat nej {declines} gånger och är avförd ur kön."
        _journal(actor, entry, text)
        recompute_decision(entry.decision)  # a removed entry's clock no longer runs (R8.1)
        return offer
    entry.state = EntryState.WAITING
    entry.save(update_fields=["state"])
    text += f"\nKlienten står kvar i kön ({declines} av {allowed} tillåtna nej)."
    _journal(actor, entry, text)
    return offer


@transaction.atomic
def order_to_home(actor, *, entry: QueueEntry, instructions: str = ""):
    """Send the order to the home the client accepted, in one step (R8.2, R8.3): the order is
    created for the queued service with the home's provider and the home as its unit, and
    sent (orders.services), in one transaction."""
    entry = _lock(entry)
    require_officer_of_unit(actor, entry.unit_id, "skicka beställningen till boendet")
    if entry.state != EntryState.ACCEPTED:
        raise QueueStepNotAllowed("Beställningen skickas när klienten har tackat ja till en plats.")
    offer = (
        entry.offers.filter(outcome=Outcome.ACCEPTED)
        .select_related("home__provider")
        .order_by("-answered_at")
        .first()
    )
    home = offer.home
    order = order_services.create_order(
        actor,
        decision=entry.decision,
        provider=home.provider,
        provider_unit=home,
        services=[entry.granted_service_id],
        instructions=instructions,
    )
    order_services.send_order(actor, order)
    entry.state = EntryState.ORDERED
    entry.order = order
    entry.save(update_fields=["state", "order"])
    _journal(actor, entry, f"Beställning #{order.pk} skickad till {home}.")
    return order


#: What the client's open offer says when the entry is withdrawn with it open.
WITHDRAWN_OFFER = "Avförd ur kön: {reason}"


@transaction.atomic
def withdraw(actor, *, entry: QueueEntry, reason: str) -> QueueEntry:
    """Remove the client from the queue with a reason (R8.1, R8.2, R8.3): the client no longer
    wants a place, moved or died. The officer of the entry's unit or the municipality's
    placement unit does it, while the entry waits, has an offer or an accepted place; an
    ordered or removed entry cannot be withdrawn (409).

    An open offer is closed as declined, its reason saying the entry was withdrawn (an offer is
    either open, accepted or declined, and a declined one has a reason). The decision's clocks
    are recomputed: an urgent placement's payment-liability item that is still open no longer
    applies and is closed (deadlines.engine.placement_events)."""
    entry = _lock(entry)
    if not is_placement_unit(actor, entry.municipality_id):
        require_officer_of_unit(actor, entry.unit_id, "avföra klienten ur kön")
    if entry.state not in OPEN:
        raise QueueStepNotAllowed(
            f"Köplatsen kan inte avföras (läge: {entry.get_state_display().lower()})."
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": "Ange skälet till att klienten avförs ur kön."})
    if len(reason) > 300:
        raise ValidationFailed({"reason": "Högst 300 tecken."})
    now = clock.now()
    offer = (
        PlaceOffer.objects.select_for_update(of=("self",))
        .select_related("home__provider")
        .filter(entry=entry, outcome="")
        .first()
    )
    text = f"Avförd ur kön. Skäl: {reason}"
    if offer is not None:
        offer.outcome = Outcome.DECLINED
        offer.answered_by = actor
        offer.answered_at = now
        offer.decline_reason = WITHDRAWN_OFFER.format(reason=reason)[:300]
        offer.save(update_fields=["outcome", "answered_by", "answered_at", "decline_reason"])
        text += f"\nDen erbjudna platsen på {offer.home} är avslutad."
    entry.state = EntryState.REMOVED
    entry.removed_at = now
    entry.removed_reason = reason
    entry.save(update_fields=["state", "removed_at", "removed_reason"])
    _journal(actor, entry, text)
    recompute_decision(entry.decision)  # the payment-liability clock no longer runs (R8.1)
    return entry
