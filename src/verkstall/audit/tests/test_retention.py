"""Retention (gallring, SPEC R10.6): who is due, the `retention` command, the removal itself,
the access log, stored files, the scheduled task, and PostgreSQL's append-only exception."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, time, timedelta
from io import StringIO

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from verkstall.absences.models import Absence, HospitalNotice, NoticeReceipt
from verkstall.access.declarations import AuditAction
from verkstall.alarms.models import AlarmContactMove
from verkstall.audit import retention_selectors as selectors
from verkstall.audit import retention_services
from verkstall.audit.client_models import UNLINKED_DATA, ClientIds
from verkstall.audit.models import AccessLogEntry
from verkstall.audit.retention import RetentionRule, add_years
from verkstall.audit.services import record_system
from verkstall.core import clock
from verkstall.core.personal_number import luhn_check_digit, make_test_personal_number
from verkstall.deadlines.models import DueItem, Reminder
from verkstall.decisions.models import Decision, GrantedService
from verkstall.followups.models import FollowUp
from verkstall.journal.case_services import documents_dir
from verkstall.journal.models import (
    CaseDocument,
    CaseJournalEntry,
    Message,
    MessageReceipt,
    ProviderJournalEntry,
)
from verkstall.orders import services as order_services
from verkstall.orders.models import Order, OrderEvent, ProviderSwitch, TemporaryChange
from verkstall.people.models import (
    OralBriefing,
    Person,
    PersonChange,
    ProtectedDataAccess,
    ProtectionRequest,
    Relative,
)
from verkstall.placements.models import PlaceOffer, QueueChoice, QueueEntry, StayIntake
from verkstall.plans.models import ImplementationPlan
from verkstall.plans.storage import document_storage
from verkstall.providers.models import ProviderChoice, RotationAssignment
from verkstall.tooling import testing as build
from verkstall.vouchers.models import Voucher, VoucherReport

_numbers = iter(range(980, 1000))


def number(born: date) -> str:
    """A test personnummer (birth numbers 980-999) born on `born`, unique in the module."""
    return make_test_personal_number(born, next(_numbers, 999)).formatted()


def coordination_number(born: date, birth_number: int = 981) -> str:
    nine = f"{born:%y%m}{born.day + 60:02d}{birth_number:03d}"
    return f"{born:%Y%m}{born.day + 60:02d}-{birth_number:03d}{luhn_check_digit(nine)}"


def years_after_today(years: int) -> date:
    return add_years(clock.today(), years)


@pytest.fixture(autouse=True)
def _documents_in_tmp(settings, tmp_path):
    settings.DATA_DIR = tmp_path


@pytest.fixture(autouse=True)
def _numbers_per_test():
    global _numbers
    _numbers = iter(range(980, 1000))


def closed_client(world, born=date(1940, 6, 10), **person):
    """A client whose case is closed today: decision valid until today, order ended today."""
    client = world.person(personal_number=number(born), **person)
    decision = world.decision(
        client,
        services=[
            {
                "service_type": "hemtjanst-omvardnad",
                "scope_amount": "20",
                "scope_unit": "hours_per_month",
                "valid_to": clock.today().isoformat(),
            }
        ],
    )
    order = world.order(decision=decision, state="ended")
    return client, decision, order


def full_client(world, born=date(1940, 6, 10)):
    """A closed client with a row in every table that holds client data, and stored files."""
    client, decision, order = closed_client(world, born)
    order2 = world.order(decision=decision, provider=world.provider_b, state="sent")
    order_services.cancel_order(world.officer, order2, reason="Byte")
    Order.objects.filter(pk=order2.pk).update(supersedes=order)
    muni, now, today = world.muni, clock.now(), clock.today()
    service = decision.services.get()
    event = order.events.order_by("seq").last()

    Relative.objects.create(municipality=muni, person=client, name="Anhörig", relation="barn")
    PersonChange.objects.create(  # a correction kept in the history (R1.1)
        municipality=muni,
        person=client,
        field="city",
        old_value="Förr",
        new_value="Nu",
        reason="Flytt",
        changed_by=world.officer,
        changed_by_organisation="Enheten",
    )
    ProtectedDataAccess.objects.create(
        municipality=muni, person=client, user=world.other_officer, granted_by=world.officer
    )
    # A request for IUB (R1.3) and a transfer at 65 with the order it left running (R1.4).
    from verkstall.decisions.models import IubRequest
    from verkstall.transfers.models import Transfer

    IubRequest.objects.create(
        municipality=muni,
        unit=world.unit,
        person=client,
        asked_by="Dottern",
        asked_on=today,
        first_officer=world.officer,
        decision=decision,
    )
    Transfer.objects.create(
        municipality=muni,
        person=client,
        from_unit=world.unit,
        to_unit=world.other_unit,
        turns_age_on=today,
        transferred_by=world.officer,
    ).orders.set([order])
    ProtectionRequest.objects.create(
        municipality=muni,
        person=client,
        kind="grant",
        user=world.fee_officer,
        requested_by=world.officer,
    )
    OralBriefing.objects.create(
        municipality=muni,
        person=client,
        order=order,
        provider=world.provider_a,
        told_name="Enhetschefen",
        told_at=now,
        recorded_by=world.officer,
    )
    entry = CaseJournalEntry.objects.create(
        municipality=muni,
        person=client,
        author=world.officer,
        author_organisation="Enheten",
        title="Anteckning",
        text="Text",
    )
    CaseJournalEntry.objects.create(
        municipality=muni,
        person=client,
        author=world.officer,
        author_organisation="Enheten",
        title="Rättelse",
        text="Rättad text",
        corrects=entry,
    )
    scan = f"{muni.pk}/{uuid.uuid4().hex}.pdf"
    (documents_dir() / scan).parent.mkdir(parents=True, exist_ok=True)
    (documents_dir() / scan).write_bytes(b"%PDF-1.4 scan")
    document_entry = CaseJournalEntry.objects.create(
        municipality=muni,
        person=client,
        author=world.officer,
        author_organisation="Enheten",
        kind=CaseJournalEntry.Kind.DOCUMENT,
        title="Inkommen handling",
        text="Papper",
    )
    CaseDocument.objects.create(
        entry=document_entry, order=order, file_name="a.pdf", storage_name=scan
    )
    first = ProviderJournalEntry.objects.create(
        municipality=muni,
        order=order,
        person=client,
        provider=world.provider_a,
        author=world.staff_a,
        author_organisation="Omsorg A AB",
        text="Besök",
    )
    ProviderJournalEntry.objects.create(
        municipality=muni,
        order=order,
        person=client,
        provider=world.provider_a,
        author=world.staff_a,
        author_organisation="Omsorg A AB",
        text="Rättat besök",
        corrects=first,
    )
    message = Message.objects.create(
        municipality=muni,
        person=client,
        order=order,
        unit=world.unit,
        provider=world.provider_a,
        from_provider=False,
        sender=world.officer,
        sender_organisation="Enheten",
        recipient_organisation="Omsorg A AB",
        subject="Fråga",
        body="Hur går det?",
    )
    MessageReceipt.objects.create(message=message, user=world.staff_a)
    Absence.objects.create(
        municipality=muni,
        order=order,
        reason="hospital",
        from_date=today - timedelta(days=3),
        to_date=today - timedelta(days=2),
        registered_by=world.staff_a,
    )
    notice = HospitalNotice.objects.create(
        municipality=muni,
        person=client,
        kind="admission",
        occurred_at=now,
        source="manual",
        received_by=world.officer,
    )
    NoticeReceipt.objects.create(municipality=muni, notice=notice, order=order)
    plan_file = document_storage.save(
        f"plans/{muni.pk}/{uuid.uuid4().hex}.pdf", ContentFile(b"%PDF-1.4 plan")
    )
    plan = ImplementationPlan.objects.create(
        municipality=muni,
        order=order,
        version=1,
        status="sent",
        document=plan_file,
        document_kind="pdf",
        begun_at=now,
        sent_at=now,
        created_by=world.staff_a,
        updated_by=world.staff_a,
    )
    followup = FollowUp.objects.create(
        municipality=muni, order=order, requested_at=now, question="Läget?"
    )
    # The decision's goals, how the plan works toward one and how the follow-up found it, and
    # a correction of the decision (seed 002, R1.1).
    from verkstall.decisions.models import DecisionCorrection, DecisionGoal
    from verkstall.followups.models import GoalOutcome
    from verkstall.plans.models import PlanGoal

    goal = DecisionGoal.objects.create(municipality=muni, decision=decision, text="Klara duschen")
    PlanGoal.objects.create(municipality=muni, plan=plan, goal=goal, how="Stöd varje morgon")
    GoalOutcome.objects.create(municipality=muni, followup=followup, goal=goal, assessment="met")
    DecisionCorrection.objects.create(
        municipality=muni,
        decision=decision,
        changes={"decided_on": ["2026-01-01", "2026-01-02"]},
        reason="Fel datum",
        corrected_by=world.officer,
    )
    ProviderSwitch.objects.create(
        municipality=muni,
        person=client,
        old_order=order,
        new_order=order2,
        new_provider=world.provider_b,
        requested_on=today,
        notice_ends_on=today,
        registered_by=world.officer,
        completed_at=now,
    )
    AlarmContactMove.objects.create(
        municipality=muni,
        order=order2,
        old_provider=world.provider_a,
        new_provider=world.provider_b,
        from_date=today,
        confirmed_at=now,
        confirmed_by=world.officer,
    )
    # A draft of the plan's text, typed and not saved (issue 17 item 1).
    from verkstall.drafts.models import Draft

    Draft.objects.create(
        user=world.staff_a,
        key=f"plan:{order.pk}",
        field="how",
        text="Stöd",
        person=client,
        updated_at=now,
    )
    # R4.2: a voucher and a report of the report form
    Voucher.objects.create(
        municipality=muni, order=order, kind="cleaning", extent="Städ", issued_by=world.officer
    )
    VoucherReport.objects.create(
        municipality=muni,
        order=order,
        kind="start",
        occurred_on=today,
        event=event,
        reported_by=world.staff_a,
    )
    TemporaryChange.objects.create(
        municipality=muni,
        order=order,
        kind="increase",
        from_date=today - timedelta(days=5),
        to_date=today - timedelta(days=4),
        days=2,
        reason="Tillfälligt",
        event=event,
        reported_by=world.staff_a,
    )
    # R9.2, R9.4: performed time, and a line of a closed month's payment basis
    from verkstall.payments.models import MonthClose, PaymentLine, PerformedTime

    PerformedTime.objects.create(
        municipality=muni,
        order=order,
        granted_service=service,
        day=today,
        hours=2,
        registered_by=world.staff_a,
    )
    close, _ = MonthClose.objects.get_or_create(
        municipality=muni, period=today.replace(day=1), defaults={"closed_by": world.officer}
    )
    PaymentLine.objects.create(
        close=close,
        municipality=muni,
        seq=PaymentLine.objects.filter(close=close).count() + 1,
        concerns=today.replace(day=1),
        kind="granted",
        provider=world.provider_a,
        provider_name="Omsorg A AB",
        service_type=service.service_type,
        service_type_code=service.service_type.code,
        service_type_name=service.service_type.name,
        person=client,
        personal_number=client.personal_number,
        person_name=client.full_name,
        order=order,
        days=1,
        absence_days=0,
        quantity=1,
        amount=400,
    )
    # R9.3: a fee notice; R9.5: a case of an IVO report
    from verkstall.fees.models import FeeNotice
    from verkstall.ivo.models import IvoReport, IvoReportCase

    FeeNotice.objects.create(
        municipality=muni,
        order=order,
        person=client,
        kind="started",
        text="Insatsen startade.",
        effective_from=today,
        event=event,
        changed_at=now,
    )
    report = IvoReport.objects.create(municipality=muni, quarter="2026Q1", created_by=world.officer)
    IvoReportCase.objects.create(
        municipality=muni,
        report=report,
        decision=decision,
        granted_service=service,
        person=client,
        kind="new",
        decided_on=decision.decided_on,
        due_on=decision.decided_on + timedelta(days=92),
        days_waited=100,
        reason="Ingen ledig plats.",
        reason_by=world.officer,
        reason_at=now,
    )
    ProviderChoice.objects.create(
        municipality=muni,
        person=client,
        granted_service=service,
        provider=world.provider_a,
        kind="choice",
        registered_by=world.officer,
        registered_at=now,
    )
    RotationAssignment.objects.create(
        municipality=muni,
        area=world.area,
        service_kind="hemtjanst",
        person=client,
        granted_service=service,
        provider=world.provider_a,
        reason="Turordning",
        assigned_by=world.officer,
        assigned_at=now,
    )
    home = build.provider_unit(world.provider_a, "Vård- och omsorgsboendet")
    queued = QueueEntry.objects.create(
        municipality=muni,
        unit=world.unit,
        officer=world.officer,
        person=client,
        decision=decision,
        granted_service=service,
        state="ordered",
        order=order,
    )
    QueueChoice.objects.create(entry=queued, home=home, rank=1)
    PlaceOffer.objects.create(
        municipality=muni, entry=queued, home=home, offered_by=world.officer, outcome="accepted"
    )
    StayIntake.objects.create(  # R8.4: a temporary stay registered to this client
        municipality=muni,
        external_id="e-tjanst-1",
        received_by=world.officer,
        personal_number=client.personal_number,
        first_name=client.first_name,
        last_name=client.last_name,
        home_municipality_name="Uppsala",
        stay_from=now.date(),
        stay_to=now.date(),
        street_address="Strandvägen 3",
        help_requested="Hemtjänst",
        state="registered",
        person=client,
        unit=world.unit,
        handled_by=world.officer,
        handled_at=now,
    )
    item = DueItem.objects.filter(person=client).first()
    assert item is not None, "the deadline engine made no due item for the order"
    Reminder.objects.create(
        municipality=muni, user=world.officer, due_item=item, kind="due", sent_on=today, sent_at=now
    )
    LogEntry.objects.log_actions(
        user_id=world.officer.pk, queryset=[client], action_flag=ADDITION, single_object=True
    )
    return client, [plan_file], [scan]


def client_rows(person_id: int) -> dict[str, int]:
    """How many rows every table of the removal plan holds for one client."""
    orders = list(Order.objects.filter(person_id=person_id).values_list("pk", flat=True))
    decisions = list(Decision.objects.filter(person_id=person_id).values_list("pk", flat=True))
    ids = ClientIds(
        person=person_id,
        orders=orders,
        decisions=decisions,
        services=list(
            GrantedService.objects.filter(decision_id__in=decisions).values_list("pk", flat=True)
        ),
    )
    return {
        model._meta.label_lower: model._default_manager.filter(rows_of(ids)).count()
        for model, rows_of in retention_services.REMOVAL_PLAN
    }


def run(*args, today: date | None = None) -> str:
    out = StringIO()
    if today is None:
        call_command("retention", *args, stdout=out)
    else:
        with clock.travel_to(timezone.make_aware(datetime.combine(today, time(12)))):
            call_command("retention", *args, stdout=out)
    return out.getvalue()


# --- which tables hold client data -----------------------------------------------------------


def test_the_removal_plan_and_the_last_entry_cover_every_table_of_client_data():  # R10.6
    covered = {model for model, _ in retention_services.REMOVAL_PLAN}
    assert build.models_reaching_a_client() == covered
    sources = {model for model, _, _ in selectors.LAST_ENTRY_SOURCES}
    dated = {
        model
        for model in covered
        if any(f.get_internal_type() in ("DateField", "DateTimeField") for f in model._meta.fields)
    }
    assert dated == sources


# --- who is due ------------------------------------------------------------------------------


def test_a_closed_client_is_due_exactly_five_years_after_the_last_entry(world):  # R10.6
    client, _, _ = closed_client(world)
    assert selectors.last_entries([client.pk]) == {client.pk: clock.today()}
    day_before = selectors.review(years_after_today(5) - timedelta(days=1), municipality=world.muni)
    assert day_before.due == [] and day_before.not_yet_due == 1
    [due] = selectors.review(years_after_today(5), municipality=world.muni).due
    assert due.person_id == client.pk and due.last_entry == clock.today()
    assert due.due_since == years_after_today(5)
    assert due.remove_by == date(clock.today().year + 6, 12, 31) and not due.overdue
    end_of_next_year = date(clock.today().year + 6, 12, 31)
    assert not selectors.review(end_of_next_year).due[0].overdue
    assert selectors.review(end_of_next_year + timedelta(days=1)).due[0].overdue


@pytest.mark.parametrize("what", ["case_journal", "message", "hospital_notice"])
def test_any_later_entry_in_any_app_moves_the_last_entry(world, what):  # R10.6
    client, _, order = closed_client(world)
    later = clock.today() + timedelta(days=400)
    with clock.travel_to(timezone.make_aware(datetime.combine(later, time(10)))):
        if what == "case_journal":
            CaseJournalEntry.objects.create(
                municipality=world.muni,
                person=client,
                author=world.officer,
                author_organisation="Enheten",
                title="Sen anteckning",
                text="Text",
            )
        elif what == "message":
            Message.objects.create(
                municipality=world.muni,
                person=client,
                order=order,
                unit=world.unit,
                provider=world.provider_a,
                from_provider=True,
                sender=world.staff_a,
                sender_organisation="Omsorg A AB",
                recipient_organisation="Enheten",
                subject="Sent",
                body="Meddelande",
            )
        else:
            HospitalNotice.objects.create(
                municipality=world.muni,
                person=client,
                kind="discharge",
                occurred_at=clock.now(),
                source="api",
                received_by=world.officer,
            )
    assert selectors.last_entries([client.pk]) == {client.pk: later}
    assert selectors.review(years_after_today(5)).due == []
    assert [c.person_id for c in selectors.review(add_years(later, 5)).due] == [client.pk]


def test_an_ongoing_order_or_a_valid_decision_is_never_due(world):  # R10.6
    started = world.order(state="started")
    draft = world.order(state="draft")
    open_ended = world.decision(world.person(personal_number=number(date(1941, 2, 10))))
    closed, _, _ = closed_client(world)
    review = selectors.review(years_after_today(30), municipality=world.muni)
    assert [c.person_id for c in review.due] == [closed.pk]
    # started, draft (with their open-ended decisions) and the open-ended decision alone
    assert review.ongoing == 3 and review.not_yet_due == 0
    for person_id in (started.person_id, draft.person_id, open_ended.person_id):
        assert retention_services.remove_client(person_id, today=years_after_today(30)) is None
    assert Person.objects.count() == 4


def test_a_cancelled_order_and_an_expired_decision_are_due(world):  # R10.6
    client, decision, _ = closed_client(world)
    cancelled = world.order(decision=decision, state="sent")
    order_services.cancel_order(world.officer, cancelled, reason="Behövs inte")
    assert [c.person_id for c in selectors.review(years_after_today(5)).due] == [client.pk]


@pytest.mark.parametrize("born", [date(1938, 1, 5), date(1938, 2, 15), date(1938, 3, 25)])
def test_the_research_sample_is_kept_and_counted(world, born):  # R10.6
    client, _, _ = closed_client(world, born=born)
    review = selectors.review(years_after_today(10), municipality=world.muni)
    assert review.due == [] and review.research_kept[born.day] == 1
    assert review.research_total == 1
    assert retention_services.remove_client(client.pk, today=years_after_today(10)) is None
    assert Person.objects.filter(pk=client.pk).exists()


def test_a_coordination_number_is_kept_by_its_real_birth_day(world):  # R10.6
    kept = world.person(personal_number=coordination_number(date(1960, 7, 25)))
    assert kept.is_coordination_number
    not_kept = world.person(personal_number=coordination_number(date(1960, 7, 26), 982))
    for person in (kept, not_kept):
        world.decision(
            person,
            services=[
                {
                    "service_type": "hemtjanst-omvardnad",
                    "scope_amount": "5",
                    "scope_unit": "hours_per_month",
                    "valid_to": clock.today().isoformat(),
                }
            ],
        )
    review = selectors.review(years_after_today(6), municipality=world.muni)
    assert [c.person_id for c in review.due] == [not_kept.pk]
    assert review.due[0].birth_year == 1960
    assert review.research_kept == {5: 0, 15: 0, 25: 1}


def test_the_rule_comes_from_settings(world, settings):  # R10.6 "the rule is a setting"
    closed_client(world, born=date(1950, 1, 15))
    settings.VERKSTALL_RETENTION_YEARS = 2
    settings.VERKSTALL_RETENTION_RESEARCH_DAYS = ()
    settings.VERKSTALL_RETENTION_REMOVE_WITHIN_YEARS = 0
    rule = selectors.configured_rule()
    assert rule == RetentionRule(years=2, research_days=(), remove_within_years=0)
    [due] = selectors.review(years_after_today(2)).due
    assert due.remove_by == date(clock.today().year + 2, 12, 31)
    settings.VERKSTALL_RETENTION_RESEARCH_DAYS = (0,)
    with pytest.raises(ImproperlyConfigured, match="VERKSTALL_RETENTION"):
        selectors.configured_rule()


def test_the_review_reads_with_a_fixed_number_of_queries(
    world, django_assert_max_num_queries
):  # R10.6
    for i in range(6):
        closed_client(world, born=date(1930 + i, 1, 10))
    # + one query per model of personal data with no client (UNLINKED_DATA, R8.4)
    bound = len(selectors.LAST_ENTRY_SOURCES) + 3 + len(UNLINKED_DATA)
    with django_assert_max_num_queries(bound):
        review = selectors.review(years_after_today(5))
    assert len(review.due) == 6


# --- the command -----------------------------------------------------------------------------


def test_dry_run_lists_without_personnummer_and_removes_nothing(world):  # R10.6
    client, _, _ = full_client(world)
    closed_client(world, born=date(1944, 4, 5))  # research sample
    world.order(state="started")  # ongoing
    before = client_rows(client.pk)
    log_rows = AccessLogEntry.objects.count()

    out = run("--today", years_after_today(5).isoformat())

    assert "Torrkörning" in out
    line = next(li for li in out.splitlines() if re.search(rf"\b{client.pk}\b", li))
    assert "E.T." in line and "1940" in line and clock.today().isoformat() in line
    assert years_after_today(5).isoformat() in line and line.rstrip().endswith("nej")
    assert "Att gallra: 1 klient(er), varav 0 försenade." in out
    assert "Sparas för forskning" in out and "dag 5: 1" in out
    assert "gällande beslut: 1" in out
    for person in Person.objects.all():
        digits = person.personal_number
        for form in (digits, person.formatted_personal_number, digits[2:], digits[2:8]):
            assert form not in out
        assert person.first_name not in out and person.last_name not in out
    assert client_rows(client.pk) == before
    assert AccessLogEntry.objects.count() == log_rows


def test_apply_removes_every_row_of_the_client_and_its_files(
    world, django_capture_on_commit_callbacks
):  # R10.6
    client, plan_files, scans = full_client(world)
    before = client_rows(client.pk)
    empty = sorted(label for label, n in before.items() if n == 0)
    assert empty == [], f"the fixture should fill every table: {empty}"
    kept_research, _, _ = closed_client(world, born=date(1944, 4, 15))
    ongoing = world.order(state="started")
    others_before = {pid: client_rows(pid) for pid in (kept_research.pk, ongoing.person_id)}
    record_system(
        action=AuditAction.VIEW,
        person_ids=[client.pk],
        municipality_id=world.muni.pk,
        detail="äldre rad",
        actor="test",
    )
    older = list(AccessLogEntry.objects.filter(person_id=client.pk).values_list("pk", flat=True))
    events = OrderEvent.objects.filter(order__person=client).count()
    assert events > 0 and all(document_storage.exists(name) for name in plan_files)

    with django_capture_on_commit_callbacks(execute=True):
        out = run("--apply", "--municipality", world.muni.code, today=years_after_today(5))

    assert "Torrkörning" not in out
    assert "Gallrat: 1 klient(er)" in out and "2 filer" in out
    assert f"orders.orderevent: {events}" in out
    assert all(n == 0 for n in client_rows(client.pk).values())
    assert not LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Person), object_id=str(client.pk)
    ).exists()
    connection.check_constraints()  # nothing left pointing at a removed row
    assert {pid: client_rows(pid) for pid in others_before} == others_before
    # the files went after the commit
    assert not any(document_storage.exists(name) for name in plan_files)
    assert not any((documents_dir() / name).exists() for name in scans)
    # the access log: older rows kept, one REMOVE row, with the rule and no personnummer
    assert set(older) <= set(AccessLogEntry.objects.values_list("pk", flat=True))
    [removed] = AccessLogEntry.objects.filter(person_id=client.pk, action=AuditAction.REMOVE)
    assert removed.role == "system" and removed.municipality_id == world.muni.pk
    assert "R10.6" in removed.detail and "5 år" in removed.detail
    assert f"Sista anteckning {clock.today():%Y-%m-%d}" in removed.detail
    assert client.personal_number not in removed.detail
    assert client.personal_number[2:8] not in removed.detail
    assert AccessLogEntry.objects.filter(action=AuditAction.REMOVE).count() == 1

    # a second run finds nothing more to do
    again = run("--apply", today=years_after_today(5))
    assert "Att gallra: 0 klient(er)" in again and "Gallrat: 0 klient(er)" in again


def test_apply_writes_one_log_row_per_removed_client(world):  # R10.6
    clients = [closed_client(world, born=date(1931 + i, 8, 10))[0] for i in range(3)]
    outcome = retention_services.apply(selectors.review(years_after_today(5)))
    assert sorted(r.person_id for r in outcome.removed) == sorted(c.pk for c in clients)
    logged = AccessLogEntry.objects.filter(action=AuditAction.REMOVE)
    assert sorted(logged.values_list("person_id", flat=True)) == sorted(c.pk for c in clients)
    assert Person.objects.count() == 0


def test_a_client_with_a_new_order_since_the_review_is_skipped(world):  # R10.6
    client, decision, _ = closed_client(world)
    review = selectors.review(years_after_today(5))
    world.order(decision=decision, state="sent")
    outcome = retention_services.apply(review)
    assert outcome.removed == [] and outcome.skipped == [client.pk]
    assert Person.objects.filter(pk=client.pk).exists()


def test_command_options_are_checked(world):  # R10.6
    with pytest.raises(CommandError, match="framtiden"):
        call_command("retention", "--apply", "--today", years_after_today(5).isoformat())
    with pytest.raises(CommandError, match="ÅÅÅÅ-MM-DD"):
        call_command("retention", "--today", "5/3/2031")
    with pytest.raises(CommandError, match="finns inte"):
        call_command("retention", "--municipality", "no-such")
    assert "Kommun: Teststad" in run("--municipality", str(world.muni.pk))


# --- the scheduled task ----------------------------------------------------------------------


def test_the_scheduled_task_only_reports_unless_told_to_apply(world, settings):  # R10.6
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from verkstall.audit.tasks import review_retention

    client, _, _ = closed_client(world)
    later = years_after_today(5)
    with clock.travel_to(timezone.make_aware(datetime.combine(later, time(3)))):
        report = review_retention.enqueue()
        assert report.status == "SUCCESSFUL"
        assert report.return_value["due_count"] == 1
        assert report.return_value["due"][0]["person_id"] == client.pk
        assert "applied" not in report.return_value
        assert Person.objects.filter(pk=client.pk).exists()
        applied = review_retention.enqueue(municipality=world.muni.code, apply=True)
    assert applied.return_value["applied"]["removed"] == [client.pk]
    assert not Person.objects.filter(pk=client.pk).exists()


def test_command_enqueue_queues_the_task(world):  # R10.6
    from django_tasks_db.models import DBTaskResult

    out = run("--enqueue", "--today", "2031-01-15")
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "verkstall.audit.tasks.review_retention"
    assert queued.args_kwargs == {"args": ["2031-01-15", None, False], "kwargs": {}}
    assert "db_worker" in out


# --- PostgreSQL: order events are append-only, except for retention -------------------------


def _vendor_is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def test_postgresql_still_refuses_a_plain_delete_or_update_of_an_order_event(world):  # R10.6
    if not _vendor_is_postgresql():
        pytest.skip("the trigger exists on PostgreSQL only; SQLite relies on the model guard")
    order = world.order(state="sent")
    event_id = order.events.order_by("seq").first().pk
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM orders_orderevent WHERE id = %s", [event_id])
    # even when the transaction says it is retention, an UPDATE is refused
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL verkstall.retention = 'on'")
        cur.execute("UPDATE orders_orderevent SET kind = 'ended' WHERE id = %s", [event_id])
    # and the access log has no exception at all
    record_system(
        action=AuditAction.VIEW,
        person_ids=[order.person_id],
        municipality_id=None,
        detail="",
        actor="t",
    )
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL verkstall.retention = 'on'")
        cur.execute("DELETE FROM audit_accesslogentry")
    assert order.events.count() == 2


def test_postgresql_lets_the_retention_removal_delete_order_events(world):  # R10.6
    if not _vendor_is_postgresql():
        pytest.skip("the trigger exists on PostgreSQL only")
    client, _, order = closed_client(world)
    assert order.events.count() > 0
    removal = retention_services.remove_client(client.pk, today=years_after_today(5))
    assert removal is not None and removal.rows["orders.orderevent"] > 0
    assert not OrderEvent.objects.filter(order_id=order.pk).exists()
    # the exception ended with the removal: a plain DELETE is refused again
    other = world.order(state="sent")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM orders_orderevent WHERE order_id = %s", [other.pk])
    connection.check_constraints()
