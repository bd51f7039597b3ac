from __future__ import annotations

from django import forms

from verkstall.core.date_fields import BoundedFormDateField
from verkstall.orders.forms import ON_BEHALF_CHOICES


def _date():
    return forms.DateInput(attrs={"type": "date"})


def _channel():
    return forms.ChoiceField(
        label="Hur kom uppgiften in", choices=ON_BEHALF_CHOICES, required=False
    )


class AlarmOrderedForm(forms.Form):
    ordered_on = BoundedFormDateField(
        label="Beställt från hjälpmedelscentralen",
        required=False,
        help_text="Lämna tomt om larmet beställdes i dag.",
        widget=_date(),
    )
    channel = _channel()


class AlarmInstalledForm(forms.Form):
    installed_on = BoundedFormDateField(
        label="Installerat",
        required=False,
        help_text="Lämna tomt om larmet installerades i dag.",
        widget=_date(),
    )


class MealOrderedForm(forms.Form):
    ordered_on = BoundedFormDateField(
        label="Matdistributionen beställd",
        required=False,
        help_text="Lämna tomt om den beställdes i dag.",
        widget=_date(),
    )
    channel = _channel()
