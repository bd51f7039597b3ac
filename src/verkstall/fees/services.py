"""Fee notices to the fee officer: every write (SPEC R9.3, seed 002 §Verkställighet av avgift).

The lower apps may not call this one (tests/test_architecture.py), so the notices are derived
from the rows they write:

- ``collect_fee_notices``: reads a municipality's order events recorded since its watermark
  (`FeeScan`), and the absences whose end was registered after them, and makes one notice per
  change that affects the fee (changes.py says which, and for which clients); idempotent (one
  notice per source row, unique constraints; a second collection finds them). Run by the fee
  officer's inbox and its API list (cheap: only the events since the last run) and by
  ``python -m verkstall collect_fee_notices`` (every municipality).
- ``report_fee_notice``: the provider (the officer or fee officer for one not connected, R3.3)
  tells the fee officer of a change the system cannot see, in its own words.
- ``handle_fee_notice``: the fee officer marks a notice handled, with an optional note.

Each notice is also a due item on the fee officer's watchlist: the profile's rule for fee
notices (start "fee.change", stop "fee.handled", responsible fee_officer; the national rule
`avgiftsmeddelande`) is evaluated on the notice's own two events by the deadline engine's pure
planning (`deadlines.engine.plan_items`), and the item is stored under the subject key
"fee_notice:<id>", which the engine's recomputes of orders and decisions never touch. The same
rules say which services bear a fee (their service conditions); a profile without such a rule
makes no notices.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from verkstall.absences.models import Absence
from verkstall.access.models import Municipality
from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.core.dates import day_text, parse_date
from verkstall.core.errors import DomainError, PermissionDenied, ValidationFailed
from verkstall.deadlines.engine import order_item_fields, plan_items, store_planned
from verkstall.deadlines.facts import facts_of
from verkstall.deadlines.profile_selectors import municipality_rules
from verkstall.deadlines.rules import Event, Responsible
from verkstall.deadlines.threshold_selectors import threshold
from verkstall.decisions.models import GrantedService
from verkstall.orders.models import Order, OrderEvent
from verkstall.orders.services import provider_acting, reply_channel
from verkstall.orders.states import ISSUED, State

from . import changes
from .changes import Change, Hours, OrderContext
from .models import FeeNotice, FeeScan

#: The clock event a fee notice starts (core/event_kinds.py OTHER_CLOCK_EVENTS); the fee
#: officer's handling is "fee.handled".
FEE_CHANGE = "fee.change"
FEE_HOURS = "fee_hours_per_month"
#: An order event recorded less than this long ago may belong to a transaction that had not
#: committed when the collection read (its id is lower than ids already read): the watermark
#: stays behind such events, so they are read again next time (a notice is made once anyway).
SCAN_LAG = timedelta(minutes=15)
TEXT_LENGTH = 2000
NOTE_LENGTH = 2000


class AlreadyHandled(DomainError):
    """The notice was handled already (409)."""

    status_code = 409
    code = "already_handled"


def subject_key(notice: FeeNotice) -> str:
    """The due items of a notice (deadlines.DueItem.subject_key)."""
    return f"fee_notice:{notice.pk}"


def fee_rules(municipality) -> list:
    """The rules in force for the municipality that start on a fee notice (R11.3: its own
    profile's, or the national library's `avgiftsmeddelande`)."""
    return [r for r in municipality_rules(municipality, "order") if r.start_event == FEE_CHANGE]


# --- Collecting -----------------------------------------------------------------------------


class _Collection:
    """One collection for one municipality: its fee rules, its threshold, and what has been
    read (an order's services, a client's hours on a day) so that each is read once."""

    def __init__(self, municipality, rules):
        self.municipality = municipality
        self.rules = rules
        self.specs = [rule.spec() for rule in rules]
        self.threshold = threshold(municipality, FEE_HOURS)
        self._services: dict[int, list] = {}
        self._hours: dict[tuple, Hours] = {}

    def services(self, order: Order) -> list:
        if order.pk not in self._services:
            self._services[order.pk] = list(
                order.services.select_related("service_type").order_by("id")
            )
        return self._services[order.pk]

    def bearing(self, order: Order) -> list:
        return [s for s in self.services(order) if changes.bears_fee(s, self.specs)]

    def hours(self, order: Order, day) -> Hours:
        key = (order.pk, day)
        if key not in self._hours:
            self._hours[key] = client_hours(
                self.municipality, order.person_id, day, self.specs, order=order
            )
        return self._hours[key]


def client_hours(municipality, person_id: int, day, specs, *, order=None) -> Hours:
    """The client's fee-bearing services in force on `day`, in hours a month
    (changes.fee_hours): the granted services of its orders running that day (started on or
    before it, not ended before it), and of `order` (the changed one), each service once. A
    version replaced by a new one, or an order ended by a switch, no longer counts."""
    running = (
        Order.objects.filter(municipality=municipality, person_id=person_id, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .exclude(state=State.CANCELLED.value)
    )
    orders = Q(orders__in=running.values("pk"))
    if order is not None:
        orders |= Q(orders=order.pk)
    services = (
        GrantedService.objects.filter(orders, municipality=municipality, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .select_related("service_type")
        .distinct()
    )
    return changes.fee_hours(s for s in services if changes.bears_fee(s, specs))


def _context(order: Order, kind: str) -> OrderContext:
    """What the change of an event of `kind` needs to know about its order, read only for the
    kinds that need it."""
    replaced = switched = False
    switched_from = ""
    if kind == "ended":
        replaced = order.superseded_by.filter(start_date__isnull=False).exists()
        switched = order.switches_from.filter(completed_at__isnull=False).exists()
    elif kind == "started" and not order.supersedes_id:
        switch = order.switched_to.select_related("old_order__provider").first()
        switched_from = switch.old_order.provider.name if switch else ""
    return OrderContext(
        provider=order.provider.name,
        started=order.start_date is not None,
        supersedes=order.supersedes_id,
        replaced_by_version=replaced,
        ended_by_switch=switched,
        switched_from=switched_from,
    )


@transaction.atomic
def collect_fee_notices(*, municipality) -> int:
    """Make the fee notices of the changes recorded since the last collection (R9.3); the
    number made. Safe to run twice and from two requests at once (the municipality's
    watermark row is locked; a notice exists once per source row)."""
    FeeScan.objects.get_or_create(municipality=municipality)
    scan = FeeScan.objects.select_for_update().get(municipality=municipality)
    now = clock.now()
    events = OrderEvent.objects.filter(municipality=municipality, pk__gt=scan.last_event_id)
    made = 0
    rules = fee_rules(municipality)
    if rules:
        run = _Collection(municipality, rules)
        candidates = list(
            events.filter(kind__in=changes.FEE_EVENT_KINDS)
            .select_related("order__provider", "actor", "on_behalf_of")
            .order_by("pk")
        )
        done = set(
            FeeNotice.objects.filter(event_id__in=[e.pk for e in candidates]).values_list(
                "event_id", flat=True
            )
        )
        for event in candidates:
            if event.pk not in done and _from_event(run, event) is not None:
                made += 1
        made += _absence_ends(run)
    settled = events.filter(recorded_at__lte=now - SCAN_LAG).aggregate(last=Max("pk"))["last"]
    if settled is not None:
        scan.last_event_id = max(scan.last_event_id, settled)
    scan.scanned_at = now
    scan.save(update_fields=["last_event_id", "scanned_at"])
    return made


def collect_all() -> int:
    """Every municipality (the command, and the demo): the number of notices made."""
    made = 0
    for municipality in Municipality.objects.order_by("pk"):
        made += collect_fee_notices(municipality=municipality)
    return made


def _from_event(run: _Collection, event: OrderEvent) -> FeeNotice | None:
    order = event.order
    day = timezone.localdate(event.occurred_at)
    change = changes.change_of_event(event.kind, day, event.data, _context(order, event.kind))
    if change is None or not run.bearing(order):
        return None
    hours = run.hours(order, change.day)
    if not changes.in_scope(hours, run.threshold):
        return None
    absence = None
    if event.kind == "absence_registered":
        absence = Absence.objects.filter(pk=event.data.get("absence"), order=order).first()
    return _create(
        run,
        order=order,
        change=change,
        hours=hours,
        event=event,
        absence=absence,
        absence_to=change.until if absence else None,
        reported_by=event.actor,
        organisation=event.actor_organisation,
        on_behalf_of=event.on_behalf_of,
        channel=event.channel,
        changed_at=event.recorded_at,
    )


def _absence_ends(run: _Collection) -> int:
    """The absences already told whose last day was registered (or corrected) after the last
    notice about them (absences.end_absence writes no order event): one notice per end."""
    told = FeeNotice.objects.filter(absence=OuterRef("pk"))
    same_end = told.filter(absence_to=OuterRef("to_date"))
    ended = (
        Absence.objects.filter(municipality=run.municipality, to_date__isnull=False)
        .filter(Exists(told))
        .exclude(Exists(same_end))
        .select_related("order__provider")
        .order_by("pk")
    )
    made = 0
    for absence in ended:
        order = absence.order
        change = changes.absence_end_change(
            absence.get_reason_display(), absence.from_date, absence.to_date
        )
        notice = _create(
            run,
            order=order,
            change=change,
            hours=run.hours(order, absence.to_date),
            event=None,
            absence=absence,
            absence_to=absence.to_date,
            reported_by=None,
            organisation=order.provider.name,
            on_behalf_of=None,
            channel="",
            changed_at=clock.now(),
        )
        made += notice is not None
    return made


def _create(
    run: _Collection | None,
    *,
    order: Order,
    change: Change,
    hours: Hours | None,
    event,
    absence,
    absence_to,
    reported_by,
    organisation: str,
    on_behalf_of,
    channel: str,
    changed_at,
) -> FeeNotice | None:
    """Store one notice and its due items; None if its source was told already (another
    collection got there first)."""
    try:
        with transaction.atomic():
            notice = FeeNotice.objects.create(
                municipality_id=order.municipality_id,
                order=order,
                person_id=order.person_id,
                kind=change.kind,
                text=change.text[:TEXT_LENGTH],
                effective_from=change.day,
                effective_to=change.until,
                hours_per_month=hours.counted if hours else None,
                uncounted=", ".join(hours.uncounted)[:300] if hours else "",
                event=event,
                absence=absence,
                absence_to=absence_to,
                reported_by=reported_by,
                reported_by_organisation=(organisation or "")[:200],
                on_behalf_of=on_behalf_of,
                channel=channel or "",
                changed_at=changed_at,
            )
    except IntegrityError:
        return None
    services = run.services(order) if run else None
    store_due_items(notice, rules=run.rules if run else None, services=services)
    return notice


# --- The watchlist: each notice's due items ------------------------------------------------


def _parties(order: Order) -> dict:
    """Who answers for a notice's item, per responsible party of a rule: the fee officer's
    items are the role's (no person); a municipality may give the rule to another party."""
    return {
        Responsible.OFFICER: {
            "responsible_user_id": order.officer_id,
            "responsible_unit_id": order.unit_id,
        },
        Responsible.PROVIDER: {
            "responsible_provider_id": order.provider_id,
            "responsible_provider_unit_id": order.provider_unit_id,
        },
    }


def store_due_items(notice: FeeNotice, *, rules=None, services=None) -> None:
    """Plan and store the notice's due items (one per fee rule whose conditions the order's
    fee-bearing services meet): open until the notice is handled, then met. An item already
    met is never changed; one whose rule no longer applies is closed (as the engine does)."""
    order = notice.order
    if rules is None:
        rules = fee_rules(order.municipality)
    if services is None:
        services = list(order.services.select_related("service_type").order_by("id"))
    # The clock events by name (deadlines/event_sources.py finds their writers in the code).
    events = [Event("fee.change", notice.changed_at, notice.created_at)]
    if notice.handled_at is not None:
        events.append(Event("fee.handled", notice.handled_at, notice.handled_at))
    now = clock.now()
    planned = []
    for rule in rules:
        spec = rule.spec()
        bearing = [s for s in services if changes.bears_fee(s, [spec])]
        if not bearing:
            continue
        facts, first = facts_of(bearing, channel=order.provider.channel)
        planned += plan_items(
            rules=[rule],
            events=events,
            facts=facts,
            common=order_item_fields(order, first.pk if first else None),
            responsible=_parties(order),
            close_open=False,
            now=now,
        )
    store_planned(subject_key(notice), planned)


# --- The provider's notice ------------------------------------------------------------------


@transaction.atomic
def report_fee_notice(
    actor, *, order: Order, text: str, effective_from, effective_to=None, channel: str = ""
) -> FeeNotice:
    """The provider tells the fee officer of a change that affects the client's fee that the
    system cannot see (the client's own cancellations, say), in its own words (R9.3, seed 002
    "Utföraren meddelar avgiftshandläggaren"). A provider not connected tells it by phone,
    e-mail, fax or post, and the officer or fee officer registers it on its behalf (R3.3)."""
    order = Order.objects.select_related("provider", "municipality").get(pk=order.pk)
    on_behalf = provider_acting(actor, order, "meddela avgiftshandläggaren")
    errors: dict[str, str] = {}
    channel = reply_channel(on_behalf, channel, errors)
    if order.state not in ISSUED:  # a draft, or withdrawn before it reached the provider
        errors["order"] = (
            f"Beställningen är {order.get_state_display().lower()}; ett avgiftsmeddelande gäller "
            "en beställning som har kommit fram till utföraren."
        )
    text = " ".join((text or "").split())
    if not text:
        errors["text"] = "Skriv vad som har ändrats och påverkar avgiften."
    elif len(text) > TEXT_LENGTH:
        errors["text"] = f"Skriv högst {TEXT_LENGTH} tecken."
    start = parse_date(effective_from, "effective_from", errors)
    end = parse_date(effective_to, "effective_to", errors, required=False)
    if start and end and end < start:
        errors["effective_to"] = f"Slutdatum kan inte ligga före {day_text(start)}."
    if errors:
        raise ValidationFailed(errors)
    rules = fee_rules(order.municipality)
    specs = [rule.spec() for rule in rules]
    hours = (
        client_hours(order.municipality, order.person_id, start, specs, order=order)
        if specs
        else None
    )
    notice = _create(
        None,
        order=order,
        change=Change(changes.PROVIDER_REPORT, start, end, text),
        hours=hours,
        event=None,
        absence=None,
        absence_to=None,
        reported_by=actor,
        organisation=actor.organisation_name,
        on_behalf_of=on_behalf,
        channel=channel,
        changed_at=clock.now(),
    )
    if notice is None:  # no source row, so nothing to collide with: not expected
        raise ValidationFailed({"text": "Meddelandet kunde inte sparas; försök igen."})
    return notice


# --- The fee officer handles a notice -------------------------------------------------------


@transaction.atomic
def handle_fee_notice(actor, *, notice: FeeNotice, note: str = "") -> FeeNotice:
    """The fee officer has dealt with the change (the fee is set right, or needs no change):
    the notice leaves the inbox and its due item is met (R9.3)."""
    notice = FeeNotice.objects.select_for_update().get(pk=notice.pk)
    if actor.role_enum != Role.FEE_OFFICER or actor.municipality_id != notice.municipality_id:
        raise PermissionDenied("Endast avgiftshandläggaren kan markera meddelandet som hanterat.")
    if notice.handled_at is not None:
        who = notice.handled_by.get_full_name() or notice.handled_by.username
        raise AlreadyHandled(
            f"Meddelandet hanterades redan {day_text(timezone.localdate(notice.handled_at))} "
            f"av {who}."
        )
    note = (note or "").strip()
    if len(note) > NOTE_LENGTH:
        raise ValidationFailed({"note": f"Skriv högst {NOTE_LENGTH} tecken."})
    notice.handled_at = clock.now()
    notice.handled_by = actor
    notice.handled_note = note
    notice.save(update_fields=["handled_at", "handled_by", "handled_note"])
    store_due_items(notice)
    return notice
