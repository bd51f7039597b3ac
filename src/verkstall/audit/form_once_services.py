"""Claiming a create form's one-time token and keeping where its success led
(audit/form_once.py, issue 18 item 1)."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction

from verkstall.core import clock

from .models import FormSubmission

#: How long a saved form's token is kept: a resubmit later than this is a new form.
KEPT = timedelta(hours=24)


def claim(user, token: str) -> tuple[FormSubmission | None, bool]:
    """(row, True) when this request is the first with the token; (the first's row, False)
    when one was saved with it already. The claim is written in the request's transaction:
    a second request with the token at the same moment waits on the unique index (PostgreSQL)
    or on the write lock (SQLite) until the first commits, then finds it."""
    now = clock.now()
    # The caller's own old tokens only: another user's rows are never locked by this request
    # (a purge of everyone's would make every create form wait on the slowest request).
    FormSubmission.objects.filter(user=user, created_at__lt=now - KEPT).delete()
    try:
        with transaction.atomic():
            return FormSubmission.objects.create(user=user, token=token, created_at=now), True
    except IntegrityError:
        return FormSubmission.objects.filter(user=user, token=token).first(), False


def keep(row: FormSubmission, redirect_to: str) -> None:
    row.redirect_to = redirect_to[:500]
    row.save(update_fields=["redirect_to"])


def release(row: FormSubmission) -> None:
    """The form was not saved (errors, a refusal): the token may be sent again."""
    row.delete()
