"""The quarterly IVO report's cases (SPEC R9.5): which granted services, in which quarter, as
what; nothing twice; reasons before it is sent; nothing of another municipality."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from verkstall.core.clock import travel_to
from verkstall.core.errors import PermissionDenied, ValidationFailed
from verkstall.ivo import selectors, services
from verkstall.ivo.models import IvoReportCase
from verkstall.ivo.quarters import Quarter
from verkstall.ivo.services import ReportLocked

from .conftest import CARE, ESCORT, at

Q1, Q2, Q3, Q4 = (Quarter(2026, n) for n in (1, 2, 3, 4))
JULY_3, OCT_5, JAN_5 = date(2026, 7, 3), date(2026, 10, 5), date(2027, 1, 5)


def report(w, quarter, day, *, reasons=True, submit=True):
    """The LOV administrator makes the quarter's report on `day`; the officers give every case
    a reason and the report is sent."""
    with travel_to(at(day)):
        made = services.create_report(w.lov, quarter=quarter.code)
        if reasons:
            for case in made.cases.select_related("decision"):
                officer = w.officer if case.decision.unit_id == w.unit.pk else w.other_officer
                services.record_reason(officer, case, reason="Ingen ledig personal i området.")
        if submit:
            services.submit_report(w.lov, made)
    return made


def kinds(made) -> dict[int, str]:
    return dict(made.cases.values_list("granted_service_id", "kind"))


def test_a_decision_not_started_in_three_months_appears_in_its_quarter(w):  # R9.5
    decision = w.decide(CARE)
    service = decision.services.get()
    first = report(w, Q1, date(2026, 4, 2))
    assert kinds(first) == {}  # 12 January + 3 months = 12 April: not late in the first quarter
    second = report(w, Q2, JULY_3)
    assert kinds(second) == {service.pk: "new"}
    case = second.cases.get()
    assert (case.decided_on, case.due_on) == (date(2026, 1, 12), date(2026, 4, 12))
    assert case.days_waited == (date(2026, 6, 30) - date(2026, 1, 12)).days
    assert case.carried_out_on is None and case.ended_on is None


def test_a_decision_started_in_time_is_never_reported(w):  # R9.5
    decision = w.decide(CARE)
    w.start(decision, date(2026, 3, 2))
    for quarter, day in ((Q1, date(2026, 4, 2)), (Q2, JULY_3), (Q3, OCT_5)):
        assert kinds(report(w, quarter, day)) == {}


def test_started_on_the_last_day_of_the_three_months_is_in_time(w):  # R9.5
    decision = w.decide(CARE)
    w.start(decision, date(2026, 4, 12))
    assert kinds(report(w, Q2, JULY_3)) == {}


def test_started_after_being_reported_is_followed_up_once(w):  # R9.5
    decision = w.decide(CARE)
    service = decision.services.get()
    assert kinds(report(w, Q2, JULY_3)) == {service.pk: "new"}
    w.start(decision, date(2026, 7, 20))
    third = report(w, Q3, OCT_5)
    assert kinds(third) == {service.pk: "followup"}
    case = third.cases.get()
    assert case.carried_out_on == date(2026, 7, 20) and case.ended_on is None
    # The reason given last quarter comes along for the officer to confirm.
    assert case.reason == "Ingen ledig personal i området."
    assert kinds(report(w, Q4, JAN_5)) == {}
    assert kinds(report(w, Quarter(2027, 1), date(2027, 4, 5))) == {}


def test_still_not_started_is_reported_again_each_quarter(w):  # R9.5 (IVO: återrapportering)
    service = w.decide(CARE).services.get()
    assert kinds(report(w, Q2, JULY_3)) == {service.pk: "new"}
    assert kinds(report(w, Q3, OCT_5)) == {service.pk: "continued"}
    assert kinds(report(w, Q4, JAN_5)) == {service.pk: "continued"}


def test_a_decision_that_ended_without_a_start_is_followed_up_once(w):  # R9.5
    decision = w.decide({**CARE, "valid_to": "2026-08-15"})
    service = decision.services.get()
    assert kinds(report(w, Q2, JULY_3)) == {service.pk: "new"}
    third = report(w, Q3, OCT_5)
    assert kinds(third) == {service.pk: "followup"}
    case = third.cases.get()
    assert case.ended_on == date(2026, 8, 15) and case.carried_out_on is None
    assert kinds(report(w, Q4, JAN_5)) == {}


def test_ended_within_the_three_months_is_never_reported(w):  # R9.5
    w.decide({**CARE, "valid_to": "2026-03-31"})
    assert kinds(report(w, Q2, JULY_3)) == {}


def test_late_and_carried_out_in_the_same_quarter_is_reported_once_with_its_date(w):  # R9.5
    decision = w.decide(CARE)
    w.start(decision, date(2026, 5, 4))
    second = report(w, Q2, JULY_3)
    case = second.cases.get()
    assert case.kind == "new" and case.carried_out_on == date(2026, 5, 4)
    assert kinds(report(w, Q3, OCT_5)) == {}


def test_each_granted_service_is_its_own_case(w):  # R9.5 (IVO: a partly carried-out decision)
    decision = w.decide(CARE, ESCORT)
    care, escort = decision.services.order_by("id")
    w.start(decision, date(2026, 2, 2), services=[care])
    second = report(w, Q2, JULY_3)
    assert kinds(second) == {escort.pk: "new"}


def test_a_service_not_assessed_for_need_is_not_reported(w):  # R9.5 (SoL 4 kap. 1 § only)
    w.decide({"service_type": "iub-service", "scope_amount": "2", "scope_unit": "hours_per_month"})
    assert kinds(report(w, Q2, JULY_3)) == {}


def test_nothing_is_reported_twice_the_database_says_so_too(w):  # R9.5
    service = w.decide(CARE).services.get()
    second = report(w, Q2, JULY_3)
    third = report(w, Q3, OCT_5, submit=False)
    case = second.cases.get()
    for kind in ("new", "followup"):
        with pytest.raises(IntegrityError), transaction.atomic():
            IvoReportCase.objects.create(
                municipality=w.muni,
                report=third if kind == "new" else second,
                decision=case.decision,
                granted_service=service,
                person=case.person,
                kind=kind,
                decided_on=case.decided_on,
                due_on=case.due_on,
                days_waited=1,
            )
            IvoReportCase.objects.create(
                municipality=w.muni,
                report=third,
                decision=case.decision,
                granted_service=service,
                person=case.person,
                kind=kind,
                decided_on=case.decided_on,
                due_on=case.due_on,
                days_waited=1,
            )
    # One case per service and report, whatever its kind.
    with pytest.raises(IntegrityError), transaction.atomic():
        third.cases.create(
            municipality=w.muni,
            decision=case.decision,
            granted_service=service,
            person=case.person,
            kind="continued",
            decided_on=case.decided_on,
            due_on=case.due_on,
            days_waited=1,
        )


def test_a_report_cannot_be_sent_while_a_case_lacks_its_reason(w):  # R9.5
    decision = w.decide(CARE)
    made = report(w, Q2, JULY_3, reasons=False, submit=False)
    case = made.cases.get()
    with travel_to(at(JULY_3)), pytest.raises(ValidationFailed) as refused:
        services.submit_report(w.lov, made)
    message = refused.value.errors["reason"][0]
    assert f"ärende {case.pk}" in message and "Hemtjänst – personlig omvårdnad" in message
    assert decision.person.first_name not in message
    with travel_to(at(JULY_3)), pytest.raises(ValidationFailed) as blank:
        services.record_reason(w.officer, case, reason="   ")
    assert "reason" in blank.value.errors
    with travel_to(at(JULY_3)):
        services.record_reason(w.officer, case, reason="Väntar på plats.")
        sent = services.submit_report(w.lov, made)
    assert sent.is_submitted
    with travel_to(at(JULY_3)), pytest.raises(ReportLocked):
        services.record_reason(w.officer, case, reason="Ändrat i efterhand.")
    with travel_to(at(JULY_3)), pytest.raises(ReportLocked):
        services.refresh_report(w.lov, made)


def test_only_the_clients_officer_or_the_reporter_gives_the_reason(w):  # R9.5
    w.decide(CARE)
    case = report(w, Q2, JULY_3, reasons=False, submit=False).cases.get()
    for outsider in (w.other_officer, w.staff, w.fee_officer, w.elsewhere_lov):
        with travel_to(at(JULY_3)), pytest.raises(PermissionDenied):
            services.record_reason(outsider, case, reason="Något.")
    with travel_to(at(JULY_3)):
        services.record_reason(w.lov, case, reason="Enligt enhetschefen.")


def test_a_running_quarter_is_a_draft_that_cannot_be_sent(w):  # R9.5
    service = w.decide(CARE).services.get()
    with travel_to(at(date(2026, 5, 6))):
        made = services.create_report(w.lov, quarter="2026Q2")
        assert kinds(made) == {service.pk: "new"}
        services.record_reason(w.officer, made.cases.get(), reason="Kö till hemtjänsten.")
        with pytest.raises(ValidationFailed) as refused:
            services.submit_report(w.lov, made)
    assert "quarter" in refused.value.errors
    # A decision that becomes late later in the quarter is added when it is brought up to date.
    later = w.decide(CARE, on=date(2026, 2, 20), first_name="Greta").services.get()
    with travel_to(at(JULY_3)):
        assert selectors.pending(w.lov, Q2, made)[0].service.pk == later.pk
        with pytest.raises(ValidationFailed) as stale:
            services.submit_report(w.lov, made)
        assert "report" in stale.value.errors
        services.refresh_report(w.lov, made)
    assert kinds(made) == {service.pk: "new", later.pk: "new"}
    assert made.cases.get(granted_service=service).reason == "Kö till hemtjänsten."


def test_reports_are_made_once_per_quarter_in_order_by_the_reporter(w):  # R9.5
    with travel_to(at(JULY_3)):
        services.create_report(w.lov, quarter="2026Q2")
        with pytest.raises(ReportLocked):
            services.create_report(w.lov, quarter="2026q2")
        with pytest.raises(ValidationFailed) as earlier:
            services.create_report(w.lov, quarter="2026Q1")
        assert "kvartalsordning" in earlier.value.errors["quarter"][0]
        with pytest.raises(ValidationFailed) as future:
            services.create_report(w.lov, quarter="2026Q4")
        assert "har inte börjat" in future.value.errors["quarter"][0]
        with pytest.raises(ValidationFailed):
            services.create_report(w.lov, quarter="andra kvartalet")
        for not_reporter in (w.officer, w.staff, w.fee_officer):
            with pytest.raises(PermissionDenied):
                services.create_report(not_reporter, quarter="2026Q3")


def test_another_municipalitys_cases_are_never_seen(w):  # R9.5, tenancy
    mine = w.decide(CARE).services.get()
    theirs = w.decide(CARE, officer=w.elsewhere_officer).services.get()
    second = report(w, Q2, JULY_3)
    assert kinds(second) == {mine.pk: "new"}
    with travel_to(at(JULY_3)):
        their_report = services.create_report(w.elsewhere_lov, quarter="2026Q2")
        assert kinds(their_report) == {theirs.pk: "new"}
        assert list(selectors.reports_for(w.lov)) == [second]
        assert not selectors.cases_for(w.lov).filter(granted_service=theirs).exists()
        assert not selectors.cases_for(w.elsewhere_officer).filter(granted_service=mine).exists()
        with pytest.raises(PermissionDenied):
            services.refresh_report(w.lov, their_report)
        with pytest.raises(PermissionDenied):
            services.record_reason(w.lov, their_report.cases.get(), reason="Fel kommun.")


def test_an_officer_sees_the_cases_of_their_own_unit_only(w):  # R9.5
    north = w.decide(CARE).services.get()
    south = w.decide(CARE, officer=w.other_officer).services.get()
    second = report(w, Q2, JULY_3)
    assert kinds(second) == {north.pk: "new", south.pk: "new"}
    seen = set(selectors.cases_of(w.officer, second).values_list("granted_service_id", flat=True))
    assert seen == {north.pk}
    assert list(selectors.cases_of(w.staff, second)) == []
    assert list(selectors.cases_of(w.fee_officer, second)) == []


def test_an_offered_place_is_reported_with_its_date_and_answer(w):  # R9.5, R8.2
    from verkstall.access.roles import Role
    from verkstall.placements import services as placements
    from verkstall.tooling import testing as build

    home = build.provider_unit(w.provider, "Solgårdens vård- och omsorgsboende")
    from verkstall.decisions.models import ServiceType

    home.service_types.add(ServiceType.objects.get(code="vard-och-omsorgsboende"))
    decision = w.decide(
        {"service_type": "vard-och-omsorgsboende", "scope_amount": "1", "scope_unit": "place"}
    )
    placement = build.user(Role.PLACEMENT_UNIT, w.muni)
    with travel_to(at(date(2026, 1, 13))):
        entry = placements.enqueue(w.officer, granted_service=decision.services.get(), homes=[home])
    with travel_to(at(date(2026, 5, 11))):
        offer = placements.offer_place(placement, entry=entry, home=home)
    with travel_to(at(date(2026, 5, 12))):
        placements.record_answer(placement, offer=offer, accepted=False, reason="Vill vänta.")
    case = report(w, Q2, JULY_3).cases.get()
    assert case.offered_on == date(2026, 5, 11) and case.offer_declined


def test_two_persons_of_one_birth_date_and_sex_never_share_an_ivo_number(w):  # R9.5
    """IVO tells persons apart by birth date and T-number only: a person keeps its number in
    every quarter, and another of the same birth date and sex gets another."""
    from verkstall.core.personal_number import make_test_personal_number
    from verkstall.ivo.identity import ivo_number
    from verkstall.people.models import Person

    first, second = w.decide(CARE, first_name="Anna"), w.decide(CARE, first_name="Berit")
    born = date(1940, 5, 5)
    for decision, serial in ((first, 982), (second, 984)):  # both women
        number = make_test_personal_number(born, serial).value
        Person.objects.filter(pk=decision.person_id).update(personal_number=number)
    made = report(w, Q2, JULY_3)
    numbers = {
        c.person_id: ivo_number(c.person.personal_number, c.serial)
        for c in made.cases.select_related("person")
    }
    assert len(set(numbers.values())) == 2
    assert all(n.startswith("19400505-T") for n in numbers.values())
    later = report(w, Q3, OCT_5)  # reported again: the same numbers
    assert {
        c.person_id: ivo_number(c.person.personal_number, c.serial)
        for c in later.cases.select_related("person")
    } == numbers
