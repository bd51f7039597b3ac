"""A provider's system with a client generated from the schema (issue 20 item 4): the client
generates with openapi-python-client, installs with pip, and the README's example
(docs/examples/provider_integration.py) runs against a live server: it reads the event feed,
acknowledges the orders sent to its provider and registers their start, once each, also when
it runs twice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from verkstall.access.token_services import issue_token
from verkstall.orders.models import EventKind, Order, OrderEvent

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "examples" / "provider_integration.py"
BIN = Path(sys.executable).parent


def _run(*args, env=None, cwd=None) -> subprocess.CompletedProcess:
    result = subprocess.run(  # noqa: S603 (our own tools, no shell)
        [str(a) for a in args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"{args[:3]}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def generated_client(tmp_path_factory) -> Path:
    """The client package generated from this schema and installed with pip into a folder."""
    root = tmp_path_factory.mktemp("client")
    schema = root / "schema.json"
    call_command("spectacular", "--format", "openapi-json", "--file", str(schema))
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    _run(
        BIN / "openapi-python-client",
        "generate",
        "--path",
        schema,
        "--meta",
        "setup",
        "--output-path",
        root / "verkstall-api-client",
        env=env,
    )
    package = root / "verkstall-api-client"
    pip = [sys.executable, "-m", "pip", "install", "--no-index", "--no-build-isolation"]
    # pip accepts the package and finds every dependency it names already installed...
    dry = _run(*pip, "--dry-run", package, env=env)
    assert "Would install verkstall-api-client-0.1.0" in dry.stdout, dry.stdout
    # ...and installs it (into a folder of its own, so the project's environment is untouched).
    site = root / "site"
    _run(*pip, "--no-deps", "--target", site, package, env=env)
    assert (site / "verkstall_api_client" / "api" / "orders" / "orders_acknowledge.py").exists()
    return site


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_generated_client_takes_the_providers_orders_from_the_feed(
    generated_client, live_server, world
):
    mine = [world.order(state="sent"), world.order(state="sent")]
    draft = world.order()  # never sent: not the provider's to see
    theirs = world.order(provider=world.provider_b, state="sent")
    _, key = issue_token(user=world.staff_a)
    env = {
        **os.environ,
        "PYTHONPATH": str(generated_client),
        "VERKSTALL_URL": live_server.url,
        "VERKSTALL_TOKEN": key,
    }

    first = json.loads(_run(sys.executable, EXAMPLE, env=env).stdout)
    assert first["orders"] == [o.pk for o in mine]
    assert first["states"] == {str(o.pk): "started" for o in mine}
    for order in mine:
        order = Order.objects.get(pk=order.pk)
        assert order.state == "started"
        kinds = list(order.events.order_by("seq").values_list("kind", flat=True))
        assert kinds.count(EventKind.ACKNOWLEDGED) == kinds.count(EventKind.STARTED) == 1
        assert order.events.get(kind=EventKind.STARTED).actor_id == world.staff_a.pk
    assert Order.objects.get(pk=draft.pk).state == "draft"
    assert Order.objects.get(pk=theirs.pk).state == "sent"

    # From its cursor the feed has nothing new to take...
    again = json.loads(_run(sys.executable, EXAMPLE, first["cursor"], env=env).stdout)
    assert again["orders"] == []
    # ...and read again from the start, every step is replayed by its Idempotency-Key, not done
    # twice.
    replayed = json.loads(_run(sys.executable, EXAMPLE, env=env).stdout)
    assert replayed["states"] == first["states"]
    assert OrderEvent.objects.filter(kind=EventKind.STARTED, order__in=mine).count() == 2
