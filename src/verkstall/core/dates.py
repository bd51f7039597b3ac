"""Parsing of dates and times from forms and the API, with Swedish messages."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from . import clock


def parse_date(value, field: str, errors: dict[str, str], *, required: bool = True):
    """A date from a date or an ISO string; records a message under `field` if it is bad."""
    if value in (None, ""):
        if required:
            errors[field] = "Ange ett datum."
        return None
    if isinstance(value, datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors[field] = "Ogiltigt datum; skriv det som ÅÅÅÅ-MM-DD."
        return None


def parse_moment(value, field: str, errors: dict[str, str]):
    """An aware datetime (None stays None); naive times are Swedish local time."""
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
