"""The calendar feed's token (issue 17 item 7): a user's subscription to their own due items as
iCalendar, at an address with a secret in it (deadlines/calendar_views.py).

Its own module because models.py is full (500 lines, tests/test_architecture.py); models.py
imports it, so it is a model of the `deadlines` app like any other.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class CalendarFeedToken(models.Model):
    """One calendar subscription of one user.

    Only the SHA-256 of the secret is stored (`secret_hash`, as access.ApiToken stores a key);
    the secret is shown once, in the address, when the subscription is made. A user has at most
    one active subscription (a database constraint): making a new one revokes the old. The feed
    answers only while the subscription is not revoked, its user is active and still holds the
    `role` it was made with."""

    user = models.ForeignKey("access.User", on_delete=models.CASCADE, related_name="calendar_feeds")
    role = models.CharField(
        "roll när den skapades",
        max_length=30,
        help_text="Flödet svarar bara så länge användaren har kvar denna roll.",
    )
    secret_hash = models.CharField("SHA-256 av hemligheten", max_length=64, unique=True)
    created_at = models.DateTimeField("skapad")
    last_used_at = models.DateTimeField("senast hämtad", null=True, blank=True)
    revoked_at = models.DateTimeField("återkallad", null=True, blank=True)

    class Meta:
        verbose_name = "kalenderprenumeration"
        verbose_name_plural = "kalenderprenumerationer"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(revoked_at__isnull=True),
                name="calendar_feed_one_active_per_user",
            ),
        ]

    def __str__(self) -> str:
        state = "återkallad" if self.revoked_at else "aktiv"
        return f"Kalenderprenumeration {self.pk} ({state})"
