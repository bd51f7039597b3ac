"""API clients and their keys, made and ended by the provider's unit manager (issue 20 item 3).

Each client is a user of its own (role provider staff, the maker's provider and unit, no
password: it cannot sign in on screen), so the access log and the order history name the
system. Its keys are `access.ApiToken`s: hashed at rest, expiring, revocable; a client that may
only read gets read-only keys (a write is 403)."""

from __future__ import annotations

import secrets

from django.db import transaction

from verkstall.access.models import ApiToken, User
from verkstall.access.roles import Role
from verkstall.access.token_services import issue_token
from verkstall.core import clock
from verkstall.core.errors import PermissionDenied, ValidationFailed

from .models import ApiClient, WebhookEndpoint


def require_manager(actor) -> None:
    if actor.role_enum != Role.PROVIDER_MANAGER or actor.provider_id is None:
        raise PermissionDenied("Bara utförarens enhetschef hanterar API-klienter.")


def require_own(actor, client: ApiClient) -> None:
    require_manager(actor)
    if client.provider_id != actor.provider_id:
        raise PermissionDenied("API-klienten hör till en annan utförare.")


@transaction.atomic
def create_client(actor, *, name: str, can_write: bool, days: int | None = None):
    """A new API client of the manager's provider and its first key. Returns (client, key);
    the key is shown once."""
    require_manager(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed({"name": "Ge systemet ett namn, till exempel Planeringssystemet."})
    if len(name) > 100:
        raise ValidationFailed({"name": "Namnet får vara högst 100 tecken."})
    if ApiClient.objects.filter(
        provider_id=actor.provider_id, name__iexact=name, ended_at__isnull=True
    ).exists():
        raise ValidationFailed({"name": "Det finns redan en API-klient med det namnet."})
    user = User(
        username=f"api-{actor.provider_id}-{secrets.token_hex(4)}",
        first_name="API",
        last_name=name[:150],
        role=Role.PROVIDER_STAFF,
        municipality_id=actor.municipality_id,
        provider_id=actor.provider_id,
        provider_unit_id=actor.provider_unit_id,
    )
    user.set_unusable_password()
    user.save()
    client = ApiClient.objects.create(
        user=user,
        provider_id=actor.provider_id,
        name=name,
        can_write=bool(can_write),
        created_by=actor,
    )
    _, key = issue_token(user=user, days=days)
    ApiToken.objects.filter(user=user).update(read_only=not client.can_write)
    return client, key


@transaction.atomic
def issue_client_key(actor, client: ApiClient, *, days: int | None = None):
    """Another key for the client (to change keys without a pause); returns (token, key)."""
    require_own(actor, client)
    if client.ended_at is not None:
        raise ValidationFailed({"client": "API-klienten är avslutad."})
    token, key = issue_token(user=client.user, days=days)
    token.read_only = not client.can_write
    token.save(update_fields=["read_only"])
    return token, key


@transaction.atomic
def revoke_client_key(actor, client: ApiClient, *, token_id: int) -> None:
    require_own(actor, client)
    updated = ApiToken.objects.filter(
        pk=token_id, user=client.user, revoked_at__isnull=True
    ).update(revoked_at=clock.now())
    if not updated:
        raise ValidationFailed({"token": "Nyckeln finns inte eller är redan återkallad."})


@transaction.atomic
def end_client(actor, client: ApiClient) -> None:
    """The system is no longer used: every key revoked, its webhooks stopped, its user
    inactive (the access log keeps its name)."""
    require_own(actor, client)
    now = clock.now()
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if client.ended_at is not None:
        return
    ApiToken.objects.filter(user=client.user, revoked_at__isnull=True).update(revoked_at=now)
    WebhookEndpoint.objects.filter(client=client).update(active=False)
    User.objects.filter(pk=client.user_id).update(is_active=False)
    client.ended_at = now
    client.save(update_fields=["ended_at"])
