"""Writes of the IVO report (SPEC R9.5): make a quarter's report, bring it up to date, record
the reason for a delay, and mark the report as sent to IVO.

The system does not send anything to IVO (IVO takes reports in its own e-service); "submit"
records that the municipality's reporter has sent it, after which the report and its reasons
no longer change. Who may do what: selectors.py's docstring.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.core.dates import day_text
from verkstall.core.errors import DomainError, PermissionDenied, ValidationFailed

from . import selectors
from .identity import free_serial, identity_key
from .models import IvoReport, IvoReportCase
from .quarters import InvalidQuarter, Quarter
from .waits import Kind

REASON_MAX = 4000


class ReportLocked(DomainError):
    """A report already sent, or one that exists already (409)."""

    status_code = 409
    code = "ivo_report_conflict"


def _require_reporter(actor, what: str) -> None:
    if not selectors.is_reporter(actor):
        raise PermissionDenied(f"Endast kommunens LOV-administratör kan {what}.")


def _quarter(value) -> Quarter:
    if isinstance(value, Quarter):
        return value
    try:
        return Quarter.parse(value)
    except InvalidQuarter as exc:
        raise ValidationFailed({"quarter": str(exc)}) from None


def _lock(report: IvoReport) -> IvoReport:
    return IvoReport.objects.select_for_update().get(pk=report.pk)


def _open(report: IvoReport) -> None:
    if report.is_submitted:
        raise ReportLocked(
            f"Rapporten för {report.period.label} är redan inskickad till IVO och kan inte ändras."
        )


@transaction.atomic
def create_report(actor, *, quarter) -> IvoReport:
    """Make the municipality's report for a quarter that has begun, holding every case the
    quarter must report as it stands today (R9.5). Reports are made in the order of the
    quarters: what a quarter reports depends on what the ones before it reported."""
    _require_reporter(actor, "göra IVO-rapporten")
    period = _quarter(quarter)
    if period.first_day > clock.today():
        raise ValidationFailed({"quarter": f"{period.label.capitalize()} har inte börjat än."})
    mine = IvoReport.objects.filter(municipality_id=actor.municipality_id)
    if mine.filter(quarter=period.code).exists():
        raise ReportLocked(f"Det finns redan en IVO-rapport för {period.label}.")
    later = mine.filter(quarter__gt=period.code).order_by("quarter").first()
    if later is not None:
        raise ValidationFailed(
            {
                "quarter": "Rapporterna görs i kvartalsordning: det finns redan en rapport för "
                f"{later.period.label}."
            }
        )
    now = clock.now()
    try:
        with transaction.atomic():
            report = IvoReport.objects.create(
                municipality_id=actor.municipality_id,
                quarter=period.code,
                created_by=actor,
                created_at=now,
                refreshed_at=now,
            )
    except IntegrityError:  # made at the same moment by someone else
        raise ReportLocked(f"Det finns redan en IVO-rapport för {period.label}.") from None
    _fill(report)
    return report


@transaction.atomic
def refresh_report(actor, report: IvoReport) -> IvoReport:
    """Bring a draft up to date: cases that have come up since are added, the facts of those
    already in it are read again (a start, an end, an offer) and their reasons kept; a case
    that no longer belongs in it is dropped."""
    _require_reporter(actor, "uppdatera IVO-rapporten")
    report = _lock(report)
    if report.municipality_id != actor.municipality_id:
        raise PermissionDenied("Rapporten hör till en annan kommun.")
    _open(report)
    _fill(report)
    report.refreshed_at = clock.now()
    report.save(update_fields=["refreshed_at"])
    return report


def _fill(report: IvoReport) -> None:
    """The report's cases as the selectors find them now (one transaction: the caller's). A
    case keeps its reason when its kind changes (a continued case carried out since becomes
    the follow-up)."""
    found = {c.service.pk: c for c in selectors.candidates(report.municipality, report.period)}
    held = {case.granted_service_id: case for case in report.cases.all()}
    IvoReportCase.objects.filter(pk__in=[c.pk for s, c in held.items() if s not in found]).delete()
    serials = _Serials(report.municipality_id)
    for service_id, candidate in found.items():
        case = held.get(service_id)
        if case is None:
            person = candidate.service.decision.person
            case = IvoReportCase(
                municipality_id=report.municipality_id,
                report=report,
                decision=candidate.service.decision,
                granted_service=candidate.service,
                person_id=person.pk,
                serial=serials.of(person),
            )
            if candidate.kind != Kind.NEW:
                # The reason given last quarter, for the officer to confirm or change.
                case.reason = candidate.earlier_reason
        case.kind = candidate.kind.value
        _set_facts(case, candidate)
        case.save()


class _Serials:
    """The persons' serials of the IVO number (ivo.identity): a person keeps the one of its
    earlier cases; a new person gets the lowest free one among the municipality's persons of
    the same birth date and sex. Read once per refresh (the report's row is locked)."""

    def __init__(self, municipality_id: int):
        self.by_person: dict[int, int] = {}
        self.taken: dict[tuple, set[int]] = {}
        rows = IvoReportCase.objects.filter(municipality_id=municipality_id).values_list(
            "person_id", "person__personal_number", "serial"
        )
        for person_id, number, serial in rows:
            self.by_person[person_id] = serial
            self.taken.setdefault(identity_key(number), set()).add(serial)

    def of(self, person) -> int:
        if person.pk not in self.by_person:
            taken = self.taken.setdefault(identity_key(person.personal_number), set())
            self.by_person[person.pk] = free_serial(taken)
            taken.add(self.by_person[person.pk])
        return self.by_person[person.pk]


def _set_facts(case: IvoReportCase, candidate: selectors.Candidate) -> None:
    wait = candidate.wait
    case.decided_on = wait.decided_on
    case.due_on = wait.due_on
    case.carried_out_on = wait.carried_out_on
    case.ended_on = wait.ended_unstarted_on
    case.offered_on = candidate.offered_on
    case.offer_declined = candidate.offer_declined
    case.days_waited = max(candidate.days_waited, 0)


@transaction.atomic
def record_reason(actor, case: IvoReportCase, *, reason: str) -> IvoReportCase:
    """The reason the decision has not been carried out (IVO: "orsaken till dröjsmålet", with
    what it has meant for the person and any other help given meanwhile), recorded on the case
    before the report is sent: by the officer of the client's unit or by the reporter."""
    case = (
        IvoReportCase.objects.select_for_update(of=("self",))
        .select_related("report", "decision")
        .get(pk=case.pk)
    )
    officer = actor.role_enum == Role.OFFICER and actor.unit_id == case.decision.unit_id
    reporter = selectors.is_reporter(actor) and actor.municipality_id == case.municipality_id
    if not (officer or reporter):
        raise PermissionDenied(
            "Endast handläggare på klientens enhet eller kommunens LOV-administratör kan ange "
            "skälet."
        )
    _open(case.report)
    text = (reason or "").strip()
    errors = {}
    if not text:
        errors["reason"] = "Ange skälet till att beslutet inte har verkställts."
    elif len(text) > REASON_MAX:
        errors["reason"] = f"Skälet får vara högst {REASON_MAX} tecken."
    if errors:
        raise ValidationFailed(errors)
    case.reason = text
    case.reason_by = actor
    case.reason_at = clock.now()
    case.save(update_fields=["reason", "reason_by", "reason_at"])
    return case


def case_name(case: IvoReportCase) -> str:
    """How an error names a case: its number, service and decision date (never the client)."""
    service = case.granted_service.service_type.name
    return f"ärende {case.pk} ({service}, beslut {day_text(case.decided_on)})"


@transaction.atomic
def submit_report(actor, report: IvoReport) -> IvoReport:
    """Mark the report as sent to IVO, once its quarter has ended, it holds everything the
    quarter must report, and every case has its reason (R9.5). After that it never changes."""
    _require_reporter(actor, "skicka in IVO-rapporten")
    report = _lock(report)
    if report.municipality_id != actor.municipality_id:
        raise PermissionDenied("Rapporten hör till en annan kommun.")
    _open(report)
    period = report.period
    if clock.today() <= period.last_day:
        raise ValidationFailed(
            {
                "quarter": f"{period.label.capitalize()} är inte slut än; rapporten kan skickas "
                f"in från och med {day_text(period.next().first_day)}."
            }
        )
    if selectors.pending(actor, period, report):
        raise ValidationFailed(
            {
                "report": "Ärenden har tillkommit eller ändrats sedan rapporten uppdaterades. "
                "Uppdatera rapporten och ange skäl för de nya ärendena först."
            }
        )
    missing = [
        case
        for case in report.cases.select_related("granted_service__service_type").order_by(
            "decided_on", "id"
        )
        if not case.reason.strip()
    ]
    if missing:
        raise ValidationFailed(
            {
                "reason": "Skäl till dröjsmålet saknas för "
                + ", ".join(case_name(case) for case in missing)
                + "."
            }
        )
    report.submitted_at = clock.now()
    report.submitted_by = actor
    report.save(update_fields=["submitted_at", "submitted_by"])
    return report
