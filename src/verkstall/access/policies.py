"""Who may do what: checks that services call before they write (deny by default)."""

from __future__ import annotations

from verkstall.core.errors import PermissionDenied

from .roles import ON_BEHALF_ROLES, PROVIDER_ROLES, Role


def require_officer_of_unit(actor, unit_id: int, what: str) -> None:
    """Only a case officer of the unit that handles the client may do this."""
    if actor.role_enum != Role.OFFICER or actor.unit_id != unit_id:
        raise PermissionDenied(f"Endast handläggare på klientens enhet kan {what}.")


def registers_on_behalf(actor, provider) -> bool:
    """The municipality registers a reply for a provider that is not connected (R3.3): then
    the screens ask how the reply came in (the `channel` field)."""
    return not provider.is_connected and not actor.is_provider_user


def provider_side(actor, provider) -> tuple[bool, object | None]:
    """May the actor act as the provider? Returns (allowed, on_behalf_of_provider).

    A connected provider's own staff act for it. For a provider that is not connected, an
    officer or fee officer of the municipality registers on its behalf (R3.3).
    """
    if actor.role_enum in PROVIDER_ROLES:
        return actor.provider_id == provider.pk, None
    if actor.role_enum in ON_BEHALF_ROLES and actor.municipality_id == provider.municipality_id:
        if provider.is_connected:
            return False, None
        return True, provider
    return False, None
