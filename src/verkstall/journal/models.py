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


class _AppendOnly(models.Model):
    """Signed and dated; never edited in place nor deleted (SPEC R10.2)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Journal entries are never edited in place; write a correction.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Journal entries are never deleted.")


class CaseDocument(models.Model):
    """A document received on paper from a provider outside the system, scanned to the digital
    record (seed 002 §Bistånd som avslutas). The file lives under DATA_DIR / "documents", never
    in the web root; it is served only through a scoped view."""

    entry = models.OneToOneField(
        CaseJournalEntry, on_delete=models.PROTECT, related_name="document"
    )
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    provider_name = models.CharField("från utförare", max_length=200, blank=True)
    file_name = models.CharField("filnamn", max_length=200, blank=True)
    storage_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = "inkommen handling"
        verbose_name_plural = "inkomna handlingar"

    def __str__(self) -> str:
        return self.file_name or self.provider_name or f"handling {self.pk}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("A received document is never changed.")
        super().save(*args, **kwargs)


class ProviderJournalEntry(_AppendOnly):
    """The provider's own documentation (verksamhetsjournal, SPEC R10.2, R5.5). Only the
    provider that wrote it reads it; the myndighet does not."""

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey("access.User", on_delete=models.PROTECT, related_name="+")
    author_organisation = models.CharField(max_length=200)
    written_at = models.DateTimeField(default=clock.now, editable=False)
    text = models.TextField("text")
    is_summary = models.BooleanField("sammanfattning", default=False)
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )

    class Meta:
        verbose_name = "journalanteckning (utförare)"
        verbose_name_plural = "journalanteckningar (utförare)"
        ordering = ["-written_at", "-id"]
        indexes = [models.Index(fields=["municipality", "provider", "order", "written_at"])]

    def __str__(self) -> str:
        return f"{self.written_at:%Y-%m-%d} {self.author_organisation}"


class Message(models.Model):
    """A message between the myndighet unit and the provider about a client or an order
    (SPEC R10.3). Only these two organisations see it."""

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The two organisations; `from_provider` says which of them sent it.
    unit = models.ForeignKey("access.Unit", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="+")
    from_provider = models.BooleanField()
    sender = models.ForeignKey("access.User", on_delete=models.PROTECT, related_name="+")
    sender_organisation = models.CharField(max_length=200)
    recipient_organisation = models.CharField(max_length=200)
    subject = models.CharField("ämne", max_length=200)
    body = models.TextField("meddelande")
    sent_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = "meddelande"
        verbose_name_plural = "meddelanden"
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(fields=["municipality", "unit", "sent_at"]),
            models.Index(fields=["municipality", "provider", "sent_at"]),
        ]

    def __str__(self) -> str:
        return self.subject


class MessageReceipt(models.Model):
    """A user of the receiving organisation opened the message (read receipt, SPEC R10.3)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="receipts")
    user = models.ForeignKey("access.User", on_delete=models.PROTECT, related_name="+")
    read_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = "läskvitto"
        verbose_name_plural = "läskvitton"
        ordering = ["read_at"]
        constraints = [
            models.UniqueConstraint(fields=["message", "user"], name="message_receipt_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.read_at:%Y-%m-%d %H:%M}"
