"""The outbox of outgoing e-mail (issue 18 item 1, issue 19).

A mail is a row written in the same transaction as the write it tells of (an order sent, a
reminder logged), so it exists exactly when that write was committed, and it waits here while
the mail server is down. Delivery (delivery_services.py) runs outside any web request, in the
task worker or `python -m verkstall deliver_mail`, sends each row once and marks it.

No client data is stored: a kind whose mail names a client or carries the order document is
built at delivery time from `reference` (outbox/registry.py); other kinds store a subject and
body without personal data. `last_error` holds an exception's class name only, never an
address or content. Sent rows are removed after VERKSTALL_OUTBOX_KEEP_DAYS.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from verkstall.core import clock


class OutgoingMail(models.Model):
    kind = models.CharField("slag", max_length=40)
    recipients = models.JSONField("mottagare", default=list)
    subject = models.CharField("ämne", max_length=300, blank=True)
    body = models.TextField("text", blank=True)
    html_body = models.TextField("HTML", blank=True)
    # What a builder makes the mail from: e.g. "<order id>:<user id>". Never personal data.
    reference = models.CharField("referens", max_length=100, blank=True)
    # Enqueueing the same key twice does nothing (a reminder never goes twice).
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    created_at = models.DateTimeField("köad", default=clock.now)
    attempts = models.PositiveIntegerField("försök", default=0)
    # When it may be tried next; while a worker holds the row, the end of its claim.
    next_attempt_at = models.DateTimeField("nästa försök", default=clock.now)
    sent_at = models.DateTimeField("skickad", null=True, blank=True)
    given_up_at = models.DateTimeField("avbruten", null=True, blank=True)
    last_error = models.CharField("senaste fel", max_length=100, blank=True)

    class Meta:
        verbose_name = "utgående e-post"
        verbose_name_plural = "utgående e-post"
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(sent_at__isnull=True, given_up_at__isnull=True),
                name="outbox_due",
            ),
            models.Index(fields=["kind", "reference"], name="outbox_kind_reference"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True) | Q(given_up_at__isnull=True),
                name="outbox_sent_or_given_up",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def pending(self) -> bool:
        return self.sent_at is None and self.given_up_at is None
