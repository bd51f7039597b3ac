"""A job whose worker died is queued again; a living worker's job is left alone (issue 18)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from verkstall.core import clock, worker_services
from verkstall.core.clock import travel_to
from verkstall.outbox.tasks import purge_sent_mail

pytestmark = pytest.mark.django_db


def _claimed(worker_id: str) -> DBTaskResult:
    result = purge_sent_mail.enqueue()
    row = DBTaskResult.objects.get(id=result.id)
    row.claim(worker_id)
    return row


def _status(row) -> str:
    return DBTaskResult.objects.get(id=row.id).status


def _beat(worker_id: str) -> None:
    worker_services.beat(worker_id=worker_id, host="h", pid=1, started_at=clock.now())


@override_settings(VERKSTALL_WORKER_LEASE_SECONDS=60)
def test_the_job_of_a_worker_not_seen_for_the_lease_is_queued_again():
    now = clock.now()
    with travel_to(now):
        _beat("dead")
        _beat("alive")
        dead_job, living_job = _claimed("dead"), _claimed("alive")
    with travel_to(now + timedelta(seconds=61)):
        _beat("alive")
        assert worker_services.requeue_orphans() == [str(dead_job.id)]
    assert _status(dead_job) == TaskResultStatus.READY
    assert _status(living_job) == TaskResultStatus.RUNNING
    # A second look finds nothing more to do.
    with travel_to(now + timedelta(seconds=62)):
        assert worker_services.requeue_orphans() == []


@override_settings(VERKSTALL_WORKER_LEASE_SECONDS=60)
def test_a_worker_that_never_beat_gets_the_lease_from_the_jobs_start():
    now = clock.now()
    with travel_to(now):
        job = _claimed("db_worker-without-heartbeat")
    with travel_to(now + timedelta(seconds=30)):
        assert worker_services.requeue_orphans() == []
    with travel_to(now + timedelta(seconds=61)):
        assert worker_services.requeue_orphans() == [str(job.id)]


def test_a_worker_gives_back_its_own_unfinished_job_and_no_other():
    mine, other = _claimed("me"), _claimed("other")
    assert worker_services.requeue_mine("me") == [str(mine.id)]
    assert _status(mine) == TaskResultStatus.READY
    assert _status(other) == TaskResultStatus.RUNNING


def test_a_job_queued_again_runs_again():
    job = _claimed("gone")
    DBTaskResult.objects.filter(id=job.id).update(started_at=clock.now() - timedelta(hours=1))
    worker_services.requeue_orphans()
    assert DBTaskResult.objects.ready().filter(id=job.id).exists()


def test_heartbeats_of_workers_long_gone_are_removed():
    now = clock.now()
    with travel_to(now - timedelta(days=2)):
        _beat("old")
    _beat("new")
    assert worker_services.forget_stale() == 1


class _Stop(Exception):
    pass


def test_a_service_loop_waits_out_a_lost_database(monkeypatch):  # issue 18 item 1
    from django.db import OperationalError

    from verkstall.core.management import repeat

    monkeypatch.setattr(repeat.time, "sleep", lambda seconds: None)
    calls = []

    def once():
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("the database system is shutting down")
        if len(calls) == 3:
            raise _Stop

    with pytest.raises(_Stop):
        repeat.run(once, every=1, name="test")
    assert len(calls) == 3  # went on after the lost database


def test_without_every_a_service_runs_once_and_a_fault_is_not_hidden():
    from django.db import OperationalError

    from verkstall.core.management import repeat

    def once():
        raise OperationalError("down")

    with pytest.raises(OperationalError):
        repeat.run(once, every=0, name="test")
