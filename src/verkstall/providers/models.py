"""Areas, providers and their units (SPEC R2, R3.3)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Area(models.Model):
    """A home-care area (hemtjänstområde) of a municipality."""

    municipality = models.ForeignKey(
        "access.Municipality", on_delete=models.PROTECT, related_name="areas"
    )
    name = models.CharField("namn", max_length=120)

    class Meta:
        verbose_name = "område"
        verbose_name_plural = "områden"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="area_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    """How an order reaches a provider (R3.3)."""

    SYSTEM = "system", "I systemet"
    EMAIL = "email", "E-post"
    FAX = "fax", "Fax"
    POST = "post", "Post"


class Provider(models.Model):
    """A care provider (utförare), municipal or private, connected to the system or not."""

    municipality = models.ForeignKey(
        "access.Municipality", on_delete=models.PROTECT, related_name="providers"
    )
    name = models.CharField("namn", max_length=160)
    organisation_number = models.CharField("organisationsnummer", max_length=11, blank=True)
    is_connected = models.BooleanField(
        "ansluten till systemet",
        default=True,
        help_text="A connected provider receives orders and registers replies itself.",
    )
    channel = models.CharField(
        "kanal för beställningar", max_length=10, choices=Channel.choices, default=Channel.SYSTEM
    )
    email = models.EmailField("e-post", blank=True)
    fax = models.CharField("fax", max_length=30, blank=True)
    phone = models.CharField("telefon", max_length=30, blank=True)
    postal_address = models.CharField("postadress", max_length=200, blank=True)

    class Meta:
        verbose_name = "utförare"
        verbose_name_plural = "utförare"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="provider_unique_name"),
            models.CheckConstraint(
                name="provider_channel_matches_connection",
                condition=(Q(is_connected=True) & Q(channel="system"))
                | (Q(is_connected=False) & ~Q(channel="system")),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProviderUnit(models.Model):
    """A unit of a provider, with its unit manager (enhetschef)."""

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="units")
    name = models.CharField("namn", max_length=160)
    manager_name = models.CharField("enhetschef", max_length=120, blank=True)
    phone = models.CharField("telefon", max_length=30, blank=True)

    class Meta:
        verbose_name = "utförarenhet"
        verbose_name_plural = "utförarenheter"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "name"], name="provider_unit_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.provider.name}, {self.name}"
