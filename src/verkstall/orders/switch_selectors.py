"""Reads of provider switches (SPEC R2.6), scoped.

A switch is seen by those who see its old order (the officer's unit, the fee office, the old
provider) and by the new provider, who has no order of the client yet but must contact the old
provider and report the agreed date. Anyone else gets a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from verkstall.access.policies import provider_side
from verkstall.access.roles import PROVIDER_ROLES, Role
from verkstall.access.scoping import NOTHING, order_scope
from verkstall.core import clock
from verkstall.core.errors import NotFound
from verkstall.deadlines.models import DueItem
from verkstall.providers.models import Provider

from .models import Order, ProviderSwitch
from .selectors import orders_for
from .states import ACTIVE

INFORM, AGREE, COMPLETE = "inform", "agree", "complete"
STEPS = (INFORM, AGREE, COMPLETE)
STEP_LABELS = {
    INFORM: "Ny utförare informerad",
    AGREE: "Registrera datum för bytet",
    COMPLETE: "Genomför bytet",
}
SWITCH_EVENTS = (
    "switch.requested",
    "switch.new_provider_informed",
    "switch.providers_agreed",
    "switch.completed",
)


def switch_scope(user) -> Q:
    if not user.is_authenticated or user.municipality_id is None:
        return NOTHING
    scope = order_scope(user, prefix="old_order__")
    if user.role_enum in PROVIDER_ROLES:
        scope |= Q(municipality_id=user.municipality_id, new_provider_id=user.provider_id)
    return scope


def switches_for(user) -> QuerySet[ProviderSwitch]:
    return (
        ProviderSwitch.objects.filter(switch_scope(user))
        .select_related("person", "old_order", "old_order__provider", "new_provider", "new_order")
        .order_by("-created_at", "-id")
    )


def get_switch(user, pk) -> ProviderSwitch:
    try:
        return switches_for(user).get(pk=pk)
    except (ProviderSwitch.DoesNotExist, ValueError, TypeError):
        raise NotFound("Bytet finns inte eller så saknar du behörighet.") from None


def visible_orders(user, switch: ProviderSwitch) -> set[int]:
    """Which of the switch's two orders the user may open (the new provider never sees the
    old order; the old provider never sees the new one)."""
    ids = [pk for pk in (switch.old_order_id, switch.new_order_id) if pk]
    return set(orders_for(user).filter(pk__in=ids).values_list("pk", flat=True))


def _officer_of(user, switch: ProviderSwitch) -> bool:
    return user.role_enum == Role.OFFICER and user.unit_id == switch.old_order.unit_id


def status_label(switch: ProviderSwitch) -> str:
    if switch.completed_at:
        return "Genomfört"
    if switch.agreed_date:
        return "Datum överenskommet"
    if switch.new_provider_informed_at:
        return "Ny utförare informerad"
    return "Begärt"


def actions_for(user, switch: ProviderSwitch, today: date | None = None) -> list[str]:
    """The steps this user may take now: the routine's order and the policies."""
    if switch.completed_at:
        return []
    today = today or clock.today()
    officer = _officer_of(user, switch)
    new_side, _ = provider_side(user, switch.new_provider)
    actions = []
    if officer and switch.new_provider_informed_at is None:
        actions.append(INFORM)
    if new_side and switch.new_provider_informed_at is not None:
        actions.append(AGREE)
    if officer and switch.agreed_date and today >= switch.agreed_date:
        actions.append(COMPLETE)
    return actions


def waiting_text(user, switch: ProviderSwitch, today: date | None = None) -> str:
    """What the switch waits for, when the user has nothing to do now."""
    today = today or clock.today()
    new = switch.new_provider.name
    if switch.completed_at:
        return ""
    if switch.new_provider_informed_at is None:
        return f"Väntar på att handläggaren informerar {new} om bytet."
    if switch.agreed_date is None:
        return f"Väntar på att {new} meddelar datum för bytet."
    if today < switch.agreed_date:
        return f"Bytet genomförs av handläggaren {switch.agreed_date:%Y-%m-%d}."
    return "Väntar på att handläggaren genomför bytet."


@dataclass(frozen=True)
class Step:
    label: str
    when: str
    done: bool


def steps(switch: ProviderSwitch) -> list[Step]:
    """The routine's steps with their dates, for the switch page."""

    def day(moment) -> str:
        return f"{timezone.localdate(moment):%Y-%m-%d}" if moment else ""

    old = switch.old_order.provider.name
    new = switch.new_provider.name
    return [
        Step("Klienten begärde bytet", f"{switch.requested_on:%Y-%m-%d}", True),
        Step(f"{old} informerad", day(switch.old_provider_informed_at), True),
        Step(
            f"{new} informerad",
            day(switch.new_provider_informed_at),
            bool(switch.new_provider_informed_at),
        ),
        Step(
            "Utförarna överens om datum",
            day(switch.providers_agreed_at),
            bool(switch.providers_agreed_at),
        ),
        Step(
            "Bytet genomfört",
            day(switch.completed_at),
            bool(switch.completed_at),
        ),
    ]


def due_items_for_switch(switch: ProviderSwitch) -> QuerySet[DueItem]:
    """The routine's switch deadlines (on the old order), for anyone who sees the switch."""
    return (
        DueItem.objects.filter(order_id=switch.old_order_id, start_event__in=SWITCH_EVENTS)
        .select_related("rule")
        .order_by("started_at", "id")
    )


def can_request_switch(user, order: Order) -> bool:
    """The officer of the client's unit, on an order the provider has received, with no switch
    under way."""
    return (
        user.role_enum == Role.OFFICER
        and user.unit_id == order.unit_id
        and order.state in ACTIVE
        and not ProviderSwitch.objects.filter(old_order=order, completed_at__isnull=True).exists()
    )


def switch_candidates(user, order: Order) -> QuerySet[Provider]:
    """Providers of the municipality the client could switch to (the service checks the
    contracts and capacity and says why not)."""
    return (
        Provider.objects.filter(municipality_id=order.municipality_id)
        .exclude(pk=order.provider_id)
        .order_by("name")
    )
