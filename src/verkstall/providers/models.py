"""Areas, providers and their units (SPEC R2, R3.3)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from .import_models import ImportJob  # noqa: F401 - a model of this app, in its own module


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
    """How an order reaches a provider (R3.3). A provider without access to the system may take
    its orders by personal contact: the officer hands the order over in person (seed 004
    "överlämnande av uppdrag via personlig kontakt eller faxmeddelande")."""

    SYSTEM = "system", "I systemet"
    EMAIL = "email", "E-post"
    FAX = "fax", "Fax"
    POST = "post", "Post"
    PERSONAL = "personal", "Personlig kontakt"


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
    latitude = models.DecimalField("latitud", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        "longitud", max_digits=9, decimal_places=6, null=True, blank=True
    )
    service_types = models.ManyToManyField(
        "decisions.ServiceType",
        blank=True,
        related_name="units",
        help_text="What this unit offers, for homes outside LOV (R2.5: short-term, profile).",
    )

    class Meta:
        verbose_name = "utförarenhet"
        verbose_name_plural = "utförarenheter"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "name"], name="provider_unit_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.provider.name}, {self.name}"


class Contract(models.Model):
    """A LOV contract line (R2.1): a provider offers a service type in an area for a period,
    may be in the no-choice alternative there, and may for now take no new clients."""

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="contracts")
    service_type = models.ForeignKey(
        "decisions.ServiceType", on_delete=models.PROTECT, related_name="contracts"
    )
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="contracts")
    valid_from = models.DateField("gäller från")
    valid_to = models.DateField("gäller till", null=True, blank=True)
    in_no_choice = models.BooleanField("ingår i ickevalsalternativet", default=True)
    accepts_new_clients = models.BooleanField("tar emot nya brukare", default=True)
    capacity_reason = models.CharField("skäl (kapacitetstak)", max_length=200, blank=True)
    capacity_until = models.DateField("kapacitetstak gäller till", null=True, blank=True)

    class Meta:
        verbose_name = "avtal (LOV)"
        verbose_name_plural = "avtal (LOV)"
        ordering = ["area", "service_type", "provider__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "service_type", "area", "valid_from"],
                name="contract_unique_line",
            ),
            models.CheckConstraint(
                name="contract_validity_order",
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
            ),
        ]
        indexes = [models.Index(fields=["municipality", "area", "service_type"])]

    def __str__(self) -> str:
        return f"{self.provider.name}: {self.service_type.name}, {self.area.name}"


class RotationState(models.Model):
    """Whose turn it is in the no-choice rotation of one area and service kind (R2.4).

    `cursor_key` is the Swedish collation key of the provider that had the last regular turn;
    the next turn goes to the first provider after it (so a new provider enters at its
    alphabetical place); `owed` lists providers passed over at their
    capacity cap, who keep their turn and get the next assignment they can take. The row is
    locked (SELECT ... FOR UPDATE) for each assignment, so two officers never get one turn.
    """

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    service_kind = models.CharField(max_length=30)
    cursor_key = models.CharField(max_length=200, blank=True)
    owed = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["area", "service_kind"], name="rotation_unique_list"),
        ]

    def __str__(self) -> str:
        return f"{self.area} / {self.service_kind}"


class RotationAssignment(models.Model):
    """One assignment by rotation: who got it, why, and who was passed over and why."""

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    service_kind = models.CharField(max_length=30)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    granted_service = models.ForeignKey(
        "decisions.GrantedService", on_delete=models.PROTECT, related_name="+"
    )
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=300)
    passed_over = models.JSONField(default=list, blank=True)
    assigned_by = models.ForeignKey("access.User", on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField()

    class Meta:
        ordering = ["-assigned_at", "-id"]
        indexes = [models.Index(fields=["municipality", "area", "service_kind", "assigned_at"])]

    def __str__(self) -> str:
        return f"{self.provider} ({self.assigned_at:%Y-%m-%d})"


class ProviderChoice(models.Model):
    """A registered provider choice for a granted service (R2.2): the client's active choice
    (val/omval, with the signed form's arrival date) or an assignment by rotation."""

    class Kind(models.TextChoices):
        CHOICE = "choice", "Val av utförare LOV"
        RECHOICE = "rechoice", "Omval utförare LOV"
        ROTATION = "rotation", "Ickeval, tilldelad enligt turordning"

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    granted_service = models.ForeignKey(
        "decisions.GrantedService", on_delete=models.PROTECT, related_name="choices"
    )
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    form_received_on = models.DateField("valblankett inkom", null=True, blank=True)
    registered_by = models.ForeignKey("access.User", on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField()

    class Meta:
        ordering = ["-registered_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.provider}"
