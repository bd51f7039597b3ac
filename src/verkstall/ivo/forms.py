from __future__ import annotations

from django import forms

from .services import REASON_MAX


class QuarterForm(forms.Form):
    quarter = forms.CharField(label="Kvartal", max_length=20)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Skäl till dröjsmålet",
        max_length=REASON_MAX,
        help_text="Varför beslutet inte har verkställts, vad det har inneburit för den enskilde "
        "och om hen har fått annan hjälp i väntan. Skriv inte namn eller personnummer.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
