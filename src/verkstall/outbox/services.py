"""Putting a mail in the outbox (issue 18 item 1, issue 19).

`enqueue` is called inside the caller's transaction: the mail exists exactly when the
caller's write (an order sent, reminders logged) is committed, and a rolled-back write leaves
no mail. Nothing is sent here: once the transaction commits, the task `deliver_mail` is queued
for the task worker, which sends it outside any web request (delivery_services.py).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from verkstall.core.personal_number import mask_numbers

from . import registry
from .models import OutgoingMail
from .tasks import deliver_after_commit


def enqueue(
    *,
    kind: str,
    recipients: list[str],
    subject: str = "",
    body: str = "",
    html_body: str = "",
    reference: str = "",
    dedupe_key: str | None = None,
) -> OutgoingMail | None:
    """Put one mail in the outbox; None when a mail with `dedupe_key` is already there (sent
    or not), so the same mail is never queued twice.

    A kind with a builder (registry.py) is made from `reference` at delivery and may leave
    the content empty; any other kind is sent as given, to the first recipient with the rest
    as blind copies, and must hold no personal data."""
    addresses = [a.strip() for a in recipients if a and a.strip()]
    if not kind:
        raise ValueError("a mail needs a kind")
    if not registry.has_builder(kind) and not (addresses and (subject or body)):
        raise ValueError(f"a stored mail of kind {kind!r} needs recipients and content")
    with transaction.atomic():
        if dedupe_key and OutgoingMail.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        try:
            with transaction.atomic():
                mail = OutgoingMail.objects.create(
                    kind=kind,
                    recipients=addresses,
                    # Stored text never keeps a personnummer, whatever the caller sent.
                    subject=mask_numbers(subject),
                    body=mask_numbers(body),
                    html_body=mask_numbers(html_body),
                    reference=reference,
                    dedupe_key=dedupe_key or None,
                )
        except IntegrityError:  # the same key, queued at the same moment by another worker
            return None
        deliver_after_commit()
    return mail
