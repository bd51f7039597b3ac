"""Forms of the queue screens (SPEC R8.1, R8.2, R8.3); the services check everything again."""

from __future__ import annotations

from django import forms

from verkstall.core.date_fields import BoundedFormDateTimeField


class EnqueueForm(forms.Form):
    granted_service = forms.TypedChoiceField(label="Beviljad insats", coerce=int)
    home_1 = forms.TypedChoiceField(label="Förstahandsval", coerce=int)
    home_2 = forms.TypedChoiceField(label="Andrahandsval", coerce=int, required=False)
    home_3 = forms.TypedChoiceField(label="Tredjehandsval", coerce=int, required=False)
    urgent = forms.BooleanField(label="Skyndsam placering", required=False)
    current_location = forms.CharField(
        label="Var den enskilde befinner sig nu", max_length=200, required=False
    )
    discharge_ready_at = BoundedFormDateTimeField(
        label="Utskrivningsklar (sjukhusets underrättelse)",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    notes = forms.CharField(label="Annat av vikt", widget=forms.Textarea, required=False)

    def __init__(self, *args, services=(), homes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["granted_service"].choices = [
            (s.pk, f"{s.service_type.name} (beslut {s.decision.decided_on:%Y-%m-%d})")
            for s in services
        ]
        options = [
            (h.pk, f"{h} – {', '.join(t.name for t in h.service_types.all())}") for h in homes
        ]
        self.fields["home_1"].choices = options
        for name in ("home_2", "home_3"):
            self.fields[name].choices = [("", "–"), *options]
            self.fields[name].empty_value = None

    def chosen_homes(self) -> list:
        """The chosen homes in order of preference (the service checks them)."""
        data = self.cleaned_data
        return [data[n] for n in ("home_1", "home_2", "home_3") if data.get(n)]


class OfferForm(forms.Form):
    home = forms.IntegerField(label="Boende eller enhet", widget=forms.HiddenInput)


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label="Klientens svar",
        choices=[("accepted", "Tackade ja"), ("declined", "Tackade nej")],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label="Skäl (vid nej)", max_length=300, required=False)


class WithdrawForm(forms.Form):
    """The officer or the placement unit removes the client from the queue (R8.1, R8.2)."""

    reason = forms.CharField(
        label="Skäl",
        max_length=300,
        help_text="Till exempel att klienten inte längre vill ha plats, har flyttat eller har "
        "avlidit.",
    )


class RegisterStayForm(forms.Form):
    """The placement unit registers a temporary stay (R8.4) into one of the municipality's
    myndighet units."""

    unit = forms.TypedChoiceField(label="Myndighetsenhet som får klienten", coerce=int)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]


class DeclineStayForm(forms.Form):
    reason = forms.CharField(label="Skäl till att ärendet avböjs", max_length=300)
