"""`Idempotency-Key` on every API write (issue 20 item 5, issue 18 item 1).

A provider's system that sends a POST and loses the answer (a timeout, a dropped connection)
cannot know whether the order was acknowledged. With the header it sends the same request
again with the same key and gets the first answer back, with `Idempotent-Replayed: true`,
instead of a second acknowledgement (or a 409 it cannot tell from a real conflict).

- Applies to POST, PUT, PATCH and DELETE under /api/ that carry the header; without it nothing
  changes. A key is 1 to 255 visible ASCII characters (a UUID is the usual choice).
- A key belongs to the user that sent it, authenticated as the API does (a revoked or expired
  API key replays nothing): another user's identical key is another key.
- The same key with another request (method, path or body) is a 422 naming the header.
- The first answer is kept unless it is a server error (the write was rolled back: a retry runs
  again), or a refusal of the caller (401, 403, 404, 429: nothing happened, and a retry after
  signing in, or once the object is the caller's, must run). A 400 or 409 is kept: the retry
  gets the same answer.
- The claim of a key is written in the request's own transaction (audit.middleware runs every
  write in one), so the answer and the write it describes commit together or not at all. Two
  requests with one key at the same moment: on PostgreSQL the second waits on the unique index
  until the first commits, then replays it; SQLite has one writer at a time.
- Kept for VERKSTALL_IDEMPOTENCY_HOURS (default 24); older answers are removed when a key is
  next claimed, so the table holds one day of keyed writes.
- A replay shows client data again: it is logged like the first answer, with the clients the
  first answer touched.
"""

from __future__ import annotations

import hashlib
import json
import re

from django.db import transaction
from django.http import HttpResponse
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.settings import api_settings

from verkstall.core.api import IDEMPOTENCY_HEADER as HEADER

from . import capture
from . import idempotency_services as services
from .models import IdempotentResponse
from .services import UNSAFE_METHODS

REPLAYED_HEADER = "Idempotent-Replayed"
API_PREFIX = "/api/"
KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")
BAD_KEY = "Nyckeln ska vara 1–255 synliga ASCII-tecken, till exempel ett UUID."
REUSED_KEY = (
    "Nyckeln har redan använts till en annan begäran (metod, adress eller innehåll skiljer "
    "sig). Använd en ny nyckel för en ny begäran."
)


def _error(status: int, message: str) -> HttpResponse:
    return HttpResponse(
        json.dumps({HEADER: [message]}, ensure_ascii=False),
        status=status,
        content_type="application/json",
    )


def _caller(request):
    """The signed-in caller, authenticated the way the API does it (an API key that is revoked
    or expired is no caller), or None. Sets `request.user`, so a replay is logged as theirs."""
    drf_request = Request(
        request, authenticators=[cls() for cls in api_settings.DEFAULT_AUTHENTICATION_CLASSES]
    )
    try:
        user = drf_request.user
    except APIException:
        return None
    return user if getattr(user, "is_authenticated", False) else None


def _fingerprint(request) -> str:
    digest = hashlib.sha256(f"{request.method}\0{request.get_full_path()}\0".encode())
    if request.content_type == "multipart/form-data":
        # The boundary is new in every retry: the parts are compared by their size only.
        digest.update(request.META.get("CONTENT_LENGTH", "").encode())
    else:
        digest.update(request.body)
    return digest.hexdigest()


def _replay(kept: IdempotentResponse, fingerprint: str) -> HttpResponse:
    if kept.fingerprint != fingerprint:
        return _error(422, REUSED_KEY)
    capture.saw(kept.persons)
    response = HttpResponse(
        bytes(kept.body), status=kept.status_code, content_type=kept.content_type or None
    )
    if kept.location:
        response["Location"] = kept.location
    response[REPLAYED_HEADER] = "true"
    return response


class IdempotencyMiddleware:
    """After the access log's middleware (inside its transaction and its capture)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get(HEADER)
        if (
            key is None
            or request.method not in UNSAFE_METHODS
            or not request.path.startswith(API_PREFIX)
        ):
            return self.get_response(request)
        if not KEY_PATTERN.fullmatch(key):
            return _error(400, BAD_KEY)
        caller = _caller(request)
        if caller is None:
            # Not signed in: the view answers 401 and nothing is kept.
            return self.get_response(request)
        fingerprint = _fingerprint(request)
        with transaction.atomic():
            kept, claimed = services.claim(caller, key, fingerprint)
            if not claimed:
                return _replay(kept, fingerprint)
            response = self.get_response(request)
            if response.status_code >= 500:
                # Nothing of the write is kept (audit.middleware rolls it back): nor the claim.
                transaction.set_rollback(True)
            else:
                services.keep(kept, response)
        return response
