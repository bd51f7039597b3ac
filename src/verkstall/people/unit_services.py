"""Moving a client to another unit of the municipality (SPEC R1.4: the transfer at 65).

The client's unit decides which officers handle the client (people.scoping): after the move
the new unit's officers see the client and the old unit's do not. What the old unit decided
and ordered keeps its own unit (decisions, orders): the caller (transfers.services) records
the move, why and what stays, in the same transaction. The move itself is a row of the
client's change history (R1.1): who, when, the old unit and the new, and why."""

from __future__ import annotations

from django.db import transaction

from verkstall.access.policies import require_officer_of_unit
from verkstall.core.errors import ValidationFailed

from .models import Person
from .services import REASON_MAX, record_change

#: The history's reason for a move when the caller gives none.
DEFAULT_REASON = "Överlämning"


@transaction.atomic
def move_to_unit(actor, person: Person, *, unit, reason: str = "") -> Person:
    """Make `unit` the client's unit. Only an officer of the client's present unit moves it.
    The client's history gets the move (field "unit", old and new unit by name) with
    `reason` ("Överlämning" when none is given); the new unit's officers read it there.
    The returned client carries the row in `recorded_change`."""
    require_officer_of_unit(actor, person.unit_id, "flytta klienten till en annan enhet")
    person = Person.objects.select_for_update().select_related("unit").get(pk=person.pk)
    if unit is None or unit.municipality_id != person.municipality_id:
        raise ValidationFailed({"unit": "Okänd enhet."})
    if unit.pk == person.unit_id:
        raise ValidationFailed({"unit": "Klienten hör redan till enheten."})
    old_name = person.unit.name
    person.unit = unit
    person.save(update_fields=["unit", "updated_at"])
    reason = (reason or "").strip()[:REASON_MAX] or DEFAULT_REASON
    person.recorded_change = record_change(
        actor, person, reason=reason, field="unit", old_value=old_name, new_value=unit.name
    )
    return person
