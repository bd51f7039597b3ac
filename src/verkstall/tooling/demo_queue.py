"""Demo data of the care-home queue (SPEC R8.1, R8.2, R8.3): Stockholm's care homes and day
activity, and a queue waiting for the placement unit's user `placering` (tooling/demo.py calls
`seed_queue` once the clients exist)."""

from __future__ import annotations

from datetime import date, timedelta

from verkstall.access import selectors as users
from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.decisions.services import record_decision
from verkstall.people.selectors import persons_for
from verkstall.placements import selectors as queue_reads
from verkstall.placements import services as placements
from verkstall.providers import selectors as provider_reads
from verkstall.providers.services import ensure_provider_unit, ensure_unit_offers
from verkstall.tooling.demo_catalogue import QUEUE_HOMES, at_hour


def seed_queue(today: date) -> None:
    """Stockholm's placement unit (`placering`) has a queue waiting (R8.1, R8.2, R8.3): an urgent
    placement from hospital, two ordinary care-home entries that have waited for weeks, and
    one for day activity. Made once: a second run finds the queue."""
    officer = users.first_user(role=Role.OFFICER, municipality__code="0180", username="handlaggare")
    placement = users.first_user(role=Role.PLACEMENT_UNIT, municipality__code="0180")
    if officer is None or placement is None or queue_reads.entries_for(placement).exists():
        return
    homes = {}
    for provider_name, unit_name, manager, codes in QUEUE_HOMES:
        provider = provider_reads.providers_for(officer).get(name=provider_name)
        unit = ensure_provider_unit(provider=provider, name=unit_name, manager_name=manager)
        ensure_unit_offers(unit=unit, service_types=codes)
        homes[unit_name] = unit
    care = [h for h in homes.values() if "omsorgsboende" in h.name]
    day = [h for h in homes.values() if "dagverksamhet" in h.name]
    clients = [p for p in persons_for(officer).order_by("id")[1:12] if not p.is_protected]
    plan = [
        # (service, days ago queued, urgent, homes in order of preference)
        ("vard-och-omsorgsboende", 34, False, care),
        ("vard-och-omsorgsboende", 12, False, care[::-1]),
        ("dagverksamhet", 20, False, day),
        ("vard-och-omsorgsboende", 1, True, care),
    ]
    for person, (code, ago, urgent, chosen) in zip(clients, plan, strict=False):
        queued = today - timedelta(days=ago)
        with clock.travel_to(at_hour(queued, 10)):
            decision = record_decision(
                officer,
                person=person,
                decided_on=queued,
                assessment_summary="Behov av boende eller dagverksamhet enligt utredning.",
                services=[
                    {
                        "service_type": code,
                        "scope_amount": "1",
                        "scope_unit": "place",
                        "valid_from": queued,
                    }
                ],
            )
            extra = {}
            if urgent:
                extra = {
                    "urgent": True,
                    "current_location": "Danderyds sjukhus, geriatriken avd 32",
                    "discharge_ready_at": at_hour(queued, 8),
                    "notes": "Utskrivningsklar, kan inte återgå till ordinärt boende.",
                }
            placements.enqueue(
                officer, granted_service=decision.services.get(), homes=chosen, **extra
            )
