"""`{% transfer_notice person %}`: the client page's notice of the transfer at an age (SPEC
R1.4): to the officer of the unit that hands over, that the client reaches the age soon (or
did) with ongoing support that moves, with the link to hand over; to the receiving unit's
officers, that the client was handed over and a new assessment is to be made."""

from __future__ import annotations

from django import template

from verkstall.transfers import selectors

register = template.Library()


@register.inclusion_tag("transfers/_transfer_notice.html", takes_context=True)
def transfer_notice(context, person):
    user = getattr(context.get("request"), "user", None)
    if user is None or not user.is_officer or user.unit_id != person.unit_id:
        return {"show": False}
    preview = selectors.transfer_preview(user, person)
    due = preview if preview is not None and preview.orders and preview.in_window else None
    awaiting = selectors.awaiting_assessment(user).filter(person_id=person.pk).first()
    return {"show": bool(due or awaiting), "person": person, "due": due, "awaiting": awaiting}
