"""Reads of the requests for a service without needs assessment (IUB, SPEC R1.3).

A request is the myndighet's own record about the client: the officers of the client's
current unit read it and act on it (the unit's list of open requests, the client page, the
API), as they read the client itself (people.scoping). After a transfer to another unit
(R1.4, transfers.services) the new unit's officers take the client's requests over and the
unit that took them no longer reads them; `IubRequest.unit` keeps which unit took it. The
order page shows the decision's first request (who asked, when, the first officer) to
everyone who may read the order, read through the decision the order was already found by
(`decision_requests`).

Who asked and the officer's note may name a relative: for a client with protected personal
data they are shown like the relatives (R10.5): to the named staff on a detail page, never in a
list (`shown_request`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from verkstall.access.roles import Role
from verkstall.access.scoping import NOTHING
from verkstall.core.errors import NotFound
from verkstall.people.presentation import PLACEHOLDER
from verkstall.people.selectors import may_see_protected

from .iub_services import channel_label
from .models import IubRequest


def iub_request_scope(user) -> Q:
    """The requests the user may read: the officers of the client's current unit (R1.3,
    R1.4), whichever unit took them."""
    if not user.is_authenticated or user.municipality_id is None:
        return NOTHING
    if user.role_enum == Role.OFFICER:
        return Q(municipality_id=user.municipality_id, person__unit_id=user.unit_id)
    return NOTHING


def iub_requests_for(user) -> QuerySet[IubRequest]:
    return (
        IubRequest.objects.filter(iub_request_scope(user))
        .select_related("person", "service_type", "first_officer", "decision")
        .order_by("-asked_on", "-id")
    )


def open_iub_requests(user) -> QuerySet[IubRequest]:
    """The unit's requests that have not led to a decision yet, oldest first."""
    return iub_requests_for(user).filter(decision__isnull=True).order_by("asked_on", "id")


def person_iub_requests(user, person) -> QuerySet[IubRequest]:
    return iub_requests_for(user).filter(person_id=person.pk)


def get_iub_request(user, pk) -> IubRequest:
    try:
        return iub_requests_for(user).get(pk=pk)
    except (IubRequest.DoesNotExist, ValueError, TypeError):
        raise NotFound("Förfrågan finns inte eller så saknar du behörighet.") from None


def decision_requests(decision) -> QuerySet[IubRequest]:
    """The requests of a decision the caller already read through a scoped selector (an
    order's decision), the first one first: the request that started it, then each new
    request every second year (R6.2)."""
    return (
        IubRequest.objects.filter(decision_id=decision.pk)
        .select_related("first_officer", "service_type")
        .order_by("asked_on", "id")
    )


@dataclass(frozen=True)
class ShownRequest:
    """A request as one reader may see it: who asked and the note hidden for a protected
    client's reader who is not named staff, and in every list (R10.5)."""

    request: IubRequest
    visible: bool

    def __getattr__(self, name):
        return getattr(self.request, name)

    @property
    def asked_by(self) -> str:
        return self.request.asked_by if self.visible else str(PLACEHOLDER)

    @property
    def note(self) -> str:
        return (
            self.request.note if self.visible else (str(PLACEHOLDER) if self.request.note else "")
        )

    @property
    def channel_label(self) -> str:
        return channel_label(self.request.channel)

    @property
    def first_officer_name(self) -> str:
        officer = self.request.first_officer
        return officer.get_full_name() or officer.username


def shown_request(user, request: IubRequest, *, listed: bool = False) -> ShownRequest:
    person = request.person
    visible = not person.is_protected if listed else may_see_protected(user, person)
    return ShownRequest(request, visible)
