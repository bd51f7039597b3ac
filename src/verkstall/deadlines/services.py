"""Writes of rule profiles and due items (SPEC R11).

Who may write (R11.3): `profile_services.require_change`; a profile with an owner is changed
by that municipality's LOV administrator, a template or library by the system administrator
only; another municipality's profile is not found (404). `actor=None` is the system itself
(migrations, set-up commands, tests). Rules from data: `rule_services` (check_rule, add_rules);
profiles as a whole: `profile_services` (copy, assign, update); both re-exported here.
"""

from __future__ import annotations

from django.db import transaction

from verkstall.core.errors import NotFound, ValidationFailed

from .models import TIME_FIELDS, Rule, RuleProfile, RuleRevision
from .profile_services import (
    PROFILE_FIELDS,
    THRESHOLD_LIMITS,
    absence_reasons,
    assign_profile,
    copy_profile,
    create_profile,
    new_profile_owner,
    require_change,
    service_kinds,
    update_profile,
)
from .profiles import fixture_data, time_text
from .rule_services import RULE_FIELDS, add_rules, check_rule, rule_fields

__all__ = [
    "PROFILE_FIELDS",
    "RULE_FIELDS",
    "THRESHOLD_LIMITS",
    "TIMING_FIELDS",
    "absence_reasons",
    "add_rules",
    "assign_profile",
    "check_rule",
    "copy_profile",
    "create_profile",
    "delete_rule",
    "new_profile_owner",
    "require_change",
    "rule_fields",
    "service_kinds",
    "sync_builtin_profiles",
    "update_profile",
    "update_rule",
]

# A change to any of these raises the rule's version (R11.1): they decide when it is due.
TIMING_FIELDS = (
    "start_event",
    "stop_events",
    "amount",
    "unit",
    "count_from_next_day",
    "roll_to_weekday",
    "end_inclusive",
    "due_time",
    "cutoff_time",
    "cutoff_day",
    "receipt_window",
    "opens_at",
    "closes_at",
    "service_kinds",
    "service_types",
    "excluded_service_kinds",
    "excluded_service_types",
    "first_order_only",
    "daily_only",
    "channels",
    "service_frequencies",
    "client_of_provider",
    "responsible",
    "stop_by",
    "repeats",
    "subject",
)


# --- The built-in profiles -----------------------------------------------------------------


def sync_builtin_profiles(profile_model=RuleProfile, rule_model=Rule) -> int:
    """Create the built-in profiles of the fixture (the national library first) and any of
    their rules that are missing (R11.1, R11.3). Rules that exist are left as they were
    edited; a profile made here includes the libraries the fixture names. Takes the model
    classes so that a migration can pass its historical models (a library needs the
    `is_library` field, so an early migration makes the routine profiles only). Returns the
    number of rules created."""
    profile_fields = {f.name for f in profile_model._meta.get_fields()}
    created = 0
    with transaction.atomic():
        for data in fixture_data()["profiles"]:
            library = bool(data.get("library", False))
            defaults = {"name": data["name"], "sources": data["sources"]}
            # The routine's yes-or-no practices (models.PROFILE_FLAGS), once the field exists.
            defaults |= {k: v for k, v in data.get("flags", {}).items() if k in profile_fields}
            # Thresholds and lists the routine words itself (seed 003's mapping period and the
            # services whose start names the booked staff), once the fields exist.
            given = {**data.get("thresholds", {}), **data.get("lists", {})}
            defaults |= {k: v for k, v in given.items() if k in profile_fields}
            if "is_library" in profile_fields:
                defaults["is_library"] = library
            elif library:
                continue
            profile, made = profile_model.objects.get_or_create(
                slug=data["slug"], defaults=defaults
            )
            if made and "includes" in profile_fields:
                profile.includes.set(
                    profile_model.objects.filter(slug__in=data.get("includes", ()), is_library=True)
                )
            taken = set(rule_model.objects.filter(profile=profile).values_list("code", flat=True))
            missing = [r for r in data["rules"] if r["code"] not in taken]
            created += len(add_rules(profile, missing, rule_model=rule_model))
    return created


# --- Rules ---------------------------------------------------------------------------------


@transaction.atomic
def update_rule(actor, rule: Rule, **changes) -> Rule:
    """Change a rule. A change to its timing raises its version and keeps the old one as a
    revision; items already met keep the version they were judged by (R11.1). Only who may
    change the rule's profile may change the rule (R11.3, `require_change`)."""
    rule = Rule.objects.select_for_update().select_related("profile").get(pk=rule.pk)
    require_change(actor, rule.profile)
    before = rule.as_dict()
    unknown = set(changes) - set(before)
    if unknown:
        raise ValidationFailed({f: "Okänt fält." for f in sorted(unknown)})
    if "unit" in changes and not changes["unit"]:
        changes["unit"] = None  # a form's "" is as_dict's None: no unit ("snarast")
    for name, value in changes.items():
        if name in TIME_FIELDS:
            try:
                changes[name] = time_text(value)
            except (ValueError, TypeError):
                raise ValidationFailed({name: "Ange en tid som TT:MM, t.ex. 12:00."}) from None
        elif isinstance(value, list | tuple):
            changes[name] = list(value)
    after = {**before, **changes}
    check_rule(after)
    timing_changed = any(before[f] != after[f] for f in TIMING_FIELDS)
    if timing_changed:
        RuleRevision.objects.create(
            rule=rule, version=rule.version, snapshot=before, changed_by=actor
        )
        rule.version += 1
    for field, value in rule_fields({f: after[f] for f in changes}).items():
        setattr(rule, field, value)
    rule.save()
    return rule


@transaction.atomic
def delete_rule(actor, rule: Rule) -> None:
    """Remove a rule that never made a due item (R11.3): a municipality that copied a
    template takes out what its routine does not say. A rule with due items is their history
    and stays (change it instead). Who may: as for `update_rule`."""
    rule = Rule.objects.select_for_update().select_related("profile").filter(pk=rule.pk).first()
    if rule is None:
        raise NotFound("Regeln finns inte.")
    require_change(actor, rule.profile)
    if rule.due_items.exists():
        raise ValidationFailed(
            {
                "rule": "Regeln har bevakningar och är deras historik; den kan inte tas bort. "
                "Ändra den i stället."
            }
        )
    rule.delete()
