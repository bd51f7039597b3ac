"""Writes of rule profiles and due items (SPEC R11)."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import transaction

from verkstall.access.roles import Role
from verkstall.core.errors import PermissionDenied, ValidationFailed

from . import selectors
from .models import Rule, RuleProfile, RuleRevision
from .profiles import builtin_profiles, rule_from_dict
from .rules import RuleSpec

TIMING_FIELDS = (
    "start_event",
    "stop_events",
    "amount",
    "unit",
    "count_from_next_day",
    "roll_to_weekday",
    "service_kinds",
    "service_types",
    "responsible",
    "stop_by",
    "repeats",
    "subject",
)


def sync_builtin_profiles(profile_model=RuleProfile, rule_model=Rule) -> int:
    """Create the built-in profiles and any of their rules that are missing. Rules that exist
    are left as the municipality edited them. Takes the model classes so that a migration can
    pass its historical models. Returns the number of rules created."""
    created = 0
    for slug, spec in builtin_profiles().items():
        profile, _ = profile_model.objects.get_or_create(
            slug=slug, defaults={"name": spec.name, "sources": spec.sources}
        )
        for subject, rule in spec.rules:
            _, made = rule_model.objects.get_or_create(
                profile=profile,
                code=rule.code,
                defaults={
                    "name": rule.name,
                    "subject": subject,
                    "start_event": rule.start_event,
                    "stop_events": list(rule.stop_events),
                    "amount": rule.amount,
                    "unit": rule.unit.value if rule.unit else "",
                    "count_from_next_day": rule.count_from_next_day,
                    "roll_to_weekday": rule.roll_to_weekday,
                    "service_kinds": list(rule.service_kinds),
                    "service_types": list(rule.service_types),
                    "responsible": rule.responsible.value,
                    "stop_by": rule.stop_by,
                    "repeats": rule.repeats,
                    "source": rule.source,
                    "source_text": rule.source_text,
                    "on_miss": rule.on_miss,
                },
            )
            created += made
    return created


def check_rule(data: dict) -> RuleSpec:
    """The rule `data` (in `Rule.as_dict` form) describes, or ValidationFailed. Its arithmetic
    is tried once too, so that a rule the engine could not compute (the 40th of next month,
    a negative length) is refused here rather than failing every later event of the profile."""
    try:
        subject, spec = rule_from_dict(data)
        spec.due_from(datetime(2026, 1, 15, tzinfo=UTC))
    except (ValueError, KeyError, TypeError) as exc:
        raise ValidationFailed({"rule": str(exc)}) from None
    if subject not in ("order", "decision"):
        raise ValidationFailed({"subject": "Gäller beställning eller beslut."})
    return spec


@transaction.atomic
def update_rule(actor, rule: Rule, **changes) -> Rule:
    """Change a rule. A change to its timing raises its version and keeps the old one as a
    revision; items already met keep the version they were judged by (R11.1)."""
    if actor is not None and not (
        actor.is_superuser or actor.role_enum in (Role.LOV_ADMIN, Role.SYSTEM_ADMIN)
    ):
        raise PermissionDenied(
            "Endast LOV-administratör eller systemadministratör kan ändra regler."
        )
    if actor is not None and not selectors.may_change_profile(actor, rule.profile):
        raise PermissionDenied(
            "Regelprofilen ändras bara av kommunens egen LOV-administratör; "
            "en profil som flera kommuner delar av systemadministratören."
        )
    rule = Rule.objects.select_for_update().get(pk=rule.pk)
    before = rule.as_dict()
    unknown = set(changes) - set(before)
    if unknown:
        raise ValidationFailed({f: "Okänt fält." for f in sorted(unknown)})
    if "unit" in changes and not changes["unit"]:
        changes["unit"] = None  # a form's "" is as_dict's None: no unit ("snarast")
    after = {**before, **changes}
    check_rule(after)
    timing_changed = any(before[f] != after[f] for f in TIMING_FIELDS)
    if timing_changed:
        RuleRevision.objects.create(
            rule=rule, version=rule.version, snapshot=before, changed_by=actor
        )
        rule.version += 1
    for field, value in changes.items():
        setattr(rule, field, "" if field == "unit" and value is None else value)
    rule.save()
    return rule
