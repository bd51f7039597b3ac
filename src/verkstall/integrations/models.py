"""A provider's own systems (issue 20 items 2 and 3): API clients and their webhooks.

An API client is a system of the provider's (staff planning, time registration) with its own
user, so the access log names the system, not a person; its keys are the access app's
`ApiToken` (hashed at rest, expiring, revocable). It is made and ended on screen by the
provider's unit manager and sees what its maker's provider (or unit) sees, never more.

A webhook endpoint belongs to an API client and receives the client's event feed
(orders.feed_selectors): every event the client may see, in recorded order, POSTed one at a
time and signed; the feed is the durable outbox, the endpoint's `cursor` how far it has
acknowledged. A failed delivery is retried with backoff, and nothing after it goes before it.
"""

from __future__ import annotations

from django.db import models

from verkstall.core import clock
from verkstall.core.event_kinds import KIND_BY_CODE


class ApiClient(models.Model):
    user = models.OneToOneField("access.User", on_delete=models.PROTECT, related_name="api_client")
    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, related_name="api_clients"
    )
    name = models.CharField("namn", max_length=100)
    can_write = models.BooleanField(
        "får registrera",
        default=True,
        help_text="Kvittera, starta, rapportera; utan detta får systemet bara läsa.",
    )
    created_by = models.ForeignKey("access.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("skapad", default=clock.now)
    ended_at = models.DateTimeField("avslutad", null=True, blank=True)

    class Meta:
        verbose_name = "API-klient"
        verbose_name_plural = "API-klienter"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class WebhookEndpoint(models.Model):
    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField("adress", max_length=500)
    secret = models.CharField(
        "signeringsnyckel",
        max_length=64,
        help_text="Shown once when made; the HMAC-SHA256 key of every delivery's signature.",
    )
    cursor = models.CharField("levererat till och med", max_length=100, blank=True)
    active = models.BooleanField("aktiv", default=True)
    failures = models.PositiveIntegerField("misslyckade försök i följd", default=0)
    next_attempt_at = models.DateTimeField("nästa försök", null=True, blank=True)
    # The lease of the worker delivering now (webhook_services.deliver_endpoint): no other
    # worker delivers the endpoint until `claimed_until` has passed; a crashed worker's lease
    # expires. Each recorded delivery renews it, and only under its `lease_token`.
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    lease_token = models.CharField(max_length=32, blank=True, editable=False)
    created_by = models.ForeignKey("access.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("skapad", default=clock.now)

    class Meta:
        verbose_name = "webhook"
        verbose_name_plural = "webhooks"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One attempt to deliver one event to one endpoint: the log the provider reads."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    # Ids, not foreign keys: the log outlives an order removed by retention (R10.6).
    event_id = models.BigIntegerField()
    order_id = models.BigIntegerField()
    kind = models.CharField(max_length=30)
    cursor = models.CharField(max_length=100)
    attempted_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True)
    error = models.CharField(max_length=300, blank=True)
    delivered = models.BooleanField(default=False)

    class Meta:
        ordering = ["-attempted_at", "-id"]
        indexes = [models.Index(fields=["endpoint", "-attempted_at"])]

    @property
    def kind_label(self) -> str:
        """The event kind as the order history names it."""
        known = KIND_BY_CODE.get(self.kind)
        return known.label if known else self.kind

    def __str__(self) -> str:
        return f"{self.kind} {self.event_id} → {self.endpoint_id}"
