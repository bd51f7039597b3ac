"""Reads of rule profiles and whose profile it is (SPEC R11.1, R11.3)."""

from __future__ import annotations

from django.db.models import Case, Q, Value, When

from verkstall.access.roles import Role
from verkstall.access.scoping import NOTHING

from .models import Rule, RuleProfile

# The reads below take no actor: the engine and the watchlist read the rules in force for the
# municipality at hand, and the `due` command (run by IT, no user) reads any profile. What a
# user may read or change is `profile_scope` / `own_profile_scope` further down (R11.3).


def profile_slugs() -> list[str]:
    return list(RuleProfile.objects.order_by("slug").values_list("slug", flat=True))


def get_profile(slug: str) -> RuleProfile | None:
    return RuleProfile.objects.filter(slug=slug).first()


def rules_of(profile: RuleProfile) -> list[Rule]:
    """A profile's rules in the order the profile lists them."""
    return list(Rule.objects.filter(profile=profile).select_related("profile").order_by("id"))


def rules_in_force(profile_slug, subject: str | None = None) -> list[Rule]:
    """The rules a profile applies (SPEC R11.3): its own, and those of the national library
    profiles it includes whose code it does not override, in the profile's order (own rules
    first, then the libraries'). `profile_slug` is a slug or a subquery giving one (the
    engine's read of the municipality's profile); one query either way."""
    rules = Rule.objects.filter(
        Q(profile__slug=profile_slug) | Q(profile__included_by__slug=profile_slug)
    )
    if subject is not None:
        rules = rules.filter(subject=subject)
    rules = rules.annotate(
        own=Case(When(profile__slug=profile_slug, then=Value(0)), default=Value(1))
    )
    found: dict[str, Rule] = {}
    for rule in rules.order_by("own", "id").distinct():
        found.setdefault(rule.code, rule)
    return list(found.values())


def municipality_rules(municipality, subject: str | None = None) -> list[Rule]:
    """The rules in force for a municipality (`rules_in_force` of its profile)."""
    return rules_in_force(municipality.rule_profile, subject)


def get_rule(profile: RuleProfile, code: str) -> Rule | None:
    return Rule.objects.filter(profile=profile, code=code).select_related("profile").first()


# Whose profile it is (R11.3). A profile with an owner is that municipality's: its LOV
# administrator alone reads and changes it. A profile without owner (a built-in template, a
# national library) is read by every LOV administrator, so that it can be copied and its
# included rules seen, and changed by the system administrator only. The system administrator
# (the superuser, or the role) reads and changes every profile. The admin
# (deadlines/admin.py) and the services (deadlines/services.py) read these.


def is_system_admin(user) -> bool:
    """The system administrator: a superuser or a user with that role."""
    return bool(
        getattr(user, "is_superuser", False)
        or getattr(user, "role_enum", None) == Role.SYSTEM_ADMIN
    )


def _lov_municipality_id(user) -> int | None:
    """The municipality of a LOV administrator, else None."""
    if getattr(user, "role_enum", None) != Role.LOV_ADMIN:
        return None
    return getattr(user, "municipality_id", None)


def profile_scope(user, prefix: str = "") -> Q:
    """The profiles the user may read (`prefix`: the path to the profile, e.g. "profile__"):
    for a LOV administrator those their municipality owns and those nobody owns (templates
    and libraries); for the system administrator all; for anyone else none (R11.3)."""
    if is_system_admin(user):
        return Q()
    municipality_id = _lov_municipality_id(user)
    if municipality_id is None:
        return NOTHING
    return Q(**{f"{prefix}owner_id": municipality_id}) | Q(**{f"{prefix}owner__isnull": True})


def own_profile_scope(user, prefix: str = "") -> Q:
    """The profiles the user may change: for a LOV administrator those their municipality
    owns; for the system administrator all; for anyone else none (R11.3)."""
    if is_system_admin(user):
        return Q()
    municipality_id = _lov_municipality_id(user)
    if municipality_id is None:
        return NOTHING
    return Q(**{f"{prefix}owner_id": municipality_id})


def may_read_profile(user, profile: RuleProfile) -> bool:
    """Whether `profile` is in the user's `profile_scope` (R11.3)."""
    if is_system_admin(user):
        return True
    municipality_id = _lov_municipality_id(user)
    return municipality_id is not None and profile.owner_id in (None, municipality_id)


def may_change_profile(user, profile: RuleProfile) -> bool:
    """Whether `profile` is in the user's `own_profile_scope`: the system administrator
    changes any profile, a LOV administrator only their municipality's own (R11.3)."""
    if is_system_admin(user):
        return True
    municipality_id = _lov_municipality_id(user)
    return municipality_id is not None and profile.owner_id == municipality_id
