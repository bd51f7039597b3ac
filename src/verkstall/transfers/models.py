"""The transfer of a client's ongoing support from one unit to another when the client reaches
an age (SPEC R1.4, seed 003: "När en person fyller 65 år och har pågående boendestöd från
socialpsykiatrin övergår ansvaret till omvårdnadsförvaltningen").

Which units hand over to which, at what age, for which kinds of service, and how early the
officer is told, is the municipality's own data (`TransferRoute`), never a constant.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from verkstall.core import clock
from verkstall.decisions.catalogue import ServiceKind


def default_service_kinds() -> list[str]:
    """Seed 003: ongoing housing support (boendestöd) moves at 65."""
    return [ServiceKind.HOUSING_SUPPORT.value]


class TransferRoute(models.Model):
    """A unit whose clients' ongoing support moves to another unit at an age: in Solna the
    socialpsykiatri's housing support moves to the elderly care at 65 (seed 003)."""

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    from_unit = models.ForeignKey(
        "access.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="från enhet",
        help_text="E.g. the socialpsykiatri's unit.",
    )
    to_unit = models.ForeignKey(
        "access.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="till enhet",
        help_text="E.g. the elderly care's unit.",
    )
    at_age = models.PositiveSmallIntegerField("vid ålder", default=65)
    notice_days = models.PositiveSmallIntegerField(
        "visas i listan dagar före",
        default=90,
        help_text="The client is on the officer's list so many days before the birthday.",
    )
    service_kinds = models.JSONField(
        "insatsslag som övergår",
        default=default_service_kinds,
        help_text="Service kinds (decisions.catalogue.ServiceKind) whose ongoing orders make "
        "a client move.",
    )
    source = models.CharField("källa", max_length=200, blank=True)

    class Meta:
        verbose_name = "överlämning vid ålder"
        verbose_name_plural = "överlämningar vid ålder"
        ordering = ["from_unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["from_unit"], name="transfer_route_one_per_unit"),
            models.CheckConstraint(
                name="transfer_route_to_another_unit", condition=~Q(from_unit=F("to_unit"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_unit} → {self.to_unit} vid {self.at_age} år"


class Transfer(models.Model):
    """One client handed over (R1.4): who, when, from and to which unit, the orders left running
    until the new unit's new decision, and whether the support worker is asked to the
    meeting (seed 003: "kan den enskildes boendestödjare delta om så önskas vid mötet")."""

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="transfers")
    route = models.ForeignKey(
        TransferRoute, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_unit = models.ForeignKey("access.Unit", on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey("access.Unit", on_delete=models.PROTECT, related_name="+")
    turns_age_on = models.DateField("fyller år")
    orders = models.ManyToManyField(
        "orders.Order", related_name="+", blank=True, verbose_name="pågående beställningar"
    )
    support_worker_invited = models.BooleanField("boendestödjaren bjuds in", default=False)
    meeting_note = models.TextField("om mötet", blank=True)
    transferred_by = models.ForeignKey("access.User", on_delete=models.PROTECT, related_name="+")
    transferred_at = models.DateTimeField("överlämnad", default=clock.now)

    class Meta:
        verbose_name = "överlämning"
        verbose_name_plural = "överlämningar"
        ordering = ["-transferred_at", "-id"]
        indexes = [
            models.Index(fields=["municipality", "to_unit"]),
            models.Index(fields=["municipality", "from_unit"]),
        ]

    def __str__(self) -> str:
        return f"Överlämning {self.transferred_at:%Y-%m-%d} ({self.person})"
