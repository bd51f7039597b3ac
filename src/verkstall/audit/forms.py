from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from verkstall.core.date_fields import BoundedFormDateField
from verkstall.core.personal_number import InvalidPersonalNumber, parse_personal_number


class LogFilterForm(forms.Form):
    username = forms.CharField(label=_("Användarnamn"), required=False, max_length=150)
    outside = forms.BooleanField(
        label=_("Endast läsningar utanför egen enhet eller utförare"), required=False
    )
    date_from = BoundedFormDateField(
        label=_("Från och med"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = BoundedFormDateField(
        label=_("Till och med"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    own = forms.BooleanField(label=_("Visa även mina egna visningar"), required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("Slutdatumet ligger före startdatumet."))
        return data


class ClientSearchForm(forms.Form):
    """Posted, never sent in the address: a personnummer must not appear in a URL."""

    personal_number = forms.CharField(label=_("Klientens personnummer"), max_length=20)

    def clean_personal_number(self):
        try:
            return parse_personal_number(self.cleaned_data["personal_number"]).value
        except InvalidPersonalNumber as exc:
            raise forms.ValidationError(str(exc)) from None
