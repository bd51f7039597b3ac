"""Correcting a registered decision (SPEC R1.1: "both sides keep the data up to date", issue 16
item 1): the decision date, the assessment, the goals, and a granted service's scope,
frequency and validity. Never a silent overwrite: every correction is a `DecisionCorrection`
with each field's old and new value, who and why, and a case-journal entry.

What a correction may not do, because the orders already sent hang on it (R1.2, R3):
- move the decision date after the written date of one of its orders (an order is written
  after its decision);
- move a granted service's validity so that a service already started falls outside it
  (correct the start date first: orders' `correct-date`, R9.1);
- move a short-term stay's validity (its absence was registered from it automatically, R7.1;
  a changed stay is a new decision);
- change a service's type (another service is a new decision).

The clocks that count from the decision (the order's start, the IVO clock ...) are recomputed
through the hook DECISION_CHANGED (deadlines: the decision's and its orders' clocks), and the
provider of every order with the provider is told what changed (a message, no reason given:
that stays in the officer's history)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from verkstall.access.policies import require_officer_of_unit
from verkstall.core import clock, hooks
from verkstall.core.concurrency import touch
from verkstall.core.dates import day_text, parse_date, parse_decimal
from verkstall.core.errors import ValidationFailed
from verkstall.core.order_states import WITH_PROVIDER
from verkstall.journal.case_services import write_case_entry

from .catalogue import ServiceKind
from .goal_texts import clean_goals
from .models import Decision, DecisionCorrection, DecisionGoal, GrantedService, ScopeUnit

SERVICE_FIELDS = ("scope_amount", "scope_unit", "frequency", "valid_from", "valid_to")
FIELD_LABELS = {
    "decided_on": "Beslutsdatum",
    "assessment_summary": "Utredning",
    "goals": "Mål i beslutet",
    "scope_amount": "omfattning",
    "scope_unit": "enhet",
    "frequency": "frekvens",
    "valid_from": "gäller från",
    "valid_to": "gäller till",
}
MAX_REASON_LENGTH = 2000
MAX_FREQUENCY_LENGTH = GrantedService._meta.get_field("frequency").max_length
CORRECTION_TITLE = "Rättelse av beslut"


def value_text(field: str, value) -> str:
    """A field's value as the history stores it: a date as 2026-03-01, an amount as 12.5, a
    code as its code, nothing as ""."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return day_text(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def shown_value(field: str, text) -> str:
    """A stored old or new value as a person reads it (the history, the messages)."""
    if field == "goals":
        return "; ".join(text) if text else "–"
    if field == "scope_unit" and text in ScopeUnit.values:
        return ScopeUnit(text).label
    if field == "scope_amount" and text:
        return str(text).replace(".", ",")
    return str(text) if text not in (None, "") else "–"


def change_label(key: str, names: dict[int, str]) -> str:
    """The label of a change key: "decided_on" or "services.<id>.<field>" (the service named
    by `names`, id -> name)."""
    if key.startswith("services."):
        _, pk, field = key.split(".", 2)
        name = names.get(int(pk), "Insats") if pk.isdigit() else "Insats"
        return f"{name}, {FIELD_LABELS.get(field, field)}"
    return FIELD_LABELS.get(key, key)


def change_lines(changes: dict, names: dict[int, str]) -> list[tuple[str, str, str]]:
    """(label, old, new) of each change, as shown."""
    lines = []
    for key, (old, new) in changes.items():
        field = key.rsplit(".", 1)[-1]
        lines.append((change_label(key, names), shown_value(field, old), shown_value(field, new)))
    return lines


def _lock(decision: Decision) -> Decision:
    return (
        Decision.objects.select_for_update(of=("self",))
        .select_related("person")
        .get(pk=decision.pk)
    )


def _decision_date(decision, value, errors, changes, updates) -> None:
    day = parse_date(value, "decided_on", errors)
    if day is None or day == decision.decided_on:
        return
    if day > clock.today():
        errors["decided_on"] = "Beslutsdatum kan inte ligga i framtiden."
        return
    earlier = (
        decision.orders.filter(written_on__isnull=False, written_on__lt=day)
        .order_by("written_on", "pk")
        .values_list("pk", "written_on")
        .first()
    )
    if earlier is not None:
        errors["decided_on"] = (
            f"Beslutsdatum kan inte ligga efter beställning #{earlier[0]}, daterad "
            f"{day_text(earlier[1])}: beställningen skrevs efter beslutet."
        )
        return
    changes["decided_on"] = [value_text("decided_on", decision.decided_on), value_text("", day)]
    updates["decided_on"] = day


def _goal_plan(decision, texts: list[str], errors) -> tuple[list, list, list] | None:
    """How the goals become `texts`: a goal whose text stays keeps its row (wherever it moves);
    the others are reworded in their order, and what is left is added or removed. A goal
    that the plan or a follow-up has answered is never removed (reword it instead).
    Returns (rows to keep or reword with their new text and position, texts to add with
    their position, rows to remove), or None when nothing changes."""
    current = list(decision.goals.order_by("position", "id"))
    if [g.text for g in current] == texts:
        return None
    free = list(current)
    kept: dict[int, DecisionGoal] = {}
    for i, text in enumerate(texts):
        match = next((g for g in free if g.text == text), None)
        if match is not None:
            kept[i] = match
            free.remove(match)
    reworded, added = [], []
    for i, text in enumerate(texts):
        if i in kept:
            reworded.append((kept[i], text, i))
        elif free:
            reworded.append((free.pop(0), text, i))
        else:
            added.append((text, i))
    for goal in free:
        if goal.plan_entries.exists() or goal.outcomes.exists():
            errors["goals"] = (
                f"Målet ”{goal.text[:80]}” finns redan i genomförandeplanen eller en "
                "uppföljning och kan inte tas bort; skriv om det i stället."
            )
    return reworded, added, free


def _service_changes(decision, services, errors, changes) -> list[tuple[GrantedService, dict]]:
    """The granted services' new values (validated), and their changes recorded."""
    granted = {s.pk: s for s in decision.services.select_related("service_type")}
    result = []
    for i, given in enumerate(services or []):
        prefix = f"services[{i}]"
        if not isinstance(given, dict):
            errors[prefix] = "Ange insatsens rättade värden."
            continue
        pk = given.get("id")
        service = granted.get(pk if isinstance(pk, int) else int(pk) if str(pk).isdigit() else -1)
        if service is None:
            errors[f"{prefix}.id"] = "Insatsen hör inte till beslutet."
            continue
        values = {f: getattr(service, f) for f in SERVICE_FIELDS}
        if "service_type" in given and given["service_type"] not in (
            None,
            "",
            service.service_type.code,
            service.service_type_id,
            str(service.service_type_id),
        ):
            errors[f"{prefix}.service_type"] = (
                "Insatstypen rättas inte; en annan insats kräver ett nytt beslut."
            )
        if "scope_amount" in given:
            amount = parse_decimal(given["scope_amount"], f"{prefix}.scope_amount", errors)
            if amount is not None and (amount <= 0 or amount >= Decimal("100000")):
                errors[f"{prefix}.scope_amount"] = "Omfattningen måste vara större än noll."
            elif amount is not None and amount != amount.quantize(Decimal("0.01")):
                errors[f"{prefix}.scope_amount"] = "Ange omfattningen med högst två decimaler."
            elif amount is not None:
                values["scope_amount"] = amount
        if "scope_unit" in given:
            if given["scope_unit"] not in ScopeUnit.values:
                errors[f"{prefix}.scope_unit"] = "Välj enhet för omfattningen."
            else:
                values["scope_unit"] = given["scope_unit"]
        if "frequency" in given:
            frequency = str(given["frequency"] or "").strip()
            if len(frequency) > MAX_FREQUENCY_LENGTH:
                errors[f"{prefix}.frequency"] = (
                    f"Frekvensen får vara högst {MAX_FREQUENCY_LENGTH} tecken."
                )
            values["frequency"] = frequency
        if "valid_from" in given:
            day = parse_date(given["valid_from"], f"{prefix}.valid_from", errors)
            if day is not None:
                values["valid_from"] = day
        if "valid_to" in given:
            values["valid_to"] = parse_date(
                given["valid_to"], f"{prefix}.valid_to", errors, required=False
            )
        if any(k.startswith(prefix) for k in errors):
            continue
        if values["valid_to"] is not None and values["valid_to"] < values["valid_from"]:
            errors[f"{prefix}.valid_to"] = "Slutdatum kan inte ligga före startdatum."
            continue
        diff = {f: v for f, v in values.items() if getattr(service, f) != v}
        if not diff:
            continue
        validity = {"valid_from", "valid_to"} & set(diff)
        if validity and service.service_type.kind == ServiceKind.SHORT_TERM_STAY:
            errors[f"{prefix}.{sorted(validity)[0]}"] = (
                "En korttidsvistelses giltighet rättas inte: frånvaron registrerades utifrån den. "
                "Fatta ett nytt beslut om vistelsen ändras."
            )
            continue
        if validity and not _validity_covers_starts(service, values, prefix, errors):
            continue
        for field, value in diff.items():
            changes[f"services.{service.pk}.{field}"] = [
                value_text(field, getattr(service, field)),
                value_text(field, value),
            ]
        result.append((service, diff))
    return result


def _validity_covers_starts(service, values, prefix, errors) -> bool:
    """A service already started (or ended) must stay inside its corrected validity."""
    starts = service.orders.filter(start_date__isnull=False)  # started, or started and ended
    for pk, start in starts.order_by("start_date", "pk").values_list("pk", "start_date"):
        if start < values["valid_from"]:
            errors[f"{prefix}.valid_from"] = (
                f"Insatsen är verkställd från {day_text(start)} (beställning #{pk}); rätta "
                "startdatumet först."
            )
            return False
        if values["valid_to"] is not None and start > values["valid_to"]:
            errors[f"{prefix}.valid_to"] = (
                f"Insatsen är verkställd från {day_text(start)} (beställning #{pk}); "
                "giltigheten kan inte sluta före det."
            )
            return False
    return True


@transaction.atomic
def correct_decision(
    actor,
    decision: Decision,
    *,
    reason: str,
    decided_on=None,
    assessment_summary: str | None = None,
    goals=None,
    services: list[dict] | None = None,
) -> DecisionCorrection:
    """Correct a registered decision (R1.1): only what is given is looked at (None: not
    corrected), only what differs is changed. `services`: one dict per granted service to
    correct, with its `id` and the fields to correct (SERVICE_FIELDS). A reason is required;
    a correction that changes nothing is refused. Returns the correction."""
    decision = _lock(decision)
    require_officer_of_unit(actor, decision.unit_id, "rätta beslutet")
    errors: dict[str, str] = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Ange varför beslutet rättas."
    elif len(reason) > MAX_REASON_LENGTH:
        errors["reason"] = f"Skälet får vara högst {MAX_REASON_LENGTH} tecken."
    changes: dict[str, list] = {}
    updates: dict[str, object] = {}
    if decided_on is not None:
        _decision_date(decision, decided_on, errors, changes, updates)
    if assessment_summary is not None:
        # A browser sends a textarea's line breaks as CRLF: the same text is no change.
        text = str(assessment_summary).replace("\r\n", "\n").strip()
        if text != decision.assessment_summary.replace("\r\n", "\n"):
            changes["assessment_summary"] = [decision.assessment_summary, text]
            updates["assessment_summary"] = text
    goal_plan = None
    if goals is not None:
        texts, error = clean_goals(goals)
        if error:
            errors["goals"] = error
        else:
            old = list(decision.goals.order_by("position", "id").values_list("text", flat=True))
            goal_plan = _goal_plan(decision, texts, errors)
            if goal_plan is not None:
                changes["goals"] = [old, texts]
    service_diffs = _service_changes(decision, services, errors, changes)
    if errors:
        raise ValidationFailed(errors)
    if not changes:
        raise ValidationFailed({"changes": "Inget är ändrat: ändra det som ska rättas."})
    for field, value in updates.items():
        setattr(decision, field, value)
    # One new version for the whole correction, naming what changed (core/concurrency.py).
    touch(decision, *{key.split(".")[0] for key in changes}, update_fields=list(updates))
    for service, diff in service_diffs:
        for field, value in diff.items():
            setattr(service, field, value)
        service.save(update_fields=list(diff))
    if goal_plan is not None:
        reworded, added, removed = goal_plan
        DecisionGoal.objects.filter(pk__in=[g.pk for g in removed]).delete()
        for goal, text, position in reworded:
            if (goal.text, goal.position) != (text, position):
                goal.text, goal.position = text, position
                goal.save(update_fields=["text", "position"])
        DecisionGoal.objects.bulk_create(
            DecisionGoal(
                municipality_id=decision.municipality_id,
                decision=decision,
                position=position,
                text=text,
            )
            for text, position in added
        )
    correction = DecisionCorrection.objects.create(
        municipality_id=decision.municipality_id,
        decision=decision,
        changes=changes,
        reason=reason,
        corrected_by=actor,
        corrected_at=clock.now(),
    )
    names = {s.pk: s.service_type.name for s in decision.services.select_related("service_type")}
    lines = change_lines(changes, names)
    listed = "\n".join(f"{label}: {old} → {new}" for label, old, new in lines)
    write_case_entry(
        actor,
        person=decision.person,
        title=CORRECTION_TITLE,
        text=f"Beslut {day_text(decision.decided_on)} (nr {decision.pk}) rättat.\n{listed}\n"
        f"Skäl: {reason}",
    )
    _tell_providers(actor, decision, changes, names, {s.pk for s, _ in service_diffs})
    # The deadline engine recomputes the decision's clocks and its orders' (core/hooks.py).
    hooks.emit(hooks.DECISION_CHANGED, decision=decision)
    return correction


def _tell_providers(actor, decision, changes, names, service_ids: set[int]) -> None:
    """A message to the provider of each order with the provider that the correction concerns
    (every order for a change of the decision itself; those holding a corrected service
    otherwise), saying what changed. Long texts are not repeated: the order shows them."""
    whole = any(not key.startswith("services.") for key in changes)
    orders = decision.orders.filter(state__in=WITH_PROVIDER, unit_id=decision.unit_id)
    if not whole:
        orders = orders.filter(services__in=service_ids).distinct()
    lines = []
    for key, (label, old, new) in zip(changes, change_lines(changes, names), strict=True):
        if key in ("assessment_summary", "goals"):
            lines.append(f"{label}: rättad, se beställningen.")
        else:
            lines.append(f"{label}: {old} → {new}")
    body = "Handläggaren har rättat beslutet som beställningen bygger på.\n\n" + "\n".join(lines)
    for order in orders.select_related("person", "unit", "provider").order_by("pk"):
        hooks.call(
            hooks.ORDER_MESSAGE,
            sender=actor,
            person=order.person,
            order=order,
            subject=f"Beslutet för beställning #{order.pk} är rättat",
            body=body,
        )
