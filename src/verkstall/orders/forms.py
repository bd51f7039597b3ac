from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from verkstall.core.date_fields import BoundedFormDateField, BoundedFormDateTimeField
from verkstall.decisions.forms import DateInput

from .correction_services import LABEL
from .models import ReplyChannel

ON_BEHALF_CHOICES = [("", "–")] + [c for c in ReplyChannel.choices if c[0] != "system"]


class OrderForm(forms.Form):
    provider = forms.ChoiceField(label=_("Utförare"))
    provider_unit = forms.ChoiceField(label=_("Utförarenhet"), required=False)
    services = forms.MultipleChoiceField(
        label=_("Insatser i beställningen"), widget=forms.CheckboxSelectMultiple
    )
    instructions = forms.CharField(
        label=_("Information till utföraren"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    acute_oral = forms.BooleanField(
        label=_("En akut muntlig beställning har redan getts"), required=False
    )
    acute_oral_at = BoundedFormDateTimeField(
        label=_("När gavs den muntliga beställningen?"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, providers=(), decision=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [("", "–")] + [
            (p.pk, p.name if p.is_connected else f"{p.name} ({p.get_channel_display()})")
            for p in providers
        ]
        self.fields["provider_unit"].choices = [("", "–")] + [
            (u.pk, f"{p.name}, {u.name}") for p in providers for u in p.units.all()
        ]
        granted = list(decision.services.all()) if decision else []
        self.fields["services"].choices = [(g.pk, str(g)) for g in granted]
        self.fields["services"].initial = [g.pk for g in granted]

    def clean(self):
        data = super().clean()
        if data.get("acute_oral") and not data.get("acute_oral_at"):
            self.add_error("acute_oral_at", _("Ange när den muntliga beställningen gavs."))
        if not data.get("acute_oral"):
            data["acute_oral_at"] = None
        return data


class SendForm(forms.Form):
    pass


class AcknowledgeForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Svaret kom via"), choices=ON_BEHALF_CHOICES, required=False
    )


class StartForm(forms.Form):
    start_date = BoundedFormDateField(label=_("Verkställd från och med"), widget=DateInput())
    channel = forms.ChoiceField(
        label=_("Svaret kom via"), choices=ON_BEHALF_CHOICES, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start_date"].initial = timezone.localdate()


class EndForm(forms.Form):
    end_date = BoundedFormDateField(label=_("Slutdatum"), widget=DateInput())
    note = forms.CharField(
        label=_("Avslutsanteckning"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    channel = forms.ChoiceField(
        label=_("Svaret kom via"), choices=ON_BEHALF_CHOICES, required=False
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Anledning"), required=False)


class ReceiptForm(forms.Form):
    """The arrival date of an order sent by post or fax (R11.4, orders.receipt_services)."""

    received_on = BoundedFormDateField(
        label=_("Beställningen kom fram till utföraren"),
        help_text=_("Ankomstdagen enligt utförarens mottagningsstämpel eller faxkvitto."),
        widget=DateInput(),
    )


class CorrectDateForm(forms.Form):
    """A registered start or end date corrected with a reason (R9.1,
    orders.correction_services)."""

    which = forms.ChoiceField(
        label=_("Datum som korrigeras"),
        choices=[(which, _(label)) for which, label in LABEL.items()],
    )
    date = BoundedFormDateField(label=_("Rätt datum"), widget=DateInput())
    reason = forms.CharField(
        label=_("Orsak till korrigeringen"), widget=forms.Textarea(attrs={"rows": 2})
    )
    channel = forms.ChoiceField(
        label=_("Rättelsen kom via"),
        choices=ON_BEHALF_CHOICES,
        required=False,
        help_text=_("Fyll i när du registrerar en rättelse som utföraren lämnat."),
    )

    def __init__(self, *args, which=(), **kwargs):
        # Its own ids: the order page holds the action forms too (an end's channel ...).
        kwargs.setdefault("auto_id", "correct_%s")
        super().__init__(*args, **kwargs)
        if which:
            choices = [c for c in self.fields["which"].choices if c[0] in which]
            self.fields["which"].choices = choices
