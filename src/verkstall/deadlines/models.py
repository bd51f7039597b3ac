"""Rule profiles (editable, versioned) and the due items computed from them (SPEC R11)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from verkstall.decisions.catalogue import KIND_LABELS

from .calendar import Unit
from .feed_models import CalendarFeedToken  # noqa: F401 - a model of this app, in its own module
from .profiles import rule_from_dict, time_text
from .reminder_models import Reminder  # noqa: F401 - a model of this app, in its own module
from .rules import (
    CLIENT_OF_PROVIDER_LABELS,
    RESPONSIBLE_LABELS,
    STATUS_LABELS,
    UNIT_CHOICE_LABELS,
    Responsible,
    RuleSpec,
    Status,
)

SUBJECTS = [("order", "Beställning"), ("decision", "Beslut")]
UNIT_CHOICES = [(u.value, UNIT_CHOICE_LABELS[u]) for u in Unit]
TIME_FIELDS = ("opens_at", "closes_at", "due_time", "cutoff_time")

#: The thresholds a routine words in its own way (SPEC R11.4, issue 13), with the SPEC's value
#: as the default of a new profile: field -> (default, SPEC id).
THRESHOLDS = {
    "temporary_change_days": (5, "R3.8"),
    "absence_register_days": (14, "R7.1"),
    "long_absence_days": (30, "R7.2"),
    "switch_notice_days": (14, "R2.6"),
    "switch_contact_weekdays": (3, "R2.6"),
    "fee_hours_per_month": (7, "R9.3"),
    "discharge_liability_days": (3, "R8.1"),
    "queue_declines_allowed": (2, "R8.2"),
    "month_registration_day": (5, "R9.1"),
    "absence_payment_days": (0, "R9.4"),
    "payment_correction_months": (12, "R9.4"),
    # Seed 003: "Boendestödet behöver en viss kartläggningstid ... klar inom 3 månader"; 0: the
    # routine has no mapping period (the SPEC names one only for 003).
    "mapping_period_months": (0, "R5.1"),
}
#: Profile fields that are lists (edited beside the thresholds).
PROFILE_LISTS = ("absence_payment_reasons", "booked_staff_service_kinds")
PROFILE_FLAGS = {"letter_includes_assessment": "002"}  # yes-or-no practices -> seed (R11.4)
#: Thresholds that may be 0 (the rest start at 1): absence reduces the payment from its first
#: day when `absence_payment_days` is 0; no mapping period when `mapping_period_months` is 0.
THRESHOLD_MINIMUM = {"absence_payment_days": 0, "mapping_period_months": 0}

#: The absence reasons a profile may say reduce the provider's payment (R9.4). The codes are
#: absences.models.AbsenceReason's (an app above this one, so named here again; the payments
#: tests check that the two agree).
ABSENCE_REASON_CHOICES = [
    ("hospital", "Sjukhusvistelse"),
    ("short_term_stay", "Korttidsvistelse"),
    ("own_choice", "Eget val"),
    ("other", "Annat"),
]


class AbsenceReasonsField(models.JSONField):
    """A list of absence reason codes (ABSENCE_REASON_CHOICES), edited as checkboxes."""

    def formfield(self, **kwargs):
        from django import forms

        return forms.MultipleChoiceField(
            choices=ABSENCE_REASON_CHOICES,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            label=self.verbose_name[:1].upper() + self.verbose_name[1:],
            help_text=self.help_text,
        )


class ServiceKindsField(models.JSONField):
    """A list of service kind codes (decisions.catalogue.ServiceKind), edited as checkboxes."""

    def formfield(self, **kwargs):
        from django import forms

        return forms.MultipleChoiceField(
            choices=[(kind.value, label) for kind, label in KIND_LABELS.items()],
            required=False,
            widget=forms.CheckboxSelectMultiple,
            label=self.verbose_name[:1].upper() + self.verbose_name[1:],
            help_text=self.help_text,
        )


def default_absence_payment_reasons() -> list[str]:
    """Hospital stays and short-term stays reduce the payment (seed 002: the provider
    registers them "för att ersättningen ska utgå"); a profile says otherwise if its routine
    does."""
    return ["hospital", "short_term_stay"]


class RuleProfile(models.Model):
    """A municipality's routine as data: its deadline rules (R11.1) and its thresholds.

    Owned by one municipality (`owner`), whose LOV administrator alone edits it (R11.3); or
    owned by none: a built-in template any municipality may copy or use as it is, or a
    national library profile (`is_library`, e.g. the IVO three-month rule) that profiles
    include by reference instead of holding a copy. Only the system administrator changes
    a profile without owner."""

    slug = models.SlugField("kod", max_length=50, unique=True)
    name = models.CharField("namn", max_length=200)
    sources = models.CharField("källa", max_length=200, blank=True)
    owner = models.ForeignKey(
        "access.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="ägs av kommun",
        help_text="Kommunen vars LOV-administratör ändrar profilen. Tom: en inbyggd mall "
        "eller ett nationellt bibliotek, som bara systemadministratören ändrar.",
    )
    is_library = models.BooleanField(
        "nationellt bibliotek",
        default=False,
        help_text="Regler som andra profiler inkluderar genom hänvisning, t.ex. IVO-regeln.",
    )
    includes = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="included_by",
        verbose_name="inkluderar",
        help_text="Nationella bibliotek vars regler gäller även i denna profil. En egen regel "
        "med samma kod ersätter bibliotekets.",
    )
    temporary_change_days = models.PositiveSmallIntegerField(
        "tillfällig förändring ryms i ersättningen, dagar",
        default=THRESHOLDS["temporary_change_days"][0],
        help_text="Tillfälligt utökade insatser upp till så många dagar ryms i befintlig "
        "ersättning; längre kräver omprövning (R3.8).",
    )
    absence_register_days = models.PositiveSmallIntegerField(
        "frånvaro registreras när den är längre än, dagar",
        default=THRESHOLDS["absence_register_days"][0],
        help_text="Utföraren registrerar frånvaro som är längre än så många dagar (R7.1).",
    )
    long_absence_days = models.PositiveSmallIntegerField(
        "lång frånvaro rapporteras efter, dagar",
        default=THRESHOLDS["long_absence_days"][0],
        help_text="Frånvaro längre än så många dagar i följd rapporteras till handläggaren (R7.2).",
    )
    switch_notice_days = models.PositiveSmallIntegerField(
        "uppsägningstid vid byte, dagar",
        default=THRESHOLDS["switch_notice_days"][0],
        help_text="Tidigaste bytesdag räknat från begäran, om profilen saknar regel för "
        "uppsägningstiden (R2.6).",
    )
    switch_contact_weekdays = models.PositiveSmallIntegerField(
        "ny utförare kontaktar tidigare inom, vardagar",
        default=THRESHOLDS["switch_contact_weekdays"][0],
        help_text="Om profilen saknar regel för kontakten vid byte (R2.6).",
    )
    fee_hours_per_month = models.PositiveSmallIntegerField(
        "avgiftsgräns, timmar per månad",
        default=THRESHOLDS["fee_hours_per_month"][0],
        help_text="Förändringar som påverkar avgiften för insatser under så många timmar per "
        "månad meddelas avgiftshandläggaren (R9.3).",
    )
    discharge_liability_days = models.PositiveSmallIntegerField(
        "betalningsansvar inträder efter utskrivningsklar, dagar",
        default=THRESHOLDS["discharge_liability_days"][0],
        help_text="Kalenderdagar från sjukhusets underrättelse om utskrivningsklar till att "
        "kommunens betalningsansvar inträder, om profilen saknar regel för det (R8.1; lag "
        "2017:612 utan lokal överenskommelse: 3).",
    )
    queue_declines_allowed = models.PositiveSmallIntegerField(
        "avböjda erbjudanden innan den enskilde avförs ur kön",
        default=THRESHOLDS["queue_declines_allowed"][0],
        help_text="Den som tackat nej till så många erbjudna platser avförs ur kön; vid färre "
        "står den enskilde kvar i kön. Ange ett högt tal om ett nej aldrig avför (R8.2).",
    )
    month_registration_day = models.PositiveSmallIntegerField(
        "månadens uppgifter registreras senast dag, i nästa månad",
        default=THRESHOLDS["month_registration_day"][0],
        help_text="Startdatum, omprövningar och frånvaro registreras senast denna dag i "
        "nästkommande månad (R9.1; 5 = den 5:e). Månaden stängs för ersättning först dagen "
        "efter, om den inte stängs i förtid med ett skäl.",
    )
    absence_payment_reasons = AbsenceReasonsField(
        "frånvaroorsaker som minskar ersättningen",
        default=default_absence_payment_reasons,
        blank=True,
        help_text="Frånvaro av dessa orsaker minskar utförarens ersättning för beviljad tid, "
        "per dag och per månad (R9.4).",
    )
    absence_payment_days = models.PositiveSmallIntegerField(
        "frånvaro minskar ersättningen efter, dagar",
        default=THRESHOLDS["absence_payment_days"][0],
        help_text="Så många dagar av varje frånvaro ersätts ändå; därefter minskar frånvaron "
        "ersättningen. 0: från frånvarons första dag (R9.4).",
    )
    payment_correction_months = models.PositiveSmallIntegerField(
        "rättelser av stängda månader, månader bakåt",
        default=THRESHOLDS["payment_correction_months"][0],
        help_text="En rättelse som ändrar ersättningen för en stängd månad blir en justering i "
        "nästa öppna månad, för stängda månader högst så många månader bakåt (R9.4).",
    )
    mapping_period_months = models.PositiveSmallIntegerField(
        "kartläggningstid för ny kund, månader",
        default=THRESHOLDS["mapping_period_months"][0],
        help_text="Hur länge utföraren kartlägger behoven tillsammans med en ny kund innan "
        "genomförandeplanen skickas och det syns om beslutet stämmer med behoven (R5.1: "
        "”kartläggningstid ... klar inom 3 månader”). 0: rutinen har ingen kartläggningstid.",
    )
    booked_staff_service_kinds = ServiceKindsField(
        "insatsslag där starten anger inbokad personal",
        default=list,
        blank=True,
        help_text="För dessa insatsslag anger utföraren vid start vilken personal som är "
        "inbokad för insatsen (R3.6: ”när insatsen påbörjas, det vill säga när en faktisk "
        "personal är inbokad”). Tomt: starten anger bara datum.",
    )
    letter_includes_assessment = models.BooleanField(
        "utredningen postas med beslutsmeddelandet (seed 002; ej IUB)", default=False
    )

    class Meta:
        verbose_name = "regelprofil"
        verbose_name_plural = "regelprofiler"
        ordering = ["slug"]
        constraints = [
            models.CheckConstraint(
                name="library_profile_has_no_owner",
                condition=Q(is_library=False) | Q(owner__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def thresholds(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in THRESHOLDS}


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
    unit = models.CharField("enhet", max_length=40, choices=UNIT_CHOICES, blank=True)
    count_from_next_day = models.BooleanField("räkna från dagen efter", default=True)
    roll_to_weekday = models.BooleanField("flytta till vardag", default=False)
    end_inclusive = models.BooleanField("sista dagen ingår", default=True)
    due_time = models.TimeField("senast klockan", null=True, blank=True)
    cutoff_time = models.TimeField("samma dag om före klockan", null=True, blank=True)
    cutoff_day = models.PositiveSmallIntegerField(
        "räknas till nästa månad efter dag", null=True, blank=True
    )
    receipt_window = models.BooleanField("räknas från nästa öppning", default=False)
    opens_at = models.TimeField("öppnar", null=True, blank=True)
    closes_at = models.TimeField("stänger", null=True, blank=True)
    service_kinds = models.JSONField("insatsslag", default=list, blank=True)
    service_types = models.JSONField("insatstyper", default=list, blank=True)
    excluded_service_kinds = models.JSONField("utom insatsslag", default=list, blank=True)
    excluded_service_types = models.JSONField("utom insatstyper", default=list, blank=True)
    first_order_only = models.BooleanField("bara ny brukares första beställning", default=False)
    daily_only = models.BooleanField("bara insatser som ges dagligen", default=False)
    channels = models.JSONField("bara beställningar som gått via", default=list, blank=True)
    service_frequencies = models.JSONField(
        "bara insatser som ges med frekvensen", default=list, blank=True
    )
    client_of_provider = models.CharField(
        "kund hos utföraren",
        max_length=10,
        choices=list(CLIENT_OF_PROVIDER_LABELS.items()),
        default="",
        blank=True,
    )
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
            "end_inclusive": self.end_inclusive,
            "due_time": time_text(self.due_time),
            "cutoff_time": time_text(self.cutoff_time),
            "cutoff_day": self.cutoff_day,
            "receipt_window": self.receipt_window,
            "opens_at": time_text(self.opens_at),
            "closes_at": time_text(self.closes_at),
            "service_kinds": list(self.service_kinds),
            "service_types": list(self.service_types),
            "excluded_service_kinds": list(self.excluded_service_kinds),
            "excluded_service_types": list(self.excluded_service_types),
            "first_order_only": self.first_order_only,
            "daily_only": self.daily_only,
            "channels": list(self.channels),
            "service_frequencies": list(self.service_frequencies),
            "client_of_provider": self.client_of_provider,
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
            # The on-time statistics (ontime.selectors.histogram, issue 17 item 8): a month
            # range of a municipality's provider items without a scan of every item (at 30 000
            # clients one month's 16 000 items: 725 ms -> 101 ms), and the COUNT by which the
            # page chooses a background job (900 ms -> 20-60 ms).
            models.Index(
                fields=["municipality", "due_at"],
                include=["responsible_provider", "rule", "status", "met_at", "started_at"],
                condition=Q(
                    responsible_provider__isnull=False,
                    responsible__in=["provider", "new_provider"],
                )
                & ~Q(status="closed"),
                name="due_stats_by_month",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.subject_key}#{self.cycle}"
