"""Reads that sharing and assigning a rule profile need besides the profile selectors (SPEC
R11.3, R11.5): the municipalities a profile can be owned by or assigned to (the system
administrator's drop-downs, `import_profile --owner`), and the national libraries a profile
may include. Configuration, not a client's data: no access log."""

from __future__ import annotations

from django.db.models import QuerySet

from verkstall.access.models import Municipality

from .models import RuleProfile


def municipalities() -> QuerySet[Municipality]:
    return Municipality.objects.order_by("name")


def municipality_by_code(code: str) -> Municipality | None:
    return Municipality.objects.filter(code=code).first()


def library_profiles() -> QuerySet[RuleProfile]:
    """The national library profiles (R11.3), which any profile may include."""
    return RuleProfile.objects.filter(is_library=True).order_by("slug")


def municipalities_using(profile: RuleProfile) -> list[Municipality]:
    """The municipalities that work by `profile` (their `rule_profile`)."""
    return list(Municipality.objects.filter(rule_profile=profile.slug).order_by("name"))
