from __future__ import annotations

from django import forms

from verkstall.core.date_fields import BoundedFormDateField
from verkstall.orders.models import ReplyChannel

from .models import AbsenceReason

ON_BEHALF = [("", "—")] + [c for c in ReplyChannel.choices if c[0] != ReplyChannel.SYSTEM]


def _date():
    return forms.DateInput(attrs={"type": "date"})


class AbsenceForm(forms.Form):
    reason = forms.ChoiceField(label="Orsak", choices=AbsenceReason.choices)
    from_date = BoundedFormDateField(label="Från och med", widget=_date())
    to_date = BoundedFormDateField(
        label="Till och med",
        required=False,
        help_text="Lämna tomt om frånvaron pågår.",
        widget=_date(),
    )
    channel = forms.ChoiceField(label="Hur kom uppgiften in", choices=ON_BEHALF, required=False)

    def explain_thresholds(self, *, register_days: int, long_days: int) -> None:
        """Say when absence is registered and when it is long, with the numbers of the
        municipality's routine (its profile: R7.1 `absence_register_days`, R7.2
        `long_absence_days`; SPEC R11.4)."""
        self.fields["from_date"].help_text = (
            f"Registrera frånvaro vid sjukhusvistelse och all annan frånvaro som är längre än "
            f"{register_days} dagar; korttidsvistelse registreras automatiskt. Frånvaro över "
            f"{long_days} dagar i följd markeras och rapporteras till handläggaren."
        )


class EndAbsenceForm(forms.Form):
    to_date = BoundedFormDateField(label="Till och med", widget=_date())


class ShortTermStayForm(forms.Form):
    from_date = BoundedFormDateField(label="Från och med", widget=_date())
    to_date = BoundedFormDateField(label="Till och med", required=False, widget=_date())
