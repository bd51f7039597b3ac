"""What changed on a client since a version (optimistic concurrency, core/concurrency.py;
issue 18 item 1): the fields by `lock_fields` (names only, never values: R10.5), who changed
the client's data last (its history, R1.1). A protected client's protected fields are named
as one, "skyddade uppgifter": that its address changed is itself what the protection hides
from a reader who may not see it (R10.5)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from verkstall.core.concurrency import Changes, Versioning, field_changes

from .models import Person, PersonChange
from .presentation import PROTECTED_FIELDS

LABELS = {"relatives": _("anhöriga"), "area": _("område"), "unit": _("enhet")}


PROTECTED = "protected_data"


def _named(person: Person, changes: Changes) -> Changes:
    if not person.is_protected:
        return changes
    fields, labels = [], []
    for name, label in zip(changes.fields, changes.labels, strict=True):
        if name in PROTECTED_FIELDS:
            name, label = PROTECTED, str(_("skyddade uppgifter"))
        if name not in fields:
            fields.append(name)
            labels.append(label)
    return Changes(fields=fields, labels=labels)


def person_changes(person: Person, since: int) -> Changes:
    changes = _named(person, field_changes(person, since, LABELS))
    last = (
        PersonChange.objects.filter(person_id=person.pk)
        .select_related("changed_by")
        .order_by("-changed_at", "-id")
        .first()
    )
    by, at = (last.changed_by, last.changed_at) if last else (None, None)
    if person.protection_set_at and (at is None or person.protection_set_at > at):
        by, at = person.protection_set_by, person.protection_set_at
    if by is None:
        return changes
    return Changes(
        fields=changes.fields,
        labels=changes.labels,
        by=by.get_full_name() or by.username,
        at=at,
    )


PERSON_VERSIONING = Versioning(model=Person, noun=_("Klientens uppgifter"), changes=person_changes)
