"""Reads of the national individual statistics (SPEC R9.6): the month loaded from the same
month data as the payment basis (payments.basis_selectors.load, from the month before so that
orders following each other across the month's first day are one service), in a fixed number
of queries whatever the number of clients: the payment basis' eight, the service catalogue and
the municipality. Who sees it: the municipality's LOV administrator, who reports the
municipality's statistics (`statistics_scope`)."""

from __future__ import annotations

from dataclasses import dataclass

from verkstall.access.models import Municipality
from verkstall.access.roles import Role
from verkstall.core.errors import PermissionDenied
from verkstall.decisions.models import ServiceType
from verkstall.payments.basis import granted_hours
from verkstall.payments.basis_selectors import load, report_read
from verkstall.payments.basis_types import SCOPE_UNIT_LABELS, Period
from verkstall.payments.selectors import BasisScope

from . import record_format as fmt

STATISTICS_ROLES = frozenset({Role.LOV_ADMIN})


@dataclass
class Month:
    """A month's statistics as the screen and the export read them."""

    period: Period
    municipality_code: str
    records: list[fmt.Record]
    problems: list[fmt.Problem]
    persons: dict[int, fmt.Person]

    @property
    def blocked(self) -> bool:
        return bool(self.problems)

    def counts(self):
        return fmt.counts(self.records)

    def person_ids(self) -> list[int]:
        return sorted({r.person_id for r in self.records})


def statistics_scope(user) -> BasisScope:
    """The whole municipality, for its LOV administrator; anyone else is refused."""
    if user.role_enum not in STATISTICS_ROLES or user.municipality_id is None:
        raise PermissionDenied(
            "Endast kommunens LOV-administratör lämnar den nationella individstatistiken."
        )
    return BasisScope(user.municipality_id, None)


def _initials(name: str) -> str:
    return "".join(part[0].upper() for part in name.split() if part)


def month_for(scope: BasisScope, period: Period) -> Month:
    data, names = load(scope, period.previous(), period)
    types = {
        row["id"]: row for row in ServiceType.objects.values("id", "kind", "law", "unassessed")
    }
    code = (
        Municipality.objects.filter(pk=scope.municipality_id).values_list("code", flat=True).first()
        or ""
    )
    spans: list[fmt.ServiceSpan] = []
    for order in data.orders:
        if order.start_date is None:
            continue
        order_last = order.last_day
        for service in order.services:
            kind = types.get(service.service_type_id)
            if kind is None:
                continue
            first = max(order.start_date, service.valid_from)
            ends = [d for d in (order_last, service.valid_to) if d is not None]
            spans.append(
                fmt.ServiceSpan(
                    person_id=order.person_id,
                    kind=kind["kind"],
                    law=kind["law"],
                    unassessed=kind["unassessed"],
                    first=first,
                    last=min(ends) if ends else None,
                    hours=granted_hours(service, period.days, period.days),
                    scope_unit=SCOPE_UNIT_LABELS.get(service.scope_unit, service.scope_unit),
                )
            )
    persons = {
        pk: fmt.Person(pk, number.replace("-", ""), _initials(name))
        for pk, (number, name) in names.fill((), {o.person_id for o in data.orders}).persons.items()
    }
    records, unreportable = fmt.build_records(code, period.year, period.month, spans, persons)
    problems = fmt.validate(records, unreportable, persons, period.year, period.month)
    return Month(period, code, records, problems, persons)


def statistics_for(user, period: Period) -> Month:
    """The month the user may see; the clients in it are reported to the access log."""
    month = month_for(statistics_scope(user), period)
    report_read(month.person_ids())
    return month
