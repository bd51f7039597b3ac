"""The task workers' heartbeats (issue 18 items 1 and 5, core/worker_services.py).

django_tasks_db marks a task RUNNING when a worker claims it and never looks at it again: a
worker killed in the middle of a job (SIGKILL, the machine lost) leaves the job RUNNING for
ever. Each `python -m verkstall worker` writes its heartbeat here every few seconds; a job whose
worker has not been seen for VERKSTALL_WORKER_LEASE_SECONDS is queued again by the others.
No person's data: a worker's id, its host and process id, and two times.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    worker_id = models.CharField(_("arbetarens id"), max_length=64, unique=True)
    host = models.CharField(_("dator"), max_length=255)
    pid = models.PositiveIntegerField(_("process-id"))
    started_at = models.DateTimeField(_("startade"))
    seen_at = models.DateTimeField(_("senast sedd"), db_index=True)

    class Meta:
        verbose_name = _("arbetarens livstecken")
        verbose_name_plural = _("arbetarnas livstecken")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}:{self.pid})"
