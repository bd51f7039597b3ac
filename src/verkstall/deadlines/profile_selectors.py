"""Reads of rule profiles and whose profile it is (SPEC R11.1, R11.3)."""

from __future__ import annotations

from django.db.models import Q

from verkstall.access.models import Municipality
from verkstall.access.roles import Role
from verkstall.access.scoping import NOTHING

from .models import Rule, RuleProfile

# Rule profiles are configuration, not a client's data: read without an actor or scoping
# (the `due` command and the admin).


def profile_slugs() -> list[str]:
    return list(RuleProfile.objects.order_by("slug").values_list("slug", flat=True))


def get_profile(slug: str) -> RuleProfile | None:
    return RuleProfile.objects.filter(slug=slug).first()


def rules_of(profile: RuleProfile) -> list[Rule]:
    """A profile's rules in the order the profile lists them."""
    return list(Rule.objects.filter(profile=profile).select_related("profile").order_by("id"))


def get_rule(profile: RuleProfile, code: str) -> Rule | None:
    return Rule.objects.filter(profile=profile, code=code).select_related("profile").first()


# Whose profile it is (R11.3): a profile belongs to the municipality that uses it. One used by
# more than one municipality is shared: each may read it, only the system administrator changes
# it. The admin (deadlines/admin.py) and services.update_rule read these.


def profile_scope(user, prefix: str = "") -> Q:
    """The profile the user's municipality uses (`prefix`: the path to it, e.g. "profile__")."""
    municipality = getattr(user, "municipality", None)
    if municipality is None:
        return NOTHING
    return Q(**{f"{prefix}slug": municipality.rule_profile})


def own_profile_scope(user, prefix: str = "") -> Q:
    """The profile of `profile_scope` if no other municipality uses it, else nothing."""
    municipality = getattr(user, "municipality", None)
    if municipality is None:
        return NOTHING
    shared = (
        Municipality.objects.filter(rule_profile=municipality.rule_profile)
        .exclude(pk=municipality.pk)
        .exists()
    )
    return NOTHING if shared else profile_scope(user, prefix)


def may_change_profile(user, profile: RuleProfile) -> bool:
    """The system administrator changes any profile; a LOV administrator only the one that
    is their municipality's own (R11.3)."""
    if user.is_superuser or user.role_enum == Role.SYSTEM_ADMIN:
        return True
    if user.role_enum != Role.LOV_ADMIN:
        return False
    return RuleProfile.objects.filter(own_profile_scope(user), pk=profile.pk).exists()
