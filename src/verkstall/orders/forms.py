from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from verkstall.core.date_fields import BoundedFormDateField, BoundedFormDateTimeField
from verkstall.decisions.forms import DateInput
from verkstall.providers.offer_selectors import caps_explanation, provider_choices

from .casework_services import TEXT_MAX, TOLD_HOW
from .correction_services import LABEL
from .death_services import NOTE_MAX
from .models import EndReason, ReplyChannel

ON_BEHALF_CHOICES = [("", "–")] + [c for c in ReplyChannel.choices if c[0] != "system"]


class OrderForm(forms.Form):
    """The officer's new order (R3.1). The provider starts as the client's choice or the
    rotation's (the view's `initial`); the unit list offers only the chosen provider's units,
    and changes with the provider (htmx, or the no-JS button `SHOW_UNITS`); a provider at its
    capacity cap is marked in the list and explained (issue 17 item 4)."""

    #: The no-JS button that shows the chosen provider's units without creating the order.
    SHOW_UNITS = "show_units"

    provider = forms.ChoiceField(label=_("Utförare"))
    provider_unit = forms.ChoiceField(
        label=_("Utförarenhet"),
        required=False,
        help_text=_("Bara den valda utförarens enheter visas."),
    )
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

    def __init__(
        self, *args, providers=(), decision=None, caps=None, note="", units_url="", **kwargs
    ):
        """`caps`: the providers at their cap (providers.offer_selectors); `note`: where the
        provider chosen from the start comes from; `units_url`: where the unit list is asked
        for again when the provider changes (htmx)."""
        super().__init__(*args, **kwargs)
        providers = list(providers)
        caps = caps or {}
        field = self.fields["provider"]
        field.choices = [("", "–"), *provider_choices(providers, caps)]
        field.help_text = " ".join(t for t in (note, caps_explanation(caps, providers)) if t)
        if units_url:
            field.widget.attrs |= {
                "hx-get": units_url,
                "hx-trigger": "change",
                "hx-target": "#id_provider_unit",
                "hx-swap": "outerHTML",
            }
        chosen = self.data.get("provider") if self.is_bound else self.initial.get("provider")
        provider = next((p for p in providers if str(p.pk) == str(chosen or "")), None)
        self.fields["provider_unit"].choices = unit_choices(provider)
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


def unit_choices(provider) -> list[tuple]:
    """The unit list for the chosen provider: its units only; what to do first without one."""
    if provider is None:
        return [("", _("Välj utförare först"))]
    units = list(provider.units.all())
    if not units:
        return [("", _("Utföraren har inga enheter i systemet"))]
    return [("", "–"), *((u.pk, u.name) for u in units)]


def order_form_initial(data) -> dict:
    """What was typed into the order form, as an unbound form's initial values (the no-JS
    "show units" post: the form again, with the provider's units, without errors)."""
    names = OrderForm.base_fields
    return {
        name: data.getlist(name) if name == "services" else data.get(name)
        for name in names
        if name in data or name == "services"
    }


class SendForm(forms.Form):
    pass


class AcknowledgeForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Svaret kom via"), choices=ON_BEHALF_CHOICES, required=False
    )


class StartForm(forms.Form):
    start_date = BoundedFormDateField(label=_("Verkställd från och med"), widget=DateInput())
    # R3.6, seed 003: the start is when a staff member is booked; shown where the routine asks
    # (views._action_form), required then by services.register_start.
    booked_staff = forms.CharField(
        label=_("Inbokad personal"),
        required=False,
        max_length=200,
        help_text=_("Namnet på den personal som är inbokad för insatsen."),
    )
    channel = forms.ChoiceField(
        label=_("Svaret kom via"), choices=ON_BEHALF_CHOICES, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start_date"].initial = timezone.localdate()


class EndForm(forms.Form):
    end_date = BoundedFormDateField(label=_("Slutdatum"), widget=DateInput())
    # Why the service ends (seed 004 "brukaren flyttar eller avlider"); required on the screen.
    end_reason = forms.ChoiceField(
        label=_("Orsak till avslut"), choices=[("", "–"), *EndReason.choices]
    )
    note = forms.CharField(
        label=_("Avslutsanteckning"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    channel = forms.ChoiceField(
        label=_("Svaret kom via"), choices=ON_BEHALF_CHOICES, required=False
    )


class CancelForm(forms.Form):
    """Withdraw an order (makulera): always with a reason, a draft's too (issue 17 item 3;
    services.cancel_order refuses one without)."""

    reason = forms.CharField(
        label=_("Anledning till makuleringen"),
        error_messages={"required": _("Ange varför beställningen makuleras.")},
    )


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


class NotStartedForm(forms.Form):
    """The service has not started, and why (R3.7, orders.casework_services)."""

    reason = forms.CharField(
        label=_("Varför har insatsen inte påbörjats?"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    channel = forms.ChoiceField(
        label=_("Rapporten kom via"), choices=ON_BEHALF_CHOICES, required=False
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "not_started_%s")
        super().__init__(*args, **kwargs)


class SupportNotReceivedForm(forms.Form):
    """Support not received as ordered, reported to the officer (R7.2)."""

    from_date = BoundedFormDateField(label=_("Från och med"), widget=DateInput())
    to_date = BoundedFormDateField(
        label=_("Till och med"),
        required=False,
        widget=DateInput(),
        help_text=_("Lämna tomt om det pågår."),
    )
    reason = forms.CharField(
        label=_("Vad har inte tagits emot, och varför?"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    channel = forms.ChoiceField(
        label=_("Rapporten kom via"), choices=ON_BEHALF_CHOICES, required=False
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "support_%s")
        super().__init__(*args, **kwargs)


class NewClientToldForm(forms.Form):
    """The provider was told of a new client, by e-mail or phone (R3.4)."""

    how = forms.ChoiceField(
        label=_("Utföraren informerades via"),
        choices=[(code, label.capitalize()) for code, label in TOLD_HOW.items()],
        widget=forms.RadioSelect,
    )
    told_at = BoundedFormDateTimeField(
        label=_("När"),
        required=False,
        help_text=_("Lämna tomt för nu."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "new_client_%s")
        super().__init__(*args, **kwargs)


class RouteForm(forms.Form):
    """The provider routes the order to one of its own units (seed 002)."""

    provider_unit = forms.ChoiceField(label=_("Fördela till enhet"))

    def __init__(self, *args, units=(), **kwargs):
        kwargs.setdefault("auto_id", "route_%s")
        super().__init__(*args, **kwargs)
        self.fields["provider_unit"].choices = [("", "–")] + [(u.pk, u.name) for u in units]


class DeathForm(forms.Form):
    """The client died: every order ends or is withdrawn (seed 004)."""

    died_on = BoundedFormDateField(label=_("Dödsdag"), widget=DateInput())
    note = forms.CharField(
        label=_("Anteckning"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
