"""Assignment by the no-choice rotation (ickeval, turordning; SPEC R2.4).

One assignment is one transaction: the rotation's row (one per area and service kind) is
locked with SELECT ... FOR UPDATE, so two officers assigning at the same moment queue for it
and never get the same turn; the state, the assignment, the provider choice, the case-journal
entry and the decision's due items are all written before the lock is released.
"""

from __future__ import annotations

from django.db import transaction

from verkstall.access.policies import require_officer_of_unit
from verkstall.core import clock
from verkstall.core.errors import DomainError, NotFound, ValidationFailed
from verkstall.deadlines.engine import recompute_decision
from verkstall.decisions.models import GrantedService
from verkstall.journal.case_services import write_case_entry
from verkstall.journal.models import CaseJournalEntry
from verkstall.people.selectors import area_name_for

from . import rotation
from .models import ProviderChoice, RotationAssignment, RotationState
from .rotation_selectors import current_choice, kind_label, no_choice_candidates

JOURNAL_TITLE = "Ickeval – tilldelad enligt turordning"


class RotationRefused(DomainError):
    """No assignment by rotation is possible now (everyone at the cap, already chosen)."""

    status_code = 409
    code = "rotation_refused"


class TurnMoved(RotationRefused):
    """The turn went to another provider after the officer confirmed the one shown."""

    code = "rotation_turn_moved"


def _locked_state(*, municipality_id: int, area_id: int, kind: str) -> RotationState:
    """The rotation's row, created if missing, locked until the transaction ends.

    The insert is INSERT ... ON CONFLICT DO NOTHING, so two first assignments at the same
    moment both end up locking the one row instead of one failing on the unique constraint.
    On SQLite the whole write transaction is exclusive (transaction_mode IMMEDIATE), which
    serialises assignments just the same.
    """
    RotationState.objects.bulk_create(
        [RotationState(municipality_id=municipality_id, area_id=area_id, service_kind=kind)],
        ignore_conflicts=True,
    )
    return RotationState.objects.select_for_update().get(area_id=area_id, service_kind=kind)


def _journal_text(assignment: RotationAssignment, service_name: str) -> str:
    lines = [
        f"Brukaren har inte gjort något aktivt val av utförare för {service_name}.",
        (
            "Ickevalsalternativet tillämpas enligt turvalsprincipen (turordning i "
            f"bokstavsordning) för {kind_label(assignment.service_kind).lower()} i området "
            f"{area_name_for(None, assignment.person, assignment.area)}."
        ),
        f"Tilldelad utförare: {assignment.provider.name}.",
        f"Skäl: {assignment.reason}",
    ]
    if assignment.passed_over:
        lines.append("Passerade i turordningen:")
        lines += [f"- {p['name']}: {p['reason']}" for p in assignment.passed_over]
    lines.append(
        "Brukaren informeras skriftligt om tilldelningen och om möjligheten att senare välja "
        "en annan utförare."
    )
    return "\n".join(lines)


@transaction.atomic
def assign_by_rotation(
    actor, *, granted_service, expected_provider_id: int | None = None
) -> RotationAssignment:
    """Assign a provider to a granted LOV service by the no-choice rotation (R2.4).

    For an officer of the client's unit. The rotation is the one of the client's area and
    the service type's kind; the candidates are the providers with a contract valid today
    in the no-choice alternative there (see rotation_selectors.no_choice_candidates); one
    at its cap is passed over and keeps its turn (rotation.assign). Writes the assignment,
    the provider choice (kind "rotation"), a case-journal entry, and recomputes the
    decision's due items. The returned assignment carries `letter_text` for the client.
    `expected_provider_id`: the provider the officer confirmed (issue 17 item 3); when the
    turn has moved on to another by the time the rotation is locked, nothing is assigned.
    """
    pk = getattr(granted_service, "pk", granted_service)
    try:
        gs = GrantedService.objects.select_related(
            "service_type", "decision__person__area", "decision__unit"
        ).get(pk=pk)
    except (GrantedService.DoesNotExist, ValueError, TypeError):
        raise NotFound("Insatsen finns inte.") from None
    decision = gs.decision
    person = decision.person
    if actor.municipality_id != gs.municipality_id:
        raise NotFound("Insatsen finns inte.")
    require_officer_of_unit(actor, person.unit_id, "tilldela utförare enligt turordning")

    today = clock.today()
    stype = gs.service_type
    if not stype.lov:
        raise ValidationFailed(
            {"granted_service": f"{stype.name} omfattas inte av valfrihetssystemet (LOV)."}
        )
    if gs.valid_to and gs.valid_to < today:
        raise ValidationFailed({"granted_service": "Insatsen har upphört att gälla."})
    if person.area_id is None:
        raise ValidationFailed(
            {"area": "Klienten har inget hemtjänstområde. Ange område innan tilldelning."}
        )
    kind = stype.kind

    state = _locked_state(municipality_id=gs.municipality_id, area_id=person.area_id, kind=kind)
    # Checked under the lock: a second officer assigning the same service waits for the
    # first and then sees its choice.
    existing = current_choice(gs)
    if existing is not None:
        raise RotationRefused(
            f"Insatsen har redan en utförare ({existing.provider.name}, "
            f"{existing.get_kind_display().lower()}). Ett nytt val registreras som omval."
        )
    outcome = rotation.assign(
        no_choice_candidates(
            municipality_id=gs.municipality_id,
            area_id=person.area_id,
            kind=kind,
            service_type_id=stype.pk,
        ),
        state.cursor_key,
        state.owed,
    )
    if outcome.chosen is None:
        raise RotationRefused(outcome.refusal)
    if expected_provider_id is not None and outcome.chosen.provider_id != expected_provider_id:
        raise TurnMoved("Turordningen har ändrats sedan du kontrollerade. Kontrollera igen.")

    state.cursor_key = outcome.cursor_key
    state.owed = outcome.owed
    state.save(update_fields=["cursor_key", "owed", "updated_at"])
    now = clock.now()
    assignment = RotationAssignment.objects.create(
        municipality_id=gs.municipality_id,
        area_id=person.area_id,
        service_kind=kind,
        person=person,
        granted_service=gs,
        provider_id=outcome.chosen.provider_id,
        reason=outcome.reason[:300],
        passed_over=[
            {"provider_id": p.provider_id, "name": p.name, "reason": p.reason}
            for p in outcome.passed_over
        ],
        assigned_by=actor,
        assigned_at=now,
    )
    ProviderChoice.objects.create(
        municipality_id=gs.municipality_id,
        person=person,
        granted_service=gs,
        provider_id=outcome.chosen.provider_id,
        kind=ProviderChoice.Kind.ROTATION,
        registered_by=actor,
        registered_at=now,
    )
    write_case_entry(
        actor,
        person=person,
        title=JOURNAL_TITLE,
        text=_journal_text(assignment, stype.name),
        kind=CaseJournalEntry.Kind.ROTATION,
    )
    recompute_decision(decision)
    assignment.letter_text = rotation_letter_text(assignment)
    return assignment


def rotation_letter_text(assignment: RotationAssignment) -> str:
    """The letter to the client (Swedish): who the provider is, that it was assigned because
    no choice was made, and that the client may choose another provider later [002]."""
    person = assignment.person
    provider = assignment.provider
    service = assignment.granted_service.service_type.name
    officer = assignment.assigned_by
    contact = [
        v for v in (provider.phone, provider.email, provider.postal_address) if (v or "").strip()
    ]
    paragraphs = [
        f"Hej {person.first_name} {person.last_name},",
        (
            f"Du har beviljats insatsen {service}. Eftersom du inte har valt någon utförare har "
            "kommunen tilldelat dig en utförare enligt ickevalsalternativet, det vill säga "
            f"turordningen mellan utförarna i ditt område "
            f"({area_name_for(None, assignment.person, assignment.area)})."
        ),
        f"Din utförare är {provider.name}."
        + (f" Kontaktuppgifter: {', '.join(contact)}." if contact else ""),
        (
            "Du kan när som helst senare välja en annan utförare. Kontakta din "
            "biståndshandläggare om du vill välja en annan utförare."
        ),
        "Med vänlig hälsning",
        "\n".join(
            line
            for line in (officer.get_full_name() or officer.username, officer.organisation_name)
            if line
        ),
    ]
    return "\n\n".join(paragraphs)
