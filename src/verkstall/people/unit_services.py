"""Moving a client to another unit of the municipality (SPEC R1.4: the transfer at 65).

The client's unit decides which officers handle the client (people.scoping): after the move
the new unit's officers see the client and the old unit's do not. What the old unit decided
and ordered keeps its own unit (decisions, orders): the caller (transfers.services) records
the move, why and what stays, in the same transaction."""

from __future__ import annotations

from django.db import transaction

from verkstall.access.policies import require_officer_of_unit
from verkstall.core.errors import ValidationFailed

from .models import Person


@transaction.atomic
def move_to_unit(actor, person: Person, *, unit) -> Person:
    """Make `unit` the client's unit. Only an officer of the client's present unit moves it."""
    require_officer_of_unit(actor, person.unit_id, "flytta klienten till en annan enhet")
    person = Person.objects.select_for_update().get(pk=person.pk)
    if unit is None or unit.municipality_id != person.municipality_id:
        raise ValidationFailed({"unit": "Okänd enhet."})
    if unit.pk == person.unit_id:
        raise ValidationFailed({"unit": "Klienten hör redan till enheten."})
    person.unit = unit
    person.save(update_fields=["unit", "updated_at"])
    return person
