"""Tenants (municipalities), the myndighet's units and users with their organisation."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q

from .roles import PROVIDER_ROLES, ROLE_LABELS, Role

# Sorted so that the constraints (and their migrations) do not depend on set order.
_PROVIDER_ROLE_VALUES = sorted(r.value for r in PROVIDER_ROLES)


class Municipality(models.Model):
    """A tenant: every row of a municipality's work carries its id."""

    code = models.CharField("kommunkod", max_length=4, unique=True)
    name = models.CharField("namn", max_length=100)
    rule_profile = models.CharField(
        "regelprofil",
        max_length=50,
        help_text="The municipality's deadline rule profile (SPEC R11.1).",
    )

    class Meta:
        verbose_name = "kommun"
        verbose_name_plural = "kommuner"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A unit of the municipality's myndighet (e.g. a needs-assessment unit of a district)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="units")
    name = models.CharField("namn", max_length=120)

    class Meta:
        verbose_name = "myndighetsenhet"
        verbose_name_plural = "myndighetsenheter"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="unit_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """Every user belongs to exactly one organisation: a myndighet unit or a provider."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    role = models.CharField(
        "roll", max_length=30, choices=[(r.value, ROLE_LABELS[r]) for r in Role]
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    provider = models.ForeignKey(
        "providers.Provider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    provider_unit = models.ForeignKey(
        "providers.ProviderUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )

    class Meta:
        verbose_name = "användare"
        verbose_name_plural = "användare"
        constraints = [
            models.CheckConstraint(
                name="user_provider_role_has_provider",
                condition=~Q(role__in=_PROVIDER_ROLE_VALUES) | Q(provider__isnull=False),
            ),
            models.CheckConstraint(
                name="user_officer_has_unit",
                condition=~Q(role=Role.OFFICER.value) | Q(unit__isnull=False),
            ),
            models.CheckConstraint(
                name="user_only_provider_roles_have_provider",
                condition=Q(role__in=_PROVIDER_ROLE_VALUES) | Q(provider__isnull=True),
            ),
        ]

    @property
    def role_enum(self) -> Role | None:
        try:
            return Role(self.role)
        except ValueError:
            return None

    @property
    def is_provider_user(self) -> bool:
        return self.role_enum in PROVIDER_ROLES

    @property
    def is_officer(self) -> bool:
        return self.role_enum == Role.OFFICER

    @property
    def organisation_name(self) -> str:
        if self.provider_id:
            return str(self.provider)
        if self.unit_id:
            return str(self.unit)
        return str(self.municipality or "")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class ApiToken(models.Model):
    """A key for a provider's own system (`Authorization: Token <key>`; SPEC R12.2, issue 11).

    Only the SHA-256 of the key is stored, with its first characters (`prefix`, not secret) to
    find it and to tell keys apart; the key itself is shown once, when it is made
    (`python -m verkstall create_api_token`). A key works until `expires_at`, or until revoked.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    prefix = models.CharField("prefix", max_length=12, db_index=True)
    key_hash = models.CharField("SHA-256 av nyckeln", max_length=64, unique=True)
    created_at = models.DateTimeField("skapad")
    expires_at = models.DateTimeField("giltig till")
    last_used_at = models.DateTimeField("senast använd", null=True, blank=True)
    revoked_at = models.DateTimeField("återkallad", null=True, blank=True)
    read_only = models.BooleanField(
        "får bara läsa",
        default=False,
        help_text="A key that may read but not write (POST, PUT, PATCH, DELETE are 403).",
    )

    class Meta:
        verbose_name = "API-nyckel"
        verbose_name_plural = "API-nycklar"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
