"""Clients and their relatives (SPEC R1.1), and their protected identity (R10.1, R10.5)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from verkstall.core import clock
from verkstall.core.concurrency import Versioned
from verkstall.core.personal_number import PersonalNumber


class Protection(models.TextChoices):
    """Protected personal data (skyddade personuppgifter, R10.1). Skatteverket's two kinds:
    a confidentiality marking in the population register, and protected registration, where
    the person is registered at another address and letters go through Skatteverket."""

    NONE = "none", "Inga skyddade personuppgifter"
    CONFIDENTIALITY_MARKING = "confidentiality_marking", "Sekretessmarkering"
    PROTECTED_REGISTRATION = "protected_registration", "Skyddad folkbokföring"

    @classmethod
    def strength(cls, value: str) -> int:
        """How much it hides: raising it needs one officer, lowering it two (four eyes)."""
        return list(cls.values).index(value)


class Person(Versioned):
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
    protection = models.CharField(
        "skyddade personuppgifter",
        max_length=30,
        choices=Protection.choices,
        default=Protection.NONE,
        help_text="Set by the client's officer (R10.1); see people.selectors.may_see_protected.",
    )
    protection_set_by = models.ForeignKey(
        "access.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    protection_set_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    #: Who set the protection and when go with the protection itself (core/concurrency.py).
    lock_ignored = ("updated_at", "protection_set_by", "protection_set_at")

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
    def is_protected(self) -> bool:
        return self.protection != Protection.NONE

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


class ProtectedDataAccess(models.Model):
    """A named staff member who may see a protected client's address, whereabouts, phone and
    relatives (R10.5: "the named staff who need them"). Granted and revoked by the client's
    officer; a revoked grant is kept, with who revoked it and when."""

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="protected_access")
    user = models.ForeignKey("access.User", on_delete=models.PROTECT, related_name="+")
    granted_by = models.ForeignKey("access.User", on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=clock.now)
    reason = models.CharField("skäl", max_length=200, blank=True)
    revoked_by = models.ForeignKey(
        "access.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "behörighet till skyddade uppgifter"
        verbose_name_plural = "behörigheter till skyddade uppgifter"
        ordering = ["granted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "user"],
                condition=Q(revoked_at__isnull=True),
                name="protected_access_one_active_grant",
            ),
        ]
        indexes = [models.Index(fields=["person", "user", "revoked_at"])]

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def __str__(self) -> str:
        return f"{self.user} – {self.person}"


class OralBriefing(models.Model):
    """The officer told the provider's unit manager orally about a new order for a protected
    client before it went out (R10.1; seed 002 "Skyddade personuppgifter": "underrättar
    handläggaren via en muntlig kontakt enhetschefen i den utförande verksamheten").

    `provider` is the provider whose manager was told: the order's own, or the new provider
    of a switch that the order is moving to."""

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="oral_briefings")
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="oral_briefings"
    )
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="+")
    told_name = models.CharField("vem som underrättades", max_length=200)
    told_user = models.ForeignKey(
        "access.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    told_at = models.DateTimeField("när")
    recorded_by = models.ForeignKey("access.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = "muntlig underrättelse"
        verbose_name_plural = "muntliga underrättelser"
        ordering = ["-told_at", "-id"]
        indexes = [models.Index(fields=["person", "provider"])]

    def __str__(self) -> str:
        return f"{self.told_name}, {self.told_at:%Y-%m-%d %H:%M}"


class ProtectionRequestKind(models.TextChoices):
    GRANT = "grant", "Behörighet till skyddade uppgifter"
    PROTECTION = "protection", "Ändrad markering"


class ProtectionRequest(models.Model):
    """A change of a client's protected identity that waits for a second officer (R10.1,
    R10.5; four eyes, issue 11): naming someone to see the protected data, or clearing or
    lowering the protection. One officer of the client's unit asks; another officer of the
    unit, never the one who asked nor the one who would be given access, approves or rejects.
    Raising protection (from none, or to protected registration) needs no second person.
    Decided requests are kept as history."""

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="protection_requests")
    kind = models.CharField(max_length=20, choices=ProtectionRequestKind.choices)
    user = models.ForeignKey(
        "access.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )  # who would be given access (kind grant)
    protection = models.CharField(
        max_length=30, choices=Protection.choices, blank=True
    )  # the level asked for (kind protection)
    from_protection = models.CharField(
        max_length=30, choices=Protection.choices, blank=True
    )  # the level when it was asked: approving is refused if it has changed since
    reason = models.CharField("skäl", max_length=200, blank=True)
    requested_by = models.ForeignKey("access.User", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=clock.now)
    decided_by = models.ForeignKey(
        "access.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    approved = models.BooleanField(null=True)

    class Meta:
        verbose_name = "begäran om ändrat skydd"
        verbose_name_plural = "begäranden om ändrat skydd"
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "user"],
                condition=Q(decided_at__isnull=True, kind="grant"),
                name="protection_request_one_pending_grant",
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(decided_at__isnull=True, kind="protection"),
                name="protection_request_one_pending_change",
            ),
            models.CheckConstraint(
                condition=(Q(kind="grant") & Q(user__isnull=False))
                | (Q(kind="protection") & ~Q(protection="")),
                name="protection_request_names_what",
            ),
        ]

    @property
    def is_pending(self) -> bool:
        return self.decided_at is None

    def may_be_decided_by(self, user) -> bool:
        """The four-eyes rule's "never oneself": not the one who asked, nor the one who would
        be given access (the services also require an officer of the client's unit)."""
        return user.pk not in (self.requested_by_id, self.user_id)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.person}"


class ChangeKind(models.TextChoices):
    """What a recorded change of a client's data did (R1.1)."""

    FIELD = "field", "Uppgift ändrad"
    RELATIVE_ADDED = "relative_added", "Anhörig tillagd"
    RELATIVE_CHANGED = "relative_changed", "Anhörig ändrad"
    RELATIVE_REMOVED = "relative_removed", "Anhörig borttagen"


class PersonChange(models.Model):
    """One change of a client's data, kept for good (R1.1; seed 002 "Person- och
    anhöriguppgifter uppdateras kontinuerligt av handläggare och utförare, ansvaret är
    gemensamt"): who changed what, when, from what to what, and why. A correction never
    overwrites silently: the old value stays here.

    One row per field (`field` the Person's field name, "position" for the coordinates, or
    the relative's field for a changed relative, `subject` naming the relative); an added or
    removed relative is one row whose value is the relative as a line of text. Protected
    identity (R10.5): the values and the reason of a row about a protected field are shown
    only to a reader who may see the client's protected data (people.presentation.ShownChange);
    `protected` records that the client had protected personal data when the change was made,
    so the row stays hidden even if the marking is later removed. Append-only."""

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(
        "slag", max_length=20, choices=ChangeKind.choices, default=ChangeKind.FIELD
    )
    field = models.CharField("uppgift", max_length=40, blank=True)
    relative = models.ForeignKey(
        Relative, on_delete=models.SET_NULL, null=True, blank=True, related_name="changes"
    )
    subject = models.CharField(
        "anhörig",
        max_length=200,
        blank=True,
        help_text="The relative a change concerns, as named when it was made.",
    )
    old_value = models.TextField("tidigare värde", blank=True)
    new_value = models.TextField("nytt värde", blank=True)
    reason = models.CharField("skäl", max_length=300, blank=True)
    protected = models.BooleanField("skyddade personuppgifter när ändringen gjordes", default=False)
    changed_by = models.ForeignKey("access.User", on_delete=models.PROTECT, related_name="+")
    changed_by_organisation = models.CharField(max_length=200)
    changed_at = models.DateTimeField("ändrad", default=clock.now)

    class Meta:
        verbose_name = "ändring av klientuppgift"
        verbose_name_plural = "ändringar av klientuppgifter"
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["person", "changed_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="field") | ~Q(field=""), name="person_change_names_field"
            ),
        ]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("A client's change history is append-only.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("A client's change history is append-only.")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.person}"
