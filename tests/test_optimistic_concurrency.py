"""Two people change the same order, plan, decision or client at once (issue 18 item 1): the
second, who sends the version they read (`If-Match` with the ETag, or `lock_version` in the
body), gets a 409 naming what changed since, and nothing is written. Without a version the
API works as before. The check runs under the row's lock (core/concurrency_services.py)."""

from __future__ import annotations

import pytest
from django.db import transaction

from verkstall.core import concurrency
from verkstall.core.concurrency_services import check_version
from verkstall.core.errors import ValidationFailed
from verkstall.decisions import correction_services
from verkstall.decisions.models import Decision
from verkstall.orders import draft_correction_services, services
from verkstall.orders.models import EventKind, Order, OrderEvent
from verkstall.orders.version_selectors import ORDER_VERSIONING
from verkstall.people import services as people
from verkstall.people.models import Person
from verkstall.plans import goal_services
from verkstall.plans import services as plans
from verkstall.plans.models import ImplementationPlan

pytestmark = pytest.mark.django_db


def _etag(response) -> str:
    assert response.status_code == 200, response.content
    return response["ETag"]


# --- Orders: the version is the number of the order's last event -----------------------------


def test_an_order_answers_with_its_version_and_etag(world, api):  # issue 18 item 1
    order = world.order(state="sent")
    response = api(world.officer).get(f"/api/orders/{order.pk}/")
    body = response.json()
    assert body["lock_version"] == order.last_event_seq > 0
    assert response["ETag"] == f'W/"{order.last_event_seq}"'


def test_a_stale_acknowledgement_is_a_409_naming_what_changed_and_writes_nothing(world, api):
    """The provider read the order; the officer cancels it in between. The provider's
    acknowledgement based on the old version is refused with 409 naming the state and the
    cancellation, and nothing is recorded."""  # issue 18 item 1
    order = world.order(state="sent")
    staff = api(world.staff_a)
    tag = _etag(staff.get(f"/api/orders/{order.pk}/"))
    services.cancel_order(world.officer, order, reason="Klienten tackade nej")
    events = OrderEvent.objects.filter(order=order).count()
    refused = staff.post(
        f"/api/orders/{order.pk}/acknowledge/", {}, format="json", HTTP_IF_MATCH=tag
    )
    assert refused.status_code == 409
    body = refused.json()
    assert body["code"] == "version_conflict"
    assert body["current_version"] == body["your_version"] + 1
    assert "state" in body["changed"]
    assert body["events"] == [EventKind.CANCELLED.value]
    assert body["changed_by"].startswith(world.officer.get_full_name() or "officer")
    assert body["changed_at"]
    assert "ändrats av någon annan" in body["detail"] and "Makulerad" in body["detail"]
    assert OrderEvent.objects.filter(order=order).count() == events


def test_the_current_version_lets_the_write_through_and_gives_the_new_etag(world, api):
    order = world.order(state="sent")
    staff = api(world.staff_a)
    tag = _etag(staff.get(f"/api/orders/{order.pk}/"))
    done = staff.post(f"/api/orders/{order.pk}/acknowledge/", {}, format="json", HTTP_IF_MATCH=tag)
    assert done.status_code == 200, done.json()
    order.refresh_from_db()
    assert done["ETag"] == f'W/"{order.last_event_seq}"' != tag
    assert done.json()["lock_version"] == order.last_event_seq


def test_lock_version_in_the_body_is_checked_like_if_match(world, api):  # issue 18 item 1
    order = world.order()
    officer = api(world.officer)
    version = officer.get(f"/api/orders/{order.pk}/").json()["lock_version"]
    draft_correction_services.correct_draft(
        world.officer, order, reason="Fel info", instructions="Nyckel i kodlåda"
    )
    refused = officer.post(
        f"/api/orders/{order.pk}/correct-draft/",
        {"reason": "Min ändring", "instructions": "Ring på", "lock_version": version},
        format="json",
    )
    assert refused.status_code == 409
    assert refused.json()["changed"] == ["instructions"]
    order.refresh_from_db()
    assert order.instructions == "Nyckel i kodlåda"


def test_without_a_version_or_with_a_star_the_write_runs_as_before(world, api):
    order = world.order(state="sent")
    staff = api(world.staff_a)
    services.acknowledge_order(world.staff_a, order)  # the version moves on
    order = world.order(state="sent")
    plain = staff.post(f"/api/orders/{order.pk}/acknowledge/", {}, format="json")
    assert plain.status_code == 200
    other = world.order(state="sent")
    star = staff.post(f"/api/orders/{other.pk}/acknowledge/", {}, format="json", HTTP_IF_MATCH="*")
    assert star.status_code == 200


def test_a_malformed_if_match_is_a_400_naming_the_header(world, api):
    order = world.order(state="sent")
    response = api(world.staff_a).post(
        f"/api/orders/{order.pk}/acknowledge/", {}, format="json", HTTP_IF_MATCH="abc"
    )
    assert response.status_code == 400
    assert "If-Match" in response.json()
    assert not OrderEvent.objects.filter(order=order, kind=EventKind.ACKNOWLEDGED).exists()


def test_an_order_not_yours_is_a_404_not_a_409(world, api):  # Actors: no existence leak
    order = world.order(state="sent")
    response = api(world.staff_b).post(
        f"/api/orders/{order.pk}/acknowledge/", {}, format="json", HTTP_IF_MATCH='W/"1"'
    )
    assert response.status_code == 404


# --- Clients, decisions, plans: `lock_version`, raised by every change ------------------------


def test_a_stale_client_correction_is_a_409_naming_the_field(world, api):  # issue 18, R1.1
    person = world.person()
    officer = api(world.officer)
    tag = _etag(officer.get(f"/api/persons/{person.pk}/"))
    people.update_person(world.officer, person, phone="070-1", reason="Nytt nr")
    refused = officer.patch(
        f"/api/persons/{person.pk}/",
        {"city": "Hässelby", "reason": "Flyttat"},
        format="json",
        HTTP_IF_MATCH=tag,
    )
    assert refused.status_code == 409
    assert refused.json()["changed"] == ["phone"]
    assert Person.objects.get(pk=person.pk).city == "Vällingby"
    fresh = _etag(officer.get(f"/api/persons/{person.pk}/"))
    done = officer.patch(
        f"/api/persons/{person.pk}/",
        {"city": "Hässelby", "reason": "Flyttat"},
        format="json",
        HTTP_IF_MATCH=fresh,
    )
    assert done.status_code == 200 and done.json()["city"] == "Hässelby"
    assert done["ETag"] != fresh


def test_a_relative_added_is_a_change_of_the_client(world, api):  # issue 18, R1.1
    person = world.person()
    before = Person.objects.get(pk=person.pk).lock_version
    people.add_relative(world.officer, person, name="Anna Ek", relation="dotter")
    after = Person.objects.get(pk=person.pk)
    assert after.lock_version == before + 1
    assert after.lock_fields["relatives"] == after.lock_version


def test_a_protected_clients_changed_fields_are_named_as_protected_data(world):  # R10.5
    from verkstall.people import protection_services

    person = world.person()
    protection_services.set_protection(world.officer, person, protection="confidentiality_marking")
    version = Person.objects.get(pk=person.pk).lock_version
    people.update_person(world.officer, person, street_address="Ny väg 2", reason="Flytt")
    with transaction.atomic(), pytest.raises(concurrency.VersionConflict) as caught:
        from verkstall.people.version_selectors import PERSON_VERSIONING

        check_version(PERSON_VERSIONING, person.pk, {version})
    assert caught.value.changes.fields == ["protected_data"]
    assert "gatuadress" not in caught.value.message


def test_a_stale_decision_correction_is_a_409_naming_the_services(world, api):  # issue 18
    decision = world.decision()
    officer = api(world.officer)
    tag = _etag(officer.get(f"/api/decisions/{decision.pk}/"))
    service = decision.services.get()
    correction_services.correct_decision(
        world.officer,
        decision,
        reason="Fel omfattning",
        services=[{"id": service.pk, "scope_amount": "25"}],
    )
    refused = officer.post(
        f"/api/decisions/{decision.pk}/correct/",
        {"reason": "Fel datum", "assessment_summary": "Ny utredning"},
        format="json",
        HTTP_IF_MATCH=tag,
    )
    assert refused.status_code == 409, refused.json()
    assert refused.json()["changed"] == ["services"]
    assert Decision.objects.get(pk=decision.pk).corrections.count() == 1


def test_a_plan_changes_version_with_its_goals_and_its_status(world, api):  # issue 18, R5
    order = world.order(state="started")
    plan = plans.start_plan(world.staff_a, order, what="Hjälp med dusch")
    plan = ImplementationPlan.objects.get(pk=plan.pk)
    assert plan.lock_version == 1
    plans.save_draft(world.staff_a, plan, participation="Deltog själv")
    goal = order.decision.goals.create(municipality=order.municipality, text="Duscha själv")
    goal_services.save_goal_entries(world.staff_a, plan, entries={goal.pk: "Stöd vid dusch"})
    plans.send_plan(world.staff_a, plan)
    plan = ImplementationPlan.objects.get(pk=plan.pk)
    assert plan.lock_version == 4
    assert plan.lock_fields["participation"] == 2 and plan.lock_fields["goals"] == 3
    assert plan.lock_fields["status"] == 4
    officer = api(world.officer)
    response = officer.get(f"/api/plans/{plan.pk}/")
    assert response["ETag"] == 'W/"4"' and response.json()["version"] == 1
    refused = officer.post(f"/api/plans/{plan.pk}/confirm/", HTTP_IF_MATCH='W/"2"')
    assert refused.status_code == 409
    assert refused.json()["changed"] == ["goals", "sent_at", "sent_by", "status"]
    done = officer.post(f"/api/plans/{plan.pk}/confirm/", HTTP_IF_MATCH='W/"4"')
    assert done.status_code == 200 and done["ETag"] == 'W/"5"'


def test_saving_unchanged_values_is_no_new_version(world):  # issue 18 item 1
    person = world.person()
    before = Person.objects.get(pk=person.pk).lock_version
    people.update_person(world.officer, person, city="Vällingby", reason="Samma")
    assert Person.objects.get(pk=person.pk).lock_version == before


# --- The check under the lock: the interleaving of two writers --------------------------------


def test_two_writers_that_read_the_same_version_cannot_both_write(world, monkeypatch):
    """Both read version n. The first writes (n+1) between the second's read and its check;
    the second's check, under the row lock, sees n+1 and refuses: what a second request waiting
    on the first's lock sees once the first commits."""  # issue 18 item 1
    order = world.order()
    read_by_both = Order.objects.get(pk=order.pk).last_event_seq

    def first_writer():
        draft_correction_services.correct_draft(
            world.officer, order, reason="Första", instructions="Först"
        )

    first_writer()
    with transaction.atomic(), pytest.raises(concurrency.VersionConflict):
        check_version(ORDER_VERSIONING, order.pk, {read_by_both})
        draft_correction_services.correct_draft(
            world.officer, order, reason="Andra", instructions="Sist"
        )
    assert Order.objects.get(pk=order.pk).instructions == "Först"


def test_if_match_is_parsed_as_weak_strong_or_bare_versions():
    assert concurrency.parse_if_match('W/"3"') == {3}
    assert concurrency.parse_if_match('"3", W/"4"') == {3, 4}
    assert concurrency.parse_if_match("3") == {3}
    assert concurrency.parse_if_match("*") is None
    assert concurrency.parse_if_match(None) is None
    with pytest.raises(ValidationFailed):
        concurrency.parse_if_match('"x"')


def test_the_schema_documents_if_match_and_the_version_conflict(world, api):  # issue 18
    schema = api(world.officer).get("/api/schema/?format=json").json()
    for path, method in [
        ("/api/orders/{id}/acknowledge/", "post"),
        ("/api/persons/{id}/", "patch"),
        ("/api/decisions/{id}/correct/", "post"),
        ("/api/plans/{id}/confirm/", "post"),
    ]:
        operation = schema["paths"][path][method]
        headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
        assert "If-Match" in headers, path
        conflict = str(operation["responses"]["409"]["content"]["application/json"]["schema"])
        assert "VersionConflict" in conflict, path
    assert "If-Match" not in {
        p["name"] for p in schema["paths"]["/api/orders/"]["post"].get("parameters", [])
    }
    assert "lock_version" in schema["components"]["schemas"]["OrderDetail"]["properties"]
