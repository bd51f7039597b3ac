"""Reads of users for set-up code (demo data, imports): not scoped to a viewer."""

from __future__ import annotations

from .models import User
from .roles import Role


def user_exists(username: str) -> bool:
    return User.objects.filter(username=username).exists()


def first_user(**filters) -> User | None:
    return User.objects.filter(**filters).order_by("id").first()


def lov_admin_for_import(code: str, username: str | None = None) -> User:
    """The LOV administrator an import command acts as: `username` of municipality `code`, or
    the municipality's first active one. ValueError (in Swedish) when there is none."""
    if username:
        actor = first_user(username=username, municipality__code=code)
        if actor is None or actor.role != Role.LOV_ADMIN.value:
            raise ValueError(f"{username} är inte LOV-administratör i kommun {code}.")
        return actor
    actor = first_user(role=Role.LOV_ADMIN.value, municipality__code=code, is_active=True)
    if actor is None:
        raise ValueError(f"Kommun {code} har ingen LOV-administratör; ange --user.")
    return actor
