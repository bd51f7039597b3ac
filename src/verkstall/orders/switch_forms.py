"""Forms of the provider switch (SPEC R2.6). Validation of the rules is the services' job."""

from django import forms
from django.utils.translation import gettext_lazy as _

from verkstall.core import clock
from verkstall.core.date_fields import BoundedFormDateField
from verkstall.decisions.forms import DateInput
from verkstall.providers.offer_selectors import caps_explanation, provider_choices

from .forms import ON_BEHALF_CHOICES


class SwitchRequestForm(forms.Form):
    new_provider = forms.ChoiceField(label=_("Ny utförare"))
    requested_on = BoundedFormDateField(label=_("Klienten begärde bytet"), widget=DateInput())
    kind = forms.ChoiceField(
        label=_("Skäl"),
        choices=[("rechoice", _("Omval")), ("move", _("Flytt"))],
        initial="rechoice",
    )
    has_hsl = forms.BooleanField(label=_("Klienten har HSL-insatser"), required=False)
    returning_from_temporary_stay = forms.BooleanField(
        label=_("Klienten återvänder från tillfällig vistelse till ordinarie vald utförare"),
        required=False,
        help_text=_("Ordinarie vald utförare tar då emot klienten oavsett kapacitetstak."),
    )

    def __init__(self, *args, providers=(), caps=None, **kwargs):
        """`caps`: the providers at their capacity cap for the order's services in the
        client's area, marked as the order form marks them (issue 17 item 4)."""
        super().__init__(*args, **kwargs)
        providers, caps = list(providers), caps or {}
        field = self.fields["new_provider"]
        field.choices = [("", "–"), *provider_choices(providers, caps)]
        field.help_text = caps_explanation(caps, providers)
        self.fields["requested_on"].initial = clock.today()


class InformForm(forms.Form):
    pass


class AgreedDateForm(forms.Form):
    agreed_date = BoundedFormDateField(label=_("Överenskommet datum för bytet"), widget=DateInput())
    channel = forms.ChoiceField(
        label=_("Datumet kom via"), choices=ON_BEHALF_CHOICES, required=False
    )


class CompleteForm(forms.Form):
    pass
