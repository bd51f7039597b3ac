"""Case journal entries (myndighetsjournal, SPEC R10.2): signed, dated, never edited in place;
a correction is a new entry that points to the one it corrects."""

from __future__ import annotations

from django.db import models

from verkstall.core import clock


class CaseJournalEntry(models.Model):
    class Kind(models.TextChoices):
        NOTE = "note", "Anteckning"
        CHOICE = "choice", "Val av utförare"
        ROTATION = "rotation", "Ickeval, turordning"
        SWITCH = "switch", "Byte av utförare"
        DOCUMENT = "document", "Inkommen handling"

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey("access.User", on_delete=models.PROTECT, related_name="+")
    author_organisation = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.NOTE)
    title = models.CharField("rubrik", max_length=200)
    text = models.TextField("text")
    written_at = models.DateTimeField(default=clock.now, editable=False)
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )

    class Meta:
        verbose_name = "journalanteckning (myndighet)"
        verbose_name_plural = "journalanteckningar (myndighet)"
        ordering = ["-written_at", "-id"]
        indexes = [models.Index(fields=["municipality", "person", "written_at"])]

    def __str__(self) -> str:
        return f"{self.written_at:%Y-%m-%d} {self.title}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Journal entries are never edited in place; write a correction.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Journal entries are never deleted.")
