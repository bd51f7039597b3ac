"""Forms of the fee notices (SPEC R9.3)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from verkstall.core.date_fields import BoundedFormDateField
from verkstall.decisions.forms import DateInput
from verkstall.orders.forms import ON_BEHALF_CHOICES

from .services import NOTE_LENGTH, TEXT_LENGTH


class FeeNoticeForm(forms.Form):
    """The provider's own notice to the fee officer (the order page, and its fee page)."""

    text = forms.CharField(
        label=_("Vad har ändrats som påverkar avgiften"),
        max_length=TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Till exempel besök som klienten själv har avbokat."),
    )
    effective_from = BoundedFormDateField(label=_("Från och med"), widget=DateInput())
    effective_to = BoundedFormDateField(label=_("Till och med"), widget=DateInput(), required=False)
    channel = forms.ChoiceField(
        label=_("Meddelandet kom via"), choices=ON_BEHALF_CHOICES, required=False
    )

    def __init__(self, *args, **kwargs):
        # Its own ids: the order page holds other forms with dates and channels.
        kwargs.setdefault("auto_id", "fee_%s")
        super().__init__(*args, **kwargs)
        self.fields["effective_from"].initial = timezone.localdate()


class HandleForm(forms.Form):
    """The fee officer's optional note when a notice is handled."""

    note = forms.CharField(
        label=_("Anteckning"),
        max_length=NOTE_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
