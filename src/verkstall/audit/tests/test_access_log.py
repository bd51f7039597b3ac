"""The access log (SPEC R10.4): every read and write of a client's data in the UI and the API
writes who, when, which client, what and from where, in the same request; nothing changes it."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.urls import reverse

from verkstall.access.roles import Role
from verkstall.audit import capture, services
from verkstall.audit.models import AccessLogEntry
from verkstall.audit.tests.db_sessions import session
from verkstall.core.errors import PermissionDenied
from verkstall.tooling import testing as build


@pytest.fixture
def reviewer(world):
    return build.user(Role.LOG_REVIEWER, world.muni, username="reviewer")


def rows(**filters):
    return list(AccessLogEntry.objects.filter(**filters).order_by("id"))


def test_a_screen_read_is_logged_with_who_what_and_where(world, client):  # R10.4
    order = world.order(provider=world.provider_a, state="sent")
    client.force_login(world.staff_a)
    response = client.get(reverse("order-detail", args=[order.pk]), REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    [entry] = rows(person_id=order.person_id)
    assert entry.user_id == world.staff_a.pk and entry.username == "staff_a"
    assert entry.role == Role.PROVIDER_STAFF
    assert entry.action == "view" and entry.method == "GET"
    assert entry.route == "order-detail" and entry.path == f"/orders/{order.pk}/"
    assert entry.remote_addr == "10.1.2.3" and entry.status_code == 200
    assert entry.outside_own is False
    assert entry.municipality_id == world.muni.pk and entry.user_provider_id == world.provider_a.pk


def test_a_list_logs_every_client_on_it_once(world, client):  # R10.4
    orders = [world.order(provider=world.provider_a, state="sent") for _ in range(3)]
    client.force_login(world.officer)
    assert client.get(reverse("order-list")).status_code == 200
    logged = rows(route="order-list")
    assert sorted(e.person_id for e in logged) == sorted(o.person_id for o in orders)
    assert {e.action for e in logged} == {"list"}
    assert len({e.request_id for e in logged}) == 1


def test_api_reads_and_writes_are_logged_for_token_users(world, api):  # R10.4
    order = world.order(provider=world.provider_a, state="sent")
    client = api(world.staff_a)
    assert client.get(f"/api/orders/{order.pk}/").status_code == 200
    assert client.post(f"/api/orders/{order.pk}/acknowledge/", {}, format="json").status_code == 200
    view, change = rows(person_id=order.person_id)
    assert (view.action, view.route, view.username) == ("view", "order-detail", "staff_a")
    assert (change.action, change.method, change.route) == ("change", "POST", "order-acknowledge")


def test_a_refused_write_is_logged_as_an_attempt(world, api):  # R10.4
    order = world.order(provider=world.provider_a, state="draft")
    response = api(world.officer).post(f"/api/orders/{order.pk}/start/", {}, format="json")
    assert response.status_code in (400, 409)
    [entry] = rows(person_id=order.person_id, method="POST")
    assert entry.action == "change" and entry.status_code == response.status_code


def test_an_export_is_logged_as_an_export(world, client):  # R10.4
    order = world.order(provider=world.provider_a, state="sent")
    client.force_login(world.officer)
    assert client.get(reverse("order-print", args=[order.pk])).status_code == 200
    assert [e.action for e in rows(person_id=order.person_id)] == ["export"]


def test_creating_a_client_is_logged_as_a_change(world, api):  # R10.4
    response = api(world.officer).post(
        "/api/persons/",
        {
            "personal_number": build.test_number(),
            "first_name": "Ny",
            "last_name": "Klient",
            "area": world.area.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    [entry] = rows(person_id=response.json()["id"])
    assert entry.action == "change"


def test_another_organisations_client_is_not_read_so_nothing_is_logged(
    world, client
):  # R10.4, Actors
    order = world.order(provider=world.provider_a, state="sent")
    client.force_login(world.staff_b)
    assert client.get(reverse("order-detail", args=[order.pk])).status_code == 404
    assert rows(person_id=order.person_id) == []


def test_pages_without_client_data_write_nothing(world, client):  # R10.4
    client.force_login(world.officer)
    assert client.get("/api/service-types/").status_code in (200, 302, 403)
    client.get(reverse("order-list"))
    assert AccessLogEntry.objects.count() == 0


def test_reads_outside_the_users_own_clients_are_flagged(world):  # R10.4
    order = world.order(provider=world.provider_a, state="sent")
    with capture.capturing() as cap:
        capture.saw([order.person_id])
    common = {"method": "GET", "route": "x", "path": "/x/", "status_code": 200}
    services.record_request(user=world.staff_b, cap=cap, remote_addr=None, declared=None, **common)
    services.record_request(user=world.staff_a, cap=cap, remote_addr=None, declared=None, **common)
    by_user = {e.username: e.outside_own for e in rows(person_id=order.person_id)}
    assert by_user == {"staff_b": True, "staff_a": False}


# --- nothing changes the log -----------------------------------------------------------------


def test_the_application_has_no_path_to_change_or_remove_a_row(world, client):  # R10.4
    order = world.order(provider=world.provider_a, state="sent")
    client.force_login(world.officer)
    client.get(reverse("order-detail", args=[order.pk]))
    entry = AccessLogEntry.objects.get()
    entry.username = "someone else"
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()
    with pytest.raises(PermissionDenied):
        AccessLogEntry.objects.filter(pk=entry.pk).update(username="x")
    with pytest.raises(PermissionDenied):
        AccessLogEntry.objects.all().delete()
    assert AccessLogEntry.objects.get().username == "officer"


# serialized_rollback, like the other transactional tests here: a plain flush would re-create
# the content types that the next serialised test then restores a second time.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_on_postgresql_a_plain_sql_session_cannot_update_or_delete_the_log():  # R10.4
    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only; SQLite relies on the model guard")
    import psycopg

    with capture.capturing() as cap:
        capture.saw([424242])
    services.record_request(
        user=_Anonymous(),
        cap=cap,
        method="GET",
        route="x",
        path="/x/",
        status_code=200,
        remote_addr=None,
        declared=None,
    )
    with session() as plain:
        for sql in (
            "UPDATE audit_accesslogentry SET username = 'x'",
            "DELETE FROM audit_accesslogentry",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
                plain.execute(sql)
        assert plain.execute("SELECT count(*) FROM audit_accesslogentry").fetchone() == (1,)


class _Anonymous:
    is_authenticated = False


# --- the log reviewer's screens ----------------------------------------------------------------


def test_the_reviewer_finds_who_looked_at_a_client_without_the_number_in_the_url(
    world, client, reviewer
):  # R10.4
    order = world.order(provider=world.provider_a, state="sent")
    other = world.order(provider=world.provider_a, state="sent")
    client.force_login(world.staff_a)
    client.get(reverse("order-detail", args=[order.pk]))
    client.get(reverse("order-detail", args=[other.pk]))
    client.force_login(reviewer)
    response = client.post(reverse("log-review"), {"personal_number": order.person.personal_number})
    assert response.status_code == 302
    assert order.person.personal_number not in response["Location"]
    assert response["Location"].endswith(f"?person={order.person_id}")
    page = client.get(response["Location"]).content.decode()
    assert "staff_a" in page and order.person.formatted_personal_number in page
    assert other.person.formatted_personal_number not in page


def test_an_unknown_or_invalid_number_gets_a_clear_error(world, client, reviewer):  # R10.4
    client.force_login(reviewer)
    page = client.post(reverse("log-review"), {"personal_number": "12345"}).content.decode()
    assert "10 eller 12" in page
    page = client.post(
        reverse("log-review"), {"personal_number": build.test_number()}
    ).content.decode()
    assert "Ingen klient med det numret" in page


def test_the_reviewer_sees_who_read_outside_their_own(world, client, reviewer):  # R10.4
    order = world.order(provider=world.provider_a, state="sent")
    with capture.capturing() as cap:
        capture.saw([order.person_id])
    services.record_request(
        user=world.staff_b,
        cap=cap,
        method="GET",
        route="x",
        path="/x/",
        status_code=200,
        remote_addr="10.0.0.9",
        declared=None,
    )
    client.force_login(reviewer)
    page = client.get(reverse("log-review")).content.decode()
    section = page.split('id="outside-readers"')[1].split("</table>")[0]
    assert "staff_b" in section and "staff_a" not in section


def test_the_log_exports_as_csv_with_its_filters(world, client, reviewer):  # R10.4
    order = world.order(provider=world.provider_a, state="sent")
    client.force_login(world.staff_a)
    client.get(reverse("order-detail", args=[order.pk]))
    client.force_login(world.officer)
    client.get(reverse("order-detail", args=[order.pk]))
    client.force_login(reviewer)
    response = client.get(reverse("log-export"), {"username": "staff_a"})
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert lines[0][:3] == ["Tidpunkt", "Användare", "Roll"]
    assert [line[1] for line in lines[1:]] == ["staff_a"]
    assert lines[1][5] == "Visning" and order.person.full_name in lines[1][4]


def test_only_the_log_reviewer_of_the_municipality_reads_the_log(world, client):  # R10.4, Actors
    elsewhere = build.municipality(name="Annanstad")
    foreign = build.user(Role.LOG_REVIEWER, elsewhere, username="foreign-reviewer")
    order = world.order(provider=world.provider_a, state="sent")
    client.force_login(world.staff_a)
    client.get(reverse("order-detail", args=[order.pk]))
    for user in (world.officer, world.staff_a, world.fee_officer):
        client.force_login(user)
        assert client.get(reverse("log-review")).status_code == 403
        assert client.get(reverse("log-export")).status_code == 403
    client.force_login(foreign)
    assert "staff_a" not in client.get(reverse("log-review")).content.decode()
    assert "staff_a" not in client.get(reverse("log-export")).content.decode("utf-8-sig")


def test_rows_of_a_loaded_order_cost_no_lookup_but_a_lone_event_is_resolved(world):  # R10.4
    from verkstall.orders.models import Order, OrderEvent

    order = world.order(provider=world.provider_a, state="sent")
    with capture.capturing() as cap:
        loaded = Order.objects.get(pk=order.pk)
        list(OrderEvent.objects.filter(order=loaded))
    assert cap.unresolved("order", cap.orders) == set()
    assert services.client_ids(cap) == {order.person_id}
    with capture.capturing() as lone:
        list(OrderEvent.objects.filter(order_id=order.pk))
    assert lone.unresolved("order", lone.orders) == {order.pk}
    assert services.client_ids(lone) == {order.person_id}


def test_a_posted_search_is_logged_as_a_list_not_a_change(world, client):  # R10.4
    order = world.order(provider=world.provider_a, state="sent")
    client.force_login(world.officer)
    client.post(reverse("person-list"), {"q": order.person.last_name})
    assert {e.action for e in rows(route="person-list")} == {"list"}


def test_the_reviewers_own_review_is_not_a_read_outside_their_own(world, client, reviewer):  # R10.4
    order = world.order(provider=world.provider_a, state="sent")
    client.force_login(world.staff_a)
    client.get(reverse("order-detail", args=[order.pk]))
    client.force_login(reviewer)
    client.get(reverse("log-review"))
    [entry] = rows(username="reviewer")
    assert entry.outside_own is False


# --- Requests that touched no client (issue 11) ---------------------------------------------


def test_a_refused_probe_leaves_a_row_without_a_client(world, client, api):  # R10.4
    order = world.order(provider=world.provider_a, state="sent")
    api(world.staff_b).get(f"/api/orders/{order.pk}/")  # another provider's order: 404
    [probe] = rows(username="staff_b")
    assert probe.person_id is None and probe.status_code == 404
    assert probe.outside_own is True and probe.path == f"/api/orders/{order.pk}/"
    assert probe.detail.startswith("Nekad")
    client.force_login(world.staff_b)
    assert client.get(reverse("order-detail", args=[order.pk])).status_code == 404
    assert len(rows(username="staff_b", path=f"/orders/{order.pk}/")) == 1
    # A role that may not reach the route at all (403) is logged the same way.
    lov = build.user(Role.LOV_ADMIN, world.muni, username="lov")
    client.force_login(lov)
    assert client.get(f"/clients/{order.person_id}/").status_code == 403
    refused = rows(username="lov")
    assert refused and all(r.person_id is None and r.outside_own for r in refused)


def test_an_empty_search_leaves_a_row_without_the_search_terms(world, client, api):  # R10.4
    world.person()
    client.force_login(world.officer)
    assert client.get(reverse("order-list")).status_code == 200  # no search: nothing
    assert rows(username="officer") == []
    number = build.test_number()
    response = client.post(reverse("person-list"), {"q": number})
    assert response.status_code == 200
    [empty] = rows(username="officer", route="person-list")
    assert empty.person_id is None and empty.outside_own is False
    assert empty.detail == "Ingen klient i svaret."
    assert number not in f"{empty.path} {empty.detail}"
    found = api(world.officer).get("/api/persons/", HTTP_X_SEARCH_QUERY="Ingenmansson")
    assert found.status_code == 200
    [empty] = rows(username="officer", path="/api/persons/")
    assert empty.person_id is None


def test_the_review_shows_rows_without_a_client(world, client, api, reviewer):  # R10.4
    order = world.order(provider=world.provider_a, state="sent")
    api(world.staff_b).get(f"/api/orders/{order.pk}/")
    client.force_login(reviewer)
    page = client.get(reverse("log-review")).content.decode()
    assert "ingen klient" in page and f"/api/orders/{order.pk}/" in page
    export = client.get(reverse("log-export")).content.decode("utf-8-sig")
    assert "(ingen klient)" in export
