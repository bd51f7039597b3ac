from django import forms
from django.utils.translation import gettext_lazy as _

from .services import NOTE_MAX


class TransferForm(forms.Form):
    support_worker_invited = forms.BooleanField(
        label=_("Den enskilde önskar att boendestödjaren deltar vid mötet"),
        required=False,
        help_text=_("Utföraren får ett meddelande om överlämningen, med inbjudan till mötet."),
    )
    meeting_note = forms.CharField(
        label=_("Om mötet"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("T.ex. när och var mötet hålls och vem som deltar."),
    )
