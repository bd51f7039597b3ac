"""The error summary at the top of a form (GOV.UK's "error summary" pattern, issue 17 item 2).

Every error of a submitted form is listed once, at the top, each linking to its field, so that
a user sees all that is wrong in one submit and can go to each field from the list; the
summary takes the focus when the page loads (static/verkstall/forms.js). The fields keep what
was typed (a bound form), are marked `aria-invalid` by Django and carry the class
`field-error` (templates/_form_fields.html).

`{% error_summary form %}` takes forms and formsets, several at once (a form and the formset of
its rows give one summary).
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms, template

register = template.Library()


@dataclass(frozen=True)
class SummaryEntry:
    """One error of the summary: its text, and the id of the field it links to ("" for an
    error of the whole form, or of a hidden field, which no link can reach)."""

    text: str
    anchor: str = ""


def field_anchor(bound_field) -> str:
    """The id a link to the field goes to: the input, or the first of a group of radio buttons
    or checkboxes (whose label names no single input)."""
    if bound_field.is_hidden or not bound_field.auto_id:
        return ""
    return bound_field.id_for_label or f"{bound_field.auto_id}_0"


def summary_entries(form) -> list[SummaryEntry]:
    """The errors of a form or a formset, in the order of the page: the whole form's first,
    then each field's in the order of the fields."""
    if form is None or not getattr(form, "is_bound", False):
        return []
    if isinstance(form, forms.BaseFormSet):
        entries = [SummaryEntry(str(e)) for e in form.non_form_errors()]
        for row in form.forms:
            entries.extend(summary_entries(row))
        return entries
    entries = [SummaryEntry(str(e)) for e in form.non_field_errors()]
    for bound_field in form:
        anchor = field_anchor(bound_field)
        label = bound_field.label or bound_field.name
        for error in bound_field.errors:
            entries.append(SummaryEntry(f"{label}: {error}", anchor))
    return entries


@register.inclusion_tag("core/_error_summary.html")
def error_summary(*forms_and_formsets):
    """The summary of every error of the given forms and formsets; nothing when there is none."""
    entries: list[SummaryEntry] = []
    for form in forms_and_formsets:
        entries.extend(summary_entries(form))
    return {"entries": entries}
