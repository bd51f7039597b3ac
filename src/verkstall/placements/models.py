"""The care-home and day-activity queue, urgent placements and offers of a place (SPEC R8.1,
R8.2, R8.3).

The officer puts a client in the queue for one or more homes (or day-activity units) in order
of preference, with the granted service it rests on (`QueueEntry`, `QueueChoice`). An urgent
placement carries where the client is now, when the hospital said the client is ready for
discharge and when the municipality's payment liability begins (R8.1). The placement unit
offers a place at one of the chosen homes (`PlaceOffer`); the client accepts or declines. The
officer then sends the order to the home in one step.

The hospital's notice and the accepted place are clock events of the decision
("placement.discharge_ready", "placement.place_accepted"): the deadline engine reads them
through the decision's reverse relation `queue_entries` (deadlines.engine.placement_events).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from verkstall.core import clock


class EntryState(models.TextChoices):
    WAITING = "waiting", "Väntar på plats"
    OFFERED = "offered", "Plats erbjuden"
    ACCEPTED = "accepted", "Plats accepterad"
    ORDERED = "ordered", "Beställning skickad"
    REMOVED = "removed", "Avförd ur kön"


#: Entries still in the queue (the placement unit's screen).
IN_QUEUE = (EntryState.WAITING, EntryState.OFFERED)
#: Entries still open: in the queue or with an accepted place whose order is not yet sent. A
#: granted service has at most one open entry, and only an open entry can be withdrawn
#: (services.enqueue, services.withdraw, selectors.queueable_services, the entry page).
OPEN = (*IN_QUEUE, EntryState.ACCEPTED)


class QueueEntry(models.Model):
    """One client in the queue for one granted service (care home or day activity)."""

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    unit = models.ForeignKey("access.Unit", on_delete=models.PROTECT, related_name="+")
    officer = models.ForeignKey("access.User", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="queue_entries"
    )
    decision = models.ForeignKey(
        "decisions.Decision", on_delete=models.PROTECT, related_name="queue_entries"
    )
    granted_service = models.ForeignKey(
        "decisions.GrantedService", on_delete=models.PROTECT, related_name="queue_entries"
    )
    queued_at = models.DateTimeField("ställd i kö", default=clock.now)
    state = models.CharField(
        "läge", max_length=20, choices=EntryState.choices, default=EntryState.WAITING
    )
    urgent = models.BooleanField("skyndsam placering", default=False)
    current_location = models.CharField(
        "var den enskilde befinner sig nu", max_length=200, blank=True
    )
    discharge_ready_at = models.DateTimeField(
        "utskrivningsklar (sjukhusets underrättelse)", null=True, blank=True
    )
    liability_from = models.DateField("kommunens betalningsansvar inträder", null=True, blank=True)
    notes = models.TextField("annat av vikt", blank=True)
    accepted_at = models.DateTimeField("plats accepterad", null=True, blank=True)
    removed_at = models.DateTimeField("avförd ur kön", null=True, blank=True)
    removed_reason = models.CharField("skäl till avförande", max_length=300, blank=True)
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = "köplats"
        verbose_name_plural = "köplatser"
        ordering = ["-urgent", "queued_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["granted_service"],
                condition=Q(state__in=["waiting", "offered", "accepted"]),
                name="queue_entry_one_open_per_service",
            ),
            models.CheckConstraint(
                name="queue_entry_urgent_has_discharge",
                condition=Q(urgent=False) | Q(discharge_ready_at__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["municipality", "state"])]

    def __str__(self) -> str:
        return f"Köplats {self.pk} ({self.get_state_display()})"


class QueueChoice(models.Model):
    """One home (or day-activity unit) the client chose, in order of preference (1 first)."""

    entry = models.ForeignKey(QueueEntry, on_delete=models.CASCADE, related_name="choices")
    home = models.ForeignKey("providers.ProviderUnit", on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField("önskemål nr")

    class Meta:
        verbose_name = "önskat boende"
        verbose_name_plural = "önskade boenden"
        ordering = ["entry", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "home"], name="queue_choice_unique_home"),
            models.UniqueConstraint(fields=["entry", "rank"], name="queue_choice_unique_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.home_id}"


class Outcome(models.TextChoices):
    ACCEPTED = "accepted", "Tackade ja"
    DECLINED = "declined", "Tackade nej"


class PlaceOffer(models.Model):
    """A place offered by the placement unit at one of the chosen homes (R8.2, R8.3)."""

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    entry = models.ForeignKey(QueueEntry, on_delete=models.CASCADE, related_name="offers")
    home = models.ForeignKey("providers.ProviderUnit", on_delete=models.PROTECT, related_name="+")
    offered_by = models.ForeignKey("access.User", on_delete=models.PROTECT, related_name="+")
    offered_at = models.DateTimeField("erbjuden", default=clock.now)
    outcome = models.CharField("svar", max_length=10, choices=Outcome.choices, blank=True)
    answered_by = models.ForeignKey(
        "access.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField("besvarad", null=True, blank=True)
    decline_reason = models.CharField("skäl till nej", max_length=300, blank=True)

    class Meta:
        verbose_name = "erbjuden plats"
        verbose_name_plural = "erbjudna platser"
        ordering = ["entry", "offered_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry"], condition=Q(outcome=""), name="place_offer_one_open"
            ),
            models.CheckConstraint(
                name="place_offer_declined_has_reason",
                condition=~Q(outcome="declined") | ~Q(decline_reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"Erbjudande {self.pk} ({self.get_outcome_display() or 'obesvarat'})"


class IntakeState(models.TextChoices):
    PENDING = "pending", "Väntar på registrering"
    REGISTERED = "registered", "Registrerad"
    DECLINED = "declined", "Avböjd"


class StayIntake(models.Model):
    """A temporary stay of a person from another municipality, posted by an e-service (R8.4,
    seed 002 §Beställning av tillfällig vistelse).

    It lands in the receiving municipality (the posting account's) and waits for the placement
    unit, who registers it (the client record, scoped to the receiving municipality, and a note
    in the case journal; the decision is the officer's) or declines it with a reason. The
    e-service's own id (`external_id`) makes a repeated post the same intake.
    """

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    external_id = models.CharField("e-tjänstens ärende-id", max_length=100)
    received_by = models.ForeignKey("access.User", on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField("inkom", default=clock.now)
    personal_number = models.CharField("personnummer", max_length=12)
    first_name = models.CharField("förnamn", max_length=100)
    last_name = models.CharField("efternamn", max_length=100)
    home_municipality_name = models.CharField("hemkommun", max_length=100)
    home_municipality_code = models.CharField("hemkommunens kod", max_length=4, blank=True)
    stay_from = models.DateField("vistelse från")
    stay_to = models.DateField("vistelse till")
    street_address = models.CharField("adress under vistelsen", max_length=200)
    postal_code = models.CharField("postnummer", max_length=10, blank=True)
    city = models.CharField("ort", max_length=100, blank=True)
    help_requested = models.TextField("insatser som söks")
    contact_name = models.CharField("kontaktperson", max_length=200, blank=True)
    contact_phone = models.CharField("kontaktpersonens telefon", max_length=30, blank=True)
    contact_email = models.EmailField("kontaktpersonens e-post", blank=True)
    state = models.CharField(
        "läge", max_length=20, choices=IntakeState.choices, default=IntakeState.PENDING
    )
    unit = models.ForeignKey(
        "access.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stay_intakes",
    )
    handled_by = models.ForeignKey(
        "access.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField("hanterad", null=True, blank=True)
    decline_reason = models.CharField("skäl till avböjande", max_length=300, blank=True)

    class Meta:
        verbose_name = "tillfällig vistelse (inkommen)"
        verbose_name_plural = "tillfälliga vistelser (inkomna)"
        ordering = ["received_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "external_id"], name="stay_intake_unique_external_id"
            ),
            models.CheckConstraint(
                name="stay_intake_period_in_order", condition=Q(stay_to__gte=models.F("stay_from"))
            ),
            models.CheckConstraint(
                name="stay_intake_declined_has_reason",
                condition=~Q(state="declined") | ~Q(decline_reason=""),
            ),
            models.CheckConstraint(
                name="stay_intake_registered_has_person",
                condition=~Q(state="registered") | Q(person__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["municipality", "state"])]

    def __str__(self) -> str:
        return f"Tillfällig vistelse {self.pk} ({self.get_state_display()})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def home_municipality(self) -> str:
        code = f" ({self.home_municipality_code})" if self.home_municipality_code else ""
        return f"{self.home_municipality_name}{code}"
