from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ClientForm(forms.Form):
    name = forms.CharField(
        label=_("Systemets namn"), max_length=100, help_text=_("Till exempel Planeringssystemet.")
    )
    can_write = forms.BooleanField(
        label=_("Får registrera (kvittera, starta, rapportera)"), required=False, initial=True
    )
    days = forms.IntegerField(
        label=_("Nyckeln gäller i dagar"), min_value=1, max_value=366, initial=90
    )


class KeyForm(forms.Form):
    days = forms.IntegerField(
        label=_("Nyckeln gäller i dagar"), min_value=1, max_value=366, initial=90
    )


class WebhookForm(forms.Form):
    url = forms.CharField(
        label=_("Mottagarens adress"),
        max_length=500,
        help_text=_("https://… dit varje händelse skickas, signerad."),
    )
    from_start = forms.BooleanField(
        label=_("Skicka även allt som redan hänt (annars bara det som händer härifrån)"),
        required=False,
    )


class ReplayForm(forms.Form):
    delivery = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ActiveForm(forms.Form):
    active = forms.BooleanField(label=_("Aktiv"), required=False)
