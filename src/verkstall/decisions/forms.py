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

    goals = forms.CharField(
        label=_("Mål i beslutet"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Ett mål per rad. Genomförandeplanen och uppföljningen visar hur varje mål har "
            "uppnåtts."
        ),
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


class CorrectionForm(forms.Form):
    """A correction of a registered decision (R1.1): its date, assessment and goals as they
    stand, to change; and why."""

    decided_on = BoundedFormDateField(label=_("Beslutsdatum"), widget=DateInput())
    assessment_summary = forms.CharField(
        label=_("Utredning, sammanfattning"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    goals = forms.CharField(
        label=_("Mål i beslutet"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ett mål per rad."),
    )
    reason = forms.CharField(
        label=_("Skäl till rättelsen"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text=_("Varför beslutet rättas. Sparas i beslutets historik med ditt namn."),
    )


class ServiceCorrectionForm(forms.Form):
    """One granted service's scope, frequency and validity, to correct (not its type)."""

    id = forms.IntegerField(widget=forms.HiddenInput())
    scope_amount = forms.DecimalField(
        label=_("Omfattning"), max_digits=7, decimal_places=2, min_value=0.01
    )
    scope_unit = forms.ChoiceField(label=_("Enhet"), choices=ScopeUnit.choices)
    frequency = forms.CharField(label=_("Frekvens"), max_length=200, required=False)
    valid_from = BoundedFormDateField(label=_("Gäller från"), widget=DateInput())
    valid_to = BoundedFormDateField(label=_("Gäller till"), required=False, widget=DateInput())


ServiceCorrectionFormSet = forms.formset_factory(ServiceCorrectionForm, extra=0, max_num=50)
