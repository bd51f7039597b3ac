from django import forms
from django.utils.translation import gettext_lazy as _


class PersonForm(forms.Form):
    personal_number = forms.CharField(
        label=_("Personnummer eller samordningsnummer"),
        max_length=20,
        help_text=_("ÅÅÅÅMMDD-NNNN"),
    )
    first_name = forms.CharField(label=_("Förnamn"), max_length=100)
    last_name = forms.CharField(label=_("Efternamn"), max_length=100)
    street_address = forms.CharField(label=_("Gatuadress"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postnummer"), max_length=10, required=False)
    city = forms.CharField(label=_("Ort"), max_length=100, required=False)
    area = forms.ChoiceField(label=_("Hemtjänstområde"), required=False)
    phone = forms.CharField(label=_("Telefon"), max_length=30, required=False)
    whereabouts = forms.CharField(
        label=_("Vistelseort just nu"),
        max_length=200,
        required=False,
        help_text=_("Om klienten inte är hemma, t.ex. på sjukhus."),
    )
    latitude = forms.CharField(
        label=_("Latitud"),
        required=False,
        max_length=20,
        help_text=_("Hemmets position i decimala grader (t.ex. 59.3617), för närhetsprincipen."),
    )
    longitude = forms.CharField(
        label=_("Longitud"),
        required=False,
        max_length=20,
        help_text=_("T.ex. 17.8722."),
    )
    relative_name = forms.CharField(label=_("Anhörig, namn"), max_length=200, required=False)
    relative_relation = forms.CharField(label=_("Relation"), max_length=100, required=False)
    relative_phone = forms.CharField(label=_("Anhörig, telefon"), max_length=30, required=False)

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", "–")] + [(a.pk, a.name) for a in areas]
