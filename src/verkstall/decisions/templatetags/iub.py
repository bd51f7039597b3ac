"""Template helpers for the requests for a service without needs assessment (IUB, SPEC R1.3).

`{% iub_requests_panel person %}` is the client page's card: the client's requests and the
button to register one, for the officers of the unit that took them.
`{% iub_order_panel order %}` is the order page's card: the first request of the order's
decision (who asked, when, the first officer) and the later ones (R6.2), for everyone who
reads the order.
"""

from __future__ import annotations

from django import template

from verkstall.decisions import iub_selectors

register = template.Library()


def _user(context):
    return getattr(context.get("request"), "user", None)


@register.inclusion_tag("decisions/_iub_requests_panel.html", takes_context=True)
def iub_requests_panel(context, person):
    user = _user(context)
    if user is None or not user.is_officer:
        return {"show": False}
    requests = iub_selectors.person_iub_requests(user, person)
    return {
        "show": user.unit_id == person.unit_id or requests.exists(),
        "person": person,
        "may_register": user.unit_id == person.unit_id,
        "requests": [iub_selectors.shown_request(user, r) for r in requests],
    }


@register.inclusion_tag("decisions/_iub_order_panel.html", takes_context=True)
def iub_order_panel(context, order):
    user = _user(context)
    requests = list(iub_selectors.decision_requests(order.decision))
    if user is None or not requests:
        return {"show": False}
    for r in requests:
        r.person = order.person  # read once, through the order
    shown = [iub_selectors.shown_request(user, r) for r in requests]
    return {"show": True, "order": order, "first": shown[0], "later": shown[1:]}
