"""Municipality-scale data for the benchmark: `python -m verkstall generate --clients N`.

One generated municipality (code ``9990`` by default) with areas, myndighet units and officers,
about one provider per 300 clients (sizes skewed: the municipality's own provider is the
largest), and for every client five years of history: decisions, orders in every state,
implementation plans, follow-ups, absences, the provider's six-monthly journal summaries and the
due items of the municipality's rule profile.

Two paths write the same planned lives (tooling/generator_lives.py, one seeded random
generator, so the same seed plans the same municipality):

* **The services path** (tooling/generator_replay.py, `generate --through-services`): each
  planned call is made through the public service (register_person, record_decision,
  create_order, send_order, acknowledge_order, register_start, start_plan, send_plan,
  confirm_plan, review_plan, request_status, answer_status, record_followup,
  register_absence, flag_long_absences, report_absence_to_officer, write_provider_entry,
  end_order, cancel_order) on a clock moved to its moment. The reference; slow.
* **The bulk path** (tooling/generator_rows.py, the default): the one documented shortcut.
  The rows those calls write are bulk-inserted (PostgreSQL `COPY`): the order row as its
  events leave it (the state table of orders/states.py), the append-only events with `seq`,
  `occurred_at` and `recorded_at` as the services set them, and the due items from the
  engine's public `plan_items` over the same events with the profile's rules
  (`engine.profile_rules`) and the decision's "granted" event (`engine.decision_granted`):
  the same pure function the engine stores from on every event. No private name of another
  app is used.

The organisation (municipality, units, areas, providers, provider units) is written by the
services' own set-up functions on both paths (tooling/generator_world.py); users are
bulk-inserted as `access.services.create_user` would write them (with an unusable password:
benchmark users log in with API tokens).

Proven equal by tooling/tests/test_generator_paths.py: 20 clients generated both ways give,
per client, the same orders (state, event kinds in order), the same due items (who
answers, due moment, status) and the same number of rows in every model that holds client
data (audit.client_models): messages and case-journal notes included.
tooling/tests/test_generator.py checks the bulk path's invariants on 40 clients
(recomputing every order and decision with the engine changes no due item, each order's state
is the fold of its events, ...).

The messages and case-journal notes the services write beside the events (a follow-up's
question, answer and record; the end of an order) are written by the bulk path too, with the
texts those services build (`followups.services.status_request_message` and its siblings,
`orders.end_services.end_message`): generator_rows.side_notes; each message's MESSAGE_SENT event
(journal.services.send_message) follows the event of the call that sent it.
"""

from __future__ import annotations

import random
import sys
import time as _time
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from verkstall.access.models import User
from verkstall.access.token_services import issue_token
from verkstall.deadlines import engine
from verkstall.decisions.models import GrantedService, ScopeUnit, ServiceType
from verkstall.orders.models import EventKind
from verkstall.people.models import Person
from verkstall.providers.models import Provider
from verkstall.tooling.generator_lives import (
    Ev,
    Life,
    PlannedDecision,
    PlannedOrder,
    local_day,
)
from verkstall.tooling.generator_replay import replay_chunk
from verkstall.tooling.generator_rows import write_chunk
from verkstall.tooling.generator_world import (
    CHUNK,
    DEFAULT_CODE,
    DEFAULT_PROFILE,
    PROFILE_SERVICES,
    SCOPES,
    GeneratedDataExists,
    World,
    build_world,
    generated_size,
)

# --- the command's entry point ---------------------------------------------------------------


def progress_bar(out=None) -> Callable[[int, int, float], None]:
    out = out or sys.stderr

    def show(done: int, total: int, elapsed: float) -> None:
        width = 30
        filled = int(width * done / max(total, 1))
        rate = done / elapsed if elapsed else 0
        eta = (total - done) / rate if rate else 0
        out.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} klienter "
            f"{elapsed:5.0f} s (kvar ~{eta:4.0f} s)"
        )
        if done >= total:
            out.write("\n")
        out.flush()

    return show


def generate(
    clients: int,
    *,
    seed: int = 1,
    profile: str = DEFAULT_PROFILE,
    code: str = DEFAULT_CODE,
    now: datetime | None = None,
    progress: Callable[[int, int, float], None] | None = None,
    chunk: int = CHUNK,
    through_services: bool = False,
) -> dict[str, int]:
    """Generate `clients` clients with five years of history into the configured database.

    The planned lives are written by the bulk path (generator_rows.write_chunk) or, with
    `through_services`, made as the very service calls (generator_replay.replay_chunk): the
    same rows, much slower. Refuses (GeneratedDataExists) if the municipality `code` already
    has clients. Returns the row counts per model."""
    if clients < 1:
        raise ValueError("clients must be at least 1")
    if generated_size(code):
        raise GeneratedDataExists(
            f"Kommun {code} har redan {generated_size(code)} genererade klienter."
        )
    now = now or timezone.now()
    rng = random.Random(seed)
    with transaction.atomic():
        world = build_world(code, clients, profile, rng)
    counts: dict[str, int] = {}
    taken: set[str] = set()
    started = _time.monotonic()
    life = Life(world, rng, now)
    done = 0
    while done < clients:
        n = min(chunk, clients - done)
        persons = [life.person(done + i, taken) for i in range(n)]
        planned = [pd for p in persons for pd in life.plan(p)]
        with transaction.atomic():
            write = replay_chunk if through_services else write_chunk
            for label, c in write(world, planned, persons, now).items():
                counts[label] = counts.get(label, 0) + c
        done += n
        if progress:
            progress(done, clients, _time.monotonic() - started)
    return counts


# --- for the benchmark's transitions ---------------------------------------------------------


def make_draft_orders(
    count: int,
    *,
    officer: User,
    provider: Provider,
    seed: int = 0,
    now: datetime | None = None,
    with_orders: bool = True,
    area=None,
) -> list[int]:
    """`count` new decisions, each with a draft order to `provider`, for clients of the
    officer's unit, as record_decision and create_order would have written them; the
    benchmark then sends, acknowledges and starts them through the HTTP API. With
    `with_orders=False` the decisions only (their ids): the fault runs create the orders
    through the API; `area`: only clients of that area."""
    now = now or timezone.now()
    rng = random.Random(seed)
    muni = officer.municipality
    world = World(
        municipality=muni,
        units=[],
        officers={},
        areas=[],
        area_unit={},
        providers=[provider],
        provider_weights=[1.0],
        provider_units={provider.pk: list(provider.units.order_by("id"))},
        provider_staff={},
        service_types=[],
        order_rules=engine.profile_rules(muni.rule_profile, "order"),
        decision_rules=engine.profile_rules(muni.rule_profile, "decision"),
    )
    codes = PROFILE_SERVICES.get(muni.rule_profile) or PROFILE_SERVICES[DEFAULT_PROFILE]
    stype = ServiceType.objects.filter(code=codes[0]).get()
    persons = Person.objects.filter(municipality=muni, unit_id=officer.unit_id)
    if area is not None:  # the clients of one area (the fault runs' rotation)
        persons = persons.filter(area=area)
    persons = list(persons[:2000])
    planned = []
    for _ in range(count):
        person = rng.choice(persons)
        decided = now - timedelta(hours=rng.uniform(2, 6))
        amount, unit, freq = SCOPES.get(stype.code, (Decimal("8"), ScopeUnit.HOURS_PER_MONTH, ""))
        pd = PlannedDecision(
            person=person,
            officer=officer,
            decided_at=decided,
            services=[
                GrantedService(
                    municipality=muni,
                    service_type=stype,
                    scope_amount=amount,
                    scope_unit=unit,
                    frequency=freq,
                    valid_from=local_day(decided),
                )
            ],
        )
        created = decided + timedelta(minutes=rng.uniform(5, 60))
        po = PlannedOrder(
            decision=pd,
            provider=provider,
            provider_unit=rng.choice(world.provider_units[provider.pk] or [None]),
            officer=officer,
            services=pd.services,
            created=created,
        )
        po.events.append(Ev(EventKind.CREATED, created, created, officer))
        if with_orders:
            pd.orders.append(po)
        planned.append(pd)
    with transaction.atomic():
        write_chunk(world, planned, [], now)
    if not with_orders:
        return [pd.decision.pk for pd in planned]
    return [pd.orders[0].order.pk for pd in planned]


def api_token(user: User) -> str:
    """A new API key for the user (access.token_services, stored hashed): how the load client
    authenticates. Only the hash is kept, so each run issues its own key."""
    return issue_token(user=user, days=1)[1]


def ensure_migrated() -> bool:
    """Apply the migrations if the database is not up to date (a fresh benchmark database).
    Returns whether anything was applied."""
    from django.core.management import call_command
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if not executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return False
    call_command("migrate", verbosity=0, interactive=False)
    return True


def analyze() -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL's autovacuum is not instant)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # VACUUM cannot run inside a transaction (a test's); ANALYZE alone can.
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
