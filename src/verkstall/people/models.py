"""Clients and their relatives (SPEC R1.1)."""

from __future__ import annotations

from django.db import models

from verkstall.core import clock
from verkstall.core.personal_number import PersonalNumber


class Person(models.Model):
    """The individual who receives services (den enskilde, brukare, kund)."""

    municipality = models.ForeignKey(
        "access.Municipality", on_delete=models.PROTECT, related_name="persons"
    )
    unit = models.ForeignKey(
        "access.Unit",
        on_delete=models.PROTECT,
        related_name="persons",
        help_text="The myndighet unit whose officers handle this client.",
    )
    personal_number = models.CharField(
        "personnummer", max_length=12, help_text="Twelve digits, YYYYMMDDNNNC."
    )
    first_name = models.CharField("förnamn", max_length=100)
    last_name = models.CharField("efternamn", max_length=100)
    street_address = models.CharField("gatuadress", max_length=200, blank=True)
    postal_code = models.CharField("postnummer", max_length=10, blank=True)
    city = models.CharField("ort", max_length=100, blank=True)
    area = models.ForeignKey(
        "providers.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="persons"
    )
    phone = models.CharField("telefon", max_length=30, blank=True)
    latitude = models.DecimalField("latitud", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        "longitud", max_digits=9, decimal_places=6, null=True, blank=True
    )
    whereabouts = models.CharField(
        "vistelseort just nu",
        max_length=200,
        blank=True,
        help_text="Where the person is now, if not at home (hospital, short-term stay...).",
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "klient"
        verbose_name_plural = "klienter"
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "personal_number"], name="person_unique_number"
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "unit", "last_name"]),
        ]

    @property
    def number(self) -> PersonalNumber:
        return PersonalNumber(self.personal_number)

    @property
    def formatted_personal_number(self) -> str:
        return self.number.formatted()

    @property
    def is_coordination_number(self) -> bool:
        return self.number.is_coordination_number

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def __str__(self) -> str:
        return self.full_name


class Relative(models.Model):
    """A relative or other contact of the client (anhörig)."""

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relatives")
    name = models.CharField("namn", max_length=200)
    relation = models.CharField("relation", max_length=100, blank=True)
    phone = models.CharField("telefon", max_length=30, blank=True)
    email = models.EmailField("e-post", blank=True)

    class Meta:
        verbose_name = "anhörig"
        verbose_name_plural = "anhöriga"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
