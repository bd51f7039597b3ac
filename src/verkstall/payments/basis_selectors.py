"""Reads of the payment basis (SPEC R9.4): a municipality's months loaded in a fixed, small
number of queries whatever the number of clients (`load`: the orders in the months with the
events that set their start and end dates, their successors and switches, their granted
services, absences, temporary changes, performed time and prices, each one query of plain
rows), and a month's
basis computed from them (`compute_basis`, the arithmetic in payments.basis) or read from its
close. Who sees which basis: selectors.basis_scope."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from verkstall.absences.models import Absence
from verkstall.core import hooks
from verkstall.deadlines.threshold_selectors import payment_rules_for
from verkstall.orders.models import EventKind, Order, OrderEvent, ProviderSwitch, TemporaryChange

from .adjustments import adjustments
from .basis import month_lines
from .basis_types import (
    AbsenceIn,
    ChangeIn,
    Line,
    MonthData,
    OrderIn,
    PerformedIn,
    Period,
    PriceIn,
    Rules,
    ServiceIn,
)
from .exports import Row
from .models import MonthClose, PaymentLine, PerformedTime, Price
from .selectors import BasisScope, basis_scope

# --- Loading a municipality's months -------------------------------------------------------


@dataclass
class Names:
    """What the lines name: providers, service types and clients."""

    providers: dict[int, str] = field(default_factory=dict)
    service_types: dict[int, tuple[str, str]] = field(default_factory=dict)
    persons: dict[int, tuple[str, str]] = field(default_factory=dict)

    def row(self, line: Line) -> Row:
        code, name = self.service_types.get(line.service_type_id, ("", ""))
        number, person = self.persons.get(line.person_id, ("", ""))
        return Row(
            line=line,
            provider_name=self.providers.get(line.provider_id, ""),
            service_code=code,
            service_name=name,
            personal_number=number,
            person_name=person,
        )


def _formatted(number: str) -> str:
    return f"{number[:8]}-{number[8:]}" if len(number) == 12 else number


def _last_event(kind: str) -> Subquery:
    """The order's last event of `kind` (the one that set its start or end date), by the
    (order, seq) index."""
    rows = OrderEvent.objects.filter(order_id=OuterRef("pk"), kind=kind).order_by("-seq")
    return Subquery(rows.values("id")[:1])


def load(scope: BasisScope, first: Period, last: Period) -> tuple[MonthData, Names]:
    """The rows of months `first`..`last` (no rules: the caller adds them), in eight queries:
    orders (with their last start and end events), successors, switches, granted services,
    absences, temporary changes, performed time and prices."""
    start, end = first.first, last.last
    m = scope.municipality_id
    performed_rows = PerformedTime.objects.filter(municipality_id=m, day__range=(start, end))
    in_force = Q(start_date__isnull=False, start_date__lte=end) & (
        Q(end_date__isnull=True) | Q(end_date__gte=start)
    )
    with_time = Exists(performed_rows.filter(order_id=OuterRef("pk")))
    orders = Order.objects.filter(municipality_id=m).filter(in_force | with_time)
    if scope.provider_id is not None:
        orders = orders.filter(provider_id=scope.provider_id)
        performed_rows = performed_rows.filter(order__provider_id=scope.provider_id)
    order_ids = orders.values("pk")
    names = Names()

    order_rows = list(
        orders.annotate(
            started_event=_last_event(EventKind.STARTED), ended_event=_last_event(EventKind.ENDED)
        ).values(
            "started_event",
            "ended_event",
            "id",
            "provider_id",
            "provider__name",
            "person_id",
            "person__personal_number",
            "person__first_name",
            "person__last_name",
            "start_date",
            "end_date",
            "acute_oral_at",
        )
    )
    next_start: dict[int, date] = {}
    for old, day in Order.objects.filter(
        supersedes__in=order_ids, start_date__isnull=False
    ).values_list("supersedes_id", "start_date"):
        next_start[old] = min(day, next_start.get(old, day))
    for old, day in ProviderSwitch.objects.filter(
        old_order__in=order_ids, completed_at__isnull=False, agreed_date__isnull=False
    ).values_list("old_order_id", "agreed_date"):
        next_start[old] = min(day, next_start.get(old, day))

    services: dict[int, list[ServiceIn]] = defaultdict(list)
    for row in (
        Order.services.through.objects.filter(order__in=order_ids)
        .values(
            "order_id",
            "grantedservice_id",
            "grantedservice__service_type_id",
            "grantedservice__service_type__code",
            "grantedservice__service_type__name",
            "grantedservice__scope_amount",
            "grantedservice__scope_unit",
            "grantedservice__valid_from",
            "grantedservice__valid_to",
        )
        .order_by("order_id", "grantedservice_id")
    ):
        type_id = row["grantedservice__service_type_id"]
        name = row["grantedservice__service_type__name"]
        names.service_types[type_id] = (row["grantedservice__service_type__code"], name)
        services[row["order_id"]].append(
            ServiceIn(
                id=row["grantedservice_id"],
                service_type_id=type_id,
                service_name=name,
                scope_amount=row["grantedservice__scope_amount"],
                scope_unit=row["grantedservice__scope_unit"],
                valid_from=row["grantedservice__valid_from"],
                valid_to=row["grantedservice__valid_to"],
            )
        )

    order_ins = []
    for row in order_rows:
        pk = row["id"]
        names.providers[row["provider_id"]] = row["provider__name"]
        names.persons[row["person_id"]] = (
            _formatted(row["person__personal_number"]),
            f"{row['person__first_name']} {row['person__last_name']}",
        )
        acute = row["acute_oral_at"]
        order_ins.append(
            OrderIn(
                id=pk,
                provider_id=row["provider_id"],
                person_id=row["person_id"],
                start_date=row["start_date"],
                end_date=row["end_date"],
                services=tuple(services.get(pk, ())),
                next_start=next_start.get(pk),
                acute_oral_on=timezone.localdate(acute) if acute else None,
                event_ids=tuple(
                    e for e in (row["started_event"], row["ended_event"]) if e is not None
                ),
            )
        )

    absences = tuple(
        AbsenceIn(**row)
        for row in Absence.objects.filter(order__in=order_ids, from_date__lte=end)
        .filter(Q(to_date__isnull=True) | Q(to_date__gte=start))
        .values("id", "order_id", "reason", "from_date", "to_date")
        .order_by("id")
    )
    changes = tuple(
        ChangeIn(
            id=row["id"],
            order_id=row["order_id"],
            kind=row["kind"],
            from_date=row["from_date"],
            to_date=row["to_date"],
            days=row["days"],
            needs_reassessment=row["needs_reassessment"],
            event_id=row["event_id"],
        )
        for row in TemporaryChange.objects.filter(
            order__in=order_ids, from_date__range=(start, end)
        )
        .values(
            "id",
            "order_id",
            "kind",
            "from_date",
            "to_date",
            "days",
            "needs_reassessment",
            "event_id",
        )
        .order_by("id")
    )
    performed = tuple(
        PerformedIn(
            id=row["id"],
            order_id=row["order_id"],
            service_id=row["granted_service_id"],
            day=row["day"],
            hours=row["hours"],
            kind=row["kind"],
        )
        for row in performed_rows.values(
            "id", "order_id", "granted_service_id", "day", "hours", "kind"
        ).order_by("id")
    )
    prices = tuple(
        PriceIn(
            id=row["id"],
            service_type_id=row["service_type_id"],
            unit=row["unit"],
            amount=row["amount"],
            valid_from=row["valid_from"],
            valid_to=row["valid_to"],
        )
        for row in Price.objects.filter(municipality_id=m)
        .values("id", "service_type_id", "unit", "amount", "valid_from", "valid_to")
        .order_by("id")
    )
    data = MonthData(
        orders=tuple(order_ins),
        prices=prices,
        absences=absences,
        changes=changes,
        performed=performed,
    )
    return data, names


# --- The basis of a month ------------------------------------------------------------------


@dataclass
class Basis:
    """A month's payment basis as a screen, an export or a close reads it."""

    period: Period
    scope: BasisScope
    rows: list[Row]
    close: MonthClose | None = None  # set: the month is closed and these are its lines
    adjusted: list[Period] = field(default_factory=list)  # closed months recomputed
    rules: Rules = field(default_factory=Rules)

    @property
    def lines(self) -> list[Line]:
        return [row.line for row in self.rows]

    @property
    def total(self) -> Decimal:
        return sum((row.line.amount for row in self.rows), Decimal("0"))

    def person_ids(self) -> list[int]:
        return sorted({row.line.person_id for row in self.rows})


def _rules(profile: dict) -> Rules:
    return Rules(
        absence_reasons=frozenset(profile["absence_payment_reasons"] or ()),
        absence_paid_days=int(profile["absence_payment_days"]),
    )


def _line_of(row: dict) -> Line:
    trace = row["trace"] or {}
    return Line(
        concerns=f"{row['concerns']:%Y-%m}",
        provider_id=row["provider_id"],
        service_type_id=row["service_type_id"],
        person_id=row["person_id"],
        order_id=row["order_id"],
        kind=row["kind"],
        price_id=row["price_id"],
        unit=row["unit"],
        unit_price=row["unit_price"],
        days=row["days"],
        absence_days=row["absence_days"],
        quantity=row["quantity"],
        amount=row["amount"],
        note=row["note"],
        flag=row["flag"],
        adjustment=row["adjustment"],
        services=tuple(trace.get("services", ())),
        events=tuple(trace.get("events", ())),
        absences=tuple(trace.get("absences", ())),
        changes=tuple(trace.get("changes", ())),
        performed=tuple(trace.get("performed", ())),
    )


LINE_FIELDS = (
    "concerns",
    "provider_id",
    "provider_name",
    "service_type_id",
    "service_type_code",
    "service_type_name",
    "person_id",
    "personal_number",
    "person_name",
    "order_id",
    "kind",
    "price_id",
    "unit",
    "unit_price",
    "days",
    "absence_days",
    "quantity",
    "amount",
    "note",
    "flag",
    "adjustment",
    "trace",
)


def _stored(lines_qs) -> list[tuple[Line, dict]]:
    return [(_line_of(row), row) for row in lines_qs.values(*LINE_FIELDS)]


def _name_stored(names: Names, row: dict) -> None:
    names.providers.setdefault(row["provider_id"], row["provider_name"])
    names.service_types.setdefault(
        row["service_type_id"], (row["service_type_code"], row["service_type_name"])
    )
    names.persons.setdefault(row["person_id"], (row["personal_number"], row["person_name"]))


def _close_rules(close: MonthClose) -> Rules:
    return Rules(
        absence_reasons=frozenset(close.absence_reasons or ()),
        absence_paid_days=close.absence_paid_days,
    )


def compute_basis(scope: BasisScope, period: Period) -> Basis:
    """A month's basis (R9.4). A closed month: the lines its close stored, as they were paid.
    An open month: its lines computed now and, in the first open month after the last close,
    the adjustments of the closed months within the profile's `payment_correction_months`:
    what each one's recomputation (by the absence rule it was closed with) gives now, minus
    what was paid for it."""
    closes = {
        Period.of(c.period): c
        for c in MonthClose.objects.filter(municipality_id=scope.municipality_id)
    }
    close = closes.get(period)
    if close is not None:
        stored = PaymentLine.objects.filter(close=close).order_by("seq")
        if scope.provider_id is not None:
            stored = stored.filter(provider_id=scope.provider_id)
        names = Names()
        lines = []
        for line, row in _stored(stored):
            _name_stored(names, row)
            lines.append(line)
        return Basis(
            period=period,
            scope=scope,
            rows=[names.row(line) for line in lines],
            close=close,
            rules=_close_rules(close),
        )
    profile = payment_rules_for(scope.municipality_id)
    rules = _rules(profile)
    adjusted: list[Period] = []
    if closes and period == max(closes).next():
        earliest = period.minus(int(profile["payment_correction_months"]))
        adjusted = sorted(p for p in closes if p >= earliest)
    first = min([period, *adjusted])
    data, names = load(scope, first, period)
    lines = month_lines(period, _with_rules(data, rules))
    if adjusted:
        recomputed: list[Line] = []
        for closed in adjusted:
            recomputed += month_lines(closed, _with_rules(data, _close_rules(closes[closed])))
        paid_rows = PaymentLine.objects.filter(
            municipality_id=scope.municipality_id,
            concerns__in=[p.first for p in adjusted],
        ).order_by("close_id", "seq")
        if scope.provider_id is not None:
            paid_rows = paid_rows.filter(provider_id=scope.provider_id)
        paid = []
        for line, row in _stored(paid_rows):
            _name_stored(names, row)
            paid.append(line)
        lines += adjustments(recomputed, paid)
        lines.sort(key=lambda line: line.sort_key)
    return Basis(
        period=period,
        scope=scope,
        rows=[names.row(line) for line in lines],
        adjusted=adjusted,
        rules=rules,
    )


def _with_rules(data: MonthData, rules: Rules) -> MonthData:
    return MonthData(
        orders=data.orders,
        prices=data.prices,
        absences=data.absences,
        changes=data.changes,
        performed=data.performed,
        rules=rules,
    )


def basis_for(user, period: Period, provider=None) -> Basis:
    """The basis the user may see (`basis_scope`); the clients read are reported to the
    access log (R10.4)."""
    basis = compute_basis(basis_scope(user, provider), period)
    report_read(basis.person_ids())
    return basis


def report_read(person_ids) -> None:
    """Clients read as plain rows: the access log is told (core.hooks.CLIENTS_READ)."""
    hooks.emit(hooks.CLIENTS_READ, person_ids=list(person_ids))


def summary(basis: Basis) -> list[dict]:
    """Per provider and service type: lines, flagged lines, adjustments and the amount."""
    groups: dict[tuple, dict] = {}
    for row in basis.rows:
        line = row.line
        key = (row.provider_name, line.provider_id, row.service_name)
        group = groups.setdefault(
            key,
            {
                "provider": row.provider_name,
                "service": row.service_name,
                "lines": 0,
                "flagged": 0,
                "adjustments": Decimal("0"),
                "amount": Decimal("0"),
            },
        )
        group["lines"] += 1
        group["flagged"] += bool(line.flag)
        group["amount"] += line.amount
        if line.adjustment:
            group["adjustments"] += line.amount
    return [groups[k] for k in sorted(groups)]
