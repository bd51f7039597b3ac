from django import forms
from django.utils.translation import gettext_lazy as _


class CaseEntryForm(forms.Form):
    title = forms.CharField(label=_("Rubrik"), max_length=200)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 4}))
    corrects = forms.IntegerField(
        label=_("Rättar anteckning"), required=False, widget=forms.HiddenInput
    )


class DocumentReceivedForm(forms.Form):
    title = forms.CharField(label=_("Rubrik"), max_length=200, initial=_("Handling inkommen"))
    text = forms.CharField(
        label=_("Vad kom in"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("T.ex. genomförandeplan eller verksamhetsjournal från utföraren."),
    )
    order = forms.TypedChoiceField(label=_("Beställning"), required=False, coerce=int)
    provider_name = forms.CharField(label=_("Från utförare"), max_length=200, required=False)
    upload = forms.FileField(
        label=_("Inskannad handling (PDF eller bild)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.tif,.tiff"}),
    )

    def __init__(self, *args, orders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].choices = [("", "–")] + [
            (o.pk, f"#{o.pk} {o.provider.name} ({o.get_state_display().lower()})") for o in orders
        ]


class ProviderEntryForm(forms.Form):
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 4}))
    is_summary = forms.BooleanField(
        label=_("Sammanfattning av den sociala dokumentationen"), required=False
    )
    corrects = forms.IntegerField(
        label=_("Rättar anteckning"), required=False, widget=forms.HiddenInput
    )


class MessageForm(forms.Form):
    order = forms.TypedChoiceField(label=_("Gäller beställning"), coerce=int)
    subject = forms.CharField(
        label=_("Ämne"),
        max_length=200,
        help_text=_("Skriv inte personnummer i ämnet."),
    )
    body = forms.CharField(label=_("Meddelande"), widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args, orders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].choices = [
            (o.pk, f"{o.person.full_name}: #{o.pk} {o.provider.name}") for o in orders
        ]
