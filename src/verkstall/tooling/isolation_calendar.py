"""The isolation proof's calendar feeds (issue 17 item 7; deadlines/calendar_views.py): every
user of the world whose role has a watchlist subscribes to their due items, and the feed is
fetched as a calendar program fetches it, with no session. Each event must be a due item the
oracle lets that user see (tooling/isolation_oracle.py), and no canary and no personnummer of
any client may be in it, the user's own clients' included: a feed holds initials and numbers
only. Mixed into tooling/isolation_checker.Checker."""

from __future__ import annotations

import re

from verkstall.access import declarations
from verkstall.tooling import canaries

FEED_VIEW = "verkstall.deadlines.calendar_views.calendar_feed"
FEED_ENDPOINT = "FEED calendar/{secret}.ics"
UID = re.compile(r"^UID:bevakning-(\d+)@verkstall$", re.MULTILINE)


class CalendarFeeds:
    """The checker's fetches of the users' calendar feeds."""

    def _anything_of_a_client(self) -> dict[str, str]:
        """Every canary and every personnummer form of the world: none belongs in a feed."""
        found = {rec.token: f"{rec.what} (in a calendar feed)" for rec in self.w.canaries}
        for person, number in self.w.numbers.items():
            for form in canaries.number_forms(number):
                found[form] = f"personnummer of client {person} (in a calendar feed)"
        return found

    def calendar_feeds(self) -> int:
        """Subscribe every user with a watchlist and check their feed; returns the fetches."""
        from django.test import Client

        from verkstall.deadlines import calendar_feed_services

        roles = declarations.VIEWS[FEED_VIEW].roles
        self.w.refresh_derived()  # the due items as the operations so far left them
        self.oracle.clear()
        forbidden = self._anything_of_a_client()
        fetched = 0
        for user in self.w.users:
            if user.role_enum not in roles:
                continue
            _feed, secret = calendar_feed_services.create_feed(user)
            response = Client().get(f"/calendar/{secret}.ics")
            fetched += 1
            self.stats.endpoints[FEED_ENDPOINT] += 1
            self.stats.statuses[response.status_code] += 1
            where = f"{user.username} ({user.role}): GET /calendar/<secret>.ics"
            if response.status_code != 200:
                self.stats.errors.append(f"{where}: {response.status_code}")
                continue
            text = canaries.response_text(response)
            self.stats.scanner.scan(
                text, forbidden, kind=canaries.response_kind(response), where=where
            )
            visible = self.oracle.due_items(user)
            for pk in map(int, UID.findall(text.replace("\r\n", "\n"))):
                self.stats.ids_checked += 1
                if pk not in visible:
                    self._crossing(user, f"{where}: due item {pk} outside the user's set")
        return fetched
