"""Reads of the payment basis (SPEC R9.4): a municipality's months loaded in a fixed, small
number of queries whatever the number of clients (`load`, in basis_load_selectors), and a
month's basis computed from them (`compute_basis`, the arithmetic in payments.basis) or read
from its close. Who sees which basis: selectors.basis_scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from verkstall.core import hooks
from verkstall.deadlines.threshold_selectors import payment_rules_for

from .adjustments import adjustments
from .basis import month_lines
from .basis_load_selectors import Names, load, no_cycle_collection
from .basis_types import (
    Line,
    MonthData,
    Period,
    Rules,
)
from .exports import Row
from .models import MonthClose, PaymentLine
from .selectors import BasisScope

# --- The basis of a month ------------------------------------------------------------------


@dataclass
class Basis:
    """A month's payment basis as a screen, an export or a close reads it: its lines, and the
    names (providers, service types, clients) a row shows beside a line, joined only for the
    rows that are shown or exported."""

    period: Period
    scope: BasisScope
    lines: list[Line]
    names: Names = field(default_factory=Names)
    close: MonthClose | None = None  # set: the month is closed and these are its lines
    adjusted: list[Period] = field(default_factory=list)  # closed months recomputed
    rules: Rules = field(default_factory=Rules)

    @cached_property
    def rows(self) -> list[Row]:
        return self.rows_of(self.lines)

    def rows_of(self, lines: list[Line]) -> list[Row]:
        """These lines with their names, as a screen or an export shows them."""
        names = self.names.fill(
            {line.provider_id for line in lines}, {line.person_id for line in lines}
        )
        row = names.row
        return [row(line) for line in lines]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0"))

    def person_ids(self) -> list[int]:
        return sorted({line.person_id for line in self.lines})


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
    with no_cycle_collection():
        return _compute_basis(scope, period)


def _compute_basis(scope: BasisScope, period: Period) -> Basis:
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
            lines=lines,
            names=names,
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
        stored = _stored(paid_rows)
        # The register's names now, for this month's lines and the paid ones alike; a name as
        # it was paid only for a provider or client the register no longer has.
        names.fill(
            {line.provider_id for line in lines} | {line.provider_id for line, _row in stored},
            {line.person_id for line in lines} | {line.person_id for line, _row in stored},
        )
        paid = []
        for line, row in stored:
            _name_stored(names, row)
            paid.append(line)
        lines += adjustments(recomputed, paid)
        lines.sort(key=lambda line: line.sort_key)
    return Basis(
        period=period,
        scope=scope,
        lines=lines,
        names=names,
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


def report_read(person_ids) -> None:
    """Clients read as plain rows: the access log is told (core.hooks.CLIENTS_READ)."""
    hooks.emit(hooks.CLIENTS_READ, person_ids=list(person_ids))


def summary(basis: Basis) -> list[dict]:
    """Per provider and service type: lines, flagged lines, adjustments and the amount."""
    groups: dict[tuple, dict] = {}
    names = basis.names.fill({line.provider_id for line in basis.lines}, ())
    providers, service_types = names.providers, names.service_types
    for line in basis.lines:
        provider = providers.get(line.provider_id, "")
        service = service_types.get(line.service_type_id, ("", ""))[1]
        key = (provider, line.provider_id, service)
        group = groups.setdefault(
            key,
            {
                "provider": provider,
                "service": service,
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
