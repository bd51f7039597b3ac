from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from verkstall.core.date_fields import BoundedFormDateField
from verkstall.orders.forms import ON_BEHALF_CHOICES

from .basis_types import PRICE_UNIT_LABELS, PerformedKind, PriceUnit

DATE = forms.DateInput(attrs={"type": "date"})


class PriceForm(forms.Form):
    service_type = forms.ChoiceField(label=_("Insats"))
    unit = forms.ChoiceField(
        label=_("Prisenhet"), choices=[(u.value, PRICE_UNIT_LABELS[u]) for u in PriceUnit]
    )
    amount = forms.CharField(label=_("Pris, kronor"), help_text=_("T.ex. 412,50."), max_length=20)
    valid_from = BoundedFormDateField(label=_("Gäller från"), widget=DATE)
    valid_to = BoundedFormDateField(
        label=_("Gäller till och med"),
        required=False,
        widget=DATE,
        help_text=_("Tomt: tills vidare."),
    )

    def __init__(self, *args, service_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_type"].choices = [("", "–")] + [
            (st.code, st.name) for st in service_types
        ]


class EndPriceForm(forms.Form):
    valid_to = BoundedFormDateField(label=_("Sista dag priset gäller"), widget=DATE)


class TimeForm(forms.Form):
    """Hours for a day (R9.2; R3.2 exceeded time)."""

    granted_service = forms.ChoiceField(label=_("Insats"))
    kind = forms.ChoiceField(label=_("Slag"), choices=())
    day = BoundedFormDateField(label=_("Dag"), widget=DATE)
    hours = forms.CharField(label=_("Timmar"), help_text=_("T.ex. 2,5."), max_length=10)
    note = forms.CharField(
        label=_("Kommentar"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    channel = forms.ChoiceField(
        label=_("Hur kom uppgiften in"), choices=ON_BEHALF_CHOICES, required=False
    )

    def __init__(self, *args, services=(), kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["granted_service"].choices = [
            (str(s.pk), f"{s.service_type.name}, {s.scope_text}") for s in services
        ]
        labels = {
            PerformedKind.PERFORMED.value: _("Utförd tid"),
            PerformedKind.EXCEEDED.value: _("Överskriden tid vid akut muntlig beställning"),
        }
        self.fields["kind"].choices = [(k, labels[k]) for k in kinds]


class TimeChangeForm(forms.Form):
    day = BoundedFormDateField(label=_("Dag"), widget=DATE)
    hours = forms.CharField(label=_("Timmar"), max_length=10)
    note = forms.CharField(
        label=_("Kommentar"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    channel = forms.ChoiceField(
        label=_("Hur kom uppgiften in"), choices=ON_BEHALF_CHOICES, required=False
    )


class CloseForm(forms.Form):
    period = forms.CharField(label=_("Månad"), max_length=7)
    reason = forms.CharField(
        label=_("Skäl att stänga i förtid"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, registration_day: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if registration_day is not None:
            self.fields["reason"].help_text = _(
                "Behövs bara före sista registreringsdagen, den %(day)s:e i nästa månad."
            ) % {"day": registration_day}
