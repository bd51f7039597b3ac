"""Optimistic concurrency (issue 18 item 1): two people change the same order, plan, decision
or client at once, and the second is told what changed instead of overwriting it.

- Each of those rows carries a version: an order its `last_event_seq` (every change of an
  order appends an event under the order's row lock, orders/services.py), the others
  `lock_version` of `Versioned` below, raised by `save()` whenever a field really changed
  (`touch()` for what lives in other rows: a decision's services and goals, a client's
  relatives, a plan's goal entries). `lock_fields` remembers, per field, the version that last
  changed it, so a conflict names what changed since the version the writer started from.
- The API gives the version as `lock_version` and as the `ETag` (`W/"<version>"`); a write that
  sends `If-Match` (or `lock_version` in its body) is refused with 409 when the row has moved on
  (core/concurrency_api.py). A screen's edit form carries the version in a hidden input
  (`with_version`, `concurrency_services.versioned_action`). Without either, nothing changes.
- The check (`concurrency_services.check_version`) locks the row (SELECT ... FOR UPDATE) in the
  request's transaction, which every write runs in (audit/middleware.py), before the service
  runs; the service's own lock of the same row is then the same transaction's. A second request
  waits on that lock until the first commits, and then sees the new version: two requests can
  never both pass with the same version (on SQLite a write transaction is IMMEDIATE: writes
  take turns anyway).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .errors import DomainError, ValidationFailed

#: The name of the version in the API's answers and bodies and in the screens' forms.
VERSION_FIELD = "lock_version"
#: The request header of a conditional write (RFC 9110), and the answer's header.
IF_MATCH = "If-Match"
ETAG = "ETag"


class VersionConflict(DomainError):
    """A write based on a version of the row that is no longer the current one (409)."""

    status_code = 409
    code = "version_conflict"

    def __init__(self, message: str, *, current_version: int, your_version: int, changes):
        super().__init__(message)
        self.current_version = current_version
        self.your_version = your_version
        self.changes = changes

    def as_dict(self) -> dict:
        body = {
            "detail": self.message,
            "code": self.code,
            "current_version": self.current_version,
            "your_version": self.your_version,
            "changed": list(self.changes.fields),
            "changed_by": self.changes.by or None,
            "changed_at": self.changes.at.isoformat() if self.changes.at else None,
        }
        if self.changes.events:
            body["events"] = list(self.changes.events)
        return body


@dataclass(frozen=True)
class Changes:
    """What changed on a row since a version: field names (the API's), their labels (Swedish,
    for the message), who changed it last and when, and for an order the kinds of its events."""

    fields: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    by: str = ""
    at: datetime | None = None
    events: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Versioning:
    """How one model is versioned: its model, the field that holds the version, what the
    messages call it ("Beställningen"), and what changed since a version (`changes(row,
    since)`, given the locked row)."""

    model: type
    noun: str
    changes: Callable[[object, int], Changes]
    field: str = VERSION_FIELD

    def version_of(self, obj) -> int:
        return getattr(obj, self.field)


def _when(at: datetime | None) -> str:
    return date_format(timezone.localtime(at), "j F Y H:i") if at else ""


def conflict(spec: Versioning, row, expected: Iterable[int]) -> VersionConflict | None:
    """The conflict of a write based on `expected` (the versions the writer accepts) with the
    locked `row`, or None when its version is one of them."""
    expected = set(expected)
    current = spec.version_of(row)
    if current in expected:
        return None
    since = max(v for v in expected if v <= current) if min(expected) <= current else current
    changes = spec.changes(row, since)
    what = ", ".join(changes.labels) or _("okänt vad")
    who = ""
    if changes.by:
        who = _(" (senast av %(by)s, %(at)s)") % {"by": changes.by, "at": _when(changes.at)}
    message = _(
        "%(noun)s har ändrats av någon annan sedan version %(yours)s, som du utgick från "
        "(nu version %(current)s). Ändrat: %(what)s%(who)s. Inget sparades: hämta den igen och "
        "gör om ändringen."
    ) % {
        "noun": spec.noun,
        "yours": max(expected),
        "current": current,
        "what": what,
        "who": who,
    }
    return VersionConflict(
        message, current_version=current, your_version=max(expected), changes=changes
    )


def form_message(exc: VersionConflict, noun: str) -> str:
    """The conflict as a form says it: changed by someone else since the form was opened,
    what, and that what was typed is still there."""
    what = ", ".join(exc.changes.labels) or _("okänt vad")
    who = ""
    if exc.changes.by:
        who = _(" (senast av %(by)s, %(at)s)") % {"by": exc.changes.by, "at": _when(exc.changes.at)}
    return _(
        "%(noun)s har ändrats av någon annan sedan du öppnade formuläret. Ändrat: "
        "%(what)s%(who)s. Inget sparades. Det du skrev finns kvar nedan: läs igenom det mot "
        "det som nu gäller och spara igen."
    ) % {"noun": noun, "what": what, "who": who}


# --- the version on the row -----------------------------------------------------------------


class Versioned(models.Model):
    """A row with a version that every change raises (`lock_version`), and the version that
    last changed each field (`lock_fields`). What changed is found by comparing the row as it
    was loaded with the row as it is saved; `touch()` adds what changed in other rows."""

    lock_version = models.PositiveIntegerField(
        "version",
        default=1,
        editable=False,
        help_text="Raised by every change; a write based on an older version is refused (409).",
    )
    lock_fields = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="Field name -> the version that last changed it (what a conflict names).",
    )

    #: Fields whose change is no change of the record (a time stamp, who saved last).
    lock_ignored: ClassVar[tuple[str, ...]] = ("updated_at",)

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._lock_loaded = dict(zip(field_names, values, strict=True))
        return instance

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        # What was read again is the row as loaded; other fields keep their loaded values.
        loaded = getattr(self, "_lock_loaded", {})
        names = None if fields is None else set(fields)
        for f in self._meta.concrete_fields:
            if (names is None or {f.name, f.attname} & names) and f.attname in self.__dict__:
                loaded[f.attname] = getattr(self, f.attname)
        self._lock_loaded = loaded

    def _lock_snapshot(self) -> None:
        self._lock_loaded = {
            f.attname: getattr(self, f.attname)
            for f in self._meta.concrete_fields
            if f.attname in self.__dict__
        }
        self._lock_touched = set()

    def lock_changed_fields(self, update_fields=None) -> list[str]:
        """The fields changed since the row was loaded (names, not attnames), and those
        `touch()` named."""
        loaded = getattr(self, "_lock_loaded", None) or {}
        skip = {"id", "lock_version", "lock_fields", *self.lock_ignored}
        wanted = None if update_fields is None else set(update_fields)
        changed = []
        for f in self._meta.concrete_fields:
            if f.name in skip or (wanted is not None and not {f.name, f.attname} & wanted):
                continue
            if f.attname in loaded and getattr(self, f.attname) != loaded[f.attname]:
                changed.append(f.name)
        return [*changed, *sorted(getattr(self, "_lock_touched", set()) - set(changed))]

    def save(self, *args, **kwargs):
        if not self._state.adding and self.pk is not None:
            update_fields = kwargs.get("update_fields")
            changed = self.lock_changed_fields(update_fields)
            if changed or not hasattr(self, "_lock_loaded"):
                self.lock_version = (self.lock_version or 0) + 1
                self.lock_fields = {**self.lock_fields, **dict.fromkeys(changed, self.lock_version)}
                if update_fields is not None:
                    kwargs["update_fields"] = {*update_fields, "lock_version", "lock_fields"}
        super().save(*args, **kwargs)
        self._lock_snapshot()


def touch(row: Versioned, *names: str, update_fields: Iterable[str] = ()) -> None:
    """Save `row` (its `update_fields`) as changed in `names` too: what changed in rows of its
    own (a decision's services, a client's relatives). One new version for the whole change."""
    if not hasattr(row, "_lock_touched"):
        row._lock_touched = set()
    row._lock_touched.update(names)
    row.save(update_fields=[*update_fields, "lock_version"])


def field_changes(row: Versioned, since: int, labels: dict[str, str] | None = None) -> Changes:
    """The fields of `row` changed after version `since` (from `lock_fields`), labelled by
    `labels` or the model field's verbose name."""
    names = sorted(
        (name for name, version in (row.lock_fields or {}).items() if version > since),
        key=lambda name: (row.lock_fields[name], name),
    )
    shown = []
    for name in names:
        label = (labels or {}).get(name)
        if label is None:
            try:
                label = str(row._meta.get_field(name).verbose_name)
            except Exception:  # a touched name that is no field ("services")
                label = name
        shown.append(str(label))
    return Changes(fields=names, labels=shown)


# --- the version in a request -----------------------------------------------------------------


def parse_if_match(value: str | None) -> set[int] | None:
    """The versions an `If-Match` header accepts: None for none or `*` (no condition); a
    ValidationFailed naming the header for one that is not a list of versions (`W/"3"`, `"3"`
    or `3`; weak and strong tags compare alike: a tag is the row's version)."""
    if value is None or value.strip() in ("", "*"):
        return None
    versions = set()
    for tag in value.split(","):
        tag = tag.strip()
        tag = tag.removeprefix("W/").strip('"')
        if not tag.isdigit() or len(tag) > 9:
            raise ValidationFailed(
                {IF_MATCH: _('Ange versionen som W/"3", "3" eller 3 (ETag från hämtningen).')}
            )
        versions.add(int(tag))
    return versions


def parse_version(value) -> set[int] | None:
    """A `lock_version` given in a body or a form: None when not given."""
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not str(value).isdigit() or len(str(value)) > 9:
        raise ValidationFailed({VERSION_FIELD: _("Versionen ska vara ett heltal.")})
    return {int(value)}


def etag(version: int) -> str:
    return f'W/"{version}"'


class VersionField(forms.IntegerField):
    """The version a screen's edit form was opened at: a hidden input."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 0)
        super().__init__(**kwargs)


def with_version(form: forms.BaseForm, version: int) -> forms.BaseForm:
    """Give an edit form the hidden version it was opened at (bound: what was posted)."""
    form.fields[VERSION_FIELD] = VersionField(initial=version)
    return form
