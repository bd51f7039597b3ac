"""Retention (gallring, SPEC R10.6) of personal data with no client: a temporary stay posted by
another municipality's e-service (R8.4) that was declined, or never handled, has no client to
be removed with. It is reviewed and removed on its own, by the same rule counted from when it
was declined (or received), by model and id, never naming the person."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from verkstall.access.declarations import AuditAction
from verkstall.access.roles import Role
from verkstall.audit import retention_selectors as selectors
from verkstall.audit import retention_services
from verkstall.audit.client_models import BY_LABEL, UNLINKED_DATA
from verkstall.audit.models import AccessLogEntry
from verkstall.audit.retention import add_years
from verkstall.core import clock
from verkstall.core.personal_number import make_test_personal_number
from verkstall.people.models import Person
from verkstall.placements import stay_services
from verkstall.placements.models import IntakeState, StayIntake
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db

LABEL = "placements.StayIntake"


def at(day: date):
    """Run the block as if it were noon on `day`."""
    return clock.travel_to(timezone.make_aware(datetime.combine(day, time(12))))


def years_after_today(years: int) -> date:
    return add_years(clock.today(), years)


def run(*args, today: date) -> str:
    out = StringIO()
    with at(today):
        call_command("retention", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def placement(world):
    return build.user(Role.PLACEMENT_UNIT, world.muni, username="placering")


def receive(placement, born: date, external_id: str, **changes) -> StayIntake:
    today = clock.today()
    number = make_test_personal_number(born).value
    data = {
        "external_id": external_id,
        "personal_number": number,
        "first_name": "Greta",
        "last_name": "Sommargäst",
        "home_municipality_name": "Uppsala",
        "home_municipality_code": "0380",
        "stay_from": (today + timedelta(days=10)).isoformat(),
        "stay_to": (today + timedelta(days=40)).isoformat(),
        "street_address": "Strandvägen 3",
        "help_requested": "Hemtjänst omvårdnad morgon och kväll.",
        "contact_name": "Kontakt i hemkommunen",
    } | changes
    intake, created = stay_services.receive_intake(placement, **data)
    assert created
    return intake


def declined(placement, born: date, external_id: str) -> StayIntake:
    intake = receive(placement, born, external_id)
    return stay_services.decline_intake(placement, intake=intake, reason="Ingen plats.")


def unlinked_ids(review: selectors.Review) -> set[int]:
    return {row.pk for row in review.unlinked_due if row.label == LABEL}


# --- the declaration and the rule ------------------------------------------------------------


def test_the_intake_is_declared_both_with_its_client_and_without_one():  # R10.6 R8.4
    [declared] = [u for u in UNLINKED_DATA if u.label == LABEL]
    model = declared.model
    for name in (*declared.dated, declared.personal_number, declared.municipality):
        model._meta.get_field(name)
    # A registered intake is the client's and goes with it (client_models.CLIENT_DATA).
    assert BY_LABEL[LABEL].client == "person_id"


# --- the review ------------------------------------------------------------------------------


def test_a_declined_intake_is_due_five_years_after_it_was_declined(world, placement):  # R10.6
    start = clock.today()
    intake = receive(placement, date(1938, 4, 12), "ET-1")
    with at(add_years(start, 1)):  # declined a year after it came in
        stay_services.decline_intake(placement, intake=intake, reason="Ingen plats.")
    due_day = add_years(start, 6)

    before = selectors.review(due_day - timedelta(days=1))
    [tally] = before.unlinked
    assert tally.label == LABEL and tally.due == [] and tally.not_yet_due == 1

    [row] = selectors.review(due_day).unlinked_due
    assert (row.label, row.pk) == (LABEL, intake.pk)
    assert row.counted_from == add_years(start, 1) and row.due_since == due_day
    assert row.remove_by == date(due_day.year + 1, 12, 31) and not row.overdue
    assert row.municipality_code == world.muni.code


def test_a_pending_intake_never_handled_is_counted_from_when_it_came_in(
    world, placement
):  # R10.6 R8.4
    intake = receive(placement, date(1938, 4, 12), "ET-1")
    assert intake.state == IntakeState.PENDING
    assert unlinked_ids(selectors.review(years_after_today(5) - timedelta(days=1))) == set()
    assert unlinked_ids(selectors.review(years_after_today(5))) == {intake.pk}


def test_an_intake_of_someone_born_on_a_research_day_is_kept(world, placement):  # R10.6
    declined(placement, date(1938, 4, 15), "ET-1")
    [tally] = selectors.review(years_after_today(5)).unlinked
    assert tally.due == [] and tally.research_kept == 1


def test_a_registered_intake_is_not_on_the_list_of_rows_without_a_client(
    world, placement
):  # R10.6 R8.4
    intake = receive(placement, date(1938, 4, 12), "ET-1")
    stay_services.register_intake(placement, intake=intake, unit=world.unit.pk)
    gone = declined(placement, date(1939, 5, 12), "ET-2")
    review = selectors.review(years_after_today(5))
    assert unlinked_ids(review) == {gone.pk}
    with at(years_after_today(5)):
        assert retention_services.remove_unlinked(LABEL, intake.pk, today=clock.today()) is None
    assert StayIntake.objects.filter(pk=intake.pk).exists()


# --- the command -----------------------------------------------------------------------------


def test_the_dry_run_lists_them_by_id_without_personnummer_and_removes_nothing(
    world, placement
):  # R10.6 R8.4
    old = declined(placement, date(1938, 4, 12), "ET-1")
    with at(years_after_today(1)):
        recent = declined(placement, date(1939, 5, 12), "ET-2")
    log_rows = AccessLogEntry.objects.count()

    out = run("--today", years_after_today(5).isoformat(), today=clock.today())

    assert "Torrkörning" in out
    assert f"Uppgifter utan klientakt, tillfälliga vistelser (inkomna) ({LABEL}):" in out
    assert f"Att gallra: 1, varav 0 försenade (id: {old.pk})." in out
    assert "Ännu inte gallringsbara: 1." in out
    line = next(li for li in out.splitlines() if li.split()[:2] == [world.muni.code, str(old.pk)])
    assert years_after_today(5).isoformat() in line and line.rstrip().endswith("nej")
    for intake in (old, recent):
        digits = intake.personal_number
        for form in (digits, f"{digits[:8]}-{digits[8:]}", digits[2:], digits[2:8]):
            assert form not in out
        for text in (intake.first_name, intake.last_name, intake.street_address):
            assert text not in out
    assert StayIntake.objects.count() == 2
    assert AccessLogEntry.objects.count() == log_rows


def test_apply_removes_the_declined_intake_past_the_period_and_keeps_the_rest(
    world, placement
):  # R10.6 R8.4
    old = declined(placement, date(1938, 4, 12), "ET-1")
    with at(years_after_today(1)):
        recent = declined(placement, date(1939, 5, 12), "ET-2")
    registered = receive(placement, date(1937, 3, 12), "ET-3")
    stay_services.register_intake(placement, intake=registered, unit=world.unit.pk)
    client = Person.objects.get()
    world.decision(person=client)  # a valid decision: the client's case is ongoing

    out = run("--apply", today=years_after_today(5))

    assert "Torrkörning" not in out
    assert "Gallrat utan klientakt: 1 handling(ar), 1 rader." in out
    assert f"{LABEL}: 1 (id: {old.pk})" in out
    assert not StayIntake.objects.filter(pk=old.pk).exists()
    assert StayIntake.objects.filter(pk=recent.pk).exists()
    # The registered intake belongs to its client and goes only with it.
    assert StayIntake.objects.filter(pk=registered.pk, person=client).exists()
    # One access-log row without a client, naming the model and the id, not the person.
    [logged] = AccessLogEntry.objects.filter(action=AuditAction.REMOVE)
    assert logged.person_id is None and logged.role == "system"
    assert logged.municipality_id == world.muni.pk
    assert f"{LABEL} {old.pk}" in logged.detail and "R10.6" in logged.detail
    assert f"Räknat från {clock.today():%Y-%m-%d}" in logged.detail
    assert old.personal_number not in logged.detail
    assert old.personal_number[2:8] not in logged.detail and "Greta" not in logged.detail

    again = run("--apply", today=years_after_today(5))
    assert "Gallrat utan klientakt: 0 handling(ar)" in again
    assert AccessLogEntry.objects.filter(action=AuditAction.REMOVE).count() == 1


def test_municipality_leaves_another_municipalitys_intakes_alone(world, placement):  # R10.6
    ours = declined(placement, date(1938, 4, 12), "ET-1")
    other_muni = build.municipality()
    theirs = declined(build.user(Role.PLACEMENT_UNIT, other_muni), date(1938, 4, 12), "ET-1")

    review = selectors.review(years_after_today(5), municipality=world.muni)
    assert unlinked_ids(review) == {ours.pk}
    out = run("--apply", "--municipality", world.muni.code, today=years_after_today(5))

    assert f"{LABEL}: 1 (id: {ours.pk})" in out
    assert not StayIntake.objects.filter(pk=ours.pk).exists()
    assert StayIntake.objects.filter(pk=theirs.pk).exists()


def test_an_intake_registered_since_the_review_is_skipped(world, placement):  # R10.6 R8.4
    intake = receive(placement, date(1938, 4, 12), "ET-1")
    review = selectors.review(years_after_today(5))
    assert unlinked_ids(review) == {intake.pk}
    stay_services.register_intake(placement, intake=intake, unit=world.unit.pk)

    outcome = retention_services.apply(review)

    assert outcome.unlinked_removed == [] and outcome.unlinked_skipped == [(LABEL, intake.pk)]
    assert StayIntake.objects.filter(pk=intake.pk).exists()


def test_the_scheduled_task_reports_them_by_id(world, placement, settings):  # R10.6
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from verkstall.audit.tasks import review_retention

    intake = declined(placement, date(1938, 4, 12), "ET-1")
    with at(years_after_today(5)):
        report = review_retention.enqueue()
        [tally] = report.return_value["unlinked"]
        assert tally["model"] == LABEL and [r["id"] for r in tally["due"]] == [intake.pk]
        assert StayIntake.objects.filter(pk=intake.pk).exists()
        applied = review_retention.enqueue(apply=True)
    assert applied.return_value["applied"]["unlinked_removed"] == [
        {"model": LABEL, "id": intake.pk}
    ]
    assert not StayIntake.objects.filter(pk=intake.pk).exists()
