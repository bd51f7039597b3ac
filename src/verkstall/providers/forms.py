"""Forms for provider choice, capacity and the contract import (SPEC R2.1, R2.2, R2.3)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from verkstall.core.date_fields import BoundedFormDateField
from verkstall.decisions.forms import DateInput

from .importing import MAX_BYTES
from .models import ProviderChoice

ACTIVE_KINDS = [
    (ProviderChoice.Kind.CHOICE.value, ProviderChoice.Kind.CHOICE.label),
    (ProviderChoice.Kind.RECHOICE.value, ProviderChoice.Kind.RECHOICE.label),
]


class ChoiceForm(forms.Form):
    """The client's active choice (R2.2): which provider, and when the signed form arrived."""

    provider = forms.TypedChoiceField(
        label=_("Vald utförare"), coerce=int, widget=forms.RadioSelect, choices=()
    )
    kind = forms.ChoiceField(label=_("Händelse"), choices=ACTIVE_KINDS, widget=forms.RadioSelect)
    form_received_on = BoundedFormDateField(label=_("Valblanketten inkom"), widget=DateInput())
    returning_from_temporary_stay = forms.BooleanField(
        label=_("Klienten återvänder från en tillfällig vistelse till sin ordinarie utförare"),
        required=False,
        help_text=_("Ordinarie vald utförare ska då ta emot klienten oavsett kapacitetstak."),
    )

    def __init__(self, *args, options=(), has_choice=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [
            (
                o.provider.pk,
                f"{o.provider.name} – {_('tar inte emot nya brukare just nu')}"
                if o.at_capacity
                else o.provider.name,
            )
            for o in options
        ]
        self.fields["kind"].initial = (
            ProviderChoice.Kind.RECHOICE.value if has_choice else ProviderChoice.Kind.CHOICE.value
        )
        self.fields["form_received_on"].initial = timezone.localdate()


class CapacityForm(forms.Form):
    """Open or close a contract line to new clients (R2.1)."""

    accepts_new_clients = forms.BooleanField(label=_("Tar emot nya brukare"), required=False)
    capacity_reason = forms.CharField(
        label=_("Skäl (kapacitetstak)"),
        max_length=200,
        required=False,
        help_text=_("Krävs när utföraren inte tar emot nya brukare; visas för handläggaren."),
    )
    capacity_until = BoundedFormDateField(
        label=_("Kapacitetstaket gäller till och med"),
        required=False,
        widget=DateInput(),
        help_text=_("Tomt: tills det hävs."),
    )


class ContractImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fil (CSV eller Excel .xlsx)"),
        help_text=_(
            "Kolumner: utförare; insats; område; från; till; ickeval; tar_emot_nya; skäl; "
            "till_och_med. CSV med komma eller semikolon, UTF-8."
        ),
    )
    dry_run = forms.BooleanField(
        label=_("Kontrollera bara, spara inget"), required=False, initial=False
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("Filen är för stor (högst 5 MB)."))
        return upload
