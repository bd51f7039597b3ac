"""Reads for the benchmark: whose watchlists to measure, and the hand-written SQL they are
compared with (tooling/measure.py)."""

from __future__ import annotations

from django.db.models import Count, Q

from verkstall.access.models import User
from verkstall.access.roles import Role
from verkstall.deadlines.models import DueItem
from verkstall.orders.models import Order
from verkstall.providers.models import Provider
from verkstall.tooling.generator_world import DEFAULT_CODE, generated_municipality


def _busiest(field: str, muni, extra: Q | None = None) -> int | None:
    extra = extra if extra is not None else Q()
    row = (
        DueItem.objects.filter(extra, municipality=muni, status="open")
        .exclude(**{f"{field}__isnull": True})
        .values(field)
        .annotate(n=Count("id"))
        .order_by("-n", field)
        .first()
    )
    return row[field] if row else None


def subjects(code: str = DEFAULT_CODE) -> dict:
    """The four watchlists the benchmark reads, each the busiest of its kind (the most open
    items): an officer (scope "mine"), that officer's unit ("unit"), the largest provider
    ("provider") and the busiest provider unit ("provider_unit"), with a user for each."""
    muni = generated_municipality(code)
    if muni is None:
        raise LookupError(f"No generated municipality {code}.")
    officer = User.objects.select_related("unit", "municipality").get(
        pk=_busiest("responsible_user", muni, Q(responsible="officer"))
    )
    provider = Provider.objects.get(pk=_busiest("responsible_provider", muni))
    provider_user = User.objects.select_related("provider", "municipality").get(
        provider=provider, provider_unit__isnull=True, role=Role.PROVIDER_STAFF.value
    )
    unit_id = _busiest("responsible_provider_unit", muni)
    unit_user = User.objects.select_related("provider", "provider_unit", "municipality").get(
        provider_unit_id=unit_id
    )
    connected = (
        Provider.objects.filter(municipality=muni, is_connected=True)
        .annotate(n=Count("orders"))
        .order_by("-n", "id")
        .first()
    )
    return {
        "municipality": muni,
        "officer": officer,
        "provider": provider,
        "provider_user": provider_user,
        "provider_unit_user": unit_user,
        "transition_provider": connected,
        "transition_provider_user": User.objects.select_related("provider").get(
            provider=connected, provider_unit__isnull=True, role=Role.PROVIDER_STAFF.value
        ),
    }


def order_states(order_ids: list[int]) -> dict[str, int]:
    rows = Order.objects.filter(pk__in=order_ids).values("state").annotate(n=Count("id"))
    return {r["state"]: r["n"] for r in rows}


def table_counts(muni) -> dict[str, int]:
    from verkstall.orders.models import OrderEvent
    from verkstall.people.models import Person

    return {
        "clients": Person.objects.filter(municipality=muni).count(),
        "orders": Order.objects.filter(municipality=muni).count(),
        "order_events": OrderEvent.objects.filter(municipality=muni).count(),
        "due_items": DueItem.objects.filter(municipality=muni).count(),
        "open_due_items": DueItem.objects.filter(municipality=muni, status="open").count(),
    }
