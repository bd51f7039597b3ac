"""Reads of the queue (SPEC R8.1, R8.2, R8.3), already scoped to what the user may see.

- The placement unit (Role.PLACEMENT_UNIT) sees its own municipality's queue entries, and of
  their clients only what a placement needs: name, personnummer, where the client is now
  (a protected client's whereabouts only to named staff, R10.5), the service and the homes.
- The officer sees the entries of the unit that handles the client (the decision's unit).
- Everyone else sees none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from verkstall.access.roles import Role
from verkstall.access.scoping import NOTHING
from verkstall.core import clock
from verkstall.core.errors import NotFound
from verkstall.deadlines.facts import facts_of
from verkstall.deadlines.profile_selectors import municipality_rules
from verkstall.deadlines.threshold_selectors import date_by_rule_or_threshold
from verkstall.decisions.catalogue import ServiceKind
from verkstall.decisions.models import GrantedService
from verkstall.people.selectors import may_see_protected
from verkstall.providers.models import ProviderUnit

from .models import IN_QUEUE, OPEN, EntryState, PlaceOffer, QueueEntry

DISCHARGE_READY = "placement.discharge_ready"
#: The profile's threshold when it has no rule for the payment liability (R8.1).
LIABILITY_DAYS = "discharge_liability_days"
CARE_HOME_KINDS = (ServiceKind.CARE_HOME.value,)


def is_placement_unit(user, municipality_id: int | None = None) -> bool:
    """Is `user` the placement unit (R8.1, R8.2, R8.3, R8.4), of the municipality
    `municipality_id` when it is given?"""
    return getattr(user, "role_enum", None) == Role.PLACEMENT_UNIT and (
        municipality_id is None or user.municipality_id == municipality_id
    )


def journal_safe(person, value: str, *, kept_on: str) -> str:
    """`value` (where a client is, or lives) as a case-journal text may carry it: for a
    protected client a pointer to `kept_on`, where named staff see it. The case journal is read
    by the whole unit and the fee officer, so a protected client's address or whereabouts is
    never written into it (R10.5)."""
    return f"se {kept_on} (skyddade uppgifter)" if person.is_protected else value


def entry_scope(user) -> Q:
    """The queue entries the user may see (see the module's docstring)."""
    role = getattr(user, "role_enum", None)
    if is_placement_unit(user) and user.municipality_id:
        return Q(municipality_id=user.municipality_id)
    if role == Role.OFFICER and user.unit_id:
        return Q(municipality_id=user.municipality_id, unit_id=user.unit_id)
    return NOTHING


def entries_for(user) -> QuerySet[QueueEntry]:
    return (
        QueueEntry.objects.filter(entry_scope(user))
        .select_related("person", "decision", "granted_service__service_type", "officer")
        .order_by("-urgent", "queued_at", "id")
    )


def get_entry(user, pk) -> QueueEntry:
    try:
        return entries_for(user).get(pk=pk)
    except (QueueEntry.DoesNotExist, ValueError, TypeError):
        raise NotFound("Köplatsen finns inte eller så saknar du behörighet.") from None


def get_offer(user, entry: QueueEntry, pk) -> PlaceOffer:
    try:
        return entry.offers.select_related("home__provider").get(pk=pk)
    except (PlaceOffer.DoesNotExist, ValueError, TypeError):
        raise NotFound("Erbjudandet finns inte eller så saknar du behörighet.") from None


def open_offer(entry: QueueEntry) -> PlaceOffer | None:
    return entry.offers.filter(outcome="").select_related("home__provider").first()


def offers_of(entry: QueueEntry) -> QuerySet[PlaceOffer]:
    return entry.offers.select_related("home__provider", "offered_by", "answered_by")


def choices_of(entry: QueueEntry):
    return entry.choices.select_related("home__provider").order_by("rank")


def days_waited(entry: QueueEntry, today: date | None = None) -> int:
    today = today or clock.today()
    return max(0, (today - timezone.localdate(entry.queued_at)).days)


def shown_location(user, entry: QueueEntry) -> str:
    """Where the client is now, as the user may see it (R10.5: a protected client's
    whereabouts only to named staff)."""
    if not entry.current_location:
        return ""
    if may_see_protected(user, entry.person):
        return entry.current_location
    return "Skyddade uppgifter"


@dataclass(frozen=True)
class QueueRow:
    entry: QueueEntry
    rank: int
    days: int
    location: str
    offer: PlaceOffer | None


@dataclass(frozen=True)
class HomeQueue:
    home: ProviderUnit
    rows: list[QueueRow]


def queue_by_home(user, *, care_homes: bool) -> list[HomeQueue]:
    """The queue per home (care homes) or per day-activity unit (`care_homes` False), each
    urgent first, then by waiting time (R8.1, R8.2, R8.3). An entry stands in the queue of every
    home it chose; an entry with an open offer shows the offer where it was made."""
    entries = entries_for(user).filter(state__in=IN_QUEUE)
    kind = Q(granted_service__service_type__kind__in=CARE_HOME_KINDS)
    entries = entries.filter(kind if care_homes else ~kind)
    entries = list(entries.prefetch_related("choices__home__provider", "offers"))
    today = clock.today()
    homes: dict[int, HomeQueue] = {}
    for entry in entries:
        offer = next((o for o in entry.offers.all() if not o.outcome), None)
        for choice in entry.choices.all():
            queue = homes.setdefault(choice.home_id, HomeQueue(choice.home, []))
            queue.rows.append(
                QueueRow(
                    entry,
                    choice.rank,
                    days_waited(entry, today),
                    shown_location(user, entry),
                    offer if offer and offer.home_id == choice.home_id else None,
                )
            )
    for queue in homes.values():
        queue.rows.sort(key=lambda r: (not r.entry.urgent, r.entry.queued_at, r.entry.pk))
    return sorted(homes.values(), key=lambda q: str(q.home))


def awaiting_order(user) -> QuerySet[QueueEntry]:
    """The officer's entries whose client accepted a place: the order is to be sent (R8.2)."""
    return entries_for(user).filter(state=EntryState.ACCEPTED)


def queueable_services(user, person) -> QuerySet[GrantedService]:
    """The client's granted services that go through the queue and are not in it now (the
    officer's form)."""
    if getattr(user, "role_enum", None) != Role.OFFICER:
        return GrantedService.objects.none()
    return (
        GrantedService.objects.filter(
            decision__person=person,
            decision__unit_id=user.unit_id,
            service_type__queued=True,
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=clock.today()))
        .exclude(queue_entries__state__in=OPEN)
        .select_related("service_type", "decision")
        .order_by("id")
    )


def homes_offering(user, service_type_ids) -> QuerySet[ProviderUnit]:
    """The municipality's homes and units that offer these service types."""
    return (
        ProviderUnit.objects.filter(
            municipality_id=user.municipality_id, service_types__in=list(service_type_ids)
        )
        .select_related("provider")
        .prefetch_related("service_types")
        .distinct()
        .order_by("provider__name", "name")
    )


def liability_rule(decision):
    """The rule of the municipality's profile that starts on the hospital's notice and applies
    to the decision's services, or None."""
    services = list(decision.services.select_related("service_type").order_by("id"))
    facts, _ = facts_of(services)
    for rule in municipality_rules(decision.municipality, "decision"):
        applies = rule.start_event == DISCHARGE_READY and rule.amount is not None
        if applies and rule.spec().applies(facts):
            return rule
    return None


def liability_from(decision, ready_at: datetime) -> date:
    """When the municipality's payment liability begins (R8.1): as the profile's rule counts it
    from the hospital's notice (stockholm-hv: 3 calendar days; a local agreement changes the
    rule), else the profile's `discharge_liability_days` (3 by lag 2017:612)."""
    return date_by_rule_or_threshold(
        decision.municipality_id, liability_rule(decision), ready_at, LIABILITY_DAYS
    )
