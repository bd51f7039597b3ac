"""Reads of background jobs (issue 17 item 8): a job is its starter's own. To anyone else, in
the same organisation or not, it does not exist (404); nor to its starter once the starter
may no longer read what it holds (another role, another provider: the file names clients)."""

from __future__ import annotations

from django.db.models import QuerySet

from verkstall.core.errors import NotFound

from . import registry
from .models import Job


def jobs_for(user) -> QuerySet[Job]:
    """The jobs the user started, in the user's own municipality."""
    return Job.objects.filter(started_by_id=user.pk, municipality_id=user.municipality_id)


def get_job(user, pk, *, with_file: bool = False) -> Job:
    """The user's own job `pk`, which the user may still read (its kind's `readable_by`: the
    role, and for a provider's basis still that provider); NotFound otherwise. The file's
    bytes are read only `with_file` (the page polls every second)."""
    rows = jobs_for(user) if with_file else jobs_for(user).defer("file")
    try:
        job = rows.get(pk=pk)
    except (Job.DoesNotExist, ValueError, TypeError):
        raise NotFound("Jobbet finns inte.") from None
    kind = registry.kind_of(job.kind)
    if kind is None or not kind.readable_by(user, job):
        raise NotFound("Jobbet finns inte.")
    return job
