"""Writes of the months app: the municipality's month settings (SPEC R9.1, R11.4: the days
of the reminder are the municipality's, not a constant)."""

from __future__ import annotations

from django.db import transaction

from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.core.errors import PermissionDenied, ValidationFailed

from .models import MonthSettings
from .periods import parse_days_before


@transaction.atomic
def save_month_settings(actor, *, reminder_days) -> MonthSettings:
    """The LOV administrator sets on which days before the month's deadline the reminder goes
    out (`reminder_days`: a list of whole days, or a text such as "3, 1"; empty: none)."""
    if actor.role_enum != Role.LOV_ADMIN or actor.municipality_id is None:
        raise PermissionDenied("Endast kommunens LOV-administratör ändrar månadsinställningarna.")
    if isinstance(reminder_days, (list, tuple)):
        reminder_days = ", ".join(str(d) for d in reminder_days)
    try:
        days = parse_days_before(str(reminder_days or ""))
    except ValueError as exc:
        raise ValidationFailed({"reminder_days": str(exc)}) from None
    settings, _ = MonthSettings.objects.select_for_update().get_or_create(
        municipality_id=actor.municipality_id
    )
    settings.reminder_days = days
    settings.updated_by = actor
    settings.updated_at = clock.now()
    settings.save()
    return settings
