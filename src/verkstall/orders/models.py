"""The order and its append-only events (SPEC R3)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from verkstall.core import clock
from verkstall.core.db_functions import TransactionId
from verkstall.core.event_kinds import ORDER_EVENT_KINDS

from .states import ACTIVE, CLOSED, OPEN, REPLY_PENDING, STATE_LABELS, WITH_PROVIDER, State


class OrderQuerySet(models.QuerySet):
    """Orders by the named state groups of orders.states (one vocabulary, SPEC R3)."""

    def open(self):
        return self.filter(state__in=OPEN)

    def closed(self):
        return self.filter(state__in=CLOSED)

    def active(self):
        return self.filter(state__in=ACTIVE)

    def reply_pending(self):
        return self.filter(state__in=REPLY_PENDING)

    def with_provider(self):
        return self.filter(state__in=WITH_PROVIDER)


class EndReason(models.TextChoices):
    """Why an order ended (issue 16 item 9; seed 004 "brukaren flyttar eller avlider")."""

    MOVED = "moved", "Flyttat"
    DIED = "died", "Avliden"
    DECLINED = "declined", "Avböjt insatsen"
    NEEDS_CHANGED = "needs_changed", "Ändrat behov"
    OTHER = "other", "Annat"


class Order(models.Model):
    """A written order (beställning) to one provider for one person's granted services.

    The current state and the key dates are kept on the row for fast reads; they change only
    together with the event that explains them (services.py).
    """

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    unit = models.ForeignKey("access.Unit", on_delete=models.PROTECT, related_name="orders")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="orders")
    decision = models.ForeignKey(
        "decisions.Decision", on_delete=models.PROTECT, related_name="orders"
    )
    services = models.ManyToManyField("decisions.GrantedService", related_name="orders")
    officer = models.ForeignKey("access.User", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, related_name="orders"
    )
    provider_unit = models.ForeignKey(
        "providers.ProviderUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
    )
    state = models.CharField(
        "status",
        max_length=20,
        choices=[(s.value, STATE_LABELS[s]) for s in State],
        default=State.DRAFT.value,
    )
    instructions = models.TextField(
        "information till utföraren",
        blank=True,
        help_text="What the provider needs to know to give good care (seed 001).",
    )
    acute_oral_at = models.DateTimeField(
        "muntlig beställning",
        null=True,
        blank=True,
        help_text="When an acute oral order was given; a written order must follow (R3.2).",
    )
    written_on = models.DateField("skriftlig beställning daterad", null=True, blank=True)
    sent_at = models.DateTimeField("skickad", null=True, blank=True)
    acknowledged_at = models.DateTimeField("kvitterad", null=True, blank=True)
    start_date = models.DateField("verkställd från och med", null=True, blank=True)
    end_date = models.DateField("avslutad", null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    last_event_seq = models.PositiveIntegerField(default=0)
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name="ersätter beställning",
        help_text="A new version of an order after a reassessment (R3.10); the old one ends "
        "the day before this one starts.",
    )
    end_reason = models.CharField(
        "orsak till avslut", max_length=20, choices=EndReason.choices, blank=True
    )
    change_summary = models.TextField(
        "vad ändringen gäller",
        blank=True,
        help_text="What the change concerns, shown to the provider (R3.10, seed 002).",
    )

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = "beställning"
        verbose_name_plural = "beställningar"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["municipality", "provider", "state"]),
            models.Index(fields=["municipality", "unit", "state"]),
            # The officer's order list, the newest first (issue 17 item 5): a page is read
            # backwards off it, not sorted from every order of the unit joined to its clients
            # and decisions (PostgreSQL, 5 000 orders: 19 ms to 0.5 ms). None for the provider:
            # SQLite without statistics then takes it for the provider's client scope
            # (access.scoping.through_orders) instead of the index on the client.
            models.Index(fields=["municipality", "unit", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="order_sent_has_written_date",
                condition=Q(sent_at__isnull=True) | Q(written_on__isnull=False),
            ),
            models.CheckConstraint(
                name="order_end_not_before_start",
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
            ),
        ]

    @property
    def state_enum(self) -> State:
        return State(self.state)

    @property
    def awaits_written_order(self) -> bool:
        """An acute oral order whose written order has not gone out yet (R3.2)."""
        return self.acute_oral_at is not None and self.sent_at is None and self.state == State.DRAFT

    def __str__(self) -> str:
        return f"Beställning {self.pk} ({self.person})"


#: The stored event codes and their history labels, derived from the one vocabulary
#: (core/event_kinds.py), in its order.
EventKind = models.TextChoices(
    "EventKind", [(k.name, (k.code, k.label)) for k in ORDER_EVENT_KINDS]
)


class ReplyChannel(models.TextChoices):
    """How a reply from a provider reached the municipality, when registered on its behalf."""

    SYSTEM = "system", "I systemet"
    PHONE = "phone", "Telefon"
    EMAIL = "email", "E-post"
    FAX = "fax", "Fax"
    POST = "post", "Post"


class AppendOnlyError(Exception):
    pass


class OrderEvent(models.Model):
    """One thing that happened to an order. Never changed or deleted once written."""

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey("access.User", on_delete=models.PROTECT, related_name="+")
    actor_organisation = models.CharField(max_length=200)
    on_behalf_of = models.ForeignKey(
        "providers.Provider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Set when the municipality registered this for a provider not connected.",
    )
    channel = models.CharField(max_length=10, choices=ReplyChannel.choices, blank=True)
    occurred_at = models.DateTimeField("inträffade")
    recorded_at = models.DateTimeField("registrerades")
    data = models.JSONField(default=dict, blank=True)
    #: The transaction that wrote it, set by the database: the event feed's order (issue 20,
    #: core.db_functions).
    txid = models.BigIntegerField(db_default=TransactionId(), editable=False)

    class Meta:
        verbose_name = "händelse"
        verbose_name_plural = "händelser"
        ordering = ["order", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["order", "seq"], name="order_event_unique_seq"),
        ]
        indexes = [
            # The event feed reads in this order (orders.feed_selectors).
            models.Index(fields=["txid", "id"], name="order_event_feed"),
            # The events that set an order's start and end dates, which the payment basis
            # traces (R9.4): read for every order of a month without scanning its history.
            models.Index(
                fields=["order", "kind", "seq"],
                include=["id"],
                name="order_event_dates",
                condition=models.Q(kind__in=[EventKind.STARTED.value, EventKind.ENDED.value]),
            ),
        ]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Order events are append-only.")
        # Always INSERT: a new instance that carries an existing pk must not UPDATE that row.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Order events are append-only.")

    @property
    def is_backdated(self) -> bool:
        """Recorded on a later day than it happened (judged by when it happened, R11)."""
        return timezone.localdate(self.recorded_at) > timezone.localdate(self.occurred_at)

    @property
    def is_whole_day(self) -> bool:
        """Start, end (and their corrections, R9.1), a registered arrival and the day a plan
        was shared with the person (R5.2) are dates; their moment is only the start of that
        day."""
        return self.kind in (
            EventKind.STARTED,
            EventKind.ENDED,
            EventKind.RECEIVED,
            EventKind.START_CORRECTED,
            EventKind.END_CORRECTED,
            EventKind.PLAN_SHARED,
        )

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.occurred_at:%Y-%m-%d})"


class ProviderSwitch(models.Model):
    """A provider switch in progress or done (byte av utförare, R2.6). The old order ends and
    the new one is sent in one transaction on the agreed date."""

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    old_order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="switches_from")
    new_provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, related_name="+"
    )
    new_order = models.ForeignKey(
        Order, on_delete=models.PROTECT, null=True, blank=True, related_name="switched_to"
    )
    kind = models.CharField(
        max_length=10,
        choices=[("rechoice", "Omval"), ("move", "Flytt")],
        default="rechoice",
    )
    requested_on = models.DateField("begärt")
    notice_ends_on = models.DateField("uppsägningstiden slutar")
    old_provider_informed_at = models.DateTimeField(null=True, blank=True)
    new_provider_informed_at = models.DateTimeField(null=True, blank=True)
    providers_agreed_at = models.DateTimeField(null=True, blank=True)
    agreed_date = models.DateField("bytesdatum", null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    has_hsl = models.BooleanField("har HSL-insatser", default=False)
    returning_from_temporary_stay = models.BooleanField(
        "återvänder från tillfällig vistelse", default=False
    )
    registered_by = models.ForeignKey("access.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = "byte av utförare"
        verbose_name_plural = "byten av utförare"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["old_order"],
                condition=Q(completed_at__isnull=True),
                name="one_open_switch_per_order",
            ),
        ]

    def __str__(self) -> str:
        return f"Byte {self.old_order_id} -> {self.new_provider}"


class TemporaryChange(models.Model):
    """A temporary increase or decrease reported by the provider (förändrat behov, R3.8)."""

    class Kind(models.TextChoices):
        INCREASE = "increase", "Ökning"
        DECREASE = "decrease", "Minskning"

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="temporary_changes")
    kind = models.CharField("slag", max_length=10, choices=Kind.choices)
    from_date = models.DateField("från och med")
    to_date = models.DateField("till och med")
    days = models.PositiveIntegerField("dagar")
    reason = models.TextField("orsak")
    needs_reassessment = models.BooleanField("omprövning behövs", default=False)
    event = models.ForeignKey(OrderEvent, on_delete=models.PROTECT, related_name="+")
    reported_by = models.ForeignKey("access.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = "förändrat behov"
        verbose_name_plural = "förändrade behov"
        ordering = ["-from_date", "-id"]
        constraints = [
            models.CheckConstraint(
                name="temporary_change_dates_order", condition=Q(to_date__gte=models.F("from_date"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.from_date}–{self.to_date} ({self.order_id})"
