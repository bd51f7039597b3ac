"""Meal delivery (matdistribution, SPEC R3.6, seed 002 §Verkställighet: "Beställning av
matdistribution görs snarast dock inom 3 vardagar"): the provider's order of the meals is its
own event (MEAL_ORDERED, "meal.ordered"), separate from the order's start; gotland's rule
``matdistribution-bestalld`` stops on it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from verkstall.core.errors import ValidationFailed
from verkstall.decisions.catalogue import ServiceKind
from verkstall.orders.models import EventKind, Order, OrderEvent
from verkstall.orders.services import lock_order, provider_acting, record_event, reply_channel
from verkstall.orders.states import WITH_PROVIDER

from .services import StepNotAllowed, day_moment, last_event, require_kind, require_with_provider


@transaction.atomic
def register_meal_ordered(actor, *, order: Order, ordered_on=None, channel: str = "") -> OrderEvent:
    """The provider has ordered the meal delivery (R3.6): its own staff, or the officer or fee
    officer for a provider not connected, saying how the report came in (R3.3). Once per
    order; not before the order was sent, not in the future."""
    order = lock_order(order)
    on_behalf = provider_acting(actor, order, "registrera att matdistributionen beställts")
    require_kind(order, ServiceKind.MEAL_DELIVERY.value, "Beställningen har ingen matdistribution.")
    require_with_provider(order, "att matdistributionen beställts")
    done = last_event(order, EventKind.MEAL_ORDERED)
    if done is not None:
        raise StepNotAllowed(
            f"Matdistributionen är redan beställd {timezone.localdate(done.occurred_at):%Y-%m-%d}."
        )
    errors: dict[str, str] = {}
    channel = reply_channel(on_behalf, channel, errors)
    when = day_moment(
        ordered_on,
        "ordered_on",
        not_before=order.sent_at,
        errors=errors,
        what="matdistributionen beställdes",
    )
    if errors:
        raise ValidationFailed(errors)
    day = timezone.localdate(when)
    return record_event(
        actor,
        order,
        kind=EventKind.MEAL_ORDERED,
        occurred_at=when,
        on_behalf_of=on_behalf,
        channel=channel,
        data={
            "ordered_on": day.isoformat(),
            "text": f"{order.provider.name} beställde matdistributionen {day:%Y-%m-%d}.",
        },
        allowed_states=WITH_PROVIDER,
    )
