"""IDOR: every URL with an object id in its path refuses another organisation's object
(SPEC "Actors", tenancy; issue item 6c).

The test walks the resolver for every API route with an id in its path and every screen with
an `<int:...>` in its path. For each one, an object of organisation B is requested by the
users of organisation A, of every role that access/declarations.py permits for that view or
action, with every HTTP method the route accepts: the answer is 403 or 404, never a 2xx or a
redirect, and no row (nor the outbox) changes. Organisation B is first another municipality
(every role of A is refused), then another unit and provider of A's own municipality (A's
officer and provider users are refused). A route without an object factory below fails the
test, so a new id endpoint cannot be skipped silently; and each factory is checked by B's own
user reaching the object, so a factory cannot pass by pointing at nothing.

Rule profiles and rules (R11.3) are read and written only in Django's admin, which this walk
leaves out: tests/test_admin_scoping.py walks every profile and rule there instead.
"""

from __future__ import annotations

import hashlib
import random
import re
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from verkstall.access import declarations
from verkstall.access.roles import PROVIDER_ROLES, Role
from verkstall.core import clock
from verkstall.tooling import canaries
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db

OMVARDNAD = "hemtjanst-omvardnad"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# --- the routes ------------------------------------------------------------------------------


def _template(pattern: str) -> str:
    """`api/^orders/(?P<pk>[^/.]+)/send/$` -> `api/orders/{pk}/send/`; `<int:pk>` -> `{pk}`."""
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", pattern)
    text = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", text)
    return text.replace("^", "").replace("$", "").replace("\\.", ".")


def id_routes():
    """(template, callback) of every route with an object id in its path: API routes with a
    path parameter (format suffixes aside), screens with an `<int:...>`; not Django's admin."""
    routes = []
    for pattern, callback, namespaces, _name in declarations.walk_urls():
        if "admin" in namespaces or "(?P<format>" in pattern or "<drf_format_suffix" in pattern:
            continue
        if declarations.is_api_view(callback):
            if "(?P<" not in pattern:
                continue
        elif "<int:" not in pattern:
            continue
        routes.append((_template(pattern), callback))
    return routes


# --- the organisations -----------------------------------------------------------------------


class Side:
    """One organisation: a unit of a municipality with its officer, two providers and their
    users, the municipality-wide roles, and one of every object an id route can name."""

    def __init__(self, muni=None, tag="a"):
        from verkstall.absences import services as absences
        from verkstall.deadlines.models import DueItem
        from verkstall.decisions.models import ServiceType
        from verkstall.decisions.services import record_decision
        from verkstall.followups import services as followups
        from verkstall.journal import services as journal
        from verkstall.orders import services as orders
        from verkstall.orders import switch_services
        from verkstall.people import protection_services
        from verkstall.people import services as people
        from verkstall.plans import services as plans
        from verkstall.providers.models import Contract
        from verkstall.providers.rotation_services import assign_by_rotation

        today = clock.today()
        # Canaries (issue 11): every free text and every client field of this side; the
        # other sides' users must find none of them in any answer, whatever its status.
        rng = random.Random(tag)
        self.canaries: dict[str, str] = {}

        def canary(what: str) -> str:
            text = canaries.token(rng, tag)
            self.canaries[text] = f"{what} of side {tag}"
            return text

        self.muni = muni or build.municipality(profile="gotland")
        self.unit = build.unit(self.muni)
        self.area = build.area(self.muni)
        self.provider = build.provider(self.muni)
        self.new_provider = build.provider(self.muni)
        self.users = {
            Role.OFFICER: build.user(Role.OFFICER, self.muni, unit=self.unit),
            Role.PROVIDER_STAFF: build.user(Role.PROVIDER_STAFF, self.muni, provider=self.provider),
            Role.PROVIDER_MANAGER: build.user(
                Role.PROVIDER_MANAGER, self.muni, provider=self.provider
            ),
        }
        for role in set(Role) - set(self.users):
            self.users[role] = build.user(role, self.muni)
        officer, staff = self.users[Role.OFFICER], self.users[Role.PROVIDER_STAFF]
        service_type = ServiceType.objects.get(code=OMVARDNAD)
        for provider in (self.provider, self.new_provider):
            self.contract = Contract.objects.create(
                municipality=self.muni,
                provider=provider,
                service_type=service_type,
                area=self.area,
                valid_from=today - timedelta(days=365),
                in_no_choice=True,
            )

        def client(first_name):
            person = people.register_person(
                officer,
                personal_number=build.test_number(),
                first_name=canary(f"first name ({first_name})"),
                last_name=canary("last name"),
                street_address=canary("street address"),
                city=canary("city"),
                phone=canary("phone"),
                whereabouts=canary("whereabouts"),
                relatives=[
                    {"name": canary("relative's name"), "phone": canary("relative's phone")}
                ],
                area=self.area.pk,
                latitude="57.6348",
                longitude="18.2948",
            )
            for form in canaries.number_forms(person.personal_number):
                self.canaries[form] = f"personnummer of side {tag}"
            decision = record_decision(
                officer,
                person=person,
                decided_on=today - timedelta(days=3),
                assessment_summary=canary("assessment"),
                goals=[canary("decision goal")],  # seed 002
                services=[
                    {
                        "service_type": OMVARDNAD,
                        "scope_amount": "10",
                        "scope_unit": "hours_per_month",
                    }
                ],
            )
            return person, decision

        self.person, self.decision = client("Bo")
        # A correction of the client's address, kept in its history (R1.1).
        people.update_person(
            officer,
            self.person,
            street_address=canary("corrected street address"),
            reason=canary("reason of a correction"),
        )
        self.relative = self.person.relatives.order_by("pk").first()
        self.granted_service = self.decision.services.get()
        order = orders.create_order(
            officer,
            decision=self.decision,
            provider=self.provider,
            instructions=canary("order instructions"),
        )
        orders.send_order(officer, order)
        orders.acknowledge_order(staff, order)
        orders.register_start(staff, order, start_date=today)
        self.order = order.__class__.objects.get(pk=order.pk)
        from verkstall.orders import casework_services  # R7.2: a report to the officer

        casework_services.report_support_not_received(
            staff, self.order, from_date=today, reason=canary("support not received")
        )
        # A safety alarm ordered from the aids centre, with meal delivery, and a contact move
        # after a switch (R4.1, R3.6, R2.6); sent before the client is protected (R10.1).
        from verkstall.alarms import services as alarms
        from verkstall.alarms.models import AlarmContactMove

        alarm_decision = record_decision(
            officer,
            person=self.person,
            decided_on=today - timedelta(days=3),
            assessment_summary=canary("assessment"),
            services=[
                {"service_type": "trygghetslarm", "scope_amount": "1", "scope_unit": "place"},
                {
                    "service_type": "matdistribution",
                    "scope_amount": "7",
                    "scope_unit": "days_per_week",
                },
            ],
        )
        alarm_order = orders.create_order(
            officer,
            decision=alarm_decision,
            provider=self.provider,
            instructions=canary("order instructions"),
        )
        orders.send_order(officer, alarm_order)
        alarms.register_alarm_ordered(staff, order=alarm_order)
        self.alarm_order = alarm_order
        self.contact_move = AlarmContactMove.objects.create(
            municipality=self.muni,
            order=alarm_order,
            old_provider=self.new_provider,
            new_provider=self.provider,
            from_date=today,
        )
        # Cleaning on voucher: a voucher issued and a start from the report form (R4.2).
        from verkstall.vouchers import services as vouchers

        cleaning_decision = record_decision(
            officer,
            person=self.person,
            decided_on=today - timedelta(days=3),
            assessment_summary=canary("assessment"),
            goals=[canary("decision goal")],
            services=[
                {
                    "service_type": "hemtjanst-stad",
                    "scope_amount": "2",
                    "scope_unit": "hours_per_month",
                    "frequency": canary("cleaning frequency"),
                }
            ],
        )
        cleaning_order = orders.create_order(
            officer,
            decision=cleaning_decision,
            provider=self.provider,
            instructions=canary("order instructions"),
        )
        orders.send_order(officer, cleaning_order)
        self.voucher = vouchers.issue_voucher(officer, order=cleaning_order, kind="cleaning")
        self.voucher_report = vouchers.register_report(
            staff, order=cleaning_order, kind="start", occurred_on=today, note=canary("report")
        )
        self.cleaning_order = cleaning_order

        # Payments (R9.2, R9.4): a respite order with performed time, and a price of the
        # municipality (one per municipality: a second side of it reuses the first's).
        from verkstall.payments import services as payments
        from verkstall.payments.models import Price

        respite = record_decision(
            officer,
            person=self.person,
            decided_on=today - timedelta(days=3),
            assessment_summary=canary("assessment"),
            services=[
                {"service_type": "avlosning", "scope_amount": "8", "scope_unit": "hours_per_month"}
            ],
        )
        self.time_order = orders.create_order(
            officer,
            decision=respite,
            provider=self.provider,
            instructions=canary("order instructions"),
        )
        orders.send_order(officer, self.time_order)
        orders.acknowledge_order(staff, self.time_order)
        orders.register_start(staff, self.time_order, start_date=today)
        self.performed_time = payments.register_performed_time(
            staff,
            order=self.time_order,
            granted_service=respite.services.get(),
            day=today,
            hours="2",
            note=canary("performed time note"),
        )
        self.price = Price.objects.filter(municipality=self.muni).first()
        if self.price is None:
            self.price = payments.add_price(
                self.users[Role.LOV_ADMIN],
                service_type="avlosning",
                unit="performed_hour",
                amount="380",
                valid_from=today - timedelta(days=400),
            )
        self.grant = protection_services.set_protection(
            officer, self.person, protection="confidentiality_marking"
        ).protected_access.get()
        self.protection_request = protection_services.request_protected_access(
            officer, self.person, user=staff, reason=canary("protection request reason")
        )
        plan = plans.start_plan(
            staff,
            self.order,
            what=canary("plan text"),
            how="Lugnt.",
            when="Dagligen.",
            by_whom="Personalen.",
            participation="Deltog.",
        )
        plans.upload_document(staff, plan, upload=SimpleUploadedFile("plan.pdf", PDF))
        # The plan's answer to the decision's goal (seed 002, R5.2).
        from verkstall.plans import goal_services as plan_goals

        plan_goals.save_goal_entries(
            staff, plan, entries={self.decision.goals.get().pk: canary("plan goal entry")}
        )
        self.plan = plans.send_plan(staff, plan)
        # The plan shared with the person (R5.2), with a note of how.
        from verkstall.plans.sharing_services import share_plan

        share_plan(
            staff,
            self.plan,
            shared=True,
            shared_on=today,
            method="in_person",
            note=canary("plan sharing note"),
        )
        self.followup = followups.request_status(officer, self.order, canary("follow-up"))
        # A request for a service without needs assessment (R1.3): who asked, and a note.
        from verkstall.decisions.iub_services import register_iub_request

        self.iub_request = register_iub_request(
            officer,
            person=self.person,
            asked_by=canary("who asked for IUB"),
            asked_on=today,
            channel="phone",
            note=canary("IUB request note"),
        )
        # A correction of the decision with its reason (R1.1), and a follow-up of the cleaning
        # order that judged how its decision's goal was met (seed 002, R6.3).
        from verkstall.decisions.correction_services import correct_decision

        self.correction = correct_decision(
            officer,
            self.decision,
            assessment_summary=canary("corrected assessment"),
            reason=canary("reason of a decision correction"),
        )
        cleaning_goal = cleaning_decision.goals.get()
        followups.record_followup(
            officer,
            cleaning_order,
            "unchanged",
            goal_outcomes=[
                {"goal": cleaning_goal.pk, "assessment": "met", "note": canary("goal outcome")}
            ],
        )
        self.absence = absences.register_absence(
            staff, self.order, reason="hospital", from_date=today, to_date=today + timedelta(1)
        )
        absences.receive_notice(officer, self.person, kind="admission", occurred_at=clock.now())
        self.receipt = _receipt(self.order)
        self.message = journal.send_message(
            officer,
            person=self.person,
            order=self.order,
            subject=canary("message subject"),
            body=canary("message body"),
        )
        self.journal_entry = journal.record_document_received(
            officer,
            person=self.person,
            title="Inkommen handling",
            text=canary("case journal"),
            upload=SimpleUploadedFile("scan.pdf", PDF),
        )
        self.switch = switch_services.request_switch(
            officer, order=self.order, new_provider=self.new_provider, requested_on=today
        )
        self.due_item = DueItem.objects.filter(order=self.order).first()
        self.rotation_person, rotation_decision = client("Rut")
        self.assignment = assign_by_rotation(
            officer, granted_service=rotation_decision.services.get()
        )
        # The care-home queue (R8): an urgent placement with a place offered.
        from verkstall.placements import services as placements

        home = build.provider_unit(self.provider, "Vård- och omsorgsboendet")
        home.service_types.add(ServiceType.objects.get(code="vard-och-omsorgsboende"))
        care_home = record_decision(
            officer,
            person=self.person,
            decided_on=today - timedelta(days=2),
            services=[
                {
                    "service_type": "vard-och-omsorgsboende",
                    "scope_amount": "1",
                    "scope_unit": "place",
                }
            ],
        )
        self.queue_entry = placements.enqueue(
            officer,
            granted_service=care_home.services.get(),
            homes=[home],
            urgent=True,
            current_location=canary("current location in the queue"),
            discharge_ready_at=clock.now() - timedelta(hours=2),
            notes=canary("queue notes"),
        )
        self.place_offer = placements.offer_place(
            self.users[Role.PLACEMENT_UNIT], entry=self.queue_entry, home=home
        )
        # A temporary stay from another municipality (R8.4), posted by the e-service.
        from verkstall.core.personal_number import make_test_personal_number
        from verkstall.placements import stay_services

        self.stay_intake, _ = stay_services.receive_intake(
            self.users[Role.PLACEMENT_UNIT],
            external_id=f"e-tjanst-{tag}",
            personal_number=make_test_personal_number(date(1940, 5, 5)).value,
            first_name="Vera",
            last_name=canary("stay intake name"),
            home_municipality_name="Annan kommun",
            stay_from=today,
            stay_to=today + timedelta(days=30),
            street_address=canary("stay address"),
            help_requested=canary("stay help requested"),
        )
        # The quarterly IVO report (R9.5): a decision not started for 200 days, in this
        # quarter's report (one per municipality and quarter: a second side of the same
        # municipality brings it up to date).
        from verkstall.ivo import services as ivo
        from verkstall.ivo.models import IvoReport
        from verkstall.ivo.quarters import Quarter

        late = record_decision(
            officer,
            person=self.person,
            decided_on=today - timedelta(days=200),
            assessment_summary=canary("assessment"),
            services=[
                {"service_type": OMVARDNAD, "scope_amount": "5", "scope_unit": "hours_per_month"}
            ],
        )
        lov = self.users[Role.LOV_ADMIN]
        self.ivo_report = IvoReport.objects.filter(municipality=self.muni).first()
        if self.ivo_report is None:
            self.ivo_report = ivo.create_report(lov, quarter=Quarter.of(today).code)
        else:
            ivo.refresh_report(lov, self.ivo_report)
        self.ivo_case = self.ivo_report.cases.get(granted_service__decision=late)
        # A fee notice (R9.3): the provider's own, on the order.
        from verkstall.fees import services as fees

        self.fee_notice = fees.report_fee_notice(
            staff, order=self.order, text=canary("fee notice"), effective_from=today
        )
        # The provider's own system and its webhook (issue 20).
        from verkstall.access.models import ApiToken
        from verkstall.integrations.client_services import create_client
        from verkstall.integrations.models import WebhookEndpoint

        manager = self.users[Role.PROVIDER_MANAGER]
        self.api_client, _ = create_client(manager, name=f"System {tag}", can_write=True)
        self.api_token = ApiToken.objects.get(user=self.api_client.user)
        self.webhook = WebhookEndpoint.objects.create(
            client=self.api_client,
            url=f"https://mottagare-{tag}.example/hook",
            secret="0" * 64,
            created_by=manager,
        )
        # A contract file checked in the background, done (issue 17 item 8): contract data only.
        from verkstall.providers import import_queue_services, import_services

        self.import_job = import_queue_services.queue_import(
            lov,
            filename="avtal.csv",
            content=f"utförare;insats;område;från\n{self.provider.name};{OMVARDNAD};"
            f"{self.area.name};{today.isoformat()}\n".encode(),
            dry_run=True,
            rows=5000,
        )
        import_services.run_import_job(job_id=self.import_job.pk)
        # The month's payment basis written as a file in the background, done (issue 17 item
        # 8): the file names the side's clients; the job and its file are its starter's alone.
        from verkstall.jobs import queue_services
        from verkstall.jobs import services as job_services

        self.job = queue_services.start_job(
            lov,
            kind="payment_basis_file",
            params={"period": f"{today:%Y-%m}", "provider": None, "format": "csv"},
        )
        assert job_services.run_job(job_id=self.job.pk) == "done"


def _receipt(order):
    from verkstall.absences.models import NoticeReceipt

    return NoticeReceipt.objects.get(order=order)


def _draft_keys(s) -> list[dict]:
    """Every kind of draft (issue 17 item 1; drafts/registry.py), keyed by side `s`'s object
    that its screen names: the endpoint reads it through that screen's selectors."""
    keys = [
        ("plan", s.order.pk, "what"),
        ("followup", s.order.pk, "question"),
        ("order-new", s.decision.pk, "instructions"),
        ("case-journal", s.person.pk, "note-text"),
        ("provider-journal", s.order.pk, "text"),
        ("message", s.order.pk, "body"),
        ("message-person", s.person.pk, "body"),
        ("decision-new", s.person.pk, "assessment_summary"),
        ("decision-correct", s.decision.pk, "reason"),
    ]
    return [{"kind": kind, "pk": pk, "field": field} for kind, pk, field in keys]


# Every id route: the path parameters naming an object of side `s` (a list: one request
# each), and whether the object is municipality-wide reference data (seen by every unit and
# provider of the municipality, so only another municipality is refused).
ORDER_ACTIONS = ["send", "acknowledge", "start", "end", "cancel"]
SWITCH_STEPS = ["inform", "agree", "complete"]
# Steps beside the transitions (issue 16, orders.casework_services).
CASEWORK_STEPS = ["not-started", "support-not-received", "new-client-told", "route"]
FACTORIES = {
    # API
    "api/persons/{pk}/": lambda s: [{"pk": s.person.pk}],
    "api/persons/{pk}/protected-access/": lambda s: [{"pk": s.person.pk}],
    "api/persons/{pk}/protection/": lambda s: [{"pk": s.person.pk}],
    "api/persons/{pk}/protected-access/{grant_pk}/revoke/": lambda s: [
        {"pk": s.person.pk, "grant_pk": s.grant.pk}
    ],
    "api/persons/{pk}/protection-requests/": lambda s: [{"pk": s.person.pk}],
    # corrections of a client's data and relatives, and its history (R1.1)
    "api/persons/{pk}/changes/": lambda s: [{"pk": s.person.pk}],
    "api/persons/{pk}/relatives/": lambda s: [{"pk": s.person.pk}],
    **{
        f"api/persons/{{pk}}/relatives/{{relative_pk}}/{tail}": (
            lambda s: [{"pk": s.person.pk, "relative_pk": s.relative.pk}]
        )
        for tail in ("", "remove/")
    },
    "api/orders/{pk}/correct-draft/": lambda s: [{"pk": s.order.pk}],
    # requests for a service without needs assessment (R1.3) and the transfer at 65 (R1.4)
    "api/iub-requests/{pk}/": lambda s: [{"pk": s.iub_request.pk}],
    "clients/{person_pk}/iub-requests/new/": lambda s: [{"person_pk": s.person.pk}],
    "clients/{pk}/transfer/": lambda s: [{"pk": s.person.pk}],
    **{
        f"api/persons/{{pk}}/protection-requests/{{request_pk}}/{step}/": (
            lambda s: [{"pk": s.person.pk, "request_pk": s.protection_request.pk}]
        )
        for step in ("approve", "reject")
    },
    "api/decisions/{pk}/": lambda s: [{"pk": s.decision.pk}],
    # a decision's corrections and its goals (R1.1, seed 002)
    "api/decisions/{pk}/corrections/": lambda s: [{"pk": s.decision.pk}],
    "api/decisions/{pk}/correct/": lambda s: [{"pk": s.decision.pk}],
    "api/providers/{pk}/": lambda s: [{"pk": s.provider.pk}],
    "api/orders/{pk}/": lambda s: [{"pk": s.order.pk}],
    **{f"api/orders/{{pk}}/{a}/": (lambda s: [{"pk": s.order.pk}]) for a in ORDER_ACTIONS},
    "api/orders/{pk}/oral-briefings/": lambda s: [{"pk": s.order.pk}],
    "api/orders/{pk}/receipt/": lambda s: [{"pk": s.order.pk}],
    "api/orders/{pk}/correct-date/": lambda s: [{"pk": s.order.pk}],
    **{f"api/orders/{{pk}}/{a}/": (lambda s: [{"pk": s.order.pk}]) for a in CASEWORK_STEPS},
    "api/due-items/{pk}/": lambda s: [{"pk": s.due_item.pk}],
    "api/plans/{pk}/": lambda s: [{"pk": s.plan.pk}],
    "api/plans/{pk}/confirm/": lambda s: [{"pk": s.plan.pk}],
    "api/plans/{pk}/share/": lambda s: [{"pk": s.plan.pk}],  # R5.2
    "api/messages/{pk}/": lambda s: [{"pk": s.message.pk}],
    "api/messages/{pk}/read/": lambda s: [{"pk": s.message.pk}],
    "api/notice-receipts/{pk}/": lambda s: [{"pk": s.receipt.pk}],
    "api/notice-receipts/{pk}/acknowledge/": lambda s: [{"pk": s.receipt.pk}],
    # screens
    "clients/{pk}/": lambda s: [{"pk": s.person.pk}],
    "clients/{pk}/protection/": lambda s: [{"pk": s.person.pk}],
    "clients/{pk}/protected-access/": lambda s: [{"pk": s.person.pk}],
    "clients/{pk}/protected-access/{grant_pk}/revoke/": lambda s: [
        {"pk": s.person.pk, "grant_pk": s.grant.pk}
    ],
    "clients/{pk}/protection-requests/{request_pk}/": lambda s: [
        {"pk": s.person.pk, "request_pk": s.protection_request.pk}
    ],
    "clients/orders/{order_pk}/oral-briefing/": lambda s: [{"order_pk": s.order.pk}],
    **{
        f"clients/{{pk}}/{tail}": (lambda s: [{"pk": s.person.pk}])
        for tail in ("edit/", "history/", "relatives/new/")
    },
    **{
        f"clients/{{pk}}/relatives/{{relative_pk}}/{tail}": (
            lambda s: [{"pk": s.person.pk, "relative_pk": s.relative.pk}]
        )
        for tail in ("edit/", "remove/")
    },
    "orders/{pk}/edit/": lambda s: [{"pk": s.order.pk}],  # a draft's correction (R1.1)
    # drafts of long text fields while typing (issue 17 item 1): every kind
    "drafts/{kind}/{pk}/{field}/": _draft_keys,
    "drafts/{kind}/{pk}/{field}/discard/": _draft_keys,
    "clients/{person_pk}/decisions/new/": lambda s: [{"person_pk": s.person.pk}],
    "decisions/{pk}/letter.pdf": lambda s: [{"pk": s.decision.pk}],
    "decisions/{pk}/": lambda s: [{"pk": s.decision.pk}],
    "decisions/{pk}/correct/": lambda s: [{"pk": s.decision.pk}],
    "clients/{person_pk}/journal/": lambda s: [{"person_pk": s.person.pk}],
    "clients/{person_pk}/journal/{entry_pk}/document/": lambda s: [
        {"person_pk": s.person.pk, "entry_pk": s.journal_entry.pk}
    ],
    "orders/{order_pk}/provider-journal/": lambda s: [{"order_pk": s.order.pk}],
    "messages/{pk}/": lambda s: [{"pk": s.message.pk}],
    "orders/{pk}/document.pdf": lambda s: [{"pk": s.order.pk}],
    "orders/{pk}/print/": lambda s: [{"pk": s.order.pk}],
    "orders/{pk}/delivery/": lambda s: [{"pk": s.order.pk}],
    "orders/{pk}/delivery/email/": lambda s: [{"pk": s.order.pk}],
    "orders/{pk}/plan/": lambda s: [{"pk": s.order.pk}],
    "orders/{pk}/plan/start/": lambda s: [{"pk": s.order.pk}],
    **{
        f"orders/{{pk}}/plan/{{plan_pk}}/{step}/": (
            lambda s: [{"pk": s.order.pk, "plan_pk": s.plan.pk}]
        )
        for step in ("save", "confirm", "review", "share", "document")
    },
    "orders/{pk}/followups/": lambda s: [{"pk": s.order.pk}],
    "orders/{pk}/followups/request/": lambda s: [{"pk": s.order.pk}],
    "orders/{pk}/followups/{followup_pk}/answer/": lambda s: [
        {"pk": s.order.pk, "followup_pk": s.followup.pk}
    ],
    "orders/{pk}/followups/record/": lambda s: [{"pk": s.order.pk}],
    "orders/{pk}/followups/iub-request/": lambda s: [{"pk": s.order.pk}],
    "orders/{pk}/absences/": lambda s: [{"pk": s.order.pk}],
    "absences/{pk}/end/": lambda s: [{"pk": s.absence.pk}],
    "absences/{pk}/report/": lambda s: [{"pk": s.absence.pk}],
    "absences/short-term-stay/{person_pk}/": lambda s: [{"person_pk": s.person.pk}],
    "notices/{pk}/acknowledge/": lambda s: [{"pk": s.receipt.pk}],
    "orders/{pk}/change/report/": lambda s: [{"pk": s.order.pk}],
    "orders/{pk}/change/reissue/": lambda s: [{"pk": s.order.pk}],
    "orders/{pk}/": lambda s: [{"pk": s.order.pk}],
    "orders/{pk}/receipt/": lambda s: [{"pk": s.order.pk}],
    "orders/{pk}/correct-date/": lambda s: [{"pk": s.order.pk}],
    **{f"orders/{{pk}}/{a}/": (lambda s: [{"pk": s.order.pk}]) for a in CASEWORK_STEPS},
    "clients/{pk}/death/": lambda s: [{"pk": s.person.pk}],  # seed 004
    "orders/{pk}/{action}/": lambda s: [{"pk": s.order.pk, "action": a} for a in ORDER_ACTIONS],
    "decisions/{decision_pk}/orders/new/": lambda s: [{"decision_pk": s.decision.pk}],
    "switches/new/{order_pk}/": lambda s: [{"order_pk": s.order.pk}],
    "switches/{pk}/": lambda s: [{"pk": s.switch.pk}],
    "switches/{pk}/{step}/": lambda s: [{"pk": s.switch.pk, "step": t} for t in SWITCH_STEPS],
    "watchlist/{pk}/": lambda s: [{"pk": s.due_item.pk}],
    "clients/{person_pk}/services/{granted_service_pk}/choice/": lambda s: [
        {"person_pk": s.person.pk, "granted_service_pk": s.granted_service.pk}
    ],
    "clients/{person_pk}/services/{granted_service_pk}/proximity/": lambda s: [
        {"person_pk": s.person.pk, "granted_service_pk": s.granted_service.pk}
    ],
    "lov/contracts/{pk}/capacity/": lambda s: [{"pk": s.contract.pk}],
    "lov/contracts/import/{pk}/": lambda s: [{"pk": s.import_job.pk}],  # issue 17 item 8
    "rotation/assign/{granted_service_pk}/": lambda s: [
        {"granted_service_pk": s.granted_service.pk}
    ],
    "rotation/assignments/{pk}/": lambda s: [{"pk": s.assignment.pk}],
    # safety alarm and meal delivery (R4.1, R2.6, R3.6)
    "api/alarm-orders/{pk}/": lambda s: [{"pk": s.alarm_order.pk}],
    "api/alarm-orders/{pk}/ordered/": lambda s: [{"pk": s.alarm_order.pk}],
    "api/alarm-orders/{pk}/installed/": lambda s: [{"pk": s.alarm_order.pk}],
    "api/alarm-contact-moves/{pk}/": lambda s: [{"pk": s.contact_move.pk}],
    "api/alarm-contact-moves/{pk}/confirm/": lambda s: [{"pk": s.contact_move.pk}],
    "api/meal-orders/{pk}/ordered/": lambda s: [{"pk": s.alarm_order.pk}],
    "orders/{pk}/alarm/": lambda s: [{"pk": s.alarm_order.pk}],
    "orders/{pk}/meal/": lambda s: [{"pk": s.alarm_order.pk}],
    "alarms/moves/{pk}/confirm/": lambda s: [{"pk": s.contact_move.pk}],
    "queue/new/{person_pk}/": lambda s: [{"person_pk": s.person.pk}],
    # cleaning and service on voucher (R4.2)
    **{
        f"vouchers/orders/{{pk}}/{tail}": lambda s: [{"pk": s.cleaning_order.pk}]
        for tail in ("", "issue/", "report/", "report-form.pdf")
    },
    "vouchers/{pk}.pdf": lambda s: [{"pk": s.voucher.pk}],
    "queue/{pk}/": lambda s: [{"pk": s.queue_entry.pk}],
    "queue/{pk}/offer/": lambda s: [{"pk": s.queue_entry.pk}],
    "queue/{pk}/offers/{offer_pk}/answer/": lambda s: [
        {"pk": s.queue_entry.pk, "offer_pk": s.place_offer.pk}
    ],
    "queue/{pk}/order/": lambda s: [{"pk": s.queue_entry.pk}],
    "stays/{pk}/": lambda s: [{"pk": s.stay_intake.pk}],
    "stays/{pk}/register/": lambda s: [{"pk": s.stay_intake.pk}],
    "stays/{pk}/decline/": lambda s: [{"pk": s.stay_intake.pk}],
    "queue/{pk}/withdraw/": lambda s: [{"pk": s.queue_entry.pk}],
    # the API of the queue, temporary stays and vouchers (R8.1, R8.2, R8.3, R8.4, R4.2)
    **{
        f"api/queue-entries/{{pk}}/{tail}": lambda s: [{"pk": s.queue_entry.pk}]
        for tail in ("", "offer/", "answer/", "order/", "withdraw/")
    },
    **{
        f"api/stay-intakes/{{pk}}/{tail}": lambda s: [{"pk": s.stay_intake.pk}]
        for tail in ("", "register/", "decline/")
    },
    "api/vouchers/{pk}/": lambda s: [{"pk": s.voucher.pk}],
    "api/voucher-reports/{pk}/": lambda s: [{"pk": s.voucher_report.pk}],
    # the quarterly IVO report (R9.5)
    **{
        f"api/ivo-reports/{{pk}}/{tail}": lambda s: [{"pk": s.ivo_report.pk}]
        for tail in ("", "refresh/", "submit/", "reason/")
    },
    "ivo/cases/{pk}/reason/": lambda s: [{"pk": s.ivo_case.pk}],
    # fee notices to the fee officer (R9.3)
    "api/fee-notices/{pk}/": lambda s: [{"pk": s.fee_notice.pk}],
    "api/fee-notices/{pk}/handle/": lambda s: [{"pk": s.fee_notice.pk}],
    "fee-notices/{pk}/handle/": lambda s: [{"pk": s.fee_notice.pk}],
    "orders/{pk}/fee-notices/": lambda s: [{"pk": s.order.pk}],
    # payments: performed time, prices (R9.2, R9.4)
    "api/performed-time/{pk}/": lambda s: [{"pk": s.performed_time.pk}],
    **{
        f"payments/orders/{{pk}}/{tail}": lambda s: [{"pk": s.time_order.pk}]
        for tail in ("time/", "time/add/")
    },
    **{
        f"payments/time/{{pk}}/{tail}": lambda s: [{"pk": s.performed_time.pk}]
        for tail in ("change/", "remove/")
    },
    "payments/prices/{pk}/end/": lambda s: [{"pk": s.price.pk}],
    # background jobs (issue 17 item 8): the starter's own, the page and its file
    "jobs/{pk}/": lambda s: [{"pk": s.job.pk}],
    "jobs/{pk}/file/": lambda s: [{"pk": s.job.pk}],
    # the provider's own systems: API clients, keys and webhooks (issue 20)
    **{
        f"integrationer/klienter/{{pk}}/{tail}": lambda s: [{"pk": s.api_client.pk}]
        for tail in ("nycklar/", "avsluta/", "webhooks/")
    },
    "integrationer/klienter/{pk}/nycklar/{token_pk}/aterkalla/": lambda s: [
        {"pk": s.api_client.pk, "token_pk": s.api_token.pk}
    ],
    **{
        f"integrationer/webhooks/{{pk}}/{tail}": lambda s: [{"pk": s.webhook.pk}]
        for tail in ("", "skicka-igen/", "aktiv/")
    },
}
# Reference data of the whole municipality: another unit or provider of it may see it.
MUNICIPALITY_WIDE = {
    "api/providers/{pk}/",
    "lov/contracts/{pk}/capacity/",
    "lov/contracts/import/{pk}/",
    "payments/prices/{pk}/end/",
}


def test_every_id_route_has_an_object_factory():  # Actors
    missing = sorted({t for t, _cb in id_routes()} - set(FACTORIES))
    assert missing == [], "id routes without an object factory in tests/test_idor.py:\n" + (
        "\n".join(missing)
    )
    stale = sorted(set(FACTORIES) - {t for t, _cb in id_routes()})
    assert stale == [], f"factories for routes that no longer exist: {stale}"


# --- the requests ----------------------------------------------------------------------------

EXCLUDED_MODELS = {"audit", "sessions", "axes", "django_tasks_database", "admin"}


def fingerprint() -> str:
    """Every row of the application's tables (not the access log, sessions or lockouts, which
    a request is meant to write) and the outbox, as one hash."""
    digest = hashlib.sha256()
    for model in sorted(apps.get_models(), key=lambda m: m._meta.label):
        if model._meta.app_label in EXCLUDED_MODELS:
            continue
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "last_login"]
        rows = model.objects.order_by("pk").values_list(*fields)
        digest.update(model._meta.label.encode() + repr(list(rows)).encode())
    digest.update(repr([(m.subject, m.to) for m in mail.outbox]).encode())
    return digest.hexdigest()


def _access(template, callback, method):
    if declarations.is_api_view(callback):
        action = (callback.actions or {}).get(method)
        if action is None:
            return None
        return declarations.for_api(callback.cls, action)
    return declarations.for_view(callback)


def _methods(callback) -> list[str]:
    if declarations.is_api_view(callback):
        return [*sorted(callback.actions), "options"]
    # A screen is a function: it may take any method (those it does not are 405, below).
    return ["get", "post", "put", "patch", "delete"]


class Requester:
    def __init__(self):
        self.clients = {}

    def client(self, user, api: bool):
        key = (user.pk, api)
        if key not in self.clients:
            if api:
                client = APIClient()
                client.force_authenticate(user)
            else:
                client = Client()
                client.force_login(user)
            self.clients[key] = client
        return self.clients[key]

    def request(self, user, api: bool, method: str, url: str, variant: str = ""):
        """`variant`: "" as is; for an API GET "format=api" or "accept" (the browsable API,
        kept on in the test settings); for a screen "htmx" (a partial)."""
        client = self.client(user, api)
        headers = {}
        if variant == "accept":
            headers["Accept"] = "text/html"
        elif variant == "htmx":
            headers["HX-Request"] = "true"
        if variant == "format=api":
            return client.get(url, {"format": "api"})
        if api and method != "get":
            return getattr(client, method)(url, {}, format="json", headers=headers)
        return getattr(client, method)(url, headers=headers)


def scan(scanner, response, forbidden: dict[str, str], where: str, variant: str) -> None:
    """Scan one answer (any status) for the other side's canaries (issue 11)."""
    kind = canaries.response_kind(
        response, htmx=variant == "htmx", browsable=variant in ("format=api", "accept")
    )
    scanner.scan(canaries.response_text(response), forbidden, kind=kind, where=where)


@pytest.fixture
def sides(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    a = Side(tag="a")
    other_municipality = Side(tag="b")
    same_municipality = Side(muni=a.muni, tag="c")
    return a, other_municipality, same_municipality


def _owner_reaches(requester, owner_side, template, callback, kwargs) -> bool | None:
    """Whether B's own users of the declared roles find the object by GET: any answer but a
    404 (a 403 is a business refusal of a found object, e.g. a switch already in progress).
    None: the route has no GET."""
    access = _access(template, callback, "get")
    if access is None:
        return None
    url = "/" + template.format(**kwargs)
    api = declarations.is_api_view(callback)
    statuses = {
        _status(requester.request(owner_side.users[role], api, "get", url))
        for role in sorted(access.roles)
    }
    if statuses == {405}:
        return None
    return bool(statuses - {404})


def _status(response) -> int:
    """The answer's status, a GET of a POST-only screen counted as the 405 it is: the middleware
    sends it on to the page with the form, whatever the id (core.middleware, issue 17), and
    that page is checked as its own route."""
    return 405 if getattr(response, "form_page_redirect", False) else response.status_code


def test_no_id_route_gives_another_organisations_object(sides):  # Actors, tenancy
    a, other_municipality, same_municipality = sides
    requester = Requester()
    # Log every user in before the first fingerprint (logging in writes last_login and a
    # session), so what is compared is only what the requests did.
    for side in sides:
        for user in side.users.values():
            requester.client(user, api=False)
    failures, checked, factories_checked = [], 0, 0
    scanner = canaries.Scanner()
    for template, callback in id_routes():
        api = declarations.is_api_view(callback)
        for b, roles_of_a in (
            (other_municipality, set(Role)),
            (same_municipality, {Role.OFFICER, *PROVIDER_ROLES}),
        ):
            if b is same_municipality and template in MUNICIPALITY_WIDE:
                continue
            for kwargs in FACTORIES[template](b):
                url = "/" + template.format(**kwargs)
                before = fingerprint()
                for method in _methods(callback):
                    access = _access(template, callback, method if method != "options" else "get")
                    roles = (access.roles if access else set(Role)) & roles_of_a
                    for index, role in enumerate(sorted(roles)):
                        # The browsable API and htmx partials: for the first role of each GET.
                        variants = [""]
                        if method == "get" and index == 0:
                            variants += ["format=api", "accept"] if api else ["htmx"]
                        for variant in variants[1:]:
                            response = requester.request(a.users[role], api, method, url, variant)
                            where = f"{method.upper()} {url} as {role.value} ({variant})"
                            scan(scanner, response, b.canaries, where, variant)
                        response = requester.request(a.users[role], api, method, url)
                        scan(scanner, response, b.canaries, f"{method.upper()} {url}", "")
                        checked += 1
                        status = _status(response)
                        if status in (403, 404):
                            continue
                        if status == 405:
                            # Only if the route does not take the method at all: B's own
                            # user gets 405 too, before any row is read.
                            owner = b.users.get(role, None)
                            if owner and _status(requester.request(owner, api, method, url)) == 405:
                                continue
                        failures.append(f"{method.upper()} {url} as {role.value}: {status}")
                if fingerprint() != before:
                    failures.append(f"{url}: rows changed by another organisation's requests")
            if b is other_municipality:
                kwargs = FACTORIES[template](b)[0]
                reached = _owner_reaches(requester, b, template, callback, kwargs)
                if reached is False:
                    failures.append(f"{template}: the factory's object is not reachable by B")
                factories_checked += reached is True
    print(
        f"\nIDOR: {len(id_routes())} id routes, {checked} requests, {factories_checked} factories"
    )
    print(scanner.report())
    assert failures == [], "\n".join(failures)
    assert scanner.hits == [], "\n".join(scanner.hits)
    # Every answer here is a refusal (403/404/405: "error") or the browsable API's page.
    assert scanner.scanned["error"] > checked // 2, scanner.report()
    assert scanner.scanned["browsable-api"] > 20, scanner.report()
    assert checked > 500
    assert factories_checked > 30


# --- routes a secret in the URL authenticates (issue 17 item 7) -------------------------------

# Each such route and the test below that walks it: it has no object id to swap, its secret is
# the user; what must hold is that one user's secret never yields another's rows.
SECRET_ROUTES = {"calendar/{secret}.ics": "test_a_calendar_feed_holds_only_its_users_items"}


def test_every_route_with_a_secret_in_its_url_is_walked_here():  # Actors
    routes = {
        _template(pattern)
        for pattern, callback, namespaces, _name in declarations.walk_urls()
        if "admin" not in namespaces
        and not declarations.is_api_view(callback)
        and declarations.for_view(callback).url_token
    }
    assert routes == set(SECRET_ROUTES)
    assert all(name in globals() for name in SECRET_ROUTES.values())


def test_a_calendar_feed_holds_only_its_users_items(sides):  # Actors, tenancy, R10.4
    """Every user of A with a watchlist subscribes; each feed holds only due items that user
    may open (deadlines.due_item_selectors.item_scope), never one of B (another municipality,
    another unit and provider of A's) nor any of B's canaries or personnummer; B's revoked
    secret is a 404 to A's users, logged in or not, and changes no row."""
    from django.db.models import Q

    from verkstall.deadlines import calendar_feed_services
    from verkstall.deadlines.due_item_selectors import visible_items
    from verkstall.deadlines.ical import CRLF
    from verkstall.deadlines.models import DueItem

    a, other_municipality, same_municipality = sides
    others = (other_municipality, same_municipality)
    watchlist_roles = declarations.VIEWS["verkstall.deadlines.calendar_views.calendar_feed"].roles
    scanner = canaries.Scanner()
    # No client text at all is in a feed: every canary of B is forbidden to every role.
    forbidden = {k: v for b in others for k, v in b.canaries.items()}

    def items_of(*bs):
        """The due items of B's clients: of the orders and decisions of B's unit."""
        units = [b.unit for b in bs]
        of_b = Q(order__unit__in=units) | Q(order__isnull=True, decision__unit__in=units)
        return set(DueItem.objects.filter(of_b).values_list("pk", flat=True))

    # Another unit and provider of A's municipality is B to A's officer and provider users
    # (the role-wide lists of the placement unit, fee officer and aids centre span it).
    b_items = {
        role: items_of(*others)
        if role in (Role.OFFICER, *PROVIDER_ROLES)
        else items_of(other_municipality)
        for role in watchlist_roles
    }
    assert all(b_items.values())
    shown = 0
    for role in sorted(watchlist_roles):
        user = a.users[role]
        _feed, secret = calendar_feed_services.create_feed(user)
        response = Client().get(f"/calendar/{secret}.ics")
        assert response.status_code == 200, role
        text = canaries.response_text(response)  # unfolded
        scan(scanner, response, forbidden, f"the feed of {role.value}", "")
        items = {
            int(line.removeprefix("UID:bevakning-").removesuffix("@verkstall"))
            for line in text.split(CRLF)
            if line.startswith("UID:")
        }
        assert items <= set(visible_items(user).values_list("pk", flat=True)), role
        assert items.isdisjoint(b_items[role]), role
        shown += len(items)
    assert shown > 0  # the officer's follow-ups and the provider's plan at least
    assert scanner.hits == [], "\n".join(scanner.hits)
    assert scanner.scanned["ics"] == len(watchlist_roles), scanner.report()
    # B's secret, revoked: nothing for A, whoever asks, and no row changes.
    b = others[0]
    _feed, b_secret = calendar_feed_services.create_feed(b.users[Role.OFFICER])
    calendar_feed_services.revoke_feed(b.users[Role.OFFICER])
    before = fingerprint()
    requester = Requester()
    for role in sorted(watchlist_roles):
        for client in (Client(), requester.client(a.users[role], api=False)):
            assert client.get(f"/calendar/{b_secret}.ics").status_code == 404
    assert fingerprint() == before


# --- the client search and the recently opened clients (issue 17 item 5) ----------------------

# No id in their paths: what must hold is that another organisation's client is never found
# or listed, whatever is typed into the search.


def test_the_client_search_finds_no_other_organisations_client(sides):  # Actors, tenancy
    """A's users of every role that may search post B's client's personnummer in each written
    form and its name: the results page (reached by the redirect, whose address holds none of
    it) lists nobody of B and holds no canary of B but the text A typed; a probe of B's client
    page (404) does not put it among A's recently opened. B's own officer finds the client,
    so the search is not vacuous."""
    a, other_municipality, same_municipality = sides
    roles = declarations.VIEWS["verkstall.orders.client_search_views.client_search"].roles
    requester, scanner, checked = Requester(), canaries.Scanner(), 0
    for b, roles_of_a in (
        (other_municipality, set(Role)),
        (same_municipality, {Role.OFFICER, *PROVIDER_ROLES}),
    ):
        n = b.person.personal_number
        texts = [n, f"{n[:8]}-{n[8:]}", n[2:], f"{n[2:8]}-{n[8:]}", b.person.last_name]
        for role in sorted(roles & roles_of_a):
            client = requester.client(a.users[role], api=False)
            client.get(f"/clients/{b.person.pk}/")  # refused: never one of the recent
            for text in texts:
                response = client.post("/clients/search/", {"q": text}, follow=True)
                assert response.status_code == 200
                assert response.redirect_chain == [("/clients/search/", 302)]
                assert response.context["persons"].total == 0, (role, text)
                forbidden = {k: v for k, v in b.canaries.items() if k != text}
                scan(scanner, response, forbidden, f"search {text!r} as {role.value}", "")
                checked += 1
            recent = client.get("/clients/recent/", headers={"HX-Request": "true"})
            assert b.person.pk not in {p.pk for p in recent.context["recent"]}
            scan(scanner, recent, b.canaries, f"recent as {role.value}", "htmx")
    owner = requester.client(other_municipality.users[Role.OFFICER], api=False)
    n = other_municipality.person.personal_number
    found = owner.post("/clients/search/", {"q": n[2:]}, follow=True).context["persons"]
    assert [p.pk for p in found] == [other_municipality.person.pk]
    assert scanner.hits == [], "\n".join(scanner.hits)
    assert checked >= 5 * (len(roles) + 3)
