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


# --- Corrections and the change history (SPEC R1.1) --------------------------------------------


@register.simple_tag(takes_context=True)
def person_editing(context, person) -> dict:
    """What the signed-in user may correct on this client's page: `data` (the officer of the
    client's unit everything; a provider that holds an order for the client now, phone and
    whereabouts, R1.1), `relatives` (add, change, remove; only one who may see them, R10.5),
    and whether it is the `officer`."""
    from verkstall.access.roles import PROVIDER_ROLES, Role

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return {"data": False, "relatives": False, "officer": False}
    officer = user.role_enum == Role.OFFICER and user.unit_id == person.unit_id
    may = officer or (user.role_enum in PROVIDER_ROLES and selectors.holds_order_now(user, person))
    sees = selectors.may_see_protected(user, person)
    return {
        "data": may and (officer or sees),
        "relatives": may and sees,
        "officer": officer,
    }


@register.inclusion_tag("people/_change_panel.html", takes_context=True)
def person_changes_panel(context, person, limit=5, heading="", always=True):
    """The latest changes of the client's data (R1.1) as the signed-in user may read them
    (R10.5), with a link to the whole history: on the client page and (only when there are
    any, `always` False) on the order page."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False) or context.get("document"):
        return {"show": False}
    rows = selectors.person_changes(user, person)
    total = rows.count()
    return {
        "show": bool(always or total),
        "person": person,
        "heading": heading,
        "changes": selectors.shown_changes(user, person, rows[:limit]),
        "total": total,
        "more": total > limit,
    }
