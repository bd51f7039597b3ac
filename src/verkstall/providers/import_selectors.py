"""Reads of background contract imports (issue 17 item 8): a job is its municipality's LOV
administrators' to see; to anyone else it does not exist (404)."""

from __future__ import annotations

from django.db.models import QuerySet

from verkstall.access.scoping import NOTHING
from verkstall.core.errors import NotFound

from .import_models import ImportJob
from .services import may_administer_lov


def import_jobs_for(user) -> QuerySet[ImportJob]:
    """The import jobs of the user's municipality, if the user may import contracts."""
    if not may_administer_lov(user):
        return ImportJob.objects.filter(NOTHING)
    return ImportJob.objects.filter(municipality_id=user.municipality_id)


def get_import_job(user, pk) -> ImportJob:
    try:
        return import_jobs_for(user).select_related("started_by").get(pk=pk)
    except (ImportJob.DoesNotExist, ValueError, TypeError):
        raise NotFound("Importen finns inte.") from None
