"""The small forms of the rule profile pages in the admin, in Swedish (SPEC R11.3, R11.5):
try a rule, import a profile, copy it, assign it to a municipality (admin_views)."""

from __future__ import annotations

from django import forms

from .profile_io_selectors import municipalities
from .rule_forms import service_type_choices


class TryForm(forms.Form):
    """The "Prova regeln" panel: a start moment (a date, and a time of day if the rule
    counts hours or has times) and optionally a service type (R11.5)."""

    day = forms.CharField(
        label="startdag",
        required=False,
        widget=forms.TextInput(attrs={"type": "date"}),
        help_text="Dagen då starthändelsen inträffade (svensk tid).",
    )
    clock = forms.CharField(
        label="klockan",
        required=False,
        widget=forms.TextInput(attrs={"type": "time"}),
        help_text="Valfritt: tiden på dagen, t.ex. 16:30. Tomt: dagen som helhet.",
    )
    service = forms.CharField(
        label="insatstyp",
        required=False,
        widget=forms.Select(),
        help_text="Valfritt: kontrollera att regeln gäller insatstypen.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].widget.choices = [
            ("", "– ingen vald –"),
            *service_type_choices(),
        ]


class ImportForm(forms.Form):
    file = forms.FileField(
        label="fil",
        help_text="En JSON-fil i formatet verkstall-rule-profile/2, som ”Exportera” ger den. "
        "Högst 1 MB.",
    )
    slug = forms.SlugField(
        label="ny kod",
        required=False,
        max_length=50,
        help_text="Valfritt: profilens kod i stället för filens. En import skriver aldrig över "
        "en befintlig profil.",
    )


class CopyForm(forms.Form):
    slug = forms.SlugField(
        label="kod",
        required=False,
        max_length=50,
        help_text="Valfritt: den nya profilens kod. Tomt: kommunkoden och profilens kod.",
    )
    name = forms.CharField(
        label="namn", required=False, max_length=200, help_text="Valfritt: den nya profilens namn."
    )


class OwnerField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.code})"


def owner_field(*, required: bool, help_text: str) -> OwnerField:
    return OwnerField(
        queryset=municipalities(),
        required=required,
        label="kommun",
        empty_label="– ingen: en mall utan ägare –",
        help_text=help_text,
    )


class AssignForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"] = owner_field(
            required=True, help_text="Kommunen som ska arbeta efter profilen från och med nu."
        )
        self.fields["municipality"].empty_label = None
