"""A long piece of work run by a task while its starter watches the progress (issue 17 item 8).

One row per run: who started it, what kind of work (jobs/registry.py: the payment basis as a
file, the month close, the on-time statistics), with which parameters, how far it has come
(`step`, `done` of `total`) and, once finished, its result: figures for the page (`result`),
a file to download (`file`, `filename`, `content_type`) and the clients the file names
(`person_ids`, written to the access log as exported when the file is downloaded, R10.4).

A job is its starter's own: nobody else sees it (jobs/selectors.py). It holds client data (a
file of a month's payment basis names every client paid for), so it is removed with its file
KEEP_HOURS after it finished (jobs/tasks.py, the nightly unit).
"""

from __future__ import annotations

from django.db import models


class JobState(models.Model):
    """What every job row has, whatever its work (this app's `Job`, the contract import's
    `providers.ImportJob`): its status and when it was made, last written, started and
    finished (run_services claims and reports on these)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "I kö"
        RUNNING = "running", "Pågår"
        DONE = "done", "Klar"
        FAILED = "failed", "Misslyckades"

    status = models.CharField(
        "status", max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    created_at = models.DateTimeField("skapad")
    updated_at = models.DateTimeField("uppdaterad")
    started_at = models.DateTimeField("startad", null=True, blank=True)
    finished_at = models.DateTimeField("klar", null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class Job(JobState):
    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    started_by = models.ForeignKey(
        "access.User", on_delete=models.CASCADE, related_name="+", verbose_name="startad av"
    )
    kind = models.CharField("slag", max_length=40)
    params = models.JSONField("parametrar", default=dict, blank=True)
    step = models.CharField("steg", max_length=40, blank=True, default="")
    done = models.PositiveIntegerField("klart", default=0)
    total = models.PositiveIntegerField("totalt", default=0)
    result = models.JSONField("resultat", default=dict, blank=True)
    failure = models.TextField("fel", blank=True, default="")
    file = models.BinaryField("fil", blank=True, default=b"")
    filename = models.CharField("filnamn", max_length=255, blank=True, default="")
    content_type = models.CharField("filtyp", max_length=120, blank=True, default="")
    file_size = models.PositiveIntegerField("filens storlek", default=0)
    person_ids = models.JSONField("klienter i filen", default=list, blank=True)

    class Meta:
        verbose_name = "bakgrundsjobb"
        verbose_name_plural = "bakgrundsjobb"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["started_by", "kind", "status"], name="job_owner_kind")]

    def __str__(self) -> str:
        return f"Jobb {self.pk} {self.kind} ({self.get_status_display()})"
