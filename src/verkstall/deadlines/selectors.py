"""Reads of due items and rule profiles (SPEC R11), by what they answer:

- watchlist_scopes.py: what a watchlist is (its scopes, written once, and buckets);
- watchlist_selectors.py: the watchlists (*insatsbevakningslista*) and their filter choices;
- due_item_selectors.py: one due item, an order's items, which items a user may open;
- profile_selectors.py: rule profiles and whose profile it is.

This module keeps the one import path the callers use (`deadlines.selectors.watchlist` ...).
"""

from __future__ import annotations

from verkstall.core.errors import NotFound

from .due_item_selectors import (
    current_status,
    due_items_for_order,
    get_due_item,
    visible_items,
)
from .profile_selectors import (
    get_profile,
    get_rule,
    may_change_profile,
    own_profile_scope,
    profile_scope,
    profile_slugs,
    rules_of,
)
from .watchlist_page_selectors import compact_watchlist
from .watchlist_scopes import (
    ASAP,
    BUCKET_LABELS,
    BUCKETS,
    HORIZON_CHOICES,
    HORIZON_DAYS,
    MINE,
    OVERDUE,
    PROVIDER,
    PROVIDER_UNIT,
    READABLE,
    ROLE,
    ROLE_RESPONSIBLE,
    SCOPES,
    SCREEN_ORDER,
    TODAY,
    UNIT,
    WEEK,
    bucket_case,
    default_scope,
    end_of_day,
    scope_filter,
    scope_sql,
    scopes_for,
)
from .watchlist_selectors import (
    COLUMN,
    ROW_FIELDS,
    Watchlist,
    filter_choices,
    horizon_or_error,
    person_choices,
    watchlist,
    watchlist_queryset,
    watchlist_rows,
)

__all__ = [
    "ASAP",
    "BUCKETS",
    "BUCKET_LABELS",
    "COLUMN",
    "HORIZON_CHOICES",
    "HORIZON_DAYS",
    "MINE",
    "OVERDUE",
    "PROVIDER",
    "PROVIDER_UNIT",
    "READABLE",
    "ROLE",
    "ROLE_RESPONSIBLE",
    "ROW_FIELDS",
    "SCOPES",
    "SCREEN_ORDER",
    "TODAY",
    "UNIT",
    "WEEK",
    "NotFound",
    "Watchlist",
    "bucket_case",
    "compact_watchlist",
    "current_status",
    "default_scope",
    "due_items_for_order",
    "end_of_day",
    "filter_choices",
    "get_due_item",
    "get_profile",
    "get_rule",
    "horizon_or_error",
    "may_change_profile",
    "own_profile_scope",
    "person_choices",
    "profile_scope",
    "profile_slugs",
    "rules_of",
    "scope_filter",
    "scope_sql",
    "scopes_for",
    "visible_items",
    "watchlist",
    "watchlist_queryset",
    "watchlist_rows",
]
