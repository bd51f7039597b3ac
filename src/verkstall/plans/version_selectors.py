"""What changed on an implementation plan since a version (optimistic concurrency,
core/concurrency.py; issue 18 item 1): its fields by `lock_fields`, who saved it last."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from verkstall.core.concurrency import Changes, Versioning, field_changes

from .models import ImplementationPlan

LABELS = {"goals": _("mål i planen"), "status": _("status")}


def plan_changes(plan: ImplementationPlan, since: int) -> Changes:
    changes = field_changes(plan, since, LABELS)
    confirmed = (plan.lock_fields or {}).get("confirmed_at") == plan.lock_version
    who = plan.confirmed_by if confirmed and plan.confirmed_by_id else plan.updated_by
    return Changes(
        fields=changes.fields,
        labels=changes.labels,
        by=who.get_full_name() or who.username,
        at=plan.confirmed_at if confirmed else plan.updated_at,
    )


PLAN_VERSIONING = Versioning(model=ImplementationPlan, noun=_("Planen"), changes=plan_changes)
