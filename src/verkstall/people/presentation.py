"""A client as one reader may see it (SPEC R10.5): protected fields replaced by a placeholder.

`people.selectors.shown_person(user, person)` decides who sees what; this module only
presents. Screens, serializers, documents and e-mails read the address, postal code, city,
whereabouts, phone, coordinates and relatives through a `ShownPerson`, never from the
`Person` directly, so a protected client's data cannot slip into a page, a PDF or a mail
because one template forgot a check. Name and personnummer always show.
"""

from __future__ import annotations

from django.utils.translation import gettext, gettext_lazy

#: The visible placeholder that stands where protected data would be (R10.5).
PLACEHOLDER = gettext_lazy("Skyddade uppgifter")

#: The fields that a protected client's reader without access never sees.
PROTECTED_FIELDS = (
    "street_address",
    "postal_code",
    "city",
    "whereabouts",
    "phone",
    "latitude",
    "longitude",
    "relatives",
    "area",
)


class ShownPerson:
    """Wraps a `Person`: every attribute reads through, except the protected ones, which are
    the placeholder (text), None (coordinates) or an empty list (relatives) when hidden."""

    def __init__(self, person, *, visible: bool):
        self.person = person
        self.visible = visible

    def __getattr__(self, name):
        # Only called for attributes not found on the wrapper: everything not protected.
        if name in PROTECTED_FIELDS:  # pragma: no cover - all are defined below
            raise AttributeError(name)
        return getattr(self.person, name)

    @property
    def hidden(self) -> bool:
        """The reader sees the placeholder instead of the protected fields."""
        return not self.visible

    @property
    def placeholder(self) -> str:
        return gettext("Skyddade uppgifter")

    def _text(self, field: str) -> str:
        return getattr(self.person, field) if self.visible else self.placeholder

    @property
    def street_address(self) -> str:
        return self._text("street_address")

    @property
    def postal_code(self) -> str:
        return self._text("postal_code")

    @property
    def city(self) -> str:
        return self._text("city")

    @property
    def whereabouts(self) -> str:
        return self._text("whereabouts")

    @property
    def phone(self) -> str:
        return self._text("phone")

    @property
    def latitude(self):
        return self.person.latitude if self.visible else None

    @property
    def longitude(self):
        return self.person.longitude if self.visible else None

    @property
    def area(self):
        """The home-care area narrows the home down to a district (issue 11): hidden too."""
        return self.person.area if self.visible else None

    @property
    def area_id(self):
        return self.person.area_id if self.visible else None

    @property
    def area_name(self) -> str:
        if not self.visible:
            return self.placeholder
        return self.person.area.name if self.person.area_id else ""

    @property
    def relatives(self) -> list:
        return list(self.person.relatives.all()) if self.visible else []

    @property
    def address_line(self) -> str:
        """Street, postal code and city on one line ("" if none), or the placeholder."""
        if not self.visible:
            return self.placeholder
        p = self.person
        place = " ".join(v for v in (p.postal_code, p.city) if v)
        return ", ".join(v for v in (p.street_address, place) if v)

    @property
    def protection_label(self) -> str:
        return self.person.get_protection_display() if self.person.is_protected else ""

    def __str__(self) -> str:
        return str(self.person)


#: The history's names of a client's fields (R1.1), and of a relative's.
FIELD_LABELS = {
    "first_name": gettext_lazy("Förnamn"),
    "last_name": gettext_lazy("Efternamn"),
    "street_address": gettext_lazy("Gatuadress"),
    "postal_code": gettext_lazy("Postnummer"),
    "city": gettext_lazy("Ort"),
    "area": gettext_lazy("Hemtjänstområde"),
    "phone": gettext_lazy("Telefon"),
    "whereabouts": gettext_lazy("Vistelseort"),
    "position": gettext_lazy("Hemmets position"),
    # R1.4: the client handed over to another myndighet unit (people.unit_services).
    "unit": gettext_lazy("Handläggande enhet"),
    "name": gettext_lazy("Namn"),
    "relation": gettext_lazy("Relation"),
    "email": gettext_lazy("E-post"),
}

#: Fields whose history is protected like the field itself (R10.5): every protected field,
#: the coordinates as one, and everything about a relative.
PROTECTED_HISTORY_FIELDS = frozenset(PROTECTED_FIELDS) | {"position"}


def change_is_protected_kind(change) -> bool:
    """Would this change show protected data of a protected client: an address, phone,
    whereabouts, area, position or anything about a relative (R10.5)? Names are not."""
    return change.kind != "field" or change.field in PROTECTED_HISTORY_FIELDS


class ShownChange:
    """Wraps a `PersonChange` for one reader: the values, the relative and the reason are the
    placeholder when `visible` is False (R10.5: a protected client's address never reaches a
    reader who may not see it, not even through its history). Who, when and what kind of
    change always show."""

    def __init__(self, change, *, visible: bool):
        self.change = change
        self.visible = visible

    def __getattr__(self, name):
        return getattr(self.change, name)

    @property
    def hidden(self) -> bool:
        return not self.visible

    @property
    def placeholder(self) -> str:
        return gettext("Skyddade uppgifter")

    def _text(self, value: str) -> str:
        return value if self.visible else self.placeholder

    @property
    def old_value(self) -> str:
        return self._text(self.change.old_value)

    @property
    def new_value(self) -> str:
        return self._text(self.change.new_value)

    @property
    def reason(self) -> str:
        return self._text(self.change.reason)

    @property
    def subject(self) -> str:
        return self._text(self.change.subject)

    @property
    def field_label(self) -> str:
        """What changed: "Gatuadress", "Anhörig: Telefon", "Anhörig tillagd"."""
        change = self.change
        label = str(FIELD_LABELS.get(change.field, change.field))
        if change.kind == "field":
            return label
        if change.kind == "relative_changed":
            return gettext("Anhörig: %(field)s") % {"field": label}
        return change.get_kind_display()

    @property
    def who(self) -> str:
        user = self.change.changed_by
        name = user.get_full_name() or user.username
        return f"{name}, {self.change.changed_by_organisation}"
