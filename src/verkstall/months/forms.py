from django import forms
from django.utils.translation import gettext_lazy as _


class MonthSettingsForm(forms.Form):
    """The days before the month's deadline on which the reminder goes out (R9.1)."""

    reminder_days = forms.CharField(
        label=_("Påminnelse så många dagar före sista dagen"),
        required=False,
        max_length=100,
        help_text=_(
            "Hela dagar, åtskilda med kommatecken, t.ex. 3, 1. 0 är själva sista dagen. "
            "Lämna tomt för ingen påminnelse."
        ),
    )
