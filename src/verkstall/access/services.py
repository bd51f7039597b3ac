"""Writes of tenants, units and users: set-up actions used by the demo data, imports and
administration. Idempotent where the name says `ensure_`."""

from __future__ import annotations

from django.db import transaction

from verkstall.core.errors import ValidationFailed

from .models import Municipality, Unit, User
from .roles import PROVIDER_ROLES, Role


@transaction.atomic
def ensure_municipality(*, code: str, name: str, rule_profile: str) -> tuple[Municipality, bool]:
    if not (code.isdigit() and len(code) == 4):
        raise ValidationFailed({"code": "Kommunkoden ska vara fyra siffror."})
    return Municipality.objects.get_or_create(
        code=code, defaults={"name": name, "rule_profile": rule_profile}
    )


@transaction.atomic
def ensure_unit(*, municipality: Municipality, name: str) -> Unit:
    return Unit.objects.get_or_create(municipality=municipality, name=name)[0]


@transaction.atomic
def create_user(
    *,
    username: str,
    password: str,
    role: Role,
    full_name: str = "",
    municipality: Municipality | None = None,
    unit: Unit | None = None,
    provider=None,
) -> User:
    """A user of one organisation: a provider role needs a provider, an officer a unit."""
    errors = {}
    if User.objects.filter(username=username).exists():
        errors["username"] = "Användarnamnet är upptaget."
    if role in PROVIDER_ROLES and provider is None:
        errors["provider"] = "En utförarroll kräver en utförare."
    if role not in PROVIDER_ROLES and provider is not None:
        errors["provider"] = "Endast utförarroller hör till en utförare."
    if role == Role.OFFICER and unit is None:
        errors["unit"] = "En handläggare måste höra till en enhet."
    if errors:
        raise ValidationFailed(errors)
    first, _, last = full_name.partition(" ")
    user = User(
        username=username,
        first_name=first,
        last_name=last,
        role=role.value,
        municipality=municipality,
        unit=unit,
        provider=provider,
        is_staff=role in (Role.SYSTEM_ADMIN, Role.LOV_ADMIN),
        is_superuser=role == Role.SYSTEM_ADMIN,
    )
    user.set_password(password)
    user.save()
    return user
