"""The list screens at 50 and at 5 000 rows (issue 17 item 5): `python -m verkstall bench_lists`.

Each list (the officer's orders, sorted two ways and on its last page, the provider's inbox,
the clients, the client search's results, the messages, the watchlists of the officer, the
provider and the provider's unit manager, and the access log) is requested through the whole
stack (middleware, access log, template) by the user it is meant for, with the same rows in
every list: the query count of one request and the median time of `runs` requests, at each
size. A page is one COUNT and one query for its rows (core/paging.py), so the count must be
the same at every size and the time nearly so.

The rows are bulk-inserted as the services would leave a sent order and a provider's message
(the shortcut tooling/generator_rows.py documents): a client, its decision and granted service,
an order sent to the provider, a message from the provider about it, two open due items (the
officer's and the provider unit's, overdue, due today, "snarast" or later by turns) and a row
of the access log (the officer's look at the order), per row. No events: no list reads them.
Everything runs in one transaction that is rolled back, so the database (which must be
migrated) is left as it was. Printed for people, never asserted on time (ARCHITECTURE:
benchmarks print, tests count queries).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.test import Client

from verkstall.access.roles import Role
from verkstall.audit.models import AccessLogEntry
from verkstall.core import clock
from verkstall.core.personal_number import make_test_personal_number
from verkstall.deadlines.models import DueItem
from verkstall.deadlines.profile_selectors import municipality_rules
from verkstall.deadlines.rules import Responsible
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
    ("watchlist (mine)", "officer", "/watchlist/?scope=mine"),
    ("watchlist (unit) sort=client", "officer", "/watchlist/?scope=unit&sort=client"),
    ("watchlist (unit) last page", "officer", "/watchlist/?scope=unit&page=999999"),
    ("watchlist (provider)", "staff", "/watchlist/?scope=provider"),
    ("watchlist (provider unit)", "manager", "/watchlist/?scope=provider_unit"),
    ("access log", "reviewer", "/audit/log/"),
    ("access log sort=user", "reviewer", "/audit/log/?sort=user"),
)


@dataclass
class ListWorld:
    """One unit with its officer, one provider with its staff and the manager of its unit,
    the log reviewer, and `rows` rows in each list."""

    muni: object
    unit: object
    officer: object
    provider: object
    staff: object
    service_type: object
    provider_unit: object = None
    manager: object = None
    reviewer: object = None
    rows: int = 0


def list_world() -> ListWorld:
    muni = build.municipality(profile="gotland")
    unit = build.unit(muni)
    provider = build.provider(muni)
    provider_unit = build.provider_unit(provider, "Enhet Bench")
    manager = build.user(Role.PROVIDER_MANAGER, muni, provider=provider)
    manager.provider_unit = provider_unit
    manager.save(update_fields=["provider_unit"])
    return ListWorld(
        muni=muni,
        unit=unit,
        officer=build.user(Role.OFFICER, muni, unit=unit),
        provider=provider,
        staff=build.user(Role.PROVIDER_STAFF, muni, provider=provider),
        service_type=ServiceType.objects.get(code="hemtjanst-omvardnad"),
        provider_unit=provider_unit,
        manager=manager,
        reviewer=build.user(Role.LOG_REVIEWER, muni),
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
            provider_unit=w.provider_unit,
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
    DueItem.objects.bulk_create(_due_items(w, orders, first, now))
    AccessLogEntry.objects.bulk_create(
        AccessLogEntry(
            occurred_at=now - timedelta(minutes=first + i),
            request_id=uuid.uuid4(),
            user_id=w.officer.pk,
            username=w.officer.username,
            role=Role.OFFICER.value,
            municipality_id=w.muni.pk,
            user_unit_id=w.unit.pk,
            person_id=o.person_id,
            action="view",
            method="GET",
            route="order-detail",
            path=f"/orders/{o.pk}/",
            status_code=200,
        )
        for i, o in enumerate(orders)
    )
    world.rows = total


def _due_items(w: ListWorld, orders, first: int, now) -> list[DueItem]:
    """Per order an open item of the officer's and one of the provider unit's, overdue, due
    today, "snarast" (no due moment) and in a few days by turns: every group of a watchlist."""
    rules = municipality_rules(w.muni, "order")
    by = {r.responsible: r for r in reversed(rules)}
    officer_rule, provider_rule = by[Responsible.OFFICER.value], by[Responsible.PROVIDER.value]
    sides = (
        (
            officer_rule,
            {
                "responsible": Responsible.OFFICER.value,
                "responsible_user_id": w.officer.pk,
                "responsible_unit_id": w.unit.pk,
            },
        ),
        (
            provider_rule,
            {
                "responsible": Responsible.PROVIDER.value,
                "responsible_provider_id": w.provider.pk,
                "responsible_provider_unit_id": w.provider_unit.pk,
            },
        ),
    )
    due = (-timedelta(days=2), timedelta(minutes=1), None, timedelta(days=3))
    items = []
    for i, o in enumerate(orders):
        at = due[(first + i) % len(due)]
        for rule, side in sides:
            items.append(
                DueItem(
                    municipality_id=w.muni.pk,
                    rule=rule,
                    rule_version=rule.version,
                    subject_key=f"order:{o.pk}",
                    order_id=o.pk,
                    decision_id=o.decision_id,
                    person_id=o.person_id,
                    service_type=w.service_type,
                    start_event=rule.start_event,
                    started_at=now - timedelta(days=3),
                    start_recorded_at=now - timedelta(days=3),
                    due_at=None if at is None else now + at,
                    explanation={"text": f"{rule.name}."},
                    **side,
                )
            )
    return items


def clients(world: ListWorld) -> dict[str, Client]:
    """A logged-in screen client per user, the officer's with the client search posted."""
    result = {}
    for who, user in (
        ("officer", world.officer),
        ("staff", world.staff),
        ("manager", world.manager),
        ("reviewer", world.reviewer),
    ):
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
    lines = [f"{'list':<30} | {head} | same queries | time ratio", "-" * (66 + 18 * len(sizes))]
    for name, _who, _path in LISTS:
        cells = [by[(name, s)] for s in sizes]
        flat = len({c["queries"] for c in cells}) == 1
        ratio = cells[-1]["median_ms"] / cells[0]["median_ms"] if cells[0]["median_ms"] else 0
        row = " | ".join(f"{c['queries']:>6} / {c['median_ms']:>7.1f}" for c in cells)
        lines.append(f"{name:<30} | {row} | {'yes' if flat else 'NO':<12} | {ratio:.2f}")
    return "\n".join(lines)
