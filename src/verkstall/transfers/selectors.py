"""Reads of the transfer at an age (SPEC R1.4), for the officers of the units involved.

- `due_for_transfer`: the clients of the officer's unit with an ongoing order of a kind that
  moves (seed 003: housing support) who reach the route's age within its notice days, or have
  reached it already: the flagged list of the unit that hands over.
- `awaiting_assessment`: clients handed over to the officer's unit that have no new decision
  of it yet (seed 003: "Handläggaren gör en ny utredning och fattar ett beslut").
- `handed_over`: clients the officer's unit handed over whose orders it still holds are
  running: they end when the new decision's order takes over.

Every list starts from the scoped selectors (people's clients, the orders' scope), so another
unit's or municipality's client is never listed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.core.errors import NotFound
from verkstall.core.order_states import OPEN, WITH_PROVIDER
from verkstall.decisions.models import Decision
from verkstall.orders.models import Order
from verkstall.orders.selectors import orders_for
from verkstall.people.models import Person
from verkstall.people.selectors import persons_for

from .ages import birthday_at
from .models import Transfer, TransferRoute


def route_from(unit_id) -> TransferRoute | None:
    """The route out of a unit, if the municipality has one."""
    if unit_id is None:
        return None
    return (
        TransferRoute.objects.select_related("from_unit", "to_unit")
        .filter(from_unit_id=unit_id)
        .first()
    )


def running_orders(route: TransferRoute, person) -> QuerySet[Order]:
    """The client's ongoing orders of the route's unit and kinds: sent, acknowledged or
    started (the support the client has now)."""
    return (
        Order.objects.filter(
            person_id=person.pk,
            unit_id=route.from_unit_id,
            state__in=WITH_PROVIDER,
            services__service_type__kind__in=route.service_kinds,
        )
        .select_related("provider")
        .distinct()
        .order_by("id")
    )


@dataclass
class Candidate:
    """A client of the list: when the client reaches the age, and the orders that move."""

    person: Person
    route: TransferRoute
    turns_on: date
    today: date
    orders: list = field(default_factory=list)

    @property
    def days_left(self) -> int:
        return (self.turns_on - self.today).days

    @property
    def reached(self) -> bool:
        return self.days_left <= 0

    @property
    def in_window(self) -> bool:
        """Within the route's notice days of the birthday, or past it: time to hand over."""
        return self.days_left <= self.route.notice_days


def due_for_transfer(user, *, today: date | None = None) -> tuple[TransferRoute | None, list]:
    """The route out of the officer's unit and its clients to hand over, soonest first."""
    if user.role_enum != Role.OFFICER:
        return None, []
    route = route_from(user.unit_id)
    if route is None:
        return None, []
    today = today or clock.today()
    horizon = today + timedelta(days=route.notice_days)
    running = Order.objects.filter(
        person_id=OuterRef("pk"),
        unit_id=route.from_unit_id,
        state__in=WITH_PROVIDER,
        services__service_type__kind__in=route.service_kinds,
    )
    # Born in the horizon's year (less the age) or before: the exact day is read below (a
    # samordningsnummer's day is 60 more than the birth day, so the text is not compared).
    born_by_year = f"{horizon.year - route.at_age + 1:04d}"
    persons = (
        persons_for(user)
        .filter(unit_id=route.from_unit_id, personal_number__lt=born_by_year)
        .filter(Exists(running))
        .prefetch_related(
            Prefetch(
                "orders",
                queryset=Order.objects.filter(
                    unit_id=route.from_unit_id,
                    state__in=WITH_PROVIDER,
                    services__service_type__kind__in=route.service_kinds,
                )
                .select_related("provider")
                .distinct()
                .order_by("id"),
                to_attr="running_orders",
            )
        )
    )
    found = []
    for person in persons:
        turns_on = birthday_at(person.number.birth_date, route.at_age)
        if turns_on <= horizon:
            found.append(Candidate(person, route, turns_on, today, list(person.running_orders)))
    found.sort(key=lambda c: (c.turns_on, c.person.last_name, c.person.pk))
    return route, found


def transfer_preview(user, person, *, today: date | None = None) -> Candidate | None:
    """What a transfer of the client would move: when the client reaches the route's age and
    the ongoing orders of the route's kinds. None when the client's unit has no route or the
    user is not its officer. `person` was read through the user's selectors."""
    if user.role_enum != Role.OFFICER or user.unit_id != person.unit_id:
        return None
    route = route_from(person.unit_id)
    if route is None:
        return None
    turns_on = birthday_at(person.number.birth_date, route.at_age)
    orders = list(running_orders(route, person))
    return Candidate(person, route, turns_on, today or clock.today(), orders)


def _transfers(user) -> QuerySet[Transfer]:
    if user.role_enum != Role.OFFICER or user.municipality_id is None:
        return Transfer.objects.none()
    return Transfer.objects.filter(municipality_id=user.municipality_id).select_related(
        "person", "from_unit", "to_unit", "transferred_by"
    )


def _new_decision(transfer_ref: str = "") -> Exists:
    """A decision of the receiving unit for the client, made at or after the transfer."""
    return Exists(
        Decision.objects.filter(
            person_id=OuterRef(f"{transfer_ref}person_id"),
            unit_id=OuterRef(f"{transfer_ref}to_unit_id"),
            created_at__gte=OuterRef(f"{transfer_ref}transferred_at"),
        )
    )


def awaiting_assessment(user) -> QuerySet[Transfer]:
    """Clients handed over to the officer's unit, still its clients, with no new decision of
    it yet: the new assessment is to be made."""
    return (
        _transfers(user)
        .filter(to_unit_id=user.unit_id, person__in=persons_for(user))
        .annotate(decided=_new_decision())
        .filter(decided=False)
        .order_by("transferred_at", "id")
    )


def handed_over(user) -> QuerySet[Transfer]:
    """Clients the officer's unit handed over whose orders it still holds are running (they
    are the unit's own orders: the order scope keeps them)."""
    open_orders = orders_for(user).filter(state__in=OPEN, unit_id=user.unit_id)
    return (
        _transfers(user)
        .filter(from_unit_id=user.unit_id, orders__in=open_orders)
        .distinct()
        .annotate(decided=_new_decision())
        .prefetch_related(
            Prefetch("orders", queryset=open_orders.order_by("id"), to_attr="open_orders")
        )
        .order_by("transferred_at", "id")
    )


def person_transfers(user, person) -> QuerySet[Transfer]:
    """The transfers of a client read through the user's selectors, newest first."""
    return _transfers(user).filter(person_id=person.pk).annotate(decided=_new_decision())


def get_person_for_transfer(user, pk) -> Person:
    """The client as the transfer screen reads it (the people selector's scope)."""
    try:
        return persons_for(user).select_related("unit").get(pk=pk)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise NotFound("Klienten finns inte eller så saknar du behörighet.") from None
