"""Parsing of dates and times from forms and the API, with Swedish messages, and the window
every entered date must fall in.

Every date and time a user, a client system or a command gives is checked against one window
(issue 11: a decision dated 0001-01-01 made a due item in year 1 BC that took down the
watchlists): from `settings.VERKSTALL_EARLIEST_DATE` (default 1990-01-01) to the end of the
year `settings.VERKSTALL_YEARS_AHEAD` (default 10) years from today. The serializer and form
fields of `core.date_fields` and the parsers below (which every service uses) apply it, so the
screens, the API and the services refuse the same dates with the same message.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import timezone

from . import clock

DEFAULT_EARLIEST_DATE = date(1990, 1, 1)
DEFAULT_YEARS_AHEAD = 10

#: Moments any Python datetime can hold in every time zone: a stored value outside them cannot
#: be read back (PostgreSQL keeps years BC that psycopg refuses) or shown in local time. Lists
#: read only rows inside them (deadlines.selectors), so one bad row never takes a list down.
READABLE_MIN = datetime(1, 1, 2, tzinfo=UTC)
READABLE_MAX = datetime(9999, 12, 30, tzinfo=UTC)


def day_text(day: date) -> str:
    """A day as every letter, journal note and message writes it: 2026-12-22 (ISO, Swedish
    practice)."""
    return f"{day:%Y-%m-%d}"


def date_window() -> tuple[date, date]:
    """The first and the last date a form, the API or a service accepts."""
    earliest = getattr(settings, "VERKSTALL_EARLIEST_DATE", DEFAULT_EARLIEST_DATE)
    if isinstance(earliest, str):
        earliest = date.fromisoformat(earliest)
    years = int(getattr(settings, "VERKSTALL_YEARS_AHEAD", DEFAULT_YEARS_AHEAD))
    return earliest, date(clock.today().year + years, 12, 31)


def window_message(*, moment: bool = False) -> str:
    first, last = date_window()
    what = "Tidpunkten" if moment else "Datumet"
    return f"{what} måste ligga mellan {first:%Y-%m-%d} och {last:%Y-%m-%d}."


def local_day(moment: datetime) -> date | None:
    """The Swedish calendar day of a moment (a naive one is local time already); None when the
    moment is so near year 1 or 9999 that local time cannot hold it."""
    if timezone.is_naive(moment):
        return moment.date()
    try:
        return timezone.localdate(moment)
    except OverflowError:
        return None


def date_in_window(day: date) -> bool:
    first, last = date_window()
    return first <= day <= last


def moment_in_window(moment: datetime) -> bool:
    day = local_day(moment)
    return day is not None and date_in_window(day)


def parse_date(value, field: str, errors: dict[str, str], *, required: bool = True):
    """A date from a date or an ISO string; records a message under `field` if it is bad or
    outside the window."""
    if value in (None, ""):
        if required:
            errors[field] = "Ange ett datum."
        return None
    if isinstance(value, datetime):
        day = local_day(value)
    elif isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value))
        except ValueError:
            errors[field] = "Ogiltigt datum; skriv det som ÅÅÅÅ-MM-DD."
            return None
    if day is None or not date_in_window(day):
        errors[field] = window_message()
        return None
    return day


def parse_moment(value, field: str, errors: dict[str, str]):
    """An aware datetime (None stays None); naive times are Swedish local time. A moment
    outside the window is recorded as an error (checked before any time zone arithmetic, so a
    naive time near year 1 or 9999 cannot overflow)."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            errors[field] = "Ogiltig tidpunkt; skriv den som ÅÅÅÅ-MM-DD TT:MM."
            return None
    if not moment_in_window(moment):
        errors[field] = window_message(moment=True)
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def parse_past_moment(value, field: str, errors: dict[str, str], *, missing: str):
    """A required moment that has happened: `missing` names what to give when it is absent."""
    moment = parse_moment(value, field, errors)
    if moment is None and field not in errors:
        errors[field] = missing
    elif moment is not None and moment > clock.now():
        errors[field] = "Tidpunkten kan inte ligga i framtiden."
    return moment


def parse_decimal(value, field: str, errors: dict[str, str]):
    if value in (None, ""):
        errors[field] = "Ange ett värde."
        return None
    try:
        number = Decimal(str(value).replace(",", "."))
    except InvalidOperation:
        errors[field] = "Ange ett tal."
        return None
    if not number.is_finite():
        errors[field] = "Ange ett tal."
        return None
    return number
