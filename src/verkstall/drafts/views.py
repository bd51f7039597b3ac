"""The draft endpoint (issue 17 item 1): htmx posts a field's text here while the user types.

The key's object is read through its screen's own selectors (drafts/registry.py): outside the
user's scope the answer is that screen's 404 and nothing is stored. The answer is the small
fragment that says when the draft was saved (drafts/_status.html); too long a text is a 400
with the same fragment saying why (drafts.js swaps it in too).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from verkstall.core.concurrency import VERSION_FIELD
from verkstall.core.errors import ValidationFailed

from . import services
from .forms import saved_when

#: Marks the fragment as the draft endpoint's own answer (drafts.js swaps nothing else in,
#: such as the login page a request after the session ended is sent to).
FRAGMENT_HEADER = "X-Verkstall-Draft"


def _fragment(request, context: dict, status: int = 200):
    response = render(request, "drafts/_status.html", context, status=status)
    response[FRAGMENT_HEADER] = "1"
    response["Cache-Control"] = "no-store, private"
    return response


def _version(value) -> int | None:
    """The form's `lock_version` sent with the text, if it is one."""
    return int(value) if value and value.isdigit() and len(value) < 10 else None


@login_required
@require_POST
def draft_save(request, kind, pk, field):
    args = {"kind": kind, "pk": pk, "field": field}
    try:
        draft = services.store_draft(
            user=request.user,
            text=request.POST.get(field, ""),
            base_version=_version(request.POST.get(VERSION_FIELD)),
            **args,
        )
    except ValidationFailed as exc:
        return _fragment(request, {"error": exc.message}, status=400)
    textarea_id = f"id_{field}"  # Django's own id of the field (forms keep the default auto_id)
    context = {
        "saved_when": saved_when(draft.updated_at) if draft else "",
        "status_id": f"{textarea_id}-draft",
        "textarea_id": textarea_id,
        "discard_url": reverse("draft-discard", kwargs=args),
    }
    return _fragment(request, context)


@login_required
@require_POST
def draft_discard(request, kind, pk, field):
    services.discard_draft(user=request.user, kind=kind, pk=pk, field=field)
    return _fragment(request, {"discarded": True})
