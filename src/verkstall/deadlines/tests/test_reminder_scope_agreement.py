"""Who is reminded of an item, and who sees it on a watchlist, is one rule (issue 12 item 5).

The reminders go from an item to its responsible users (deadlines/reminders.py); the watchlists
from a user to items (deadlines/watchlist_scopes.py, the one spec of each scope). This test
holds the two to each other on the demo data: everyone reminded of an item has it on one of
their own watchlists, so the reminder query cannot drift from the scopes written once."""

from __future__ import annotations

import pytest
from django.db.models import Q

from verkstall.deadlines.models import DueItem, Reminder
from verkstall.deadlines.reminders import send_reminders
from verkstall.deadlines.watchlist_scopes import scope_filter, scopes_for

pytestmark = pytest.mark.django_db


def test_everyone_reminded_of_an_item_sees_it_on_a_watchlist(settings):  # R11.1
    from verkstall.tooling.demo import seed

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from verkstall.access.models import User

    seed()
    for user in User.objects.all():  # every demo user can be mailed
        User.objects.filter(pk=user.pk).update(email=f"{user.username}@example.se")
    result = send_reminders()
    reminders = list(Reminder.objects.select_related("user", "due_item"))
    assert result["mails"] > 0 and reminders, result
    assert len({r.user.role for r in reminders}) > 1  # officers and provider staff alike
    for reminder in reminders:
        user = reminder.user
        seen = Q()
        for scope in scopes_for(user):
            seen |= scope_filter(user, scope)
        assert DueItem.objects.filter(seen, pk=reminder.due_item_id).exists(), (
            user.username,
            reminder.due_item.responsible,
        )
