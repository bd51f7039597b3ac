from __future__ import annotations

from django import forms

from verkstall.core.date_fields import BoundedFormDateField
from verkstall.orders.forms import ON_BEHALF_CHOICES

from .models import Voucher, VoucherReport


class VoucherForm(forms.Form):
    kind = forms.ChoiceField(label="Värdeintyg", choices=Voucher.Kind.choices)


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label="Vad redovisas", choices=VoucherReport.Kind.choices)
    occurred_on = BoundedFormDateField(
        label="Datum",
        help_text="Startdatum, nytt startdatum vid ökning eller minskning, eller dag för flytt, "
        "dödsfall eller avslut.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(
        label="Kommentar", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    channel = forms.ChoiceField(
        label="Hur kom blanketten in", choices=ON_BEHALF_CHOICES, required=False
    )
