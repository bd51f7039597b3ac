"""Every write about absence and hospital notices (SPEC R7). One action, one transaction; each
also appends the order's event through `orders.services.record_event`, which moves the
order's clocks in the same transaction (R9.1 absence registered by the 5th, R7.2 long
absence reported, R7.3 notice acknowledged).

How long an absence must last to be long (R7.2: 30 days, "mer än 30 dagar sammanhängande
frånvaro" [003]) is the municipality's routine: its profile's `long_absence_days`
(deadlines.threshold_selectors, R11.4)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from verkstall.access.policies import require_officer_of_unit
from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.core.dates import parse_date, parse_past_moment
from verkstall.core.errors import PermissionDenied, ValidationFailed
from verkstall.deadlines.threshold_selectors import threshold, thresholds_by_municipality
from verkstall.decisions.catalogue import ServiceKind
from verkstall.journal.case_services import write_case_entry
from verkstall.orders.models import EventKind, Order, ReplyChannel
from verkstall.orders.services import provider_acting, record_event, reply_channel
from verkstall.orders.states import ACTIVE, ISSUED, WITH_PROVIDER, State

from .models import (
    Absence,
    AbsenceReason,
    HospitalNotice,
    NoticeKind,
    NoticeReceipt,
    NoticeSource,
)

#: The profile's threshold for a long absence (R7.2; 30 days by default).
LONG_ABSENCE = "long_absence_days"
# Order state groups (orders.states): absences concern ACTIVE orders; a provider is current for
# the client while its order is WITH_PROVIDER (R7.3); a hospital notice is acknowledged on an
# ISSUED order (until after the end).


def _lock_order(order: Order) -> Order:
    return Order.objects.select_for_update(of=("self",)).select_related("provider").get(pk=order.pk)


def _overlapping(order: Order, from_date: date, to_date: date | None, *, exclude=None):
    """Absences of the order whose period shares a day with [from_date, to_date]."""
    qs = Absence.objects.filter(order_id=order.pk).filter(
        Q(to_date__isnull=True) | Q(to_date__gte=from_date)
    )
    if to_date is not None:
        qs = qs.filter(from_date__lte=to_date)
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return qs.order_by("from_date", "id").first()


def _check_period(order, from_date, to_date, errors: dict, *, exclude=None) -> None:
    if from_date and to_date and to_date < from_date:
        errors["to_date"] = f"Slutdatum kan inte ligga före startdatum ({from_date:%Y-%m-%d})."
    if from_date and order.start_date and from_date < order.start_date and not exclude:
        errors["from_date"] = (
            f"Frånvaron kan inte börja före insatsens startdatum ({order.start_date:%Y-%m-%d})."
        )
    if errors or not from_date:
        return
    other = _overlapping(order, from_date, to_date, exclude=exclude)
    if other is not None:
        field = "to_date" if exclude is not None else "from_date"
        errors[field] = (
            f"Frånvaron överlappar en redan registrerad frånvaro {other.period_label()} "
            f"({other.get_reason_display().lower()}). Ändra datumen eller avsluta den andra "
            "frånvaron först."
        )


def _days(absence: Absence, today: date) -> int:
    """Consecutive days absent so far (both ends included), never counting the future."""
    last = min(absence.to_date, today) if absence.to_date else today
    return (last - absence.from_date).days + 1


def long_absence_days(municipality) -> int:
    """How many consecutive days an absence may last before it is long (R7.2), under the
    municipality's routine."""
    return threshold(municipality, LONG_ABSENCE)


def long_absence_text(from_date: date, days: int) -> str:
    """The long-absence event's text (also the benchmark generator's)."""
    return f"Frånvaro sedan {from_date:%Y-%m-%d}, mer än {days} dagar i följd."


def _flag_if_long(absence: Absence, order: Order, today: date, days: int | None = None) -> bool:
    """Write ABSENCE_LONG once, when the absence has passed the municipality's number of
    consecutive days (`days`, read from its profile when not given; R7.2)."""
    if absence.long_flagged_at is not None or order.state not in ACTIVE:
        return False
    if days is None:
        days = long_absence_days(order.municipality_id)
    if _days(absence, today) <= days:
        return False
    first_long_day = absence.from_date + timedelta(days=days)
    record_event(
        absence.registered_by,
        order,
        kind=EventKind.ABSENCE_LONG,
        occurred_at=min(clock.start_of_day(first_long_day), clock.now()),
        data={
            "absence": absence.pk,
            "from_date": absence.from_date.isoformat(),
            "days": days,
            "text": long_absence_text(absence.from_date, days),
        },
        allowed_states=ACTIVE,
    )
    absence.long_flagged_at = clock.now()
    absence.save(update_fields=["long_flagged_at"])
    return True


def _create_absence(
    actor, order: Order, *, reason, from_date, to_date, on_behalf, channel, automatic=False
) -> Absence:
    absence = Absence.objects.create(
        municipality_id=order.municipality_id,
        order=order,
        reason=reason,
        from_date=from_date,
        to_date=to_date,
        registered_by=actor,
        registered_at=clock.now(),
    )
    period = absence.period_label()
    record_event(
        actor,
        order,
        kind=EventKind.ABSENCE_REGISTERED,
        # Judged by when it was registered against the month it began (R9.1, seed 002); a
        # planned absence registered ahead of time happened "now" for the record.
        occurred_at=min(clock.start_of_day(from_date), clock.now()),
        data={
            "absence": absence.pk,
            "reason": reason,
            "from_date": from_date.isoformat(),
            "to_date": to_date.isoformat() if to_date else None,
            "automatic": automatic,
            "text": f"{absence.get_reason_display()} {period}",
        },
        on_behalf_of=on_behalf,
        channel=channel,
        allowed_states=ACTIVE,
    )
    _flag_if_long(absence, order, clock.today())
    return absence


@transaction.atomic
def register_absence(
    actor, order: Order, *, reason, from_date, to_date=None, channel: str = ""
) -> Absence:
    """The provider registers an absence (R7.1): its own staff, or the officer or fee officer
    for a provider that is not connected, saying how the report came in (R3.3)."""
    order = _lock_order(order)
    on_behalf = provider_acting(actor, order, "registrera frånvaro")
    errors: dict[str, str] = {}
    channel = reply_channel(on_behalf, channel, errors)
    if reason not in AbsenceReason.values:
        errors["reason"] = "Välj en orsak till frånvaron."
    start = parse_date(from_date, "from_date", errors)
    end = parse_date(to_date, "to_date", errors, required=False)
    if order.state in ACTIVE:
        _check_period(order, start, end, errors)
    if errors:
        raise ValidationFailed(errors)
    return _create_absence(
        actor,
        order,
        reason=reason,
        from_date=start,
        to_date=end,
        on_behalf=on_behalf,
        channel=channel,
    )


@transaction.atomic
def end_absence(actor, absence: Absence, *, to_date, channel: str = "") -> Absence:
    """Set the last day of an ongoing absence (or correct it, by the 5th, R9.1)."""
    order = _lock_order(absence.order)
    absence = Absence.objects.select_for_update().get(pk=absence.pk)
    provider_acting(actor, order, "avsluta frånvaron")
    errors: dict[str, str] = {}
    end = parse_date(to_date, "to_date", errors)
    if end:
        _check_period(order, absence.from_date, end, errors, exclude=absence)
    if errors:
        raise ValidationFailed(errors)
    absence.to_date = end
    absence.save(update_fields=["to_date"])
    _flag_if_long(absence, order, clock.today())
    return absence


@transaction.atomic
def report_absence_to_officer(actor, absence: Absence, *, note: str = "", channel: str = ""):
    """The provider tells the officer about a long absence (more than the profile's
    `long_absence_days`, 30 in seed 003; R7.2)."""
    order = _lock_order(absence.order)
    absence = Absence.objects.select_for_update().get(pk=absence.pk)
    on_behalf = provider_acting(actor, order, "rapportera frånvaron")
    errors: dict[str, str] = {}
    channel = reply_channel(on_behalf, channel, errors)
    if errors:
        raise ValidationFailed(errors)
    event = record_event(
        actor,
        order,
        kind=EventKind.ABSENCE_REPORTED,
        data={
            "absence": absence.pk,
            "text": f"Frånvaro {absence.period_label()}. {(note or '').strip()}".strip(),
        },
        on_behalf_of=on_behalf,
        channel=channel,
        allowed_states=ACTIVE,
    )
    absence.reported_at = clock.now()
    absence.save(update_fields=["reported_at"])
    return event


def flag_long_absences(today: date | None = None) -> int:
    """Daily: flag every absence that has now passed its municipality's number of consecutive
    days (R7.2; the profile's `long_absence_days`). Safe to run twice: an absence is flagged
    once. Each absence in its own transaction."""
    today = today or clock.today()
    unflagged = Absence.objects.filter(long_flagged_at__isnull=True, order__state__in=ACTIVE)
    municipalities = unflagged.values_list("municipality_id", flat=True).distinct()
    limits = thresholds_by_municipality(municipalities)
    flagged = 0
    for municipality_id in sorted(limits):
        days = limits[municipality_id][LONG_ABSENCE]
        candidates = unflagged.filter(
            municipality_id=municipality_id, from_date__lte=today - timedelta(days=days)
        ).filter(
            # A long absence is ongoing or ends on or after its first long day.
            Q(to_date__isnull=True) | Q(to_date__gte=F("from_date") + timedelta(days=days))
        )
        for pk in candidates.values_list("pk", flat=True).order_by("pk"):
            with transaction.atomic():
                absence = Absence.objects.select_for_update().get(pk=pk)
                order = _lock_order(absence.order)
                if _flag_if_long(absence, order, today, days):
                    flagged += 1
    return flagged


@transaction.atomic
def on_decision_granted(*, actor, decision, services) -> None:
    """Hook DECISION_GRANTED (core/hooks.py, registered in AbsencesConfig.ready): a granted
    short-term stay registers absence on the client's current orders automatically (R7.1,
    seed 002 "Vid korttidsvistelse läggs frånvaro in automatiskt"). When that cannot be done
    (no order has started, or absence is already registered for those days) the decision
    still stands and the case journal says why."""
    person = decision.person
    for svc in services:
        if svc["service_type"].kind != ServiceKind.SHORT_TERM_STAY:
            continue
        try:
            with transaction.atomic():
                absences_for_short_term_stay(
                    actor, person, from_date=svc["valid_from"], to_date=svc["valid_to"]
                )
        except ValidationFailed as exc:
            write_case_entry(
                actor,
                person=person,
                title="Frånvaro vid korttidsvistelse",
                text=f"Frånvaro registrerades inte automatiskt: {exc.message}",
            )


@transaction.atomic
def absences_for_short_term_stay(actor, person, *, from_date, to_date=None) -> list[Absence]:
    """A short-term stay registers absence automatically on every started order of the
    client (R7.1, seed 002 "Vid korttidsvistelse läggs frånvaro in automatiskt"). Registered
    by the client's officer; refused as a whole if any order already has absence then."""
    require_officer_of_unit(actor, person.unit_id, "registrera korttidsvistelse")
    errors: dict[str, str] = {}
    start = parse_date(from_date, "from_date", errors)
    end = parse_date(to_date, "to_date", errors, required=False)
    if start and end and end < start:
        errors["to_date"] = f"Slutdatum kan inte ligga före startdatum ({start:%Y-%m-%d})."
    if errors:
        raise ValidationFailed(errors)
    orders = [
        _lock_order(o)
        for o in Order.objects.filter(
            municipality_id=person.municipality_id, person_id=person.pk, state=State.STARTED
        ).order_by("pk")
    ]
    if not orders:
        raise ValidationFailed(
            {"from_date": "Klienten har ingen påbörjad insats att lägga frånvaro på."}
        )
    for order in orders:
        other = _overlapping(order, start, end)
        if other is not None:
            raise ValidationFailed(
                {
                    "from_date": (
                        f"Beställningen hos {order.provider.name} har redan frånvaro "
                        f"{other.period_label()}; ändra den först."
                    )
                }
            )
    return [
        _create_absence(
            actor,
            order,
            reason=AbsenceReason.SHORT_TERM_STAY,
            from_date=start,
            to_date=end,
            on_behalf=None,
            channel=ReplyChannel.SYSTEM.value,
            automatic=True,
        )
        for order in orders
    ]


# --- Hospital notices (R7.3) ------------------------------------------------------------------


def _may_receive_notices(actor) -> bool:
    """In this version the region's system posts as a case officer of the municipality."""
    return actor.role_enum == Role.OFFICER and actor.municipality_id is not None


@transaction.atomic
def receive_notice(
    actor, person, *, kind, occurred_at, text: str = "", source: str = NoticeSource.MANUAL
) -> HospitalNotice:
    """An admission or discharge notice reaches every current provider of the client: one
    receipt per order that is sent, acknowledged or started, and an event on each order."""
    if not _may_receive_notices(actor) or actor.municipality_id != person.municipality_id:
        raise PermissionDenied("Endast handläggare kan ta emot in- och utskrivningsmeddelanden.")
    errors: dict[str, str] = {}
    if kind not in NoticeKind.values:
        errors["kind"] = "Ange inskrivning eller utskrivning."
    if source not in NoticeSource.values:
        errors["source"] = "Okänd källa."
    when = parse_past_moment(
        occurred_at, "occurred_at", errors, missing="Ange när in- eller utskrivningen skedde."
    )
    if errors:
        raise ValidationFailed(errors)
    notice = HospitalNotice.objects.create(
        municipality_id=person.municipality_id,
        person=person,
        kind=kind,
        occurred_at=when,
        source=source,
        text=(text or "").strip(),
        received_by=actor,
        received_at=clock.now(),
    )
    orders = Order.objects.filter(
        municipality_id=person.municipality_id,
        person_id=person.pk,
        state__in=WITH_PROVIDER,
    ).order_by("pk")
    for order in orders:
        receipt = NoticeReceipt.objects.create(
            municipality_id=order.municipality_id, notice=notice, order=order
        )
        record_event(
            actor,
            order,
            kind=EventKind.HOSPITAL_NOTICE,
            occurred_at=clock.now(),
            data={
                "notice": notice.pk,
                "receipt": receipt.pk,
                "notice_kind": kind,
                "occurred_at": when.isoformat(),
                "text": f"{notice.get_kind_display()} {timezone.localtime(when):%Y-%m-%d %H:%M}",
            },
            allowed_states=WITH_PROVIDER,
        )
    return notice


@transaction.atomic
def acknowledge_notice(actor, receipt: NoticeReceipt, *, channel: str = "") -> NoticeReceipt:
    """The provider acknowledges its copy of the notice ("Utföraren kvitterar", seed 002)."""
    order = _lock_order(receipt.order)
    receipt = NoticeReceipt.objects.select_for_update().select_related("notice").get(pk=receipt.pk)
    on_behalf = provider_acting(actor, order, "kvittera meddelandet")
    errors: dict[str, str] = {}
    channel = reply_channel(on_behalf, channel, errors)
    if receipt.acknowledged_at is not None:
        errors["receipt"] = (
            f"Meddelandet är redan kvitterat "
            f"{timezone.localtime(receipt.acknowledged_at):%Y-%m-%d %H:%M}."
        )
    if errors:
        raise ValidationFailed(errors)
    record_event(
        actor,
        order,
        kind=EventKind.HOSPITAL_NOTICE_ACKNOWLEDGED,
        data={"notice": receipt.notice_id, "receipt": receipt.pk},
        on_behalf_of=on_behalf,
        channel=channel,
        allowed_states=ISSUED,
    )
    receipt.acknowledged_at = clock.now()
    receipt.acknowledged_by = actor
    receipt.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return receipt
