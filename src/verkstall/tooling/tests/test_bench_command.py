"""`generate` and `bench` as commands: figures printed, never asserted (ARCHITECTURE)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from verkstall.tooling import generator_services as generator

pytestmark = pytest.mark.django_db


def test_generate_prints_the_row_counts():
    out = StringIO()
    call_command("generate", clients=12, seed=3, stdout=out, stderr=StringIO())
    text = out.getvalue()
    assert "Genererat 12 klienter" in text
    assert "orders.Order " in text and "deadlines.DueItem " in text
    assert generator.generated_size() == 12


def test_bench_generates_an_empty_database_and_ends_with_one_json_object():
    out = StringIO()
    call_command("bench", clients=15, runs=50, skip_http=True, stdout=out, stderr=StringIO())
    last = out.getvalue().strip().splitlines()[-1]
    report = json.loads(last)
    assert report["clients"] == 15
    assert [w["scope"] for w in report["watchlists"]] == [
        "mine",
        "unit",
        "provider",
        "provider_unit",
    ]
    for w in report["watchlists"]:
        assert w["app"]["runs"] >= 50 and w["sql"]["runs"] >= 50
        assert w["queries"] == 1
    assert all(p["status"] == 200 for p in report["pages"])
    assert "generate_seconds" in report


def test_bench_refuses_another_size_than_the_database_holds():
    generator.generate(5, seed=1)
    with pytest.raises(CommandError):
        call_command("bench", clients=7, skip_http=True, stdout=StringIO(), stderr=StringIO())
