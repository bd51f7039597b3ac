"""Forms for changed needs and new order versions (SPEC R3.8, R3.10). Rules live in
change_services.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from verkstall.core.date_fields import BoundedFormDateField
from verkstall.decisions.forms import DateInput

from .forms import ON_BEHALF_CHOICES
from .models import TemporaryChange


class TemporaryChangeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Förändring"), choices=TemporaryChange.Kind.choices)
    from_date = BoundedFormDateField(label=_("Från och med"), widget=DateInput())
    to_date = BoundedFormDateField(label=_("Till och med"), widget=DateInput())
    reason = forms.CharField(label=_("Orsak"), widget=forms.Textarea(attrs={"rows": 3}))
    channel = forms.ChoiceField(label=_("Svaret kom via"), choices=ON_BEHALF_CHOICES)


class ReissueForm(forms.Form):
    decision = forms.ChoiceField(label=_("Beslut"))
    change_summary = forms.CharField(
        label=_("Vad ändringen gäller"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Utföraren ser texten på den nya beställningen."),
    )

    def __init__(self, *args, decisions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [(d.pk, str(d)) for d in decisions]
