"""Writes of protected identity (SPEC R10.1, R10.5): the protection flag, the named staff who
may see the protected data (four eyes: `ProtectionRequest`), and the oral briefing of the
provider's unit manager that must come before an order goes out."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from verkstall.access.policies import require_officer_of_unit
from verkstall.core import clock
from verkstall.core.dates import parse_past_moment
from verkstall.core.errors import DomainError, PermissionDenied, ValidationFailed
from verkstall.core.order_states import CLOSED
from verkstall.journal.case_services import write_case_entry

from . import selectors
from .models import (
    OralBriefing,
    Person,
    ProtectedDataAccess,
    Protection,
    ProtectionRequest,
    ProtectionRequestKind,
)

# --- Protected identity (SPEC R10.1, R10.5) -------------------------------------------------

PROTECTION_JOURNAL_TITLE = "Skyddade personuppgifter"


class OralBriefingMissing(DomainError):
    """An order for a protected client may not go out before the officer has recorded that
    the provider's unit manager was told orally (R10.1). A conflict with the client's state,
    not bad input: 409, naming what the briefing needs."""

    status_code = 409
    code = "oral_briefing_missing"
    missing = ("told_name", "told_at")

    def __init__(self, message: str, *, order_id: int, provider: str):
        super().__init__(message)
        self.order_id = order_id
        self.provider = provider

    def as_dict(self) -> dict:
        return {
            "detail": self.message,
            "code": self.code,
            "order": self.order_id,
            "provider": self.provider,
            "missing": list(self.missing),
        }


def _journal(actor, person: Person, text: str) -> None:
    write_case_entry(actor, person=person, title=PROTECTION_JOURNAL_TITLE, text=text)


def _user_label(user) -> str:
    name = user.get_full_name() or user.username
    return f"{name} ({user.organisation_name})"


def _grant(actor, person: Person, user, reason: str = "") -> ProtectedDataAccess:
    existing = ProtectedDataAccess.objects.filter(
        person=person, user=user, revoked_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    person.__dict__.pop("_protected_access", None)
    return ProtectedDataAccess.objects.create(
        municipality_id=person.municipality_id,
        person=person,
        user=user,
        granted_by=actor,
        granted_at=clock.now(),
        reason=reason[:200],
    )


# Raising protection needs one officer; anything that opens protected data up needs two.


@transaction.atomic
def set_protection(actor, person: Person, *, protection: str) -> Person | ProtectionRequest:
    """Set, raise, lower or clear the client's protected personal data (R10.1). The client's
    officer only.

    Raising it (from none, or to protected registration) takes effect at once: the data is
    only hidden from more people. Marking a client who had none names the officer who set it
    as the first of the named staff (R10.5): they had the data and must be able to keep the
    case going. Clearing or lowering it opens the data up, so it waits for a second officer of
    the unit (four eyes, issue 11): a pending `ProtectionRequest` is returned instead, and
    `decide_protection_request` applies it. Both steps are written to the case journal."""
    require_officer_of_unit(actor, person.unit_id, "ändra skyddade personuppgifter")
    if protection not in Protection.values:
        raise ValidationFailed({"protection": "Välj ett av alternativen."})
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.protection == protection:
        return person
    if Protection.strength(protection) > Protection.strength(person.protection):
        return _apply_protection(actor, person, protection)
    if ProtectionRequest.objects.filter(
        person=person, kind=ProtectionRequestKind.PROTECTION, decided_at__isnull=True
    ).exists():
        raise ValidationFailed(
            {"protection": "Det finns redan en ändring av markeringen som väntar på godkännande."}
        )
    request = ProtectionRequest.objects.create(
        municipality_id=person.municipality_id,
        person=person,
        kind=ProtectionRequestKind.PROTECTION,
        from_protection=person.protection,
        protection=protection,
        requested_by=actor,
    )
    _journal(
        actor,
        person,
        f"Begäran om att ändra markeringen från {person.get_protection_display()} till "
        f"{Protection(protection).label}. Väntar på godkännande av en annan handläggare.",
    )
    return request


def _apply_protection(actor, person: Person, protection: str) -> Person:
    """The change itself, once it may take effect (locked person row)."""
    now = clock.now()
    previous = person.get_protection_display()
    was_protected = person.is_protected
    person.protection = protection
    person.protection_set_by = actor
    person.protection_set_at = now
    person.save(update_fields=["protection", "protection_set_by", "protection_set_at"])
    # A change still waiting was asked from the level that held before this one: void it.
    ProtectionRequest.objects.filter(
        person=person, kind=ProtectionRequestKind.PROTECTION, decided_at__isnull=True
    ).exclude(from_protection=protection).update(decided_by=actor, decided_at=now, approved=False)
    if person.is_protected:
        if not was_protected:
            _grant(actor, person, actor, "Markerade skyddade personuppgifter")
        _journal(
            actor,
            person,
            f"Klienten har skyddade personuppgifter: {person.get_protection_display()}. "
            "Adress, vistelseort, telefon och anhöriga visas bara för namngiven personal.",
        )
    else:
        ProtectedDataAccess.objects.filter(person=person, revoked_at__isnull=True).update(
            revoked_by=actor, revoked_at=now
        )
        ProtectionRequest.objects.filter(
            person=person, kind=ProtectionRequestKind.GRANT, decided_at__isnull=True
        ).update(decided_by=actor, decided_at=now, approved=False)
        _journal(
            actor,
            person,
            f"Markeringen för skyddade personuppgifter ({previous}) är borttagen. "
            "Behörigheterna till de skyddade uppgifterna är återkallade.",
        )
    person.__dict__.pop("_protected_access", None)
    return person


@transaction.atomic
def request_protected_access(actor, person: Person, *, user, reason: str = "") -> ProtectionRequest:
    """Ask that a staff member may see the client's protected data (R10.5). An officer of the
    client's unit asks, for a colleague or for themselves; the user must be one who may see the
    client at all. Nobody has access until another officer of the unit approves it (four eyes,
    issue 11): `decide_protection_request`."""
    require_officer_of_unit(actor, person.unit_id, "begära behörighet till skyddade uppgifter")
    person = Person.objects.select_for_update().get(pk=person.pk)
    if not person.is_protected:
        raise ValidationFailed({"user": "Klienten har inga skyddade personuppgifter."})
    user_id = getattr(user, "pk", user)
    candidate = selectors.grantable_users(actor, person).filter(pk=user_id).first()
    if candidate is None:
        already = ProtectedDataAccess.objects.filter(
            person=person, user_id=user_id, revoked_at__isnull=True
        ).exists()
        raise ValidationFailed(
            {
                "user": "Personen har redan behörighet."
                if already
                else "Välj någon som arbetar med klienten (handläggare på enheten, "
                "avgiftshandläggare eller personal hos klientens utförare)."
            }
        )
    if _pending_grant(person, candidate) is not None:
        raise ValidationFailed({"user": "En begäran för personen väntar redan på godkännande."})
    return _ask_grant(actor, person, candidate, reason)


def _pending_grant(person: Person, user) -> ProtectionRequest | None:
    return ProtectionRequest.objects.filter(
        person=person, kind=ProtectionRequestKind.GRANT, user=user, decided_at__isnull=True
    ).first()


def _ask_grant(actor, person: Person, user, reason: str) -> ProtectionRequest | None:
    """A pending request that `user` may see the protected data; None if they already may or
    a request already waits."""
    already = ProtectedDataAccess.objects.filter(
        person=person, user=user, revoked_at__isnull=True
    ).exists()
    if already or _pending_grant(person, user) is not None:
        return None
    request = ProtectionRequest.objects.create(
        municipality_id=person.municipality_id,
        person=person,
        kind=ProtectionRequestKind.GRANT,
        user=user,
        reason=(reason or "").strip()[:200],
        requested_by=actor,
    )
    _journal(
        actor,
        person,
        f"Begäran om behörighet till skyddade uppgifter för {_user_label(user)}. "
        "Väntar på godkännande av en annan handläggare.",
    )
    return request


def _locked_row_of(model, row, person: Person, field: str, unknown: str):
    """The client's row of `model` (an instance or an id), locked; a 400 on `field` if the
    id names no row of this client."""
    try:
        return model.objects.select_for_update().get(
            pk=getattr(row, "pk", row), person_id=person.pk
        )
    except (model.DoesNotExist, ValueError, TypeError):
        raise ValidationFailed({field: unknown}) from None


@transaction.atomic
def decide_protection_request(
    actor, person: Person, *, request, approve: bool
) -> ProtectionRequest:
    """Approve or reject a pending request (four eyes, issue 11; R10.1, R10.5). Another
    officer of the client's unit decides: never the one who asked, and never the one who would
    be given access. Approving applies the grant or the protection change in the same
    transaction; both outcomes are written to the case journal."""
    require_officer_of_unit(actor, person.unit_id, "godkänna ändringar av skyddade uppgifter")
    request = _locked_row_of(ProtectionRequest, request, person, "request", "Okänd begäran.")
    if not request.is_pending:
        raise ValidationFailed({"request": "Begäran är redan avgjord."})
    if not request.may_be_decided_by(actor):
        raise PermissionDenied(
            "Du kan inte godkänna eller avslå din egen begäran; en annan handläggare på "
            "enheten gör det."
            if request.requested_by_id == actor.pk
            else "Du kan inte avgöra en begäran om behörighet för dig själv."
        )
    person = Person.objects.select_for_update().get(pk=person.pk)
    request.decided_by = actor
    request.decided_at = clock.now()
    request.approved = bool(approve)
    request.save(update_fields=["decided_by", "decided_at", "approved"])
    outcome = "godkändes" if approve else "avslogs"
    if request.kind == ProtectionRequestKind.GRANT:
        text = f"Begäran om behörighet för {_user_label(request.user)} {outcome}."
        if approve:
            if not person.is_protected:
                raise ValidationFailed({"request": "Klienten har inte längre skyddade uppgifter."})
            if not selectors.grantable_users(actor, person).filter(pk=request.user_id).exists():
                raise ValidationFailed(
                    {
                        "request": "Personen kan inte längre få behörighet (har den redan, "
                        "eller arbetar inte längre med klienten)."
                    }
                )
            _grant(actor, person, request.user, request.reason)
            text += " Behörighet till skyddade uppgifter gavs."
        _journal(actor, person, text)
    else:
        if approve and person.protection != request.from_protection:
            raise ValidationFailed(
                {"request": "Markeringen har ändrats sedan begäran gjordes; gör en ny begäran."}
            )
        label = Protection(request.protection).label
        _journal(actor, person, f"Begäran om att ändra markeringen till {label} {outcome}.")
        if approve:
            _apply_protection(actor, person, request.protection)
    return request


@transaction.atomic
def revoke_protected_access(actor, person: Person, *, grant) -> ProtectedDataAccess:
    """Take a named staff member's access away (R10.5); the grant is kept as history."""
    require_officer_of_unit(actor, person.unit_id, "återkalla behörighet till skyddade uppgifter")
    grant = _locked_row_of(ProtectedDataAccess, grant, person, "grant", "Okänd behörighet.")
    if grant.revoked_at is not None:
        raise ValidationFailed({"grant": "Behörigheten är redan återkallad."})
    grant.revoked_by = actor
    grant.revoked_at = clock.now()
    grant.save(update_fields=["revoked_by", "revoked_at"])
    label = _user_label(grant.user)
    _journal(actor, person, f"Behörighet till skyddade uppgifter återkallades för {label}.")
    person.__dict__.pop("_protected_access", None)
    return grant


@transaction.atomic
def record_oral_briefing(
    actor, order, *, told_name: str = "", told_at=None, told_user=None, provider=None
) -> OralBriefing:
    """Record that the officer told the provider's unit manager orally about the order for a
    protected client (R10.1; seed 002 §Skyddade personuppgifter): who was told (a name, and
    the manager's user account if there is one), when (not in the future), by whom.

    The told manager's user gets access to the protected data (R10.5): the manager is the one
    the routine names as needing to know, and plans the work with it. Staff below the manager
    are named by the officer one by one."""
    from verkstall.access.roles import Role as _Role

    require_officer_of_unit(actor, order.unit_id, "registrera muntlig underrättelse")
    person = Person.objects.select_for_update().get(pk=order.person_id)
    if not person.is_protected:
        raise ValidationFailed({"order": "Klienten har inga skyddade personuppgifter."})
    if order.state in CLOSED:
        raise ValidationFailed(
            {"order": "Beställningen är avslutad eller makulerad; ingen underrättelse behövs."}
        )
    errors: dict[str, str] = {}
    providers = selectors.briefing_providers(order)
    provider_obj = order.provider
    if provider not in (None, ""):
        provider_id = getattr(provider, "pk", provider)
        matches = [p for p in providers if str(p.pk) == str(provider_id)]
        if matches:
            provider_obj = matches[0]
        else:
            errors["provider"] = "Utföraren är varken beställningens eller ett pågående bytes."
    manager = None
    if told_user not in (None, ""):
        user_id = getattr(told_user, "pk", told_user)
        manager = selectors.provider_managers(provider_obj).filter(pk=user_id).first()
        if manager is None:
            errors["told_user"] = f"Välj en enhetschef hos {provider_obj.name}."
    name = (told_name or "").strip() or (
        (manager.get_full_name() or manager.username) if manager else ""
    )
    if not name:
        errors["told_name"] = "Ange vem hos utföraren som underrättades."
    moment = parse_past_moment(
        told_at, "told_at", errors, missing="Ange när enhetschefen underrättades."
    )
    if errors:
        raise ValidationFailed(errors)
    briefing = OralBriefing.objects.create(
        municipality_id=order.municipality_id,
        person=person,
        order=order,
        provider=provider_obj,
        told_name=name[:200],
        told_user=manager,
        told_at=moment,
        recorded_by=actor,
        recorded_at=clock.now(),
    )
    if manager is not None and manager.role_enum == _Role.PROVIDER_MANAGER:
        # The briefed manager asks to see the data in the system too; as every grant, it
        # waits for a second officer of the unit (four eyes, issue 11).
        _ask_grant(actor, person, manager, f"Muntligt underrättad om beställning nr {order.pk}")
    local = timezone.localtime(moment)
    _journal(
        actor,
        person,
        f"Enhetschefen hos {provider_obj.name}, {name}, underrättades muntligt "
        f"{local:%Y-%m-%d %H:%M} om beställning nr {order.pk} för en klient med skyddade "
        "personuppgifter.",
    )
    return briefing


def require_oral_briefing(order) -> None:
    """The guard of every path that sends an order (R10.1): a protected client's order goes
    out only after a recorded oral briefing of its provider's unit manager."""
    person = order.person
    if not person.is_protected or selectors.briefing_covers(order):
        return
    provider = order.provider.name
    raise OralBriefingMissing(
        f"Klienten har skyddade personuppgifter. Innan beställningen skickas ska du "
        f"underrätta enhetschefen hos {provider} muntligt och registrera det: vem som "
        "underrättades och när.",
        order_id=order.pk,
        provider=provider,
    )
