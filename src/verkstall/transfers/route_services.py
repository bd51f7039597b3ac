"""The municipality's transfer routes (SPEC R1.4): which unit's clients move to which unit at
what age, for which kinds of service, and how many days before the birthday the officer sees
them. Municipal data, set by the municipality's LOV administrator or system administrator
(tooling/demo.py sets Solna's: socialpsykiatri's housing support to the elderly care at 65,
seed 003)."""

from __future__ import annotations

from django.db import transaction

from verkstall.access.roles import Role
from verkstall.core.errors import PermissionDenied, ValidationFailed
from verkstall.decisions.catalogue import ServiceKind

from .models import TransferRoute, default_service_kinds

ROUTE_ADMINS = frozenset({Role.LOV_ADMIN, Role.SYSTEM_ADMIN})


@transaction.atomic
def set_transfer_route(
    actor,
    *,
    from_unit,
    to_unit,
    at_age: int = 65,
    notice_days: int = 90,
    service_kinds: list[str] | None = None,
    source: str = "",
) -> TransferRoute:
    """Create or replace the route out of `from_unit`. `actor` None: the installation's own
    setup (like the units themselves, access.services.ensure_unit: the demo data)."""
    if actor is not None and (
        actor.role_enum not in ROUTE_ADMINS or actor.municipality_id != from_unit.municipality_id
    ):
        raise PermissionDenied("Endast kommunens administratör ändrar överlämningarna.")
    errors: dict[str, str] = {}
    if to_unit.municipality_id != from_unit.municipality_id:
        errors["to_unit"] = "Enheten hör till en annan kommun."
    elif to_unit.pk == from_unit.pk:
        errors["to_unit"] = "Välj en annan enhet än den som lämnar över."
    if not isinstance(at_age, int) or not 1 <= at_age <= 120:
        errors["at_age"] = "Ange en ålder mellan 1 och 120."
    if not isinstance(notice_days, int) or not 0 <= notice_days <= 730:
        errors["notice_days"] = "Ange 0–730 dagar."
    kinds = list(service_kinds) if service_kinds else default_service_kinds()
    unknown = sorted(set(kinds) - {k.value for k in ServiceKind})
    if unknown:
        errors["service_kinds"] = f"Okänt insatsslag: {', '.join(unknown)}."
    if errors:
        raise ValidationFailed(errors)
    route, _created = TransferRoute.objects.update_or_create(
        from_unit=from_unit,
        defaults={
            "municipality_id": from_unit.municipality_id,
            "to_unit": to_unit,
            "at_age": at_age,
            "notice_days": notice_days,
            "service_kinds": kinds,
            "source": (source or "").strip()[:200],
        },
    )
    return route
