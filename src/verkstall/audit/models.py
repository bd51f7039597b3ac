"""The access log (SPEC R10.4): who read or changed which client's data, when, how and from
where. Append-only: the application has no path to change or remove a row (the model and its
queryset refuse), and on PostgreSQL a trigger refuses UPDATE and DELETE from any session."""

from __future__ import annotations

from django.db import models

from verkstall.access.declarations import AuditAction
from verkstall.core.errors import PermissionDenied

ACTION_LABELS = {
    AuditAction.VIEW: "Visning",
    AuditAction.LIST: "Lista",
    AuditAction.EXPORT: "Export",
    AuditAction.CHANGE: "Ändring",
    AuditAction.REMOVE: "Gallring",
}


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionDenied("Åtkomstloggen kan inte ändras.")

    def delete(self):
        raise PermissionDenied("Åtkomstloggen kan inte raderas.")


class AccessLogEntry(models.Model):
    """One client's data touched by one request (or by the system, e.g. retention), or one
    request for client data that touched none (refused, or nothing found)."""

    occurred_at = models.DateTimeField()
    request_id = models.UUIDField(help_text="Rows written by the same request share this id.")
    # Who: copied, not foreign keys, so the log outlives users and clients (R10.6).
    user_id = models.IntegerField(null=True)
    username = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=32, blank=True)
    municipality_id = models.IntegerField(null=True, help_text="The municipality of the user.")
    user_unit_id = models.IntegerField(null=True)
    user_provider_id = models.IntegerField(null=True)
    # Which client and what. No client: a request for client data that showed none, a
    # refused probe (403/404) or a search without a match (issue 11).
    person_id = models.IntegerField(null=True)
    action = models.CharField(max_length=16, choices=[(a.value, a.value) for a in AuditAction])
    outside_own = models.BooleanField(
        default=False,
        help_text="The client was outside the user's own unit or provider when it was read.",
    )
    # How and from where.
    method = models.CharField(max_length=8, blank=True)
    route = models.CharField(max_length=120, blank=True)
    path = models.CharField(max_length=300, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True)
    remote_addr = models.GenericIPAddressField(null=True)
    detail = models.CharField(max_length=300, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "åtkomstloggpost"
        verbose_name_plural = "åtkomstlogg"
        ordering = ["-occurred_at", "-id"]
        indexes = [
            # The reviewer's page without a filter: the municipality's latest rows, read in
            # index order instead of sorting the whole log (issue 17 item 10).
            models.Index(
                fields=["municipality_id", "occurred_at", "id"], name="audit_log_muni_time_idx"
            ),
            models.Index(fields=["municipality_id", "person_id", "occurred_at"]),
            models.Index(fields=["municipality_id", "outside_own", "occurred_at"]),
            models.Index(fields=["municipality_id", "user_id", "occurred_at"]),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied("Åtkomstloggen kan inte ändras.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Åtkomstloggen kan inte raderas.")

    def __str__(self) -> str:
        who = self.username or "-"
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {who} {self.action} {self.person_id}"

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(AuditAction(self.action), self.action)


class IdempotentResponse(models.Model):
    """The first answer to an API write sent with an `Idempotency-Key` header (issue 20 item 5,
    issue 18 item 1): a retry with the same key from the same caller gets this answer back
    instead of doing the write again. A key is the user's own. Kept for
    VERKSTALL_IDEMPOTENCY_HOURS; the body may name clients, so it is shown to nobody but the
    caller that sent the key, and a replay is logged like the first answer (`persons`)."""

    user = models.ForeignKey("access.User", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="Hash of method, path and body.")
    status_code = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=200, blank=True)
    location = models.CharField(max_length=500, blank=True)
    body = models.BinaryField(default=b"")
    persons = models.JSONField(default=list, help_text="The clients the first answer touched.")
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotent_response_user_key")
        ]

    def __str__(self) -> str:
        return f"Idempotency-Key {self.key}"


class FormSubmission(models.Model):
    """A screen's create form that was saved (issue 18 item 1): the one-time token the form was
    rendered with (`{% submit_once %}`) and where its success sent the user. The same form sent
    again (a double click, a reload, back and submit) goes there again instead of creating a
    second record (audit/form_once.py). Kept for a day."""

    user = models.ForeignKey("access.User", on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64)
    redirect_to = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "token"], name="form_submission_user_token")
        ]

    def __str__(self) -> str:
        return f"Formulär {self.token}"
