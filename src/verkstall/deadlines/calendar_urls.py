"""The calendar subscription's screen and its feed (issue 17 item 7; calendar_views.py)."""

from django.urls import path

from . import calendar_views

urlpatterns = [
    path(
        "watchlist/calendar/",
        calendar_views.calendar_subscription,
        name="calendar-subscription",
    ),
    path(
        "watchlist/calendar/create/",
        calendar_views.calendar_feed_create,
        name="calendar-feed-create",
    ),
    path(
        "watchlist/calendar/revoke/",
        calendar_views.calendar_feed_revoke,
        name="calendar-feed-revoke",
    ),
    # No session: the secret in the address authenticates (access/declarations.py, url_token).
    path("calendar/<str:secret>.ics", calendar_views.calendar_feed, name="calendar-feed"),
]
