"""Reads of the IVO report (SPEC R9.5), already scoped to what the user may see.

Who (access/roles.py has no role for the officer units' heads, nor IVO's "huvudrapportör"):
- the LOV administrator (Role.LOV_ADMIN) is the municipality's reporter: every case of the
  municipality, named by its IVO number (birth date and sex, identity.py), never by name or
  personnummer; makes, brings up to date, exports and marks the report as sent;
- the officer (Role.OFFICER) sees the cases of the unit that handles the client (the
  decision's unit) and records the reason for the delay on them;
- everyone else sees nothing.

Which services are late is read from the deadline engine's due items of the profile's IVO
rule (`ivo-ej-verkstallt`, deadlines/fixtures: three months from the decision date, stopped by
a start): the due date is the rule's, per decision; whether each granted service started is
read from its orders' start dates (waits.py decides the rest).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from verkstall.access.roles import Role
from verkstall.access.scoping import NOTHING
from verkstall.core import clock
from verkstall.core.errors import NotFound
from verkstall.deadlines.models import DueItem, Rule
from verkstall.deadlines.profile_selectors import municipality_rules
from verkstall.decisions.models import GrantedService
from verkstall.orders.models import Order
from verkstall.placements.models import Outcome, PlaceOffer

from .models import IvoReport, IvoReportCase
from .quarters import Quarter
from .waits import KIND_LABELS, ONCE, Kind, Reported, Wait, kind_for

#: The rule of the national library profile (deadlines/fixtures/builtin_profiles.json) that
#: every routine profile includes; its length is the municipality's profile data (R11.3).
IVO_RULE = "ivo-ej-verkstallt"
REPORTER_ROLES = frozenset({Role.LOV_ADMIN})
READER_ROLES = frozenset({Role.LOV_ADMIN, Role.OFFICER})


def is_reporter(user) -> bool:
    """The municipality's reporter: makes, updates, exports and sends the report."""
    return getattr(user, "role_enum", None) in REPORTER_ROLES and bool(user.municipality_id)


def report_scope(user) -> Q:
    """Reports of the user's own municipality, for its reporter and its officers."""
    if getattr(user, "role_enum", None) in READER_ROLES and user.municipality_id:
        return Q(municipality_id=user.municipality_id)
    return NOTHING


def case_scope(user) -> Q:
    """Cases of the municipality for the reporter; of the officer's own unit for an officer."""
    role = getattr(user, "role_enum", None)
    if role in REPORTER_ROLES and user.municipality_id:
        return Q(municipality_id=user.municipality_id)
    if role == Role.OFFICER and user.municipality_id and user.unit_id:
        return Q(municipality_id=user.municipality_id, decision__unit_id=user.unit_id)
    return NOTHING


def reports_for(user) -> QuerySet[IvoReport]:
    return IvoReport.objects.filter(report_scope(user)).order_by("-quarter", "-id")


def get_report(user, pk) -> IvoReport:
    try:
        return reports_for(user).get(pk=pk)
    except (IvoReport.DoesNotExist, ValueError, TypeError):
        raise NotFound("Rapporten finns inte eller så saknar du behörighet.") from None


def report_of_quarter(user, quarter: Quarter) -> IvoReport | None:
    return reports_for(user).filter(quarter=quarter.code).first()


def cases_for(user) -> QuerySet[IvoReportCase]:
    return (
        IvoReportCase.objects.filter(case_scope(user))
        .select_related(
            "report", "person", "decision__unit", "granted_service__service_type", "reason_by"
        )
        .order_by("decided_on", "granted_service_id", "id")
    )


def cases_of(user, report: IvoReport) -> QuerySet[IvoReportCase]:
    return cases_for(user).filter(report=report)


def get_case(user, pk) -> IvoReportCase:
    try:
        return cases_for(user).get(pk=pk)
    except (IvoReportCase.DoesNotExist, ValueError, TypeError):
        raise NotFound("Ärendet finns inte eller så saknar du behörighet.") from None


def ivo_rule(municipality) -> Rule | None:
    """The municipality's IVO rule in force (its own copy, or the national library's)."""
    for rule in municipality_rules(municipality, "decision"):
        if rule.code == IVO_RULE:
            return rule
    return None


def as_of(quarter: Quarter) -> date:
    """The day a quarter's report stands on: the quarter's last day, or today while it runs."""
    return min(clock.today(), quarter.last_day)


@dataclass(frozen=True)
class Candidate:
    """A granted service the quarter's report must hold, with its facts."""

    service: GrantedService  # with its decision, client and service type
    kind: Kind
    wait: Wait  # as it stood on the report's day
    days_waited: int
    offered_on: date | None = None
    offer_declined: bool = False
    earlier_reason: str = ""  # the reason given in the service's latest earlier case

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


def candidates(municipality, quarter: Quarter, *, unit_id: int | None = None) -> list[Candidate]:
    """Every granted service of the municipality (of one unit: `unit_id`) that the report of
    `quarter` must hold, in order of decision date. Services not assessed for need (IUB) are
    not decisions under SoL 4 kap. 1 § and never reported."""
    rule = ivo_rule(municipality)
    if rule is None:
        return []
    day = as_of(quarter)
    due = DueItem.objects.filter(
        decision_id=OuterRef("decision_id"), rule__code=IVO_RULE, due_date__isnull=False
    ).order_by("due_date")
    started = Order.objects.filter(services=OuterRef("pk"), start_date__isnull=False).order_by(
        "start_date"
    )
    outcome_reported = IvoReportCase.objects.filter(
        granted_service_id=OuterRef("pk"), report__quarter__lt=quarter.code
    ).filter(Q(kind=Kind.FOLLOWUP) | Q(carried_out_on__isnull=False) | Q(ended_on__isnull=False))
    services = (
        GrantedService.objects.filter(
            municipality_id=municipality.pk, service_type__unassessed=False
        )
        .annotate(
            ivo_due=Subquery(due.values("due_date")[:1]),
            first_start=Subquery(started.values("start_date")[:1]),
        )
        .filter(ivo_due__lt=day)
        .filter(Q(first_start__isnull=True) | Q(first_start__gt=F("ivo_due")))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=F("ivo_due")))
        .exclude(Exists(outcome_reported))
        .select_related("decision__person", "decision__unit", "service_type")
        .order_by("decision__decided_on", "id")
    )
    if unit_id is not None:
        services = services.filter(decision__unit_id=unit_id)
    services = list(services)
    spec = rule.spec()
    services = [
        s for s in services if spec.applies_to([s.service_type.kind], [s.service_type.code])
    ]
    earlier = _earlier_cases([s.pk for s in services], quarter)
    taken = _taken_elsewhere([s.pk for s in services], quarter)
    offers = _latest_offers([s.pk for s in services], day)
    first_report = (
        IvoReport.objects.filter(municipality_id=municipality.pk, quarter__lt=quarter.code)
        .order_by("quarter")
        .values_list("quarter", flat=True)
        .first()
    )
    since = Quarter.parse(first_report).first_day if first_report else None
    found = []
    for service in services:
        wait = Wait(
            decided_on=service.decision.decided_on,
            due_on=service.ivo_due,
            started_on=service.first_start,
            ended_on=service.valid_to,
        )
        cases = earlier.get(service.pk, [])
        reported = Reported(new=any(c[0] == Kind.NEW for c in cases))
        kind = kind_for(
            wait, first_day=quarter.first_day, as_of=day, reported=reported, reporting_since=since
        )
        if kind is None or (service.pk, kind.value) in taken:
            continue
        offered_on, declined = offers.get(service.pk, (None, False))
        found.append(
            Candidate(
                service=service,
                kind=kind,
                wait=wait.known_on(day),
                days_waited=wait.days_waited(day),
                offered_on=offered_on,
                offer_declined=declined,
                earlier_reason=cases[-1][1] if cases else "",
            )
        )
    return found


def _earlier_cases(service_ids: list[int], quarter: Quarter) -> dict[int, list[tuple[str, str]]]:
    """(kind, reason) of each service's cases in the reports of earlier quarters, oldest
    first."""
    rows = (
        IvoReportCase.objects.filter(
            granted_service_id__in=service_ids, report__quarter__lt=quarter.code
        )
        .order_by("report__quarter", "id")
        .values_list("granted_service_id", "kind", "reason")
    )
    earlier: dict[int, list[tuple[str, str]]] = {}
    for service_id, kind, reason in rows:
        earlier.setdefault(service_id, []).append((kind, reason))
    return earlier


def _taken_elsewhere(service_ids: list[int], quarter: Quarter) -> set[tuple[int, str]]:
    """(service, kind) already reported once and for all (new, follow-up) by the report of
    another quarter: never twice (R9.5; the database refuses it too)."""
    return set(
        IvoReportCase.objects.filter(granted_service_id__in=service_ids, kind__in=ONCE)
        .exclude(report__quarter=quarter.code)
        .values_list("granted_service_id", "kind")
    )


def _latest_offers(service_ids: list[int], day: date) -> dict[int, tuple[date, bool]]:
    """The latest place offered by the end of `day` for each service in the queue (R8.2), and
    whether the client declined it: IVO asks when the person was offered the service."""
    rows = (
        PlaceOffer.objects.filter(
            entry__granted_service_id__in=service_ids,
            offered_at__lt=clock.start_of_day(day + timedelta(days=1)),
        )
        .order_by("offered_at", "id")
        .values_list("entry__granted_service_id", "offered_at", "outcome")
    )
    return {
        service_id: (timezone.localdate(offered_at), outcome == Outcome.DECLINED)
        for service_id, offered_at, outcome in rows
    }


def pending(user, quarter: Quarter, report: IvoReport | None) -> list[Candidate]:
    """What the quarter's report should hold of the user's cases but does not (yet): all of
    them before the report is made; after that, what has come up since it was brought up to
    date (a service newly late, or one whose case has become a follow-up)."""
    if not user.municipality_id or getattr(user, "role_enum", None) not in READER_ROLES:
        return []
    unit_id = None if is_reporter(user) else user.unit_id
    found = candidates(user.municipality, quarter, unit_id=unit_id)
    if report is None:
        return found
    held = set(report.cases.values_list("granted_service_id", "kind"))
    return [c for c in found if (c.service.pk, c.kind.value) not in held]
