from django import forms

from verkstall.core.date_fields import BoundedFormDateField
from verkstall.decisions.forms import DateInput

from .services import MAX_DOCUMENT_BYTES
from .sharing_services import MAX_TEXT, SHARE_METHODS


class PlanForm(forms.Form):
    what = forms.CharField(label="Vad ska göras", required=False, widget=forms.Textarea)
    how = forms.CharField(label="Hur det ska göras", required=False, widget=forms.Textarea)
    when = forms.CharField(label="När det ska göras", required=False, widget=forms.Textarea)
    by_whom = forms.CharField(label="Av vem", required=False, widget=forms.Textarea)
    participation = forms.CharField(
        label="Den enskildes delaktighet",
        required=False,
        widget=forms.Textarea,
        help_text="Hur den enskilde eller företrädaren deltog i planeringen, eller varför inte.",
    )
    revision_reason = forms.CharField(
        label="Skäl till revidering", required=False, widget=forms.Textarea
    )
    document = forms.FileField(
        label="Planen som dokument",
        required=False,
        help_text=f"PDF, DOCX eller ODT, högst {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB.",
    )


class ReviewForm(forms.Form):
    note = forms.CharField(label="Anteckning från uppföljningen", required=False)


class ShareForm(forms.Form):
    """The plan shared with the person, or why not (R5.2; plans.sharing_services)."""

    shared = forms.TypedChoiceField(
        label="Har planen delgivits den enskilde?",
        choices=[("yes", "Ja"), ("no", "Nej")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    shared_on = BoundedFormDateField(
        label="Delgiven den",
        required=False,
        widget=DateInput(),
    )
    method = forms.ChoiceField(
        label="Hur",
        required=False,
        choices=[("", "– välj –"), *SHARE_METHODS.items()],
    )
    reason = forms.CharField(
        label="Varför inte",
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Om planen inte delgivits den enskilde: orsaken.",
    )
    note = forms.CharField(
        label="Anteckning",
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
