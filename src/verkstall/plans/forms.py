from django import forms

from .services import MAX_DOCUMENT_BYTES


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
