"""The form of a request for a service without needs assessment (IUB, SPEC R1.3)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from verkstall.core.date_fields import BoundedFormDateField

from .forms import DateInput
from .iub_services import ASKED_BY_MAX, IUB_CHANNELS
from .selectors import service_types


class IubRequestForm(forms.Form):
    asked_by = forms.CharField(
        label=_("Vem frågade"),
        max_length=ASKED_BY_MAX,
        help_text=_("Den enskilde, eller vem som frågade för den enskilde (t.ex. en anhörig)."),
    )
    asked_on = BoundedFormDateField(label=_("Datum för förfrågan"), widget=DateInput())
    channel = forms.ChoiceField(
        label=_("Hur förfrågan kom in"), choices=[("", "–"), *IUB_CHANNELS.items()]
    )
    service_type = forms.ChoiceField(label=_("Insats utan behovsprövning"), required=False)
    note = forms.CharField(
        label=_("Anteckning"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    phone = forms.CharField(
        label=_("Klientens telefon"),
        max_length=30,
        required=False,
        help_text=_("Förste handläggare registrerar telefonnummer och anhöriguppgifter."),
    )
    relative_name = forms.CharField(label=_("Anhörig, namn"), max_length=200, required=False)
    relative_relation = forms.CharField(
        label=_("Anhörig, relation"), max_length=100, required=False
    )
    relative_phone = forms.CharField(label=_("Anhörig, telefon"), max_length=30, required=False)

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["asked_on"].initial = timezone.localdate()
        self.fields["service_type"].choices = [("", "–")] + [
            (t.code, t.name) for t in service_types().filter(unassessed=True)
        ]
        if person is not None and not self.is_bound:
            self.fields["asked_by"].initial = person.full_name

    def service_arguments(self) -> dict:
        """The cleaned data as register_iub_request's keyword arguments."""
        data = dict(self.cleaned_data)
        relative = {
            "name": data.pop("relative_name"),
            "relation": data.pop("relative_relation"),
            "phone": data.pop("relative_phone"),
        }
        data["relatives"] = [relative] if any(relative.values()) else []
        return data
