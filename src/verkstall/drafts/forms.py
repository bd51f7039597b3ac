"""The one piece that gives a form's long text fields their drafts (issue 17 item 1).

A screen's view calls `keep_drafts(form, user=..., kind=..., pk=...)` on its form: the kind's
text fields (drafts/registry.py) get `DraftTextarea`, which posts the text with htmx a second
after typing stops (drafts/views.py) and shows "Utkast sparat kl. 10.42" beside the field in
an aria-live region. On an unbound form, a draft the user left is put in the field instead of
its initial value, with "Återställt utkast från kl. …" and the button "Släng utkastet". The
page script (static/verkstall/drafts.js) warns before leaving a form with unsaved changes.
"""

from __future__ import annotations

from django import forms
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from verkstall.core.concurrency import VERSION_FIELD

from . import registry, selectors

TRIGGER = "input changed delay:1s"


def saved_when(moment) -> str:
    """When a draft was saved, in Swedish: "kl. 10.42" today, else "2025-03-01 kl. 10.42"."""
    local = timezone.localtime(moment)
    clock = local.strftime("%H.%M")
    if local.date() == timezone.localdate():
        return _("kl. %(time)s") % {"time": clock}
    return _("%(day)s kl. %(time)s") % {"day": local.date().isoformat(), "time": clock}


class DraftTextarea(forms.Textarea):
    """A textarea whose text is kept as its user's draft while typed."""

    def __init__(self, attrs=None, *, save_url: str, discard_url: str, restored=None, original=""):
        super().__init__(attrs)
        self.save_url = save_url
        self.discard_url = discard_url
        self.restored = restored  # the Draft put in the field, if any
        self.original = original  # the field's value without the draft

    @staticmethod
    def status_id(name: str, attrs: dict) -> str:
        return f"{attrs.get('id') or 'id_' + name}-draft"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        status = self.status_id(name, context["widget"]["attrs"])
        widget_attrs = {
            **context["widget"]["attrs"],
            "hx-post": self.save_url,
            "hx-trigger": TRIGGER,
            "hx-target": f"#{status}",
            "hx-swap": "innerHTML",
            # The field's own text only, and the version of the record the form was opened at.
            "hx-params": f"{name},{VERSION_FIELD}",
            "hx-include": f"[name='{VERSION_FIELD}']",
            "hx-sync": "this:replace",
            "data-draft": status,
        }
        if self.restored is not None:
            widget_attrs["data-draft-original"] = self.original or ""
        context["widget"]["attrs"] = widget_attrs
        return context

    def render(self, name, value, attrs=None, renderer=None):
        textarea = super().render(name, value, attrs, renderer)
        built = self.build_attrs(self.attrs, attrs)
        status = render_to_string(
            "drafts/_region.html",
            {
                "status_id": self.status_id(name, built),
                "textarea_id": built.get("id", ""),
                "discard_url": self.discard_url,
                "restored_when": saved_when(self.restored.updated_at) if self.restored else "",
            },
        )
        return format_html("{}{}", textarea, status)


def keep_drafts(form: forms.Form, *, user, kind: str, pk: int = 0) -> forms.Form:
    """Give the kind's text fields of `form` their drafts; on an unbound form, restore the
    user's own drafts into them. Returns the form."""
    entry = registry.kind_of(kind)
    if entry is None:
        raise LookupError(f"draft kind {kind!r} is not registered")
    stored = {}
    if not form.is_bound:
        stored = {d.field: d for d in selectors.own_drafts(user, kind=kind, pk=pk)}
    by_html_name = {form.add_prefix(name): name for name in form.fields}
    for html_name in entry.fields:
        name = by_html_name.get(html_name)
        if name is None:
            continue
        field = form.fields[name]
        args = {"kind": kind, "pk": pk, "field": html_name}
        widget = DraftTextarea(
            attrs=dict(field.widget.attrs),
            save_url=reverse("draft-save", kwargs=args),
            discard_url=reverse("draft-discard", kwargs=args),
        )
        widget.is_required = field.widget.is_required
        draft = stored.get(html_name)
        if draft is not None:
            widget.original = form.get_initial_for_field(field, name)
            widget.restored = draft
            form.initial[name] = draft.text
        field.widget = widget
    _version_of_drafts(form, [stored[f] for f in entry.fields if f in stored])
    return form


def _version_of_drafts(form: forms.Form, restored: list) -> None:
    """A form of a versioned record with drafts put back in: it is as old as its oldest draft,
    so saving over a record someone changed since is refused with what changed (issue 18)."""
    versions = [d.base_version for d in restored if d.base_version is not None]
    if versions and VERSION_FIELD in form.fields:
        form.initial[VERSION_FIELD] = min(versions)
