"""What changed on a decision since a version (optimistic concurrency, core/concurrency.py;
issue 18 item 1): its fields by `lock_fields`, who corrected it last (R1.1: every change of a
registered decision is a correction)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from verkstall.core.concurrency import Changes, Versioning, field_changes

from .models import Decision, DecisionCorrection

LABELS = {
    "decided_on": _("beslutsdatum"),
    "assessment_summary": _("utredning"),
    "goals": _("mål i beslutet"),
    "services": _("beviljade insatser"),
}


def decision_changes(decision: Decision, since: int) -> Changes:
    changes = field_changes(decision, since, LABELS)
    last = (
        DecisionCorrection.objects.filter(decision_id=decision.pk)
        .select_related("corrected_by")
        .order_by("-corrected_at", "-id")
        .first()
    )
    if last is None:
        return changes
    return Changes(
        fields=changes.fields,
        labels=changes.labels,
        by=last.corrected_by.get_full_name() or last.corrected_by.username,
        at=last.corrected_at,
    )


DECISION_VERSIONING = Versioning(model=Decision, noun=_("Beslutet"), changes=decision_changes)
