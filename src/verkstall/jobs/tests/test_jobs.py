"""The background jobs app (issue 17 item 8): a job is its starter's own, runs once however
often its task is queued, is taken over when its worker died, fails with a Swedish reason,
writes its progress where the page sees it, and is removed a day after it finished. A test
kind is registered here (jobs/registry.py); the real kinds are tested in their own apps."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import connection, connections, transaction

from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.core.errors import ValidationFailed
from verkstall.jobs import queue_services, registry, run_services, services
from verkstall.jobs.models import Job
from verkstall.tooling import testing as build

RUNS: list[dict] = []


def _work(user, params, progress):
    RUNS.append(params)
    if params.get("refuse"):
        raise ValidationFailed({"period": "Fel månad.", "reason": "Ange skäl."})
    if params.get("crash"):
        raise RuntimeError("boom")
    progress("step", 1, 2)
    return registry.Outcome(
        result={"n": 2},
        file=b"a;b\n",
        filename="fil.csv",
        content_type="text/csv",
        person_ids=params.get("persons", ()),
    )


KIND = registry.JobKind(
    name="test_kind",
    title="Testjobb",
    run=_work,
    may_start=lambda user: user.role_enum == Role.LOV_ADMIN,
    back=lambda job: "/",
    steps={"step": registry.Step("Testar.", "Steg %(done)s av %(total)s")},
)


@pytest.fixture
def test_kind():
    registry.register(KIND)
    yield KIND
    registry.unregister(KIND.name)


@pytest.fixture
def world(db, test_kind):
    RUNS.clear()
    muni = build.municipality()
    other = build.municipality(name="Annan kommun")
    return {
        "lov": build.user(Role.LOV_ADMIN, muni, username="lov"),
        "lov2": build.user(Role.LOV_ADMIN, muni, username="lov2"),
        "fee": build.user(Role.FEE_OFFICER, muni, username="fee"),
        "far": build.user(Role.LOV_ADMIN, other, username="far"),
    }


def test_a_job_runs_once_and_keeps_its_outcome(world):
    job = queue_services.start_job(world["lov"], kind="test_kind", params={"x": 1})
    assert (job.status, job.municipality_id) == ("queued", world["lov"].municipality_id)
    assert services.run_job(job_id=job.pk) == "done"
    assert services.run_job(job_id=job.pk) == "skipped"  # the task queued twice: once
    job.refresh_from_db()
    assert RUNS == [{"x": 1}]
    assert (job.status, job.step, job.done, job.total) == ("done", "step", 1, 2)
    assert job.result == {"n": 2}
    assert bytes(job.file) == b"a;b\n" and job.file_size == 4
    assert job.finished_at and job.started_at


def test_the_same_work_asked_again_while_it_waits_is_the_same_job(world):
    first = queue_services.start_job(world["lov"], kind="test_kind", params={"x": 1})
    assert queue_services.start_job(world["lov"], kind="test_kind", params={"x": 1}) == first
    assert queue_services.start_job(world["lov"], kind="test_kind", params={"x": 2}) != first
    assert queue_services.start_job(world["lov2"], kind="test_kind", params={"x": 1}) != first
    services.run_job(job_id=first.pk)
    assert queue_services.start_job(world["lov"], kind="test_kind", params={"x": 1}) != first


def test_only_a_role_of_the_kind_starts_it(world):
    from verkstall.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        queue_services.start_job(world["fee"], kind="test_kind", params={})
    with pytest.raises(PermissionDenied, match="Jobbets slag finns inte längre"):
        queue_services.start_job(world["lov"], kind="no_such_kind", params={})
    assert not Job.objects.exists()


def test_a_refusal_is_kept_in_swedish_and_a_crash_says_so_without_detail(world):
    refused = queue_services.start_job(world["lov"], kind="test_kind", params={"refuse": 1})
    crashed = queue_services.start_job(world["lov"], kind="test_kind", params={"crash": 1})
    assert services.run_job(job_id=refused.pk) == "failed"
    assert services.run_job(job_id=crashed.pk) == "failed"
    refused.refresh_from_db(), crashed.refresh_from_db()
    assert refused.failure == "Fel månad. Ange skäl."
    assert "tekniskt fel" in crashed.failure and "boom" not in crashed.failure


def test_a_job_whose_worker_died_is_taken_over_after_a_lease(world, settings):
    settings.VERKSTALL_WORKER_LEASE_SECONDS = 60
    job = queue_services.start_job(world["lov"], kind="test_kind", params={})
    Job.objects.filter(pk=job.pk).update(status="running", updated_at=clock.now())
    assert services.run_job(job_id=job.pk) == "skipped"  # alive: left alone
    Job.objects.filter(pk=job.pk).update(updated_at=clock.now() - timedelta(seconds=61))
    assert services.run_job(job_id=job.pk) == "done"


def test_a_job_with_no_queue_fails_at_once(world, monkeypatch, django_capture_on_commit_callbacks):
    def no_queue(*args, **kwargs):
        raise ConnectionError("no queue")

    monkeypatch.setattr(
        queue_services, "tasks", SimpleNamespace(run_job=SimpleNamespace(enqueue=no_queue))
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = queue_services.start_job(world["lov"], kind="test_kind", params={})
    job.refresh_from_db()
    assert job.status == "failed" and "tekniskt fel" in job.failure


def test_a_job_is_its_starters_alone(world, client):
    from verkstall.people.services import register_person

    muni = world["lov"].municipality
    unit = build.unit(muni)
    officer = build.user(Role.OFFICER, muni, unit=unit, username="officer")
    person = register_person(
        officer,
        personal_number=build.test_number(),
        first_name="Klient",
        last_name="Ett",
        street_address="Gatan 1",
        postal_code="11122",
        city="Stockholm",
        area=build.area(muni).pk,
    )
    job = queue_services.start_job(world["lov"], kind="test_kind", params={"persons": [person.pk]})
    client.force_login(world["lov"])
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "Testjobb" in page and "Jobbet väntar i kön" in page
    assert client.get(f"/jobs/{job.pk}/file/").status_code == 404  # nothing yet
    services.run_job(job_id=job.pk)
    status = client.get(f"/jobs/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert '<div id="job-status" data-status="done"' in status and "fil.csv" in status
    download = client.get(f"/jobs/{job.pk}/file/")
    assert download.content == b"a;b\n"
    assert download["Content-Disposition"] == 'attachment; filename="fil.csv"'
    from verkstall.audit.models import AccessLogEntry

    rows = AccessLogEntry.objects.filter(user_id=world["lov"].pk, route="job-file", status_code=200)
    assert list(rows.values_list("person_id", "action")) == [(person.pk, "export")]
    for other, status_code in ((world["lov2"], 404), (world["far"], 404), (world["fee"], 404)):
        client.force_login(other)
        assert client.get(f"/jobs/{job.pk}/").status_code == status_code
        assert client.get(f"/jobs/{job.pk}/file/").status_code == status_code


def test_a_starter_whose_role_changed_no_longer_sees_the_job(world, client):
    job = queue_services.start_job(world["lov"], kind="test_kind", params={})
    services.run_job(job_id=job.pk)
    world["lov"].role = Role.FEE_OFFICER.value
    world["lov"].save(update_fields=["role"])
    client.force_login(world["lov"])
    assert client.get(f"/jobs/{job.pk}/file/").status_code == 404


def test_a_waiting_job_says_when_no_worker_seems_to_run(world, client):
    job = queue_services.start_job(world["lov"], kind="test_kind", params={})
    client.force_login(world["lov"])
    assert "Ingen bakgrundsprocess" not in client.get(f"/jobs/{job.pk}/").content.decode()
    Job.objects.filter(pk=job.pk).update(created_at=clock.now() - timedelta(seconds=30))
    assert "Ingen bakgrundsprocess" in client.get(f"/jobs/{job.pk}/").content.decode()
    Job.objects.filter(pk=job.pk).update(
        status="running", step="step", done=3, total=9, updated_at=clock.now()
    )
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "Steg 3 av 9" in page and 'max="9" value="3"' in page
    assert (
        '<p id="job-announce" class="visually-hidden" role="status" aria-live="polite">Testar.'
        in page
    )


def test_the_live_region_speaks_only_when_the_state_changes(world, client):
    """The polled part is replaced every second; the live region is sent again (out of band)
    only when the poll last saw another state, so the counts are not read out every second."""
    job = queue_services.start_job(world["lov"], kind="test_kind", params={})
    Job.objects.filter(pk=job.pk).update(status="running", step="step", done=1, total=9)
    client.force_login(world["lov"])
    htmx = {"HX-Request": "true"}
    same = client.get(f"/jobs/{job.pk}/?seen=running:step", headers=htmx).content.decode()
    assert "job-announce" not in same and "Steg 1 av 9" in same
    assert f'hx-get="/jobs/{job.pk}/?seen=running%3Astep"' in same
    changed = client.get(f"/jobs/{job.pk}/?seen=queued:", headers=htmx).content.decode()
    assert 'id="job-announce"' in changed and 'hx-swap-oob="true"' in changed
    assert ">Testar.</p>" in changed
    Job.objects.filter(pk=job.pk).update(status="queued")
    assert services.run_job(job_id=job.pk) == "done"
    done = client.get(f"/jobs/{job.pk}/?seen=running:step", headers=htmx).content.decode()
    assert ">Jobbet är klart.</p>" in done and "hx-trigger" not in done


def test_finished_jobs_are_removed_after_a_day(world):
    old = queue_services.start_job(world["lov"], kind="test_kind", params={"n": 1})
    new = queue_services.start_job(world["lov"], kind="test_kind", params={"n": 2})
    lost = queue_services.start_job(world["lov"], kind="test_kind", params={"n": 3})
    services.run_job(job_id=old.pk), services.run_job(job_id=new.pk)
    Job.objects.filter(pk=old.pk).update(finished_at=clock.now() - timedelta(hours=25))
    Job.objects.filter(pk=lost.pk).update(created_at=clock.now() - timedelta(days=8))
    assert services.purge_finished_jobs() == 2
    assert list(Job.objects.values_list("pk", flat=True)) == [new.pk]


# serialized_rollback, like every transactional test of the suite: a plain flush afterwards
# would re-create the content types that the next serialised test then restores again.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_progress_inside_a_transaction_is_seen_at_once_on_postgresql(test_kind):
    """The month close stores its lines in one transaction: its progress must still reach the
    page, through a connection of its own (PostgreSQL; SQLite has one writer at a time)."""
    if connection.vendor != "postgresql":
        pytest.skip("a second writer during a transaction: PostgreSQL only")
    muni = build.municipality()
    lov = build.user(Role.LOV_ADMIN, muni, username="lov")
    job = queue_services.start_job(lov, kind="test_kind", params={})
    progress = run_services.Progress(Job, job.pk)
    reader = connections.create_connection("default")
    try:
        with transaction.atomic():
            progress("saving", 500, 1000)
            with reader.cursor() as cursor:
                cursor.execute("SELECT step, done, total FROM jobs_job WHERE id = %s", [job.pk])
                assert cursor.fetchone() == ("saving", 500, 1000)
    finally:
        progress.close()
        reader.close()
    assert progress.side is None
