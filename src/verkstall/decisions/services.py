"""Writes of decisions and granted services (SPEC R1.2)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from verkstall.access.policies import require_officer_of_unit
from verkstall.core import clock, hooks
from verkstall.core.dates import parse_date, parse_decimal
from verkstall.core.errors import ValidationFailed

from .goal_texts import clean_goals
from .iub_services import check_iub_request, link_iub_request
from .models import Decision, DecisionGoal, GrantedService, ScopeUnit, ServiceType


def _service_type(value) -> ServiceType | None:
    if isinstance(value, ServiceType):
        return value
    lookup = {"code": value} if isinstance(value, str) and not value.isdigit() else {"pk": value}
    try:
        return ServiceType.objects.get(active=True, **lookup)
    except (ServiceType.DoesNotExist, ValueError, TypeError):
        return None


@transaction.atomic
def record_decision(
    actor,
    *,
    person,
    decided_on,
    services: list[dict],
    assessment_summary: str = "",
    goals=None,
    iub_request=None,
) -> Decision:
    """Record a decision that grants one or more services to a client (R1.2), with its goals
    (seed 002: "hur målen i beslutet har uppnåtts"; a list of texts, or one a line).
    `iub_request`: the request for a service without needs assessment this decision grants
    (R1.3, decisions/iub_services.py); the request then points at the decision."""
    require_officer_of_unit(actor, person.unit_id, "fatta beslut för klienten")
    errors: dict[str, str] = {}
    decided = parse_date(decided_on, "decided_on", errors)
    if decided and decided > clock.today():
        errors["decided_on"] = "Beslutsdatum kan inte ligga i framtiden."
    if not services:
        errors["services"] = "Ett beslut måste bevilja minst en insats."
    cleaned = []
    for i, svc in enumerate(services or []):
        prefix = f"services[{i}]"
        stype = _service_type(svc.get("service_type"))
        if stype is None:
            errors[f"{prefix}.service_type"] = "Okänd insatstyp."
        amount = parse_decimal(svc.get("scope_amount"), f"{prefix}.scope_amount", errors)
        if amount is not None and (amount <= 0 or amount >= Decimal("100000")):
            errors[f"{prefix}.scope_amount"] = "Omfattningen måste vara större än noll."
        unit = svc.get("scope_unit")
        if unit not in ScopeUnit.values:
            errors[f"{prefix}.scope_unit"] = "Välj enhet för omfattningen."
        valid_from = parse_date(
            svc.get("valid_from") or decided,
            f"{prefix}.valid_from",
            errors,
            required="decided_on" not in errors,  # a bad decision date is said once
        )
        valid_to = parse_date(svc.get("valid_to"), f"{prefix}.valid_to", errors, required=False)
        if valid_from and valid_to and valid_to < valid_from:
            errors[f"{prefix}.valid_to"] = "Slutdatum kan inte ligga före startdatum."
        cleaned.append(
            {
                "service_type": stype,
                "scope_amount": amount,
                "scope_unit": unit,
                "frequency": (svc.get("frequency") or "").strip()[:200],
                "valid_from": valid_from,
                "valid_to": valid_to,
            }
        )
    goal_texts, goal_error = clean_goals(goals)
    if goal_error:
        errors["goals"] = goal_error
    request = check_iub_request(iub_request, person=person, services=cleaned, errors=errors)
    if errors:
        raise ValidationFailed(errors)
    decision = Decision.objects.create(
        municipality_id=person.municipality_id,
        unit_id=person.unit_id,
        person=person,
        officer=actor,
        decided_on=decided,
        assessment_summary=(assessment_summary or "").strip(),
    )
    for svc in cleaned:
        GrantedService.objects.create(
            municipality_id=person.municipality_id, decision=decision, **svc
        )
    DecisionGoal.objects.bulk_create(
        DecisionGoal(
            municipality_id=person.municipality_id, decision=decision, position=i, text=text
        )
        for i, text in enumerate(goal_texts)
    )
    link_iub_request(request, decision, cleaned)
    # Higher apps react through hooks (core/hooks.py): absences registers a short-term stay's
    # absence (R7.1), then the deadline engine recomputes the decision's clocks (R11).
    hooks.emit(hooks.DECISION_GRANTED, actor=actor, decision=decision, services=cleaned)
    hooks.emit(hooks.DECISION_CHANGED, decision=decision)
    return decision
