"""The isolation proof (SPEC "Actors", tenancy): generated worlds, thousands of API calls across
organisations, and an oracle that says in plain Python who may see what.

Shared by `tests/test_isolation_property.py` (a CI-sized run) and the `prove_isolation`
management command (the full size, by hand). The oracle never calls `access/scoping.py` or a
selector: it works from what the generator made (which municipality, unit and provider each
client, decision and order belongs to) and from the raw rows of what the services derived
(due items, plans, messages, notice receipts), so a scoping bug cannot hide behind itself.

What the oracle allows (SPEC "Actors"):
- a case officer: the clients, decisions and orders of their own unit;
- provider staff and unit managers: the orders their provider holds now or held (an order that
  was sent to it; never a draft), and those orders' clients and decisions;
- the fee officer: the whole municipality's clients, decisions and orders;
- the placement unit: its municipality's care-home queue and temporary stays (R8), and of the
  queued clients their name and personnummer, never a decision's or order's text;
- the aids centre: the alarm orders ordered from it and those with a contact move after a
  provider switch (R4.1, R2.6); a switch is also seen by the provider that takes over;
- fee notices and performed time (R9.3, R9.2): as their order; the payment basis and its
  files (a closed month's stored lines too) name the municipality's clients to its LOV
  administrator and fee officer, and a provider's to its unit manager (R9.4), and the national
  statistics give their personnummer to the LOV administrator (R9.6), and only there; every
  other role is refused both; the IVO report's cases (R9.5): the
  LOV administrator's municipality (by IVO number and decision id, never a name) and the
  officer's unit;
- every other role: no client, decision or order; due items of their own municipality at most;
- nobody: anything of another municipality.

Each operation checks that every id in the response (and every client, order, decision,
provider and unit it refers to) is within the user's set, that no personnummer of a client
outside it appears anywhere in the body, that a read or write of an id outside it is 403 or
404, and that a refused write changed no row. Needs a database with the migrations applied
(the built-in rule profiles) and hypothesis (a test dependency).
"""

from __future__ import annotations

import math
import random
import time

from django.db import transaction

from verkstall.access.roles import PROVIDER_ROLES, Role
from verkstall.core import clock
from verkstall.payments.basis_types import Period
from verkstall.tooling import canaries
from verkstall.tooling.isolation_alarms import plant_alarm_orders
from verkstall.tooling.isolation_calendar import CalendarFeeds
from verkstall.tooling.isolation_casework import plant_casework
from verkstall.tooling.isolation_changes import plant_person_changes
from verkstall.tooling.isolation_decisions import plant_decision_goals
from verkstall.tooling.isolation_drafts import DraftWalks
from verkstall.tooling.isolation_iub_transfer import plant_iub_requests_and_transfers
from verkstall.tooling.isolation_jobs import JobWalks
from verkstall.tooling.isolation_months import plant_months
from verkstall.tooling.isolation_operations import READ_KINDS, ApiOperations
from verkstall.tooling.isolation_oracle import Oracle
from verkstall.tooling.isolation_placements import plant_placements
from verkstall.tooling.isolation_plan_sharing import plant_plan_sharings
from verkstall.tooling.isolation_screens import ScreenOperations
from verkstall.tooling.isolation_stats import (
    DEFAULT_OPS_PER_EXAMPLE,
    DETAIL,
    DOCUMENT,
    LIST,
    READ,
    SCREEN,
    SEARCH,
    TRANSITION,
    Stats,
)
from verkstall.tooling.isolation_visits import TourVisits
from verkstall.tooling.isolation_world import World, build_world, world_specs

XLSX = "spreadsheetml"
# Reads that write: the fee officer's inbox and list collect the fee notices first (R9.3).
COLLECTING = frozenset({"/api/fee-notices/", "fee-notices/"})


def xlsx_text(data: bytes) -> str:
    """The text of an XLSX workbook: every XML part's text, tags dropped, entities read."""
    import html
    import io
    import re
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            parts = [book.read(n).decode("utf-8", "replace") for n in book.namelist()]
    except zipfile.BadZipFile:
        return data.decode("utf-8", errors="replace")
    return "\n".join(html.unescape(re.sub(r"<[^>]+>", " ", part)) for part in parts)


class Checker(ApiOperations, ScreenOperations, TourVisits, CalendarFeeds, DraftWalks, JobWalks):
    """Runs operations as the world's users and checks every answer against the oracle."""

    def __init__(self, world: World, stats: Stats, rng):
        from rest_framework.test import APIClient

        self.w = world
        self.oracle = Oracle(world)
        self.stats = stats
        self.rng = rng
        self.today = clock.today().isoformat()
        self.last_month = Period.of(clock.today()).previous().label
        self.clients = {}
        for user in world.users:
            client = APIClient()
            client.force_authenticate(user)
            self.clients[user.pk] = client
        self.screen_clients = {}  # logged in on first use (a session row each)
        self.mail_seen = 0

    # -- helpers --

    def _screen_client(self, user):
        from django.test import Client

        if user.pk not in self.screen_clients:
            client = Client()
            client.force_login(user)
            self.screen_clients[user.pk] = client
        return self.screen_clients[user.pk]

    def _fmt(self) -> str | None:
        """A GET's rendering: JSON mostly; the browsable API (`?format=api` or an HTML
        Accept header, as the test settings keep it) a quarter of the time."""
        roll = self.rng.random()
        return "api" if roll < 0.12 else "accept" if roll < 0.25 else None

    def _scan(
        self,
        user,
        response,
        *,
        where,
        context,
        htmx=False,
        browsable=False,
        extra=None,
        register="",
    ):
        """Scan a body for the canaries the user must not see (issue 11); `register`: the
        payment basis or the national statistics (whom they name: `Oracle.forbidden`)."""
        kind = canaries.response_kind(response, htmx=htmx, browsable=browsable)
        if response.status_code < 400 and XLSX in response.get("Content-Type", ""):
            kind, text = "xlsx", xlsx_text(response.content)
        else:
            text = canaries.response_text(response)
        if kind in ("pdf", "csv", "xlsx"):
            context = DOCUMENT
        forbidden = self.oracle.forbidden(user, context, register=register)
        scanner = self.stats.scanner
        before = len(scanner.hits)
        scanner.scan(text, forbidden, kind=kind, where=f"{user.username} ({user.role}): {where}")
        for form, what in (extra or {}).items():
            if form in text:
                scanner.hits.append(f"{user.username}: {where} [{kind}]: {what} {form!r}")
        return len(scanner.hits) == before

    def scan_mail(self) -> None:
        """Every e-mail sent since the last look, read as its recipient provider would:
        nothing of an order not sent to it, nothing protected (a document, R10.5). What the
        operations queued in the outbox is delivered first, as its worker would (issue 19)."""
        from django.core import mail

        from verkstall.outbox.delivery_services import deliver_due

        while deliver_due()["claimed"]:
            pass
        outbox = getattr(mail, "outbox", [])
        for message in outbox[self.mail_seen :]:
            provider = next((self.w.emailed[a] for a in message.to if a in self.w.emailed), None)
            reader = self.w.provider_staff.get(provider)
            if reader is None:
                self.stats.errors.append(f"e-mail to an unknown recipient: {message.to}")
                continue
            forbidden = self.oracle.forbidden(reader, DOCUMENT)
            for kind, text in canaries.message_texts(message):
                self.stats.scanner.scan(
                    text, forbidden, kind=kind, where=f"e-mail to {', '.join(message.to)}"
                )
        self.mail_seen = len(outbox)

    def _crossing(self, user, what: str) -> None:
        self.stats.crossings.append(f"{user.username} ({user.role}): {what}")

    def _pick(self, ids, own=None) -> int:
        """An id of any organisation (mostly another's); half the time, when `own` (the
        user's set) is given, one of the user's own, so the answers inside are checked too."""
        if own and self.rng.random() < 0.5:
            return self.rng.choice(sorted(own))
        ids = sorted(ids)
        if not ids or self.rng.random() < 0.03:
            return (max(ids) if ids else 0) + self.rng.randint(1, 50)  # no such row
        return self.rng.choice(ids)

    def _call(
        self,
        user,
        method: str,
        url: str,
        data=None,
        *,
        endpoint: str,
        headers=None,
        fmt: str | None = None,
        context: str = DETAIL,
        screen: bool = False,
        htmx: bool = False,
        extra: dict[str, str] | None = None,
        register: str = "",
    ):
        """One request; its body (whatever the status below 500) is scanned for canaries,
        and so is every e-mail it sent (on-commit hooks run, as after a real request)."""
        from django.test import TestCase

        label = "SCREEN" if screen else method.upper()
        self.stats.endpoints[f"{label} {endpoint}" + (f" ({fmt})" if fmt else "")] += 1
        headers = dict(headers or {})
        if fmt == "accept":
            headers["Accept"] = "text/html"
        if htmx:
            headers["HX-Request"] = "true"
        data = dict(data or {})
        try:
            with TestCase.captureOnCommitCallbacks(execute=True):
                if screen:
                    client = self._screen_client(user)
                    response = getattr(client, method)(url, data, headers=headers)
                elif method == "get":
                    if fmt == "api":
                        data["format"] = "api"
                    response = self.clients[user.pk].get(url, data, headers=headers)
                else:
                    response = getattr(self.clients[user.pk], method)(
                        url, data, format="json", headers=headers
                    )
        except Exception as exc:  # a server error inside the test client
            self.stats.errors.append(f"{user.username}: {method.upper()} {url}: {exc!r}")
            return None
        self.stats.statuses[response.status_code] += 1
        if response.status_code >= 500:
            self.stats.errors.append(
                f"{user.username}: {method.upper()} {url}: {response.status_code}"
            )
            return None
        query = "&".join(f"{k}={v}" for k, v in data.items() if k != "limit")
        where = f"{method.upper()} {url}" + (f"?{query}" if query and method == "get" else "")
        if fmt == "accept":
            where += " (Accept: text/html)"
        self._scan(
            user,
            response,
            where=where,
            context=context,
            htmx=htmx,
            browsable=fmt is not None,
            extra=extra,
            register=register,
        )
        if endpoint in COLLECTING and response.status_code == 200:
            # The fee officer's inbox and list collect the changes first (fees.services): new
            # notices and their due items, read again from the rows.
            self.w.refresh_derived()
            self.oracle.clear()
        return response

    def _check_body(self, user, response, what: str) -> None:
        """No personnummer of a client outside the user's set, and no reference outside it."""
        content = response.content
        for form in self.oracle.forbidden_numbers(user):
            if form in content:
                self._crossing(user, f"{what}: personnummer {form.decode()} in the response")
        try:
            body = response.json()
        except ValueError:
            return
        self._check_refs(user, body, what)

    def _check_refs(self, user, node, what: str) -> None:
        if isinstance(node, list):
            for item in node:
                self._check_refs(user, item, what)
            return
        if not isinstance(node, dict):
            return
        allowed = {
            "person": self.oracle.ref_persons,
            "order": self.oracle.ref_orders,
            "decision": self.oracle.ref_decisions,
            "provider": self.oracle.providers,
            "unit": self.oracle.units,
        }
        for key, value in node.items():
            if key in allowed:
                ref = value.get("id") if isinstance(value, dict) else value
                if isinstance(ref, int):
                    self.stats.ids_checked += 1
                    if ref not in allowed[key](user):
                        self._crossing(user, f"{what}: refers to {key} {ref}")
            if isinstance(value, dict | list):
                self._check_refs(user, value, what)

    def _rows(self, body) -> list:
        if isinstance(body, dict):
            return body.get("results", [])
        return body if isinstance(body, list) else []

    def _check_rows(self, user, response, kind: str, what: str) -> None:
        visible = getattr(self.oracle, READ_KINDS.get(kind, kind))(user)
        body = response.json()
        rows = self._rows(body)
        for row in rows:
            self.stats.ids_checked += 1
            if row.get("id") not in visible:
                self._crossing(user, f"{what}: lists {kind} {row.get('id')}")
        # A count is data too: one that counts rows it does not show reveals them (a "count
        # of one" for a protected client another unit searched for).
        if (
            isinstance(body, dict)
            and "count" in body
            and body.get("next") is None
            and body["count"] != len(rows)
        ):
            self._crossing(user, f"{what}: count {body['count']} for {len(rows)} rows")

    def _check_events(self, user, response, what: str) -> None:
        """The event feed (issue 20): only events of the orders the user may see; a message
        event names a message of its own order, and one the user may read when the user is
        one of the two sides messages go between (R10.3)."""
        rows = response.json()["results"]
        if any(r.get("message") not in (None, *self.w.messages) for r in rows):
            self.w.refresh_derived()  # a message a screen's write sent
            self.oracle.clear()
        visible = self.oracle.orders(user)
        sides = user.role_enum in (Role.OFFICER, *PROVIDER_ROLES)
        readable = self.oracle.messages(user) if sides else frozenset()
        for row in rows:
            self.stats.ids_checked += 1
            order, message = row.get("order"), row.get("message")
            where = f"{what}: event {row.get('id')} ({row.get('kind')})"
            if order not in visible:
                self._crossing(user, f"{where} of order {order}")
            if (row.get("kind") == "message_sent") != (message is not None):
                self._crossing(user, f"{where} with message {message}")
            if message is None:
                continue
            self.stats.ids_checked += 1
            if self.w.messages.get(message, (None, None))[1] != order:
                self._crossing(user, f"{where} names message {message} of another order")
            elif sides and message not in readable:
                self._crossing(user, f"{where} names message {message} outside the set")

    def _declared(self, viewset: str, action: str, user) -> bool:
        from verkstall.access import declarations

        access = declarations.API[viewset].get(action) or declarations.API[viewset].get("*")
        return access is not None and user.role_enum in access.roles

    # -- operations --

    def run(self, n: int) -> None:
        kinds = [READ] * 4 + [LIST] * 2 + [SEARCH] * 2 + [TRANSITION] * 2 + [SCREEN] * 2
        # Mostly the roles that see clients (their boundaries are the fine ones); the others
        # a quarter of the time (they must be refused or see nothing).
        client_roles = (Role.OFFICER, Role.FEE_OFFICER, *PROVIDER_ROLES)
        seeing = [u for u in self.w.users if u.role_enum in client_roles]
        others = [u for u in self.w.users if u.role_enum not in client_roles]
        toured = self.tour(n // 4) + self.calendar_feeds()  # every watchlist's own feed
        toured += self.drafts_walk()  # drafts typed and not saved: their author's alone
        toured += self.jobs_walk()  # a background job and its file: their starter's alone
        self.stats.operations[SCREEN] += toured
        for _ in range(n - toured):
            user = self.rng.choice(seeing if self.rng.random() < 0.75 else others)
            kind = self.rng.choice(kinds)
            getattr(self, f"op_{kind}")(user)
            self.stats.operations[kind] += 1
            self.scan_mail()  # after the world learnt what the operation did


# --- the property ----------------------------------------------------------------------------


def prove(
    reads: int, *, ops_per_example: int = DEFAULT_OPS_PER_EXAMPLE, seed: int = 20261126
) -> Stats:
    """Generate worlds and run `reads` operations across organisations in them; each world is
    rolled back after its operations. Deterministic for a given seed."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed
    from hypothesis import strategies as st

    stats = Stats()
    started = time.monotonic()
    round_ = 0
    while stats.total < reads:
        remaining = reads - stats.total
        examples = math.ceil(remaining / ops_per_example)

        @hypothesis_seed(seed + round_)
        @settings(
            max_examples=examples,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(spec=world_specs(), ops_seed=st.integers(0, 2**32 - 1))
        def one_world(spec, ops_seed):
            n = min(ops_per_example, reads - stats.total)
            if n <= 0:
                return
            from django.core import mail

            with transaction.atomic():
                rng = random.Random(ops_seed)
                mail.outbox = []
                world = build_world(spec, rng)
                plant_alarm_orders(world, rng)  # R4.1: the aids centre's orders
                plant_placements(world, rng)  # R8, R4.2: the queue, stays, vouchers
                plant_months(world, rng)  # R9.2, R9.3, R9.4, R9.5: fee notices, time, prices, IVO
                plant_person_changes(world, rng)  # R1.1: corrections and their history
                plant_decision_goals(world, rng)  # R1.1, seed 002: a decision's goals
                plant_casework(world, rng)  # R3.7, R7.2: the provider's reports to the officer
                plant_iub_requests_and_transfers(world, rng)  # R1.3, R1.4
                plant_plan_sharings(world, rng)  # R5.2: the plan shared with the person
                stats.worlds += 1
                checker = Checker(world, stats, rng)
                checker.scan_mail()
                checker.run(n)
                transaction.set_rollback(True)

        one_world()
        round_ += 1
    stats.seconds = time.monotonic() - started
    return stats
