"""Loading a municipality's months for the payment basis (SPEC R9.4): the orders in the months
with the events that set their start and end dates, their successors and switches, their
granted services, absences, temporary changes, performed time and prices, each one query of
plain tuples (values_list, no model instances), whatever the number of clients. Used by
payments.basis_selectors (the basis) and national_statistics (the month's data)."""

from __future__ import annotations

import gc
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q
from django.utils import timezone

from verkstall.absences.models import Absence
from verkstall.decisions.models import ServiceType
from verkstall.orders.models import EventKind, Order, OrderEvent, ProviderSwitch, TemporaryChange
from verkstall.people.models import Person
from verkstall.providers.models import Provider

from .basis_types import (
    AbsenceIn,
    ChangeIn,
    Line,
    MonthData,
    OrderIn,
    PerformedIn,
    Period,
    PriceIn,
    ServiceIn,
    built,
)
from .exports import Row
from .models import PerformedTime, Price
from .selectors import BasisScope

# --- Loading a municipality's months -------------------------------------------------------


#: Up to this many clients are read by id; more, the municipality's clients are read whole.
_BY_ID = 1000


@dataclass
class Names:
    """What the lines name: providers, service types and clients. The providers' and clients'
    names are read when rows are shown or exported (`fill`), not with the month: the basis
    itself needs only their ids."""

    providers: dict[int, str] = field(default_factory=dict)
    service_types: dict[int, tuple[str, str]] = field(default_factory=dict)
    persons: dict[int, tuple[str, str]] = field(default_factory=dict)
    municipality_id: int | None = None

    def fill(self, provider_ids: Iterable[int], person_ids: Iterable[int]) -> Names:
        """Read the names of these providers and clients not known yet (two queries at most)."""
        if self.municipality_id is None:
            return self
        providers = {pk for pk in provider_ids if pk not in self.providers}
        if providers:
            self.providers.update(
                Provider.objects.filter(municipality_id=self.municipality_id)
                .order_by()
                .values_list("id", "name")
            )
        missing = {pk for pk in person_ids if pk not in self.persons}
        if missing:
            clients = Person.objects.filter(municipality_id=self.municipality_id).order_by()
            if len(missing) <= _BY_ID:
                clients = clients.filter(pk__in=missing)
            persons = self.persons
            for pk, number, first_name, last_name in clients.values_list(
                "id", "personal_number", "first_name", "last_name"
            ):
                if pk in missing:
                    persons[pk] = (_formatted(number), f"{first_name} {last_name}")
        return self

    def row(self, line: Line) -> Row:
        code, name = self.service_types.get(line.service_type_id, ("", ""))
        number, person = self.persons.get(line.person_id, ("", ""))
        return built(
            Row,
            {
                "line": line,
                "provider_name": self.providers.get(line.provider_id, ""),
                "service_code": code,
                "service_name": name,
                "personal_number": number,
                "person_name": person,
            },
        )


def _by_id(service: ServiceIn) -> int:
    return service.id


def _formatted(number: str) -> str:
    return f"{number[:8]}-{number[8:]}" if len(number) == 12 else number


@contextmanager
def no_cycle_collection():
    """The cyclic garbage collector paused while a basis is loaded and computed: the rows,
    lines and names it makes (tens of thousands a month, none of them in a cycle) would
    otherwise set off full collections that walk the whole process' heap several times
    over, half the time of the basis. Reference counting still frees everything.

    Afterwards the collector runs again (unless it was already paused), and the objects it
    tracks are moved to its oldest generation (`freeze` then `unfreeze`) rather than the
    million made meanwhile being scanned at once as young objects: they are short-lived and
    freed by reference counting. This moves every tracked object of the process, not only
    those: a cycle among them waits for the next full collection, and a `gc.freeze()` that
    a pre-forking server made at start is undone (this project's gunicorn does not use
    one)."""
    enabled = gc.isenabled()
    if enabled:
        gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.enable()
            gc.unfreeze()


def load(scope: BasisScope, first: Period, last: Period) -> tuple[MonthData, Names]:
    """The rows of months `first`..`last` (no rules: the caller adds them), in nine queries:
    the catalogue's service types, the orders with their granted services, the events that
    set their start and end dates, successors, switches, absences, temporary changes,
    performed time and prices. Plain tuples (values_list), no model instances."""
    with no_cycle_collection():
        return _load(scope, first, last)


def _load(scope: BasisScope, first: Period, last: Period) -> tuple[MonthData, Names]:
    start, end = first.first, last.last
    m = scope.municipality_id
    performed_rows = PerformedTime.objects.filter(municipality_id=m, day__range=(start, end))
    in_force = Q(start_date__isnull=False, start_date__lte=end) & (
        Q(end_date__isnull=True) | Q(end_date__gte=start)
    )
    # Orders with performed time but not in force (hours outside the order's days): a hashed
    # set the database builds once, not a subquery per order.
    with_time = Q(pk__in=performed_rows.values("order_id"))
    orders = Order.objects.filter(municipality_id=m).filter(in_force | with_time)
    if scope.provider_id is not None:
        orders = orders.filter(provider_id=scope.provider_id)
        performed_rows = performed_rows.filter(order__provider_id=scope.provider_id)
    order_ids = orders.values("pk")
    # A provider's basis: the rows of its own orders only.
    scoped = Q() if scope.provider_id is None else Q(order__provider_id=scope.provider_id)
    names = Names(municipality_id=m)

    # One row per order and granted service (an order with none: one row, no service). No
    # ORDER BY (the lines are sorted at the end): the model's ordering would sort every order
    # of the month first.
    order_rows = orders.order_by().values_list(
        "id",
        "provider_id",
        "person_id",
        "start_date",
        "end_date",
        "acute_oral_at",
        "services__id",
        "services__service_type_id",
        "services__scope_amount",
        "services__scope_unit",
        "services__valid_from",
        "services__valid_to",
    )
    # The order's last event of each kind (the one that set its start or end date): one
    # query for every order, the last by seq kept.
    started_kind, ended_kind = EventKind.STARTED.value, EventKind.ENDED.value
    last_events: dict[tuple[int, str], tuple[int, int]] = {}
    for order_id, kind, seq, pk in (
        OrderEvent.objects.filter(order__in=order_ids, kind__in=(started_kind, ended_kind))
        .order_by()
        .values_list("order_id", "kind", "seq", "id")
    ):
        known = last_events.get((order_id, kind))
        if known is None or seq > known[0]:
            last_events[(order_id, kind)] = (seq, pk)

    # Successors, absences and temporary changes are read for the whole municipality (or the
    # provider) by their own dates, not by the month's orders: a row of an order outside the
    # month is never looked up, and the query needs no pass over the orders.
    next_start: dict[int, date] = {}
    for old, day in (
        Order.objects.filter(municipality_id=m, supersedes__isnull=False, start_date__lte=end)
        .order_by()
        .values_list("supersedes_id", "start_date")
    ):
        next_start[old] = min(day, next_start.get(old, day))
    for old, day in (
        ProviderSwitch.objects.filter(
            old_order__in=order_ids, completed_at__isnull=False, agreed_date__isnull=False
        )
        .order_by()
        .values_list("old_order_id", "agreed_date")
    ):
        next_start[old] = min(day, next_start.get(old, day))

    # The catalogue's service types (shared by every municipality, a few dozen rows).
    service_types = names.service_types
    for pk, code, name in ServiceType.objects.order_by().values_list("id", "code", "name"):
        service_types[pk] = (code, name)
    orders_in: dict[int, tuple] = {}
    services: dict[int, list[ServiceIn]] = {}
    for (
        pk,
        provider_id,
        person_id,
        start_date,
        end_date,
        acute,
        service_id,
        type_id,
        scope_amount,
        scope_unit,
        valid_from,
        valid_to,
    ) in order_rows:
        order_services = services.get(pk)
        if order_services is None:
            order_services = services[pk] = []
            orders_in[pk] = (provider_id, person_id, start_date, end_date, acute)
        if service_id is None:
            continue
        order_services.append(
            built(
                ServiceIn,
                {
                    "id": service_id,
                    "service_type_id": type_id,
                    "service_name": service_types[type_id][1],
                    "scope_amount": scope_amount,
                    "scope_unit": scope_unit,
                    "valid_from": valid_from,
                    "valid_to": valid_to,
                },
            )
        )
    order_ins = []
    for pk, (provider_id, person_id, start_date, end_date, acute) in orders_in.items():
        started = last_events.get((pk, started_kind))
        ended = last_events.get((pk, ended_kind))
        if started is None:
            event_ids = () if ended is None else (ended[1],)
        else:
            event_ids = (started[1],) if ended is None else (started[1], ended[1])
        order_services = services[pk]
        if len(order_services) > 1:
            order_services.sort(key=_by_id)
        order_ins.append(
            built(
                OrderIn,
                {
                    "id": pk,
                    "provider_id": provider_id,
                    "person_id": person_id,
                    "start_date": start_date,
                    "end_date": end_date,
                    "services": tuple(order_services),
                    "next_start": next_start.get(pk),
                    "acute_oral_on": timezone.localdate(acute) if acute else None,
                    "event_ids": event_ids,
                },
            )
        )

    absences = tuple(
        AbsenceIn(id=pk, order_id=order_id, reason=reason, from_date=from_date, to_date=to_date)
        for pk, order_id, reason, from_date, to_date in Absence.objects.filter(
            scoped, municipality_id=m, from_date__lte=end
        )
        .filter(Q(to_date__isnull=True) | Q(to_date__gte=start))
        .values_list("id", "order_id", "reason", "from_date", "to_date")
        .order_by("id")
    )
    changes = tuple(
        ChangeIn(
            id=row[0],
            order_id=row[1],
            kind=row[2],
            from_date=row[3],
            to_date=row[4],
            days=row[5],
            needs_reassessment=row[6],
            event_id=row[7],
        )
        for row in TemporaryChange.objects.filter(
            scoped, municipality_id=m, from_date__range=(start, end)
        )
        .values_list(
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
            id=pk, order_id=order_id, service_id=service_id, day=day, hours=hours, kind=kind
        )
        for pk, order_id, service_id, day, hours, kind in performed_rows.values_list(
            "id", "order_id", "granted_service_id", "day", "hours", "kind"
        ).order_by("id")
    )
    prices = tuple(
        PriceIn(
            id=pk,
            service_type_id=type_id,
            unit=unit,
            amount=amount,
            valid_from=valid_from,
            valid_to=valid_to,
        )
        for pk, type_id, unit, amount, valid_from, valid_to in Price.objects.filter(
            municipality_id=m
        )
        .values_list("id", "service_type_id", "unit", "amount", "valid_from", "valid_to")
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
