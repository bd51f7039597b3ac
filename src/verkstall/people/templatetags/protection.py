"""Template helpers for protected identity (SPEC R10.1, R10.5).

`{% shown_person person as p %}` gives the client as the signed-in user may see it (or, in a
document — a context with `document` set — as every reader of the document sees it: nothing
protected). `{% protection_badge person %}` is the visible badge "Skyddade personuppgifter"
for pages and lists. `{% oral_briefing_panel order %}` is the order page's briefing card.
"""

from __future__ import annotations

from django import template

from verkstall.core.order_states import CLOSED
from verkstall.people import selectors
from verkstall.people.presentation import ShownPerson

register = template.Library()


@register.simple_tag(takes_context=True)
def shown_person(context, person):
    if isinstance(person, ShownPerson):
        return person
    if context.get("document"):
        return selectors.listed_person(person)
    request = context.get("request")
    return selectors.shown_person(getattr(request, "user", None), person)


@register.inclusion_tag("people/_protection_badge.html")
def protection_badge(person):
    return {"person": person}


@register.inclusion_tag("people/_oral_briefing_panel.html", takes_context=True)
def oral_briefing_panel(context, order):
    """The briefing card on an order page: shown only for a protected client."""
    request = context.get("request")
    user = getattr(request, "user", None)
    person = order.person
    if not person.is_protected or user is None:
        return {"show": False}
    from verkstall.people.forms import OralBriefingForm

    may_record = user.is_officer and user.unit_id == order.unit_id and order.state not in CLOSED
    # A form that failed validation comes back on the request (orders.person_views).
    form = getattr(request, "briefing_form", None)
    if form is None and may_record:
        providers = selectors.briefing_providers(order)
        form = OralBriefingForm(
            initial={"provider": order.provider_id},
            providers=providers,
            managers=[m for p in providers for m in selectors.provider_managers(p)],
        )
    return {
        "show": True,
        "order": order,
        "person": person,
        "briefings": list(selectors.oral_briefings_for_order(order)),
        "covered": selectors.briefing_covers(order),
        "may_record": may_record,
        "form": form,
        "csrf_token": context.get("csrf_token"),
        "user": user,
    }


@register.filter
def decidable_by(protection_request, user) -> bool:
    """The four-eyes rule, as the service applies it (ProtectionRequest.may_be_decided_by)."""
    return protection_request.may_be_decided_by(user)
