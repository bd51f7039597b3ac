from django import forms
from django.utils.translation import gettext_lazy as _

from verkstall.core.date_fields import BoundedFormDateTimeField
from verkstall.core.personal_number import InvalidPersonalNumber, parse_personal_number


class PersonForm(forms.Form):
    personal_number = forms.CharField(
        label=_("Personnummer eller samordningsnummer"),
        max_length=20,
        help_text=_("ÅÅÅÅMMDD-NNNN"),
    )
    first_name = forms.CharField(label=_("Förnamn"), max_length=100)
    last_name = forms.CharField(label=_("Efternamn"), max_length=100)
    street_address = forms.CharField(label=_("Gatuadress"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postnummer"), max_length=10, required=False)
    city = forms.CharField(label=_("Ort"), max_length=100, required=False)
    area = forms.ChoiceField(label=_("Hemtjänstområde"), required=False)
    phone = forms.CharField(label=_("Telefon"), max_length=30, required=False)
    whereabouts = forms.CharField(
        label=_("Vistelseort just nu"),
        max_length=200,
        required=False,
        help_text=_("Om klienten inte är hemma, t.ex. på sjukhus."),
    )
    latitude = forms.CharField(
        label=_("Latitud"),
        required=False,
        max_length=20,
        help_text=_("Hemmets position i decimala grader (t.ex. 59.3617), för närhetsprincipen."),
    )
    longitude = forms.CharField(
        label=_("Longitud"),
        required=False,
        max_length=20,
        help_text=_("T.ex. 17.8722."),
    )
    relative_name = forms.CharField(label=_("Anhörig, namn"), max_length=200, required=False)
    relative_relation = forms.CharField(label=_("Relation"), max_length=100, required=False)
    relative_phone = forms.CharField(label=_("Anhörig, telefon"), max_length=30, required=False)

    def clean_personal_number(self) -> str:
        """The number's fault with the form's other errors, in one submit (issue 17 item 2);
        the service checks it again (R1.1)."""
        raw = self.cleaned_data["personal_number"]
        try:
            parse_personal_number(raw)
        except InvalidPersonalNumber as exc:
            raise forms.ValidationError(str(exc)) from None
        return raw

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", "–")] + [(a.pk, a.name) for a in areas]


class ProtectionForm(forms.Form):
    """Set or clear protected personal data (R10.1)."""

    protection = forms.ChoiceField(label=_("Skyddade personuppgifter"))

    def __init__(self, *args, **kwargs):
        from .models import Protection

        super().__init__(*args, **kwargs)
        self.fields["protection"].choices = Protection.choices


class GrantAccessForm(forms.Form):
    """Name a staff member who may see the protected data (R10.5)."""

    user = forms.ChoiceField(label=_("Person"))
    reason = forms.CharField(label=_("Skäl"), max_length=200, required=False)

    def __init__(self, *args, users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", "–")] + [
            (u.pk, f"{u.get_full_name() or u.username} ({u.organisation_name})") for u in users
        ]


class OralBriefingForm(forms.Form):
    """The officer records that the provider's unit manager was told orally (R10.1)."""

    provider = forms.ChoiceField(label=_("Utförare"), required=False)
    told_user = forms.ChoiceField(label=_("Enhetschef med konto i Verkställ"), required=False)
    told_name = forms.CharField(
        label=_("Vem underrättades"),
        max_length=200,
        required=False,
        help_text=_("Namn på enhetschefen; behövs inte om du valt ett konto ovan."),
    )
    told_at = BoundedFormDateTimeField(
        label=_("När"),
        help_text=_("ÅÅÅÅ-MM-DD TT:MM"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )

    def __init__(self, *args, providers=(), managers=(), **kwargs):
        super().__init__(*args, **kwargs)
        providers = list(providers)
        self.fields["provider"].choices = [(p.pk, p.name) for p in providers]
        if len(providers) <= 1:
            del self.fields["provider"]  # the order's own provider
        self.fields["told_user"].choices = [("", "–")] + [
            (u.pk, f"{u.get_full_name() or u.username} ({u.organisation_name})") for u in managers
        ]


REASON_HELP = _("Sparas i klientens ändringshistorik tillsammans med vem som ändrade och när.")


def _reason_field(required: bool) -> forms.CharField:
    return forms.CharField(
        label=_("Skäl till ändringen") if required else _("Skäl (frivilligt)"),
        max_length=300,
        required=required,
        help_text=REASON_HELP,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Ange varför uppgifterna ändras.")},
    )


class PersonEditForm(forms.Form):
    """Correct a client's data (R1.1). The officer gets every field the officer may change,
    the provider the contact data; a reader who may not see a protected client's data gets
    none of its protected fields (R10.5). The officer gives a reason (no silent overwrite)."""

    first_name = forms.CharField(label=_("Förnamn"), max_length=100)
    last_name = forms.CharField(label=_("Efternamn"), max_length=100)
    street_address = forms.CharField(label=_("Gatuadress"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postnummer"), max_length=10, required=False)
    city = forms.CharField(label=_("Ort"), max_length=100, required=False)
    area = forms.ChoiceField(label=_("Hemtjänstområde"), required=False)
    phone = forms.CharField(label=_("Telefon"), max_length=30, required=False)
    whereabouts = forms.CharField(
        label=_("Vistelseort just nu"),
        max_length=200,
        required=False,
        help_text=_("Om klienten inte är hemma, t.ex. på sjukhus. Tomt: hemma."),
    )
    latitude = forms.CharField(label=_("Latitud"), required=False, max_length=20)
    longitude = forms.CharField(label=_("Longitud"), required=False, max_length=20)

    def __init__(self, *args, fields=(), areas=(), reason_required=True, **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in fields:
                del self.fields[name]
        if "area" in self.fields:
            self.fields["area"].choices = [("", "–")] + [(a.pk, a.name) for a in areas]
        self.fields["reason"] = _reason_field(reason_required)


class RelativeForm(forms.Form):
    """Add or correct a relative (R1.1)."""

    name = forms.CharField(label=_("Namn"), max_length=200)
    relation = forms.CharField(label=_("Relation"), max_length=100, required=False)
    phone = forms.CharField(label=_("Telefon"), max_length=30, required=False)
    email = forms.EmailField(label=_("E-post"), max_length=254, required=False)

    def __init__(self, *args, reason_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"] = _reason_field(reason_required)


class RemoveRelativeForm(forms.Form):
    """Remove a relative, always with a reason (R1.1)."""

    reason = forms.CharField(
        label=_("Skäl till att den anhörige tas bort"),
        max_length=300,
        help_text=REASON_HELP,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Ange varför den anhörige tas bort.")},
    )
