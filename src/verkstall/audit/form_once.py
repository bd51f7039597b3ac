"""A screen's create form is saved once (issue 18 item 1): "två personer ... en andra inskickning
skapar inte en andra beställning".

A create form carries a one-time token (`{% submit_once %}`, core/templatetags/submit_once.py).
On a POST with a token:
- the first request claims it (audit.FormSubmission, in the request's transaction); when the
  view answers with a redirect (success: the form was saved), the token is kept with where the
  redirect leads; any other answer (the form again with its errors, a refusal) releases it, so
  the corrected form can be sent;
- a later POST with a kept token creates nothing: it is redirected to where the first one led,
  with the message "Redan sparat – formuläret skickades två gånger".
A token belongs to the signed-in user who sent it. The API has Idempotency-Key instead
(audit/idempotency.py).
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _

from verkstall.core.templatetags.submit_once import ONCE_FIELD
from verkstall.core.views import was_refused

from . import form_once_services as services
from .idempotency import API_PREFIX

TOKEN_PATTERN = re.compile(r"[0-9a-f]{32}")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
REDIRECTS = (301, 302, 303, 307, 308)


def _token(request) -> str | None:
    if (
        request.method != "POST"
        or request.path.startswith(API_PREFIX)
        or request.content_type not in FORM_TYPES
        or not getattr(request.user, "is_authenticated", False)
    ):
        return None
    token = request.POST.get(ONCE_FIELD, "")
    return token if TOKEN_PATTERN.fullmatch(token) else None


class SubmitOnceMiddleware:
    """After the access log's (inside the request's transaction), the session, authentication
    and messages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _token(request)
        if token is None:
            return self.get_response(request)
        with transaction.atomic():
            row, claimed = services.claim(request.user, token)
            if not claimed:
                if row is not None and row.redirect_to:
                    messages.info(request, _("Redan sparat – formuläret skickades två gånger."))
                    return HttpResponseRedirect(row.redirect_to)
                return self.get_response(request)
            response = self.get_response(request)
            location = response.get("Location", "") if response.status_code in REDIRECTS else ""
            if location and not was_refused(request):  # a refusal that redirects saved nothing
                services.keep(row, location)
            else:
                services.release(row)
        return response
