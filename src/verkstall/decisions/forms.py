from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from verkstall.core.date_fields import BoundedFormDateField

from .models import ScopeUnit
from .selectors import service_types


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DecisionForm(forms.Form):
    decided_on = BoundedFormDateField(label=_("Beslutsdatum"), widget=DateInput())
    assessment_summary = forms.CharField(
        label=_("Utredning, sammanfattning"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Underlag för beställningen till utföraren."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decided_on"].initial = timezone.localdate()


class GrantedServiceForm(forms.Form):
    service_type = forms.ChoiceField(label=_("Insats"), required=False)
    scope_amount = forms.DecimalField(
        label=_("Omfattning"), required=False, max_digits=7, decimal_places=2
    )
    scope_unit = forms.ChoiceField(
        label=_("Enhet"), choices=[("", "–"), *ScopeUnit.choices], required=False
    )
    frequency = forms.CharField(label=_("Frekvens"), max_length=200, required=False)
    valid_from = BoundedFormDateField(label=_("Gäller från"), required=False, widget=DateInput())
    valid_to = BoundedFormDateField(label=_("Gäller till"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_type"].choices = [("", "–")] + [
            (t.code, t.name) for t in service_types()
        ]


GrantedServiceFormSet = forms.formset_factory(GrantedServiceForm, extra=3, max_num=10)
