"""Reads of the temporary stays posted by another municipality's e-service (SPEC R8.4).

Only the placement unit of the receiving municipality sees them; every other role sees none.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from verkstall.access.models import Unit
from verkstall.core.errors import NotFound

from .models import IntakeState, StayIntake
from .selectors import is_placement_unit

NOTHING = Q(pk__in=[])


def intake_scope(user) -> Q:
    """The intakes the user may see: the placement unit's own municipality (R8.4)."""
    if is_placement_unit(user) and user.municipality_id:
        return Q(municipality_id=user.municipality_id)
    return NOTHING


def intakes_for(user) -> QuerySet[StayIntake]:
    return StayIntake.objects.filter(intake_scope(user)).select_related("person", "unit")


def pending_intakes(user) -> QuerySet[StayIntake]:
    return intakes_for(user).filter(state=IntakeState.PENDING).order_by("stay_from", "id")


def handled_intakes(user, limit: int = 20) -> list[StayIntake]:
    rows = intakes_for(user).exclude(state=IntakeState.PENDING).order_by("-handled_at", "-id")
    return list(rows[:limit])


def get_intake(user, pk) -> StayIntake:
    try:
        return intakes_for(user).get(pk=pk)
    except (StayIntake.DoesNotExist, ValueError, TypeError):
        raise NotFound("Ärendet finns inte eller så saknar du behörighet.") from None


def receiving_units(user) -> QuerySet[Unit]:
    """The myndighet units of the user's municipality: one of them gets the client."""
    return Unit.objects.filter(municipality_id=user.municipality_id).order_by("name")
