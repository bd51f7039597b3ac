"""Every form reports all its errors at once, where they belong (issue 17 item 2, the GOV.UK
error summary pattern): a summary at the top linking to each field, the fields marked
`aria-invalid` with a visible border class, what was typed kept, and no `role="alert"` on a
list (axe's `listitem` rule: the `li` of a list given another role are orphaned)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from verkstall.core.templatetags.form_errors import SummaryEntry, summary_entries

TEMPLATES = Path(settings.BASE_DIR) / "templates"


class ThreeFieldForm(forms.Form):
    title = forms.CharField(label="Rubrik", max_length=10)
    when = forms.DateField(label="Datum")
    kind = forms.ChoiceField(
        label="Sort", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect
    )
    corrects = forms.IntegerField(label="Rättar", required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("title") == "fel":
            raise forms.ValidationError("Hela formuläret är fel.")
        return data


def _render(form, **extra) -> str:
    return render_to_string("_form_fields.html", {"form": form, **extra})


def test_the_summary_lists_every_error_linking_to_its_field():  # issue 17 item 2
    form = ThreeFieldForm({"title": "alldeles för lång", "when": "igår", "kind": ""})
    assert not form.is_valid()
    html = _render(form)
    summary = html.split("data-error-summary")[1].split("</div>\n</div>")[0]
    assert "Det finns fel i formuläret" in summary
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)
    assert [anchor for anchor, _ in links] == ["id_title", "id_when", "id_kind_0"]
    assert links[0][1].startswith("Rubrik: ")
    # Each link goes to an element that is on the page.
    for anchor, _ in links:
        assert f'id="{anchor}"' in html


def test_the_summary_takes_the_focus_and_alerts_from_a_wrapper_not_a_list():  # issue 17
    form = ThreeFieldForm({"title": "", "when": "", "kind": ""})
    form.is_valid()
    html = _render(form)
    opening = re.search(r"<div [^>]*data-error-summary[^>]*>", html).group(0)
    assert 'tabindex="-1"' in opening and "autofocus" in opening
    assert '<div role="alert">' in html
    assert not re.search(r"<(ul|ol|li)\b[^>]*role=", html)


def test_fields_with_errors_are_marked_and_keep_what_was_typed():  # issue 17 item 2
    form = ThreeFieldForm({"title": "alldeles för lång", "when": "igår", "kind": "b"})
    form.is_valid()
    html = _render(form)
    title = re.search(r'<input[^>]*name="title"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in title and 'value="alldeles för lång"' in title
    assert 'aria-describedby="id_title_error"' in title
    assert 'value="igår"' in html
    assert re.search(r'<input[^>]*value="b"[^>]*checked', html)
    assert html.count('class="field field-error"') == 2  # title and date; kind is valid
    assert 'id="id_title_error"' in html


def test_a_form_without_errors_has_no_summary_and_no_marks():  # issue 17 item 2
    assert "data-error-summary" not in _render(ThreeFieldForm())
    form = ThreeFieldForm({"title": "rätt", "when": "2026-01-02", "kind": "a"})
    assert form.is_valid()
    html = _render(form)
    assert "data-error-summary" not in html and "aria-invalid" not in html
    assert "field-error" not in html


def test_errors_of_the_whole_form_and_of_hidden_fields_are_in_the_summary():  # issue 17
    form = ThreeFieldForm({"title": "fel", "when": "2026-01-02", "kind": "a", "corrects": "x"})
    assert not form.is_valid()
    entries = summary_entries(form)
    assert entries[0] == SummaryEntry("Hela formuläret är fel.")
    assert entries[1].text.startswith("Rättar: ") and entries[1].anchor == ""


def test_a_hidden_field_gets_no_label_on_the_page():  # issue 17 item 9 ("Corrects:")
    html = _render(ThreeFieldForm())
    assert '<input type="hidden" name="corrects"' in html
    assert "Rättar" not in html and "Corrects" not in html


def test_a_formset_and_its_form_share_one_summary():  # issue 17 item 2
    rows = forms.formset_factory(ThreeFieldForm, extra=0)(
        {
            "form-TOTAL_FORMS": "2",
            "form-INITIAL_FORMS": "0",
            "form-0-title": "",
            "form-0-when": "2026-01-02",
            "form-0-kind": "a",
            "form-1-title": "ok",
            "form-1-when": "",
            "form-1-kind": "a",
        }
    )
    assert not rows.is_valid()
    anchors = [e.anchor for e in summary_entries(rows)]
    assert anchors == ["id_form-0-title", "id_form-1-when"]


def test_no_template_puts_role_alert_on_a_list():  # issue 17 item 2, axe `listitem`
    offenders = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for match in re.finditer(r"<(ul|ol|li)\b[^>]*\brole=\"[^\"]*\"", path.read_text())
    ]
    assert offenders == []


@pytest.mark.django_db
def test_a_real_form_reports_all_its_errors_in_one_submit(world, client):  # issue 17 item 2
    """The journal's note form, empty: both fields in the summary, each marked."""
    client.force_login(world.officer)
    person = world.person()
    response = client.post(
        reverse("case-journal", args=[person.pk]),
        {"action": "note", "note-title": "", "note-text": ""},
    )
    html = response.content.decode()
    assert response.status_code in (200, 400)
    summary = html.split("data-error-summary")[1].split("</ul>")[0]
    assert re.findall(r'href="#([^"]+)"', summary) == ["id_note-title", "id_note-text"]
    assert html.count('aria-invalid="true"') == 2
    assert "Corrects" not in html
