from django import forms

from .models import Outcome


class RequestForm(forms.Form):
    question = forms.CharField(
        label="Fråga till utföraren",
        widget=forms.Textarea,
        help_text="Hur går det? Utföraren ska svara snarast.",
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(label="Ert svar", widget=forms.Textarea)


class RecordForm(forms.Form):
    outcome = forms.ChoiceField(label="Utfall", choices=Outcome.choices, widget=forms.RadioSelect)
    notes = forms.CharField(label="Anteckningar", required=False, widget=forms.Textarea)
