"""Reads for the no-choice rotation (SPEC R2.4): the candidates of one rotation, the current
order per area and service kind, and the history of assignments, scoped to the user.

Who sees what:
- case officers and the LOV administrator of the municipality: every rotation list and the
  whole history of the municipality, with the client shown as first name and initial only;
- a provider's staff: the lists they take part in, and the history rows where they were
  assigned or passed over, so that they can check they were treated fairly. The client is
  shown only on rows where they got the assignment (nothing of other providers' clients);
- everyone else: nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet

from verkstall.access.roles import PROVIDER_ROLES, Role
from verkstall.access.scoping import NOTHING
from verkstall.core import clock
from verkstall.core.errors import NotFound
from verkstall.decisions.catalogue import KIND_LABELS, ServiceKind
from verkstall.decisions.models import GrantedService, ServiceType
from verkstall.people.selectors import area_name_for

from . import rotation
from .models import Area, Contract, Provider, ProviderChoice, RotationAssignment, RotationState
from .selectors import cap_in_force, granted_service_for, valid_on

REPORT_ROLES = frozenset({Role.OFFICER, Role.LOV_ADMIN}) | PROVIDER_ROLES


def kind_label(kind: str) -> str:
    try:
        return KIND_LABELS[ServiceKind(kind)]
    except ValueError:
        return kind


def may_see_rotation(user) -> bool:
    return (
        user.is_authenticated
        and user.municipality_id is not None
        and user.role_enum in REPORT_ROLES
    )


# --- candidates ------------------------------------------------------------------------


def _valid_contracts(municipality_id: int, today: date) -> QuerySet[Contract]:
    """Contract lines in the no-choice alternative that are valid today."""
    return Contract.objects.filter(
        valid_on(today), municipality_id=municipality_id, in_no_choice=True
    ).select_related("provider", "service_type")


def _cap_reason(contract: Contract) -> str:
    reason = contract.capacity_reason.strip()
    if contract.capacity_until:
        until = f"till och med {contract.capacity_until:%Y-%m-%d}"
        reason = f"{reason} ({until})" if reason else until.capitalize()
    return reason


def _to_candidates(
    contracts, day: date, service_type_id: int | None = None
) -> list[rotation.Candidate]:
    """One candidate per provider. Whether it is at its cap is decided by its contract line
    for the service type itself when it has one, else by all its lines of the kind (at the
    cap only if none of them takes new clients)."""
    lines: dict[int, list[Contract]] = defaultdict(list)
    for c in contracts:
        lines[c.provider_id].append(c)
    result = []
    for provider_lines in lines.values():
        exact = [c for c in provider_lines if c.service_type_id == service_type_id]
        deciding = exact or provider_lines
        at_cap = all(cap_in_force(c, day) for c in deciding)
        reason = next((_cap_reason(c) for c in deciding if _cap_reason(c)), "") if at_cap else ""
        provider = provider_lines[0].provider
        result.append(rotation.Candidate(provider.pk, provider.name, at_cap, reason))
    return result


def no_choice_candidates(
    *, municipality_id: int, area_id: int, kind: str, service_type_id: int | None = None
) -> list[rotation.Candidate]:
    """The providers in the no-choice alternative of an area and service kind: those with a
    contract valid today, in the no-choice alternative, for a service type of that kind."""
    today = clock.today()
    contracts = _valid_contracts(municipality_id, today).filter(
        area_id=area_id, service_type__kind=kind
    )
    return _to_candidates(contracts, today, service_type_id)


# --- the granted service and one assignment -----------------------------------------------


def get_granted_service(user, pk) -> GrantedService:
    """A granted service of a decision the user may see."""
    return granted_service_for(user, None, pk)


def current_choice(granted_service) -> ProviderChoice | None:
    """The latest registered choice (or rotation assignment) for a granted service."""
    return (
        ProviderChoice.objects.filter(granted_service_id=granted_service.pk)
        .select_related("provider")
        .order_by("-registered_at", "-id")
        .first()
    )


@dataclass(frozen=True)
class Preview:
    """Who would get the assignment now (no lock: the service decides under the lock)."""

    area: Area | None
    kind: str
    kind_label: str
    outcome: rotation.Outcome | None
    existing: ProviderChoice | None


def rotation_preview(user, granted_service) -> Preview:
    gs = granted_service
    person = gs.decision.person
    kind = gs.service_type.kind
    outcome = None
    if person.area_id is not None:
        state = RotationState.objects.filter(area_id=person.area_id, service_kind=kind).first()
        outcome = rotation.assign(
            no_choice_candidates(
                municipality_id=gs.municipality_id,
                area_id=person.area_id,
                kind=kind,
                service_type_id=gs.service_type_id,
            ),
            state.cursor_key if state else "",
            state.owed if state else [],
        )
    return Preview(person.area, kind, kind_label(kind), outcome, current_choice(gs))


def get_assignment(user, pk) -> RotationAssignment:
    """One assignment with the client's full name and letter: for the officers of the unit
    that handles the client."""
    if user.role_enum != Role.OFFICER:
        raise NotFound("Tilldelningen finns inte eller så saknar du behörighet.")
    try:
        return RotationAssignment.objects.select_related(
            "person",
            "person__unit",
            "provider",
            "area",
            "granted_service__service_type",
            "assigned_by",
        ).get(pk=pk, municipality_id=user.municipality_id, person__unit_id=user.unit_id)
    except (RotationAssignment.DoesNotExist, ValueError, TypeError):
        raise NotFound("Tilldelningen finns inte eller så saknar du behörighet.") from None


# --- the report --------------------------------------------------------------------------


@dataclass
class RotationRow:
    position: int
    provider_id: int
    name: str
    at_cap: bool
    cap_reason: str
    is_next: bool
    is_owed: bool


@dataclass
class RotationList:
    area: Area
    kind: str
    kind_label: str
    rows: list[RotationRow] = field(default_factory=list)
    next_name: str = ""
    refusal: str = ""
    updated_at: object = None


def lov_kinds() -> list[tuple[str, str]]:
    """The service kinds under LOV (the kinds that can have a rotation)."""
    kinds = ServiceType.objects.filter(lov=True).values_list("kind", flat=True).distinct()
    return sorted(((k, kind_label(k)) for k in set(kinds)), key=lambda kv: kv[1])


def rotation_lists(user, *, area=None, kind: str = "", provider=None) -> list[RotationList]:
    """The current order of every rotation (area and service kind) the user may see, the
    next provider first, with who is next, who is owed a turn and who is at the cap.

    Two queries: the contract lines valid today, and the stored rotation states."""
    if not may_see_rotation(user):
        return []
    today = clock.today()
    contracts = _valid_contracts(user.municipality_id, today).select_related("area")
    if area is not None:
        contracts = contracts.filter(area=area)
    if kind:
        contracts = contracts.filter(service_type__kind=kind)
    groups: dict[tuple[int, str], list[Contract]] = defaultdict(list)
    areas: dict[int, Area] = {}
    for c in contracts:
        groups[(c.area_id, c.service_type.kind)].append(c)
        areas[c.area_id] = c.area
    states = {
        (s.area_id, s.service_kind): s
        for s in RotationState.objects.filter(municipality_id=user.municipality_id)
    }
    only = {user.provider_id} if user.role_enum in PROVIDER_ROLES else set()
    if provider is not None:
        only.add(provider.pk)
    result = []
    for (area_id, group_kind), lines in groups.items():
        candidates = _to_candidates(lines, today)
        if any(pid not in {c.provider_id for c in candidates} for pid in only):
            continue
        state = states.get((area_id, group_kind))
        cursor, owed = (state.cursor_key, state.owed) if state else ("", [])
        outcome = rotation.assign(candidates, cursor, owed)
        owed_ids = set(owed or [])
        next_id = outcome.chosen.provider_id if outcome.chosen else None
        rows = [
            RotationRow(
                position=i,
                provider_id=c.provider_id,
                name=c.name,
                at_cap=c.at_cap,
                cap_reason=c.cap_reason,
                is_next=c.provider_id == next_id,
                is_owed=c.provider_id in owed_ids,
            )
            for i, c in enumerate(rotation.turn_order(candidates, cursor), start=1)
        ]
        result.append(
            RotationList(
                area=areas[area_id],
                kind=group_kind,
                kind_label=kind_label(group_kind),
                rows=rows,
                next_name=outcome.chosen.name if outcome.chosen else "",
                refusal=outcome.refusal,
                updated_at=state.updated_at if state else None,
            )
        )
    return sorted(result, key=lambda r: (rotation.swedish_key(r.area.name), r.kind_label))


def _involves(provider_id: int) -> Q:
    """Rows where the provider was assigned or passed over.

    `passed_over` is a JSON list of {"provider_id", "name", "reason"}; JSON containment is
    not available on SQLite, so this matches the stored JSON text. The key is followed by ","
    (SQLite keeps the written key order) or "}" (PostgreSQL's jsonb puts the longest key
    last); a name cannot fake it, because quotes inside strings are escaped.
    """
    pid = int(provider_id)
    return (
        Q(provider_id=pid)
        | Q(passed_over__icontains=f'"provider_id": {pid},')
        | Q(passed_over__icontains=f'"provider_id": {pid}}}')
    )


def rotation_history(
    user, *, area=None, kind: str = "", provider=None
) -> QuerySet[RotationAssignment]:
    """Assignments by rotation, newest first, in one query."""
    if not may_see_rotation(user):
        return RotationAssignment.objects.filter(NOTHING)
    qs = RotationAssignment.objects.filter(municipality_id=user.municipality_id)
    if user.role_enum in PROVIDER_ROLES:
        qs = qs.filter(_involves(user.provider_id))
    if area is not None:
        qs = qs.filter(area=area)
    if kind:
        qs = qs.filter(service_kind=kind)
    if provider is not None:
        qs = qs.filter(_involves(provider.pk))
    return qs.select_related(
        "area", "provider", "person", "granted_service__service_type"
    ).order_by("-assigned_at", "-id")


def client_label(user, assignment: RotationAssignment) -> str:
    """First name and initial only, never the personnummer; to a provider only for the
    clients it was assigned."""
    if user.role_enum in PROVIDER_ROLES and assignment.provider_id != user.provider_id:
        return "–"
    person = assignment.person
    initial = person.last_name[:1].upper()
    return f"{person.first_name} {initial}." if initial else person.first_name


@dataclass(frozen=True)
class HistoryRow:
    assigned_at: object
    area: str
    kind: str
    kind_label: str
    service_type: str
    client: str
    provider: str
    reason: str
    passed_over: list[tuple[str, str]]


def history_rows(user, assignments) -> list[HistoryRow]:
    return [
        HistoryRow(
            assigned_at=a.assigned_at,
            # A report is a list: a protected client's area never shows in it (R10.5).
            area=area_name_for(None, a.person, a.area),
            kind=a.service_kind,
            kind_label=kind_label(a.service_kind),
            service_type=a.granted_service.service_type.name,
            client=client_label(user, a),
            provider=a.provider.name,
            reason=a.reason,
            passed_over=[(p.get("name", ""), p.get("reason", "")) for p in a.passed_over or []],
        )
        for a in assignments
    ]


def filter_choices(user) -> tuple[QuerySet[Area], list[tuple[str, str]], QuerySet[Provider]]:
    """Areas, service kinds and providers for the report's filters."""
    from .selectors import areas_for

    providers = Provider.objects.filter(municipality_id=user.municipality_id).order_by("name")
    if not may_see_rotation(user):
        providers = providers.filter(NOTHING)
    return areas_for(user), lov_kinds(), providers
