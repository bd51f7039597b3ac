"""Every POST under /api/ that creates something honours `Idempotency-Key` (issue 18 item 1,
audit/idempotency.py): sent again with the same key, it answers as the first time, with
`Idempotent-Replayed: true`, and creates nothing.

The routes are walked from the schema (every POST answering 201 or 202) and from the URL
conf (every API view that takes a POST sits under /api/, where the middleware works); each
create route has a real request in CREATES, and a new one fails
`test_every_create_route_has_a_request_here` until it is added.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.views import APIView

from verkstall.access.roles import Role
from verkstall.access.token_services import issue_token
from verkstall.audit.idempotency import REPLAYED_HEADER
from verkstall.core import clock
from verkstall.people import protection_services
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db

CLEANING = {"service_type": "hemtjanst-stad", "scope_amount": "2", "scope_unit": "hours_per_month"}
RESPITE = {"service_type": "avlosning", "scope_amount": "10", "scope_unit": "hours_per_month"}
#: Rows a replay writes by design: its access-log rows (a replay shows client data again).
LOGGED = {"audit.AccessLogEntry"}


def _now() -> str:
    return clock.now().isoformat()


def _today() -> str:
    return clock.today().isoformat()


def _sent(world, *services):
    decision = world.decision(services=[dict(s) for s in services]) if services else None
    return world.order(state="sent", **({"decision": decision} if decision else {}))


def _started(world, *services):
    decision = world.decision(services=[dict(s) for s in services]) if services else None
    return world.order(state="started", **({"decision": decision} if decision else {}))


def _client_deaths(world):
    return world.officer, "/api/client-deaths/", {"person": world.person().pk, "died_on": _today()}


def _decisions(world):
    body = {
        "person": world.person().pk,
        "decided_on": _today(),
        "services": [
            {
                "service_type": "hemtjanst-omvardnad",
                "scope_amount": "20",
                "scope_unit": "hours_per_month",
            }
        ],
    }
    return world.officer, "/api/decisions/", body


def _decision_correct(world):
    decision = world.decision()
    body = {"reason": "Utredningen saknades", "assessment_summary": "Behöver hjälp"}
    return world.officer, f"/api/decisions/{decision.pk}/correct/", body


def _fee_notices(world):
    order = _started(world)
    body = {"order": order.pk, "text": "Avbokade tre besök", "effective_from": _today()}
    return world.staff_a, "/api/fee-notices/", body


def _hospital_notices(world):
    order = _started(world)
    body = {
        "personal_number": order.person.personal_number,
        "kind": "admission",
        "occurred_at": _now(),
        "text": "Avd 3",
    }
    return world.officer, "/api/hospital-notices/", body


def _iub_requests(world):
    body = {
        "person": world.person().pk,
        "asked_by": "Sonen Erik",
        "asked_on": _today(),
        "channel": "email",
    }
    return world.officer, "/api/iub-requests/", body


def _ivo_reports(world):
    lov = build.user(Role.LOV_ADMIN, world.muni, username="lov")
    today = clock.today()
    last = (today.month - 1) // 3  # the quarter before this one
    year, quarter = (today.year, last) if last else (today.year - 1, 4)
    return lov, "/api/ivo-reports/", {"quarter": f"{year}Q{quarter}"}


def _messages(world):
    order = _sent(world)
    return world.officer, "/api/messages/", {"order": order.pk, "subject": "Fråga", "body": "Hej"}


def _orders(world):
    decision = world.decision()
    body = {"decision": decision.pk, "provider": world.provider_a.pk}
    return world.officer, "/api/orders/", body


def _oral_briefings(world):
    person = world.person()
    protection_services.set_protection(world.officer, person, protection="confidentiality_marking")
    order = world.order(decision=world.decision(person))
    body = {"told_name": "Enhetschefen", "told_at": _now()}
    return world.officer, f"/api/orders/{order.pk}/oral-briefings/", body


def _performed_time(world):
    order = _started(world, RESPITE)
    body = {
        "order": order.pk,
        "granted_service": order.services.get().pk,
        "day": _today(),
        "hours": "2",
    }
    return world.staff_a, "/api/performed-time/", body


def _persons(world):
    body = {"personal_number": build.test_number(), "first_name": "Greta", "last_name": "Ek"}
    return world.officer, "/api/persons/", body


def _protected_access(world):
    person = world.person()
    protection_services.set_protection(world.officer, person, protection="confidentiality_marking")
    colleague = build.user(Role.OFFICER, world.muni, unit=world.unit, username="colleague")
    body = {"user": colleague.pk, "reason": "Vikarierar"}
    return world.officer, f"/api/persons/{person.pk}/protected-access/", body


def _protection(world):
    person = world.person()
    protection_services.set_protection(world.officer, person, protection="confidentiality_marking")
    # Lowering waits for a second officer: a pending request is created (202).
    return world.officer, f"/api/persons/{person.pk}/protection/", {"protection": "none"}


def _relatives(world):
    person = world.person()
    return world.officer, f"/api/persons/{person.pk}/relatives/", {"name": "Anna Ek"}


def _provider_journal(world):
    order = _started(world)
    return world.staff_a, "/api/provider-journal/", {"order": order.pk, "text": "Dusch gick bra"}


def _choices(world):
    from verkstall.providers.tests.test_choice import Market

    market = Market(world)
    granted = market.granted()
    body = {
        "granted_service": granted.pk,
        "provider": market.providers["Beta Omsorg"].pk,
        "form_received_on": _today(),
    }
    return world.officer, "/api/providers/choices/", body


def _queue_entries(world):
    from verkstall.placements.tests.test_queue import Queue

    queue = Queue(world)
    granted = queue.granted(on=clock.today())
    body = {"granted_service": granted.pk, "homes": [queue.solgarden.pk]}
    return world.officer, "/api/queue-entries/", body


def _stay_intakes(world):
    from verkstall.placements.tests.test_stays import payload

    placement = build.user(Role.PLACEMENT_UNIT, world.muni, username="placering")
    return placement, "/api/stay-intakes/", payload()


def _vouchers(world):
    order = _sent(world, CLEANING)
    return world.officer, "/api/vouchers/", {"order": order.pk, "kind": "cleaning"}


def _voucher_reports(world):
    order = _sent(world, CLEANING)
    body = {"order": order.pk, "kind": "start", "occurred_on": _today()}
    return world.staff_a, "/api/voucher-reports/", body


#: The schema path of each POST that creates -> a builder of a request (user, path, body).
CREATES = {
    "/api/client-deaths/": _client_deaths,
    "/api/decisions/": _decisions,
    "/api/decisions/{id}/correct/": _decision_correct,
    "/api/fee-notices/": _fee_notices,
    "/api/hospital-notices/": _hospital_notices,
    "/api/iub-requests/": _iub_requests,
    "/api/ivo-reports/": _ivo_reports,
    "/api/messages/": _messages,
    "/api/orders/": _orders,
    "/api/orders/{id}/oral-briefings/": _oral_briefings,
    "/api/performed-time/": _performed_time,
    "/api/persons/": _persons,
    "/api/persons/{id}/protected-access/": _protected_access,
    "/api/persons/{id}/protection/": _protection,
    "/api/persons/{id}/relatives/": _relatives,
    "/api/provider-journal/": _provider_journal,
    "/api/providers/choices/": _choices,
    "/api/queue-entries/": _queue_entries,
    "/api/stay-intakes/": _stay_intakes,
    "/api/voucher-reports/": _voucher_reports,
    "/api/vouchers/": _vouchers,
}


@pytest.fixture(scope="module")
def schema_paths(django_db_blocker):
    from drf_spectacular.generators import SchemaGenerator

    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)["paths"]


def test_every_create_route_has_a_request_here(schema_paths):  # issue 18 item 1
    creating = {
        path
        for path, operations in schema_paths.items()
        if "post" in operations and {"201", "202"} & set(operations["post"]["responses"])
    }
    assert creating == set(CREATES)


def _api_routes(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _api_routes(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry.callback


def test_every_api_view_that_takes_a_post_is_under_api(db):  # issue 18 item 1
    """The middleware keeps the first answer of a write under /api/: every DRF view that takes
    a POST must be there, or its retries would create twice."""
    outside, inside = [], []
    for route, callback in _api_routes(get_resolver()):
        view = getattr(callback, "cls", None)
        if view is None or not issubclass(view, APIView):
            continue
        actions = getattr(callback, "actions", None) or {}
        takes_post = "post" in actions or (not actions and hasattr(view, "post"))
        if takes_post:
            (inside if route.lstrip("^").startswith("api/") else outside).append(route)
    assert outside == []
    assert len(inside) > 20  # the walk sees the API's writes


def _counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label not in ("sessions", "contenttypes", "admin")
        and model._meta.label not in LOGGED
        and not model._meta.proxy
    }


@pytest.mark.parametrize("schema_path", sorted(CREATES))
def test_a_replayed_create_answers_as_the_first_and_creates_nothing(world, schema_path):
    user, path, body = CREATES[schema_path](world)
    _, secret = issue_token(user=user)
    client = Client(HTTP_AUTHORIZATION=f"Token {secret}")
    key = f"walk-{schema_path}"

    def post():
        return client.post(path, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)

    first = post()
    assert first.status_code in (200, 201, 202), (schema_path, first.content)
    assert REPLAYED_HEADER not in first
    before = _counts()
    again = post()
    assert again.status_code == first.status_code
    assert again[REPLAYED_HEADER] == "true"
    assert again.content == first.content
    assert _counts() == before, schema_path
