"""iCalendar (RFC 5545) for the calendar feed of due items (issue 17 item 7). Pure Python.

Only what the feed needs: one VCALENDAR of all-day VEVENTs. Written here rather than taken from
a library because it is this small, and every rule of the format it relies on is tested
(deadlines/tests/test_ical.py):

- every line ends in CRLF (RFC 5545 3.1);
- a line longer than 75 octets is folded: CRLF and one space before the rest, never inside a
  UTF-8 character (3.1), so a continuation line is at most 74 octets after its space;
- TEXT values escape backslash, semicolon and comma, and a newline becomes `\\n` (3.3.11);
- an all-day event is `DTSTART;VALUE=DATE` with `DTEND` the next day (3.6.1); DTSTAMP in UTC.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

CRLF = "\r\n"
#: The longest line in octets, the line break not counted (RFC 5545 3.1).
MAX_OCTETS = 75


@dataclass(frozen=True)
class Event:
    """One all-day event: a stable `uid`, its `day` and its `summary` (plain text, escaped
    here); `url` optional."""

    uid: str
    day: date
    summary: str
    url: str = ""


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): `\\` `;` `,` escaped with a backslash, every line break
    (CRLF, CR or LF) written `\\n`."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """`line` folded to lines of at most MAX_OCTETS octets (UTF-8), joined by CRLF and one
    space; a character is never split between two lines. No CRLF at the end."""
    parts: list[str] = []
    current, size = [], 0
    limit = MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(current))
            current, size = [], 0
            limit = MAX_OCTETS - 1  # a continuation line starts with its space
        current.append(char)
        size += width
    parts.append("".join(current))
    return (CRLF + " ").join(parts)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _day(day: date) -> str:
    return day.strftime("%Y%m%d")


def event_lines(event: Event, *, stamp: datetime) -> list[str]:
    """The unfolded content lines of one VEVENT."""
    lines = [
        "BEGIN:VEVENT",
        f"UID:{escape_text(event.uid)}",
        f"DTSTAMP:{_utc(stamp)}",
        f"DTSTART;VALUE=DATE:{_day(event.day)}",
        f"DTEND;VALUE=DATE:{_day(event.day + timedelta(days=1))}",
        f"SUMMARY:{escape_text(event.summary)}",
        "TRANSP:TRANSPARENT",  # a reminder, not time taken: free/busy is not blocked
    ]
    if event.url:
        lines.append(f"URL:{event.url}")
    lines.append("END:VEVENT")
    return lines


def calendar(
    events: Iterable[Event],
    *,
    stamp: datetime,
    name: str,
    product: str = "-//Verkställ//Bevakningar//SV",
    refresh: str = "PT1H",
) -> str:
    """The whole VCALENDAR as text: each line folded and ended with CRLF. `stamp` (aware) is
    every event's DTSTAMP, the moment the feed was made; `name` the calendar's display name;
    `refresh` (an RFC 5545 duration) how often a client should fetch it again."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{product}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{refresh}",
        f"X-PUBLISHED-TTL:{refresh}",
    ]
    for event in events:
        lines += event_lines(event, stamp=stamp)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)
