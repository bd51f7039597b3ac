"""The list screens at 50 and at 5 000 rows (issue 17 item 5): `python -m verkstall bench_lists`.

Each list (the officer's orders, sorted two ways and on its last page, the provider's inbox,
the clients, the client search's results and the messages) is requested through the whole
stack (middleware, access log, template) by the user it is meant for, with the same rows in
every list: the query count of one request and the median time of `runs` requests, at each
size. A page is one COUNT and one query for its rows (core/paging.py), so the count must be
the same at every size and the time nearly so.

The rows are bulk-inserted as the services would leave a sent order and a provider's message
(the shortcut tooling/generator_rows.py documents): a client, its decision and granted service,
an order sent to the provider, and a message from the provider about it, per row. No events
or due items: no list reads them. Everything runs in one transaction that is rolled back, so
the database (which must be migrated) is left as it was. Printed for people, never asserted on
time (ARCHITECTURE: benchmarks print, tests count queries).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.test import Client

from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.core.personal_number import make_test_personal_number
from verkstall.decisions.models import Decision, GrantedService, ServiceType
from verkstall.journal.models import Message
from verkstall.orders.models import Order
from verkstall.people.models import Person
from verkstall.tooling import testing as build
from verkstall.tooling.generator_services import analyze
from verkstall.tooling.measure import count_queries, summary

SIZES = (50, 5000)
SEARCH_TEXT = "Listsson"  # every generated client's last name holds it

# (name, who requests it, path); the client search is posted first (its text is in the session).
LISTS = (
    ("orders", "officer", "/orders/"),
    ("orders sort=client", "officer", "/orders/?sort=client"),
    ("orders sort=-state", "officer", "/orders/?sort=-state"),
    ("orders last page", "officer", "/orders/?page=999999"),
    ("provider inbox", "staff", "/inbox/"),
    ("clients", "officer", "/clients/"),
    ("clients sort=born", "officer", "/clients/?sort=born"),
    ("client search", "officer", "/clients/search/"),
    ("messages", "officer", "/messages/"),
    ("messages sort=subject", "officer", "/messages/?sort=subject"),
)


@dataclass
class ListWorld:
    """One unit with its officer, one provider with its staff, and `rows` rows in each list."""

    muni: object
    unit: object
    officer: object
    provider: object
    staff: object
    service_type: object
    rows: int = 0


def list_world() -> ListWorld:
    muni = build.municipality(profile="gotland")
    unit = build.unit(muni)
    provider = build.provider(muni)
    return ListWorld(
        muni=muni,
        unit=unit,
        officer=build.user(Role.OFFICER, muni, unit=unit),
        provider=provider,
        staff=build.user(Role.PROVIDER_STAFF, muni, provider=provider),
        service_type=ServiceType.objects.get(code="hemtjanst-omvardnad"),
    )


def _number(i: int) -> str:
    """The i-th of a run of distinct test personnummer (Skatteverket's test range)."""
    born = date(1930, 1, 1) + timedelta(days=i // 20)
    return make_test_personal_number(born, 980 + i % 20).value


def fill(world: ListWorld, total: int) -> None:
    """Grow every list of `world` to `total` rows (see the module's text)."""
    first, count = world.rows, total - world.rows
    if count <= 0:
        return
    now, today = clock.now(), clock.today()
    w = world
    common = {"municipality": w.muni}
    persons = Person.objects.bulk_create(
        Person(
            **common,
            unit=w.unit,
            personal_number=_number(first + i),
            first_name=f"Bench{first + i}",
            last_name=f"{SEARCH_TEXT}{(first + i) * 7919 % 100003:06d}",
        )
        for i in range(count)
    )
    decisions = Decision.objects.bulk_create(
        Decision(**common, unit=w.unit, person=p, officer=w.officer, decided_on=today)
        for p in persons
    )
    services = GrantedService.objects.bulk_create(
        GrantedService(
            **common,
            decision=d,
            service_type=w.service_type,
            scope_amount=Decimal("10"),
            scope_unit="hours_per_month",
            valid_from=today,
        )
        for d in decisions
    )
    orders = Order.objects.bulk_create(
        Order(
            **common,
            unit=w.unit,
            person=p,
            decision=d,
            officer=w.officer,
            provider=w.provider,
            state="sent",
            written_on=today,
            sent_at=now - timedelta(minutes=i),
            created_at=now - timedelta(minutes=i),
        )
        for i, (p, d) in enumerate(zip(persons, decisions, strict=True))
    )
    Order.services.through.objects.bulk_create(
        Order.services.through(order_id=o.pk, grantedservice_id=s.pk)
        for o, s in zip(orders, services, strict=True)
    )
    Message.objects.bulk_create(
        Message(
            **common,
            person=o.person,
            order=o,
            unit=w.unit,
            provider=w.provider,
            from_provider=True,
            sender=w.staff,
            sender_organisation=w.provider.name,
            recipient_organisation=w.unit.name,
            subject=f"Fråga {(first + i) * 31 % 997}",
            body="Hur går det?",
        )
        for i, o in enumerate(orders)
    )
    world.rows = total


def clients(world: ListWorld) -> dict[str, Client]:
    """A logged-in screen client per user, the officer's with the client search posted."""
    result = {}
    for who, user in (("officer", world.officer), ("staff", world.staff)):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        result[who] = client
    result["officer"].post("/clients/search/", {"q": SEARCH_TEXT})
    return result


def measure(world: ListWorld, runs: int) -> list[dict]:
    """Each list once counted (the statements of one request) and `runs` times timed."""
    import time

    by_user = clients(world)
    results = []
    for name, who, path in LISTS:
        client = by_user[who]
        client.get(path)  # warm: templates, the session's user
        with count_queries() as queries:
            response = client.get(path)
        samples = []
        for _ in range(runs):
            t0 = time.perf_counter()
            client.get(path)
            samples.append(time.perf_counter() - t0)
        results.append(
            {
                "list": name,
                "rows": world.rows,
                "status": response.status_code,
                "queries": queries[0],
                "median_ms": summary(samples)["median_ms"],
            }
        )
    return results


def run(sizes=SIZES, runs: int = 15) -> list[dict]:
    """Every list at every size, in one transaction rolled back at the end."""
    results = []
    with transaction.atomic():
        world = list_world()
        for size in sorted(sizes):
            fill(world, size)
            analyze()  # PostgreSQL plans with the rows just inserted, as after autovacuum
            results += measure(world, runs)
        transaction.set_rollback(True)
    return results


def table(results: list[dict]) -> str:
    """One line per list: its queries and median time at each size, and the ratios."""
    sizes = sorted({r["rows"] for r in results})
    by = {(r["list"], r["rows"]): r for r in results}
    head = " | ".join(f"{s} rows: q / ms" for s in sizes)
    lines = [f"{'list':<24} | {head} | same queries | time ratio", "-" * (60 + 18 * len(sizes))]
    for name, _who, _path in LISTS:
        cells = [by[(name, s)] for s in sizes]
        flat = len({c["queries"] for c in cells}) == 1
        ratio = cells[-1]["median_ms"] / cells[0]["median_ms"] if cells[0]["median_ms"] else 0
        row = " | ".join(f"{c['queries']:>6} / {c['median_ms']:>7.1f}" for c in cells)
        lines.append(f"{name:<24} | {row} | {'yes' if flat else 'NO':<12} | {ratio:.2f}")
    return "\n".join(lines)
