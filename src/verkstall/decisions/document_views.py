"""The decision letter as a PDF (beslutsmeddelande, SPEC R1.2), for the client's officers."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_GET

from verkstall.core.errors import PermissionDenied

from . import documents
from .selectors import get_decision


@login_required
@require_GET
def decision_letter_pdf(request, pk):
    """The letter to post to the person. Scoped like the decision (another unit's or
    municipality's decision is 404); only a case officer produces it."""
    decision = get_decision(request.user, pk)
    if not request.user.is_officer:
        raise PermissionDenied("Endast biståndshandläggare kan skriva ut beslutsmeddelanden.")
    pdf = documents.render_letter_pdf(decision)
    return documents.pdf_response(pdf, documents.decision_letter_filename(decision))
