"""A draft of one long text field, kept while its author types (issue 17 item 1).

One row per user, screen-and-object key (drafts/registry.py) and field. It is the author's
own: every read and write filters by the user, and nobody else's screen shows it. `person` is
the client the key's object belongs to, so that storing and restoring the draft reach the
access log as any read or write of client data does (audit/client_models.py); it is null for a
screen without a client (a new message not yet about an order). Removed when the real record
is saved, by its author's discarding it, and after KEEP_DAYS (drafts/tasks.py).
"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

#: The longest draft kept, in characters: longer text is refused with a message.
MAX_TEXT = 100_000


class Draft(models.Model):
    user = models.ForeignKey("access.User", on_delete=models.CASCADE, related_name="+")
    key = models.CharField("skärm och objekt", max_length=80)
    field = models.CharField("fält", max_length=80)
    text = models.TextField("text", blank=True)
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField("sparat")
    # The version of the record the form was opened at (core/concurrency.py), when it has one:
    # a draft put back into a form brings that version along, so saving it over a record
    # changed since by someone else is refused with what changed (issue 18), not written.
    base_version = models.PositiveIntegerField("grundversion", null=True, blank=True)

    class Meta:
        verbose_name = "utkast"
        verbose_name_plural = "utkast"
        ordering = ["key", "field"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key", "field"], name="draft_one_per_field"),
            models.CheckConstraint(
                name="draft_text_within_limit",
                condition=LessThanOrEqual(Length("text"), MAX_TEXT),
            ),
        ]
        indexes = [models.Index(fields=["updated_at"], name="draft_updated_at")]

    def __str__(self) -> str:
        return f"Utkast {self.key} {self.field}"
