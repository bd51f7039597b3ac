"""A contract import run in the background (issue 17 item 8, SPEC R2.1): a large file is checked
(and imported) by a task (providers/tasks.py) while the LOV administrator watches its progress
(providers/import_views.py). models.py imports this module, so it is a model of the
`providers` app like any other.

It holds provider contract data only (provider, service type and area names, periods): no
client data. Its municipality's LOV administrators see it; nobody else (import_selectors.py).
"""

from __future__ import annotations

from django.db import models

from verkstall.jobs.models import JobState


class ImportJob(JobState):
    """One upload of the contract spreadsheet, checked (and imported) by a task.

    The file's bytes wait in `content` until the task has run, then are cleared: the
    `result` (the report's figures and every error by line, column and message) is what is
    kept. `rows_done` of `rows_total` says how far the check has come; `rows_total` is first
    an estimate from the upload (import_services.estimate_rows), then the rows the task read.
    """

    class Step(models.TextChoices):
        READING = "reading", "Läser filen"
        CHECKING = "checking", "Kontrollerar raderna"
        SAVING = "saving", "Sparar"

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    started_by = models.ForeignKey(
        "access.User", on_delete=models.PROTECT, related_name="+", verbose_name="startad av"
    )
    filename = models.CharField("filnamn", max_length=255)
    content = models.BinaryField("filens innehåll", blank=True, default=b"")
    dry_run = models.BooleanField("kontrollera bara", default=False)
    step = models.CharField("steg", max_length=10, choices=Step.choices, default=Step.READING)
    rows_done = models.PositiveIntegerField("kontrollerade rader", default=0)
    rows_total = models.PositiveIntegerField("rader", default=0)
    result = models.JSONField("resultat", default=dict, blank=True)

    class Meta:
        verbose_name = "avtalsimport"
        verbose_name_plural = "avtalsimporter"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Avtalsimport {self.pk} ({self.get_status_display()})"
