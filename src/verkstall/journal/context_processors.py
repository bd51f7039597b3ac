"""The unread-message count in the menu: one query, only for signed-in users."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject


def unread_messages(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .selectors import unread_count

    # Lazy: pages that do not show the menu (PDFs, htmx fragments) pay nothing.
    return {"unread_messages": SimpleLazyObject(lambda: unread_count(user))}
