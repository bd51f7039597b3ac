"""`GET /metrics` (issue 18 item 3: "Prometheus metrics (request latency, transitions, overdue
items, outbox length, task queue age)"): the text format, every family, nothing personal in
any label, and the route is not public (verkstall/monitoring.py, core/metrics.py)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.db import DatabaseError, transaction
from django.test import Client, override_settings

from verkstall import monitoring
from verkstall.access import declarations
from verkstall.access.roles import Role
from verkstall.core import clock, metrics
from verkstall.deadlines.models import DueItem
from verkstall.orders import services as order_services
from verkstall.outbox.models import OutgoingMail
from verkstall.outbox.services import enqueue
from verkstall.people.selectors import SEARCH_HEADER
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db

FAMILIES = {
    "verkstall_http_request_duration_seconds": "histogram",
    "verkstall_order_transitions_total": "counter",
    "verkstall_due_items_overdue": "gauge",
    "verkstall_outbox_pending": "gauge",
    "verkstall_outbox_due": "gauge",
    "verkstall_outbox_oldest_due_seconds": "gauge",
    "verkstall_task_queue_ready": "gauge",
    "verkstall_task_queue_oldest_seconds": "gauge",
    "verkstall_database_up": "gauge",
}

# --- a small parser of the text exposition format (version 0.0.4) ----------------------------

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
SAMPLE = re.compile(rf"^({NAME})(?:\{{(.*)\}})? (\S+)$")
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)')
VALUE = re.compile(r"^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]Inf|NaN)$")


def parse(text: str) -> dict[str, dict]:
    """family -> {"type", "help", "samples": [(name, labels, value)]}; fails on any line that
    is not a HELP, a TYPE or a sample of a family declared above it."""
    assert text.endswith("\n")
    families: dict[str, dict] = {}
    for line in text.splitlines():
        if line.startswith("# HELP "):
            name, _, help_text = line[7:].partition(" ")
            families.setdefault(name, {"samples": []})["help"] = help_text
        elif line.startswith("# TYPE "):
            name, _, kind = line[7:].partition(" ")
            assert kind in ("counter", "gauge", "histogram"), line
            families.setdefault(name, {"samples": []})["type"] = kind
        else:
            match = SAMPLE.match(line)
            assert match, f"not a sample line: {line!r}"
            name, label_text, value = match.groups()
            assert VALUE.match(value), line
            labels = {}
            if label_text:
                consumed = "".join(m.group(0) for m in LABEL.finditer(label_text))
                assert consumed == label_text, f"bad labels: {line!r}"
                labels = {
                    k: v.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")
                    for k, v in LABEL.findall(label_text)
                }
            family = re.sub(r"_(bucket|sum|count)$", "", name)
            if family not in families or families[family].get("type") != "histogram":
                family = name
            assert family in families and "type" in families[family], f"undeclared: {line!r}"
            families[family]["samples"].append((name, labels, float(value)))
    return families


def scrape(client=None, **extra) -> dict[str, dict]:
    response = (client or Client()).get("/metrics", **extra)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == metrics.CONTENT_TYPE
    return parse(response.content.decode())


# --- format and families ------------------------------------------------------------------------


def test_metrics_are_in_the_text_format_with_every_family(
    world, django_capture_on_commit_callbacks
):
    # issue 18
    with django_capture_on_commit_callbacks(execute=True):
        order = world.order(state="sent")
    DueItem.objects.filter(order=order, status="open").update(
        due_at=clock.now() - timedelta(days=2)
    )
    overdue = DueItem.objects.filter(order=order, status="open").count()
    assert overdue > 0
    enqueue(kind="test", recipients=["a@example.org"], subject="Hej", body="Text")
    OutgoingMail.objects.update(next_attempt_at=clock.now() - timedelta(minutes=5))
    Client().get("/healthz")

    families = scrape()

    for name, kind in FAMILIES.items():
        assert families[name]["type"] == kind, name
        assert families[name]["help"], name
    samples = {f: fam["samples"] for f, fam in families.items()}
    overdue_rows = [s for s in samples["verkstall_due_items_overdue"] if s[1]]
    assert {s[1]["municipality"] for s in overdue_rows} == {world.muni.code}
    assert sum(s[2] for s in overdue_rows) == overdue
    assert samples["verkstall_outbox_pending"][0][2] == 1
    assert samples["verkstall_outbox_due"][0][2] == 1
    assert samples["verkstall_outbox_oldest_due_seconds"][0][2] >= 300
    assert samples["verkstall_database_up"][0][2] == 1
    assert {"verkstall_task_queue_ready", "verkstall_task_queue_oldest_seconds"} <= set(samples)
    sent = [s for s in samples["verkstall_order_transitions_total"] if s[1] == {"action": "send"}]
    assert sent and sent[0][2] >= 1


def test_histogram_buckets_are_cumulative_and_end_in_the_count(db):  # issue 18
    for _ in range(3):
        Client().get("/healthz")
    samples = scrape()["verkstall_http_request_duration_seconds"]["samples"]
    key = {"route": "healthz", "method": "GET", "status": "2xx"}
    buckets = [
        s
        for s in samples
        if s[0].endswith("_bucket") and {**s[1], "le": None} == {**key, "le": None}
    ]
    values = [s[2] for s in buckets]
    assert values == sorted(values) and buckets[-1][1]["le"] == "+Inf"
    count = next(s[2] for s in samples if s[0].endswith("_count") and s[1] == key)
    assert values[-1] == count >= 3


def test_a_request_is_counted_by_its_route_name_not_its_path(world, client):  # issue 18
    person = world.person()
    client.force_login(world.officer)
    before = metrics.REQUEST_LATENCY.count("person-detail", "GET", "2xx")
    assert client.get(f"/clients/{person.pk}/").status_code == 200
    assert metrics.REQUEST_LATENCY.count("person-detail", "GET", "2xx") == before + 1
    client.get("/no-such-page/")
    assert metrics.REQUEST_LATENCY.count("unresolved", "GET", "4xx") >= 1
    assert not [k for k in metrics.REQUEST_LATENCY.values if "/" in k[0]]  # no path


def test_an_unknown_method_does_not_add_a_series(db):  # issue 18
    Client().generic("BREW", "/healthz")
    assert not [k for k in metrics.REQUEST_LATENCY.values if k[1] == "BREW"]
    assert metrics.REQUEST_LATENCY.count("healthz", "other", "4xx") >= 1


# --- transitions --------------------------------------------------------------------------------


def test_a_committed_transition_is_counted_by_its_action(world, django_capture_on_commit_callbacks):
    # issue 18, R3
    order = world.order()
    sends = metrics.TRANSITIONS.value("send")
    with django_capture_on_commit_callbacks(execute=True):
        order_services.send_order(world.officer, order)
    assert metrics.TRANSITIONS.value("send") == sends + 1
    acks = metrics.TRANSITIONS.value("acknowledge")
    with django_capture_on_commit_callbacks(execute=True):
        order_services.acknowledge_order(world.staff_a, order)
    assert metrics.TRANSITIONS.value("acknowledge") == acks + 1


def test_a_transition_rolled_back_is_not_counted(world, django_capture_on_commit_callbacks):
    order = world.order()
    sends = metrics.TRANSITIONS.value("send")
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        order_services.send_order(world.officer, order)
        raise RuntimeError("the request failed after the send")
    assert metrics.TRANSITIONS.value("send") == sends


# --- nothing personal -----------------------------------------------------------------------


def test_no_personnummer_user_or_client_id_after_an_officers_requests(
    world, client, api, monkeypatch
):  # issue 18, R10.4
    # This burst's series only (other tests of this process may have used another URL conf).
    monkeypatch.setattr(metrics.REQUEST_LATENCY, "values", {})
    officer = build.user(Role.OFFICER, world.muni, unit=world.unit, username="handl-qx7")
    number = build.test_number()
    person = world.person(personal_number=number, first_name="Ingegerd", last_name="Qvarnlöf")
    order = world.order(decision=world.decision(person=person), state="sent")
    client.force_login(officer)
    for url in (
        "/",
        "/clients/",
        f"/clients/{person.pk}/",
        f"/orders/{order.pk}/",
        f"/clients/?q={number}",
        f"/clients/{person.pk}999/",
    ):
        client.get(url)
    client.post("/clients/", {"q": number})
    reader = api(officer)
    search_header = "HTTP_" + SEARCH_HEADER.upper().replace("-", "_")
    reader.get("/api/persons/", **{search_header: number})
    reader.get(f"/api/persons/{person.pk}/")
    reader.get(f"/api/persons/{number}/")
    reader.get(f"/api/orders/{order.pk}/")

    text = Client().get("/metrics").content.decode()
    families = parse(text)
    digits = number.replace("-", "")
    for forbidden in (number, digits, digits[2:], "handl-qx7", "Ingegerd", "Qvarnlöf"):
        assert forbidden not in text, forbidden
    known_routes = {
        ":".join([*namespaces, name]) if name else declarations.dotted(callback)
        for _pattern, callback, namespaces, name in declarations.walk_urls()
    } | {"unresolved"}
    label_values = set()
    for family in families.values():
        for _name, labels, _value in family["samples"]:
            label_values |= {v for k, v in labels.items() if k != "le"}  # "le" holds bounds
            if "route" in labels:
                assert labels["route"] in known_routes, labels
    assert str(person.pk) not in label_values and str(order.pk) not in label_values
    assert {"person-detail", "person-list"} <= label_values


# --- who may read it --------------------------------------------------------------------------


def test_refused_from_another_address_without_the_token(db):  # issue 18
    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 404
    assert Client(REMOTE_ADDR="::1").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="::ffff:127.0.0.1").get("/metrics").status_code == 200


@override_settings(VERKSTALL_METRICS_TOKEN="s3cret-token-for-prometheus")
def test_the_bearer_token_opens_it_from_anywhere(db):  # issue 18
    outside = Client(REMOTE_ADDR="203.0.113.9")
    assert outside.get("/metrics").status_code == 404
    wrong = "Bearer s3cret-token-for-prometheuS"
    assert outside.get("/metrics", HTTP_AUTHORIZATION=wrong).status_code == 404
    assert (
        outside.get("/metrics", HTTP_AUTHORIZATION="Token s3cret-token-for-prometheus").status_code
        == 404
    )
    good = "Bearer s3cret-token-for-prometheus"
    assert outside.get("/metrics", HTTP_AUTHORIZATION=good).status_code == 200


def test_no_token_configured_opens_nothing(db):  # issue 18
    with override_settings(VERKSTALL_METRICS_TOKEN=""):
        response = Client(REMOTE_ADDR="203.0.113.9").get("/metrics", HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == 404


def test_a_request_through_the_proxy_needs_the_token(db):  # issue 18
    """Behind nginx every connection comes from 127.0.0.1: a forwarded request is never let in
    by that address."""
    local = Client(REMOTE_ADDR="127.0.0.1")
    for header in ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP"):
        assert local.get("/metrics", **{header: "198.51.100.7"}).status_code == 404, header
    with override_settings(VERKSTALL_METRICS_TOKEN="tok-123456"):
        response = local.get(
            "/metrics", HTTP_X_FORWARDED_FOR="198.51.100.7", HTTP_AUTHORIZATION="Bearer tok-123456"
        )
    assert response.status_code == 200


@override_settings(VERKSTALL_METRICS_ALLOW=("10.0.0.0/8",))
def test_the_allowed_networks_come_from_the_setting(db):  # issue 18
    assert Client(REMOTE_ADDR="10.20.30.40").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 404


def test_a_bad_network_in_the_setting_is_named():  # issue 18
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match=re.escape("10.0.0.0/33")):
        monitoring.networks(("10.0.0.0/33",))


def test_the_route_is_declared_public_and_checks_for_itself():  # issue 18, Actors
    access = declarations.VIEWS["verkstall.monitoring.metrics_view"]
    assert access is declarations.PUBLIC


def test_production_lets_the_local_scrape_through_without_the_https_redirect(monkeypatch):
    import importlib

    monkeypatch.setenv("DJANGO_SECRET_KEY", "k" * 60)
    production = importlib.import_module("verkstall.settings_production")
    assert any(re.search(p, "metrics") for p in production.SECURE_REDIRECT_EXEMPT)


# --- the database down; several processes -------------------------------------------------------


def test_a_scrape_without_the_database_says_so_and_still_answers(db, monkeypatch):  # issue 18
    def broken(now):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(monitoring, "overdue_counts", broken)
    families = scrape()
    assert families["verkstall_database_up"]["samples"] == [("verkstall_database_up", {}, 0.0)]
    assert "verkstall_outbox_pending" not in families
    assert "verkstall_http_request_duration_seconds" in families


def test_workers_share_their_totals_through_the_directory(tmp_path):  # issue 18
    """A forked worker counts in its own file; any process's scrape adds up all of them,
    those of workers that exited included."""
    metrics.configure(tmp_path)
    try:
        mine = metrics.TRANSITIONS.value("end")
        pid = os.fork()
        if pid == 0:  # the child: counts from zero; its timer writes its file; it exits
            code = 0 if metrics.TRANSITIONS.value("end") == 0 else 3
            metrics.count_transition("end")
            metrics.count_transition("end")
            time.sleep(metrics.FLUSH_SECONDS + 1)
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        metrics.count_transition("end")
        total = metrics.collect()[metrics.TRANSITIONS.name][("end",)]
        assert total == mine + 1 + 2
        assert len(list(tmp_path.glob("*.json"))) == 2
    finally:
        metrics.configure(None)


def test_a_bad_network_in_the_environment_stops_the_start():  # issue 18
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["VERKSTALL_METRICS_ALLOW"] = "127.0.0.1/32,10.0.0.0/33"
    done = subprocess.run(
        [sys.executable, "-c", "import verkstall.settings"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "VERKSTALL_METRICS_ALLOW: '10.0.0.0/33' is not an address" in done.stderr
