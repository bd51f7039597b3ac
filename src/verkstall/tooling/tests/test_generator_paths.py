"""The generator's bulk path writes what the services write (issue 12, deliverable 2).

The same planned municipality (fixed seed, fixed moment of generation) is generated twice:
through the bulk path (generator_rows.write_chunk) and as the very service calls
(generator_replay.replay_chunk, each on a clock moved to its moment). Per client, compared
with ids and timestamps normalised: the orders with their state and the kinds of their events
in order, and the due items with who answers for them, their due moment and status; and, for
every model that holds client data (audit.client_models), how many rows each client has, so
that an absence, plan, follow-up, journal note or message the bulk path forgets (or adds)
shows.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from verkstall.audit.client_models import CLIENT_DATA
from verkstall.deadlines.models import DueItem
from verkstall.orders.models import Order, OrderEvent
from verkstall.tooling import generator_services as generator
from verkstall.tooling.generator_world import generated_municipality

pytestmark = pytest.mark.django_db

CLIENTS, SEED, CODE = 20, 7, "9994"


def _minute(moment):
    return None if moment is None else moment.replace(second=0, microsecond=0)


def _snapshot(code: str) -> dict:
    """Per personnummer: its orders (by when created) with state and event kinds in order,
    and its due items with the subject named by its place among the client's orders and
    decisions, never by id."""
    muni = generated_municipality(code)
    clients: dict[str, dict] = {}
    orders = Order.objects.filter(municipality=muni).select_related("person", "provider")
    orders = sorted(orders, key=lambda o: (o.person.personal_number, o.created_at, o.pk))
    events: dict[int, list[str]] = {}
    for order_id, kind in (
        OrderEvent.objects.filter(municipality=muni).order_by("seq").values_list("order", "kind")
    ):
        events.setdefault(order_id, []).append(kind)
    places: dict[str, int] = {}
    for o in orders:
        client = clients.setdefault(o.person.personal_number, {"orders": [], "due": set()})
        places[f"order:{o.pk}"] = len(client["orders"])
        client["orders"].append(
            (o.provider.name, o.state, o.start_date, o.end_date, tuple(events[o.pk]))
        )
    decisions: dict[str, list] = {}
    items = DueItem.objects.filter(municipality=muni).select_related(
        "rule", "person", "decision", "responsible_user", "responsible_unit"
    )
    for item in items:
        if item.subject_key.startswith("decision:"):
            decisions.setdefault(item.person.personal_number, []).append(item.decision)
    for found in decisions.values():
        for place, d in enumerate(sorted(set(found), key=lambda d: (d.decided_on, d.pk))):
            places[f"decision:{d.pk}"] = place
    for item in items:
        client = clients.setdefault(item.person.personal_number, {"orders": [], "due": set()})
        subject = item.subject_key.split(":")[0], places[item.subject_key]
        client["due"].add(
            (
                item.rule.code,
                subject,
                item.cycle,
                item.responsible,
                item.responsible_user.username if item.responsible_user else None,
                item.responsible_unit.name if item.responsible_unit else None,
                item.responsible_provider_id is not None,
                item.start_event,
                _minute(item.due_at),
                item.due_date,
                item.status,
                _minute(item.met_at),
            )
        )
    for declared in CLIENT_DATA:
        base = declared.client.removesuffix("_id")
        person = "" if base in ("id", "pk") else f"{base}__"
        rows = declared.model.objects.filter(**{f"{person}municipality": muni})
        counts = rows.values_list(f"{person}personal_number").annotate(n=Count("pk"))
        for personal_number, count in counts:
            client = clients.setdefault(personal_number, {"orders": [], "due": set()})
            client.setdefault("rows", {})[declared.label] = count
    return clients


def test_the_bulk_path_writes_what_the_services_write():  # R3 R11
    # A moment of generation away from midnight (both paths start from the same one).
    now = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(days=1)
    snapshots = []
    for through_services in (False, True):
        with transaction.atomic():
            generator.generate(
                CLIENTS, seed=SEED, code=CODE, now=now, through_services=through_services
            )
            snapshots.append(_snapshot(CODE))
            transaction.set_rollback(True)
    bulk, services = snapshots
    assert len(bulk) == CLIENTS
    assert sum(len(c["orders"]) for c in bulk.values()) > CLIENTS
    assert sum(len(c["due"]) for c in bulk.values()) > CLIENTS
    assert bulk.keys() == services.keys()
    for number in bulk:
        assert bulk[number]["orders"] == services[number]["orders"], number
        assert bulk[number]["due"] == services[number]["due"], number
        assert bulk[number].get("rows") == services[number].get("rows"), number
    counted = {label for c in bulk.values() for label in c.get("rows", {})}
    assert {"absences.Absence", "followups.FollowUp", "journal.Message"} <= counted
    assert "journal.CaseJournalEntry" in counted


def _conditional_rules(profile) -> None:
    """Rules that use every condition of the rule language and the clock from receipt
    (SPEC R11.4), added to the generated municipality's profile for one test."""
    from verkstall.deadlines.models import Rule

    common = {"profile": profile, "responsible": "provider", "source": "test"}
    Rule.objects.bulk_create(
        [
            Rule(code="t-first", name="Första", start_event="order.sent",
                 stop_events=["order.started"], amount=10, unit="calendar_days",
                 first_order_only=True, **common),
            Rule(code="t-daily", name="Dagligen", start_event="order.sent",
                 stop_events=["order.acknowledged"], amount=2, unit="weekdays",
                 daily_only=True, **common),
            Rule(code="t-post", name="Post och fax", start_event="order.sent",
                 stop_events=["order.acknowledged"], amount=5, unit="weekdays",
                 channels=["post", "fax"], **common),
            Rule(code="t-received", name="Från mottagandet", start_event="order.received",
                 stop_events=["order.acknowledged"], amount=1, unit="weekdays", **common),
            Rule(code="t-not-care", name="Utom omvårdnad", start_event="order.sent",
                 stop_events=["order.started"], amount=1, unit="months",
                 excluded_service_kinds=["personal_care"], **common),
            Rule(code="t-decision-received", name="Beslut till mottagen", subject="decision",
                 start_event="decision.granted", stop_events=["order.received"], amount=1,
                 unit="months", **{**common, "responsible": "officer"}),
        ]
    )  # fmt: skip


def test_the_bulk_path_keeps_the_conditions_receipts_and_thresholds():  # R11.4 R7.2
    # The same comparison with a profile whose rules use every condition and the clock from
    # receipt, and whose long absence is 20 days: the generator's facts and derived receipts
    # are the engine's.
    from verkstall.deadlines.models import RuleProfile

    now = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(days=1)
    snapshots = []
    for through_services in (False, True):
        with transaction.atomic():
            profile = RuleProfile.objects.get(slug="gotland")
            _conditional_rules(profile)
            RuleProfile.objects.filter(pk=profile.pk).update(long_absence_days=20)
            generator.generate(
                CLIENTS, seed=SEED, code=CODE, now=now, through_services=through_services
            )
            snapshots.append(_snapshot(CODE))
            transaction.set_rollback(True)
    bulk, services = snapshots
    for number in bulk:
        assert bulk[number]["orders"] == services[number]["orders"], number
        assert bulk[number]["due"] == services[number]["due"], number
        assert bulk[number].get("rows") == services[number].get("rows"), number
    codes = {item[0] for c in bulk.values() for item in c["due"]}
    assert {"t-first", "t-received", "t-not-care", "t-decision-received"} <= codes
