"""Rule profiles (editable, versioned) and the due items computed from them (SPEC R11)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from .calendar import Unit
from .profiles import rule_from_dict
from .rules import RESPONSIBLE_LABELS, STATUS_LABELS, Responsible, RuleSpec, Status

SUBJECTS = [("order", "Beställning"), ("decision", "Beslut")]
UNIT_CHOICES = [(u.value, u.value) for u in Unit]


class RuleProfile(models.Model):
    """A municipality's routine as data: its deadline rules (R11.1)."""

    slug = models.SlugField("kod", max_length=50, unique=True)
    name = models.CharField("namn", max_length=200)
    sources = models.CharField("källa", max_length=200, blank=True)

    class Meta:
        verbose_name = "regelprofil"
        verbose_name_plural = "regelprofiler"
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name


class Rule(models.Model):
    """One deadline of a profile. `version` goes up each time its timing is changed
    (services.update_rule); items already met keep the version they were judged by."""

    profile = models.ForeignKey(RuleProfile, on_delete=models.CASCADE, related_name="rules")
    code = models.SlugField("kod", max_length=80)
    name = models.CharField("namn", max_length=200)
    subject = models.CharField("gäller", max_length=10, choices=SUBJECTS, default="order")
    start_event = models.CharField("startar vid", max_length=60)
    stop_events = models.JSONField("klar vid", default=list)
    amount = models.PositiveIntegerField("antal", null=True, blank=True)
    unit = models.CharField("enhet", max_length=30, choices=UNIT_CHOICES, blank=True)
    count_from_next_day = models.BooleanField("räkna från dagen efter", default=True)
    roll_to_weekday = models.BooleanField("flytta till vardag", default=False)
    service_kinds = models.JSONField("insatsslag", default=list, blank=True)
    service_types = models.JSONField("insatstyper", default=list, blank=True)
    responsible = models.CharField(
        "ansvarig", max_length=20, choices=[(r.value, RESPONSIBLE_LABELS[r]) for r in Responsible]
    )
    stop_by = models.CharField(
        "bedöms efter",
        max_length=10,
        choices=[("occurred", "när det hände"), ("recorded", "när det registrerades")],
        default="occurred",
    )
    repeats = models.BooleanField("återkommande", default=False)
    source = models.CharField("källa", max_length=200)
    source_text = models.TextField("källtext", blank=True)
    on_miss = models.TextField("om fristen missas", blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "regel"
        verbose_name_plural = "regler"
        ordering = ["profile", "id"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "code"], name="rule_unique_code"),
            models.CheckConstraint(
                name="rule_amount_with_unit",
                condition=(Q(amount__isnull=True) & Q(unit=""))
                | (Q(amount__isnull=False) & ~Q(unit="")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.profile.slug}/{self.code}"

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "subject": self.subject,
            "start_event": self.start_event,
            "stop_events": list(self.stop_events),
            "amount": self.amount,
            "unit": self.unit or None,
            "count_from_next_day": self.count_from_next_day,
            "roll_to_weekday": self.roll_to_weekday,
            "service_kinds": list(self.service_kinds),
            "service_types": list(self.service_types),
            "responsible": self.responsible,
            "stop_by": self.stop_by,
            "repeats": self.repeats,
            "source": self.source,
            "source_text": self.source_text,
            "on_miss": self.on_miss,
        }

    def spec(self) -> RuleSpec:
        return rule_from_dict(self.as_dict())[1]


class RuleRevision(models.Model):
    """The rule as it was before a change: who changed it, when, and from which version."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    snapshot = models.JSONField()
    changed_at = models.DateTimeField(auto_now_add=True)
    changed_by = models.ForeignKey(
        "access.User", on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["rule", "version"]

    def __str__(self) -> str:
        return f"{self.rule} v{self.version}"


class DueItem(models.Model):
    """Something due: a rule applied to one order (or decision), for one cycle.

    Recomputed in the same transaction as each event of its subject; an item already met is
    never recomputed, so a rule change cannot move it. "Overdue" is an open item whose due
    moment has passed; selectors derive it at read time.
    """

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="due_items")
    rule_version = models.PositiveIntegerField()
    subject_key = models.CharField(max_length=40)
    cycle = models.PositiveIntegerField(default=0)
    order = models.ForeignKey(
        "orders.Order", on_delete=models.CASCADE, null=True, blank=True, related_name="due_items"
    )
    decision = models.ForeignKey(
        "decisions.Decision",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="due_items",
    )
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    service_type = models.ForeignKey(
        "decisions.ServiceType", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responsible = models.CharField(
        max_length=20, choices=Rule._meta.get_field("responsible").choices
    )
    responsible_unit = models.ForeignKey(
        "access.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responsible_user = models.ForeignKey(
        "access.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responsible_provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responsible_provider_unit = models.ForeignKey(
        "providers.ProviderUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    start_event = models.CharField(max_length=60)
    started_at = models.DateTimeField()
    start_recorded_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=20,
        choices=[(s.value, STATUS_LABELS[s]) for s in Status if s != Status.OVERDUE],
        default=Status.OPEN.value,
    )
    met_at = models.DateTimeField(null=True, blank=True)
    explanation = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "bevakning"
        verbose_name_plural = "bevakningar"
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject_key", "cycle"], name="due_item_unique_cycle"
            ),
        ]
        indexes = [
            models.Index(
                fields=["responsible_user", "due_at"],
                condition=Q(status="open"),
                name="due_open_by_user",
            ),
            models.Index(
                fields=["responsible_unit", "responsible", "due_at"],
                condition=Q(status="open"),
                name="due_open_by_unit",
            ),
            models.Index(
                fields=["responsible_provider", "due_at"],
                condition=Q(status="open"),
                name="due_open_by_provider",
            ),
            models.Index(
                fields=["responsible_provider_unit", "due_at"],
                condition=Q(status="open"),
                name="due_open_by_provider_unit",
            ),
            models.Index(
                fields=["municipality", "responsible", "due_at"],
                condition=Q(status="open"),
                name="due_open_by_role",
            ),
            models.Index(fields=["subject_key"]),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.subject_key}#{self.cycle}"


class Reminder(models.Model):
    """One due item sent to one person by e-mail as due today or as overdue (reminders.py).

    The log that makes the daily reminder run safe to repeat: a row exists only once the mail
    that listed the item was accepted by the mail server, and at most one row per person, item
    and kind, so an item is mailed once when it falls due and once more when it is overdue.
    """

    class Kind(models.TextChoices):
        DUE = "due", "Förfaller i dag"
        OVERDUE = "overdue", "Försenad"

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    user = models.ForeignKey("access.User", on_delete=models.PROTECT, related_name="+")
    due_item = models.ForeignKey(DueItem, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_on = models.DateField()
    sent_at = models.DateTimeField()

    class Meta:
        verbose_name = "påminnelse"
        verbose_name_plural = "påminnelser"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "due_item", "kind"], name="reminder_once_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_item_id} → {self.user_id}"
