"""Schemathesis over the whole OpenAPI schema (issue item 6b): as a logged-in case officer and
as provider staff (token auth, as providers' systems call it), with data present, every
operation of /api/schema/ is called with generated requests, valid and invalid, and every
answer must be no server error, a documented status code, the documented content type, and a
body that matches the documented schema.

Path ids are real ids (of any organisation) two times in three, so the 200 bodies are checked
too, not only the 404s; each call is rolled back, so every example meets the same data. CI
runs VERKSTALL_SCHEMATHESIS_EXAMPLES examples per operation and mode (default 10); by hand,
for more:

    VERKSTALL_SCHEMATHESIS_EXAMPLES=200 .venv/bin/python -m pytest -q -p no:cacheprovider \\
        tests/test_schemathesis.py
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from verkstall.access.roles import Role
from verkstall.access.token_services import issue_token
from verkstall.tooling.isolation_world import build_world

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("VERKSTALL_SCHEMATHESIS_EXAMPLES", "10"))
PAGINATION = "verkstall.core.pagination.LimitOffsetPagination"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Found by this test in people/api.py, which this change does not edit (reported to its
# owner): (operation, a part of the failure message). Each is tolerated only in that form;
# remove it when fixed.
# Failures fixed elsewhere and tolerated here until then: (operation, part of the message).
# Empty: keep it so, and fix what schemathesis finds instead of listing it.
KNOWN: list[tuple[str, str]] = []
# The same, for a server error: (operation, the body field that held an integer beyond 64 bits).
KNOWN_OVERFLOWS: list[tuple[str, str]] = []
# A world of two municipalities with orders in every state, plans, messages, notices.
WORLD = [
    {
        "profile": "stockholm-hv",
        "providers": [False],
        "clients": [
            (u, [(p, life)], False)
            for u, p, life in [
                (0, 0, "draft"),
                (0, 0, "sent"),
                (0, 0, "acknowledged"),
                (0, 0, "started"),
                (0, 1, "started"),
                (0, 0, "ended"),
                (1, 0, "started"),
                (0, 0, "cancelled_sent"),
            ]
        ],
    },
    {
        "profile": "gotland",
        "providers": [True],
        "clients": [(0, [(0, "started")], True), (1, [(1, "sent")], False)],
    },
]


@pytest.fixture
def wsgi_app():
    return get_wsgi_application()


@contextmanager
def inside_the_test_transaction():
    """Django's handler closes the connection at each request's start and end (the test
    client switches that off around its own requests, and on again after them); on PostgreSQL
    that would end the test's transaction, so it is off around each call here too. A server
    error's failed statement is rolled back to a savepoint, so the next call can go on."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    savepoint = transaction.savepoint()
    try:
        yield
    except BaseException:
        transaction.savepoint_rollback(savepoint)
        raise
    else:
        transaction.savepoint_rollback(savepoint)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def api_world(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    from verkstall.people.protection_services import set_protection

    generated = build_world(WORLD)
    officer = next(u for u in generated.users if u.role_enum == Role.OFFICER)
    person = next(p for p, (_m, unit) in generated.persons.items() if unit == officer.unit_id)
    from verkstall.people.models import Person

    set_protection(officer, Person.objects.get(pk=person), protection="confidentiality_marking")
    # Safety alarms ordered from the aids centre and one contact move (R4.1, R2.6); the queue,
    # temporary stays and vouchers (R8, R4.2); fee notices, performed time, prices, the IVO
    # report and a closed month (R9.2, R9.3, R9.4, R9.5): every id pool below holds rows.
    import random

    from verkstall.alarms.models import AlarmContactMove
    from verkstall.orders.models import Order
    from verkstall.tooling.isolation_alarms import plant_alarm_orders
    from verkstall.tooling.isolation_iub_transfer import plant_iub_requests_and_transfers
    from verkstall.tooling.isolation_months import plant_months
    from verkstall.tooling.isolation_placements import plant_placements

    rng = random.Random(0)
    plant_alarm_orders(generated, rng)
    plant_placements(generated, rng)
    plant_months(generated, rng)
    plant_iub_requests_and_transfers(generated, rng)  # R1.3, R1.4
    order = Order.objects.get(pk=min(generated.alarm_orders))
    AlarmContactMove.objects.create(
        municipality_id=order.municipality_id,
        order=order,
        old_provider=order.provider,
        new_provider=order.provider,
        from_date=order.created_at.date(),
    )
    return generated


def _ids() -> dict[str, list[int]]:
    from verkstall.absences.models import NoticeReceipt
    from verkstall.alarms.models import AlarmContactMove
    from verkstall.deadlines.models import DueItem
    from verkstall.decisions.models import Decision, IubRequest
    from verkstall.fees.models import FeeNotice
    from verkstall.ivo.models import IvoReport
    from verkstall.journal.models import Message
    from verkstall.orders.models import Order
    from verkstall.payments.models import PerformedTime
    from verkstall.people.models import Person, ProtectedDataAccess
    from verkstall.placements.models import QueueEntry, StayIntake
    from verkstall.plans.models import ImplementationPlan
    from verkstall.providers.models import Provider
    from verkstall.vouchers.models import Voucher, VoucherReport

    models = {
        "persons": Person,
        "decisions": Decision,
        "providers": Provider,
        "orders": Order,
        "due-items": DueItem,
        "plans": ImplementationPlan,
        "messages": Message,
        "notice-receipts": NoticeReceipt,
        "grant": ProtectedDataAccess,
        "alarm-orders": Order,
        "alarm-contact-moves": AlarmContactMove,
        "meal-orders": Order,
        "queue-entries": QueueEntry,
        "stay-intakes": StayIntake,
        "vouchers": Voucher,
        "performed-time": PerformedTime,
        "voucher-reports": VoucherReport,
        "ivo-reports": IvoReport,
        "fee-notices": FeeNotice,
        "iub-requests": IubRequest,
    }
    return {
        k: list(m.objects.order_by("pk").values_list("pk", flat=True)) for k, m in models.items()
    }


def _beyond_64_bits(values, names=("limit", "offset")) -> bool:
    if not isinstance(values, dict):
        return False
    for name in names:
        try:
            if abs(int(values.get(name, 0))) >= 2**63:
                return True
        except (TypeError, ValueError):
            continue
    return False


class Run:
    """Calls every operation as one user; keeps one failure per operation, mode and check."""

    def __init__(self, user, wsgi_app):
        client = APIClient()
        client.force_authenticate(user)
        raw = json.loads(client.get("/api/schema/", {"format": "json"}).content)
        self.schema = schemathesis.openapi.from_dict(raw)
        self.headers = {"Authorization": f"Token {issue_token(user=user)[1]}"}
        self.app = wsgi_app
        self.ids = _ids()
        self.failures: dict[str, str] = {}
        self.calls = 0
        self.nothing_to_negate: list[str] = []
        self.known = 0

    def all(self) -> None:
        for result in self.schema.get_all_operations():
            operation = result.ok()
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                self.operation(operation, mode)

    def operation(self, operation, mode) -> None:
        collection = operation.path.split("/")[2]

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode), pick=st.randoms())
        def call(case, pick):
            for name in case.path_parameters or {}:
                pool = self.ids["grant" if name == "grant_pk" else collection]
                if name in ("id", "grant_pk") and pool and pick.random() < 2 / 3:
                    case.path_parameters[name] = pick.choice(pool)
            self.calls += 1
            with inside_the_test_transaction():
                response = case.call(app=self.app, headers=self.headers)
            try:
                case.validate_response(response, checks=CHECKS, headers=self.headers)
            except FailureGroup as group:
                for failure in group.exceptions:
                    message = str(failure.message)
                    if any(operation.label == op and part in message for op, part in KNOWN) or any(
                        operation.label == op and _beyond_64_bits(case.body, (field,))
                        for op, field in KNOWN_OVERFLOWS
                    ):
                        self.known += 1
                        continue
                    key = f"{operation.label} [{mode.value}] {failure.title}"
                    self.failures.setdefault(
                        key,
                        f"{key}: {case.method} {case.formatted_path} query={case.query} "
                        f"body={str(case.body)[:200]} -> {response.status_code} "
                        f"{response.text[:300]}\n    {str(failure.message)[:600]}",
                    )

        try:
            call()
        except Unsatisfiable:
            # Nothing to negate (an operation without parameters or body): no invalid request.
            self.nothing_to_negate.append(operation.label)


@pytest.mark.parametrize("role", [Role.OFFICER, Role.PROVIDER_STAFF])
def test_every_operation_answers_as_its_schema_says(api_world, wsgi_app, role):  # issue 6b
    # The first of the role: the officer of a unit with orders in every state; the staff of a
    # connected provider that holds started orders.
    user = next(u for u in api_world.users if u.role_enum == role)
    run = Run(user, wsgi_app)
    assert [k for k, pool in run.ids.items() if not pool] == []  # ids of every collection
    run.all()
    print(
        f"\nschemathesis as {role.value}: {run.calls} calls, {len(run.failures)} failures, "
        f"{run.known} known (people/*, pagination) tolerated"
    )
    assert run.calls > 20 * EXAMPLES
    assert run.failures == {}, (
        "\n".join(sorted(run.failures)) + "\n\n" + "\n".join(sorted(run.failures.values()))
    )


# --- found by schemathesis: a limit or offset beyond 64 bits was a server error -------------

HUGE = str(2**65)


def test_the_project_pagination_bounds_limit_and_offset(rf):  # issue 6b
    from rest_framework.request import Request

    from verkstall.core.pagination import MAX_LIMIT, MAX_OFFSET, LimitOffsetPagination

    request = Request(rf.get("/api/orders/", {"limit": HUGE, "offset": HUGE}))
    paginator = LimitOffsetPagination()
    assert paginator.get_limit(request) == MAX_LIMIT
    assert paginator.get_offset(request) == MAX_OFFSET


def test_a_huge_limit_or_offset_is_no_server_error(api_world, settings):  # issue 6b
    assert settings.REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"] == PAGINATION
    assert settings.REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] == "verkstall.core.openapi.AutoSchema"
    user = next(u for u in api_world.users if u.role_enum == Role.OFFICER)
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    for url in ("/api/orders/", "/api/persons/", "/api/decisions/", "/api/plans/"):
        for params in ({"limit": HUGE}, {"offset": HUGE}, {"limit": HUGE, "offset": HUGE}):
            assert client.get(url, params).status_code == 200, (url, params)
