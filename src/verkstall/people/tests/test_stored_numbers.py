"""Numbers stored before normalisation are rewritten (issue 11, fullwidth personnummer)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.core.management import call_command

from verkstall.people.models import Person
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db

migration = importlib.import_module(
    "verkstall.people.migrations.0005_normalise_stored_personal_numbers"
)

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def stored_raw(world, number: str, **kw) -> Person:
    """A row as the old code wrote it, past every service."""
    return Person.objects.create(
        municipality=world.muni,
        unit=world.unit,
        personal_number=number,
        first_name="Gammal",
        last_name="Rad",
        **kw,
    )


def test_fullwidth_numbers_are_rewritten_unless_another_client_holds_them(world, capsys):  # R1.1
    alone = build.test_number().replace("-", "")
    twice = build.test_number().replace("-", "")
    lone = stored_raw(world, alone.translate(FULLWIDTH))
    dup = stored_raw(world, twice.translate(FULLWIDTH))
    world.person(personal_number=twice)  # the same person, registered again in ASCII
    with pytest.raises(SystemExit):
        call_command("check_personal_numbers")
    migration.normalise(apps, None)
    assert Person.objects.get(pk=lone.pk).personal_number == alone
    assert Person.objects.get(pk=dup.pk).personal_number == twice.translate(FULLWIDTH)
    capsys.readouterr()
    with pytest.raises(SystemExit):
        call_command("check_personal_numbers")
    out = capsys.readouterr().out
    assert f"klient {dup.pk}" in out and f"klient {lone.pk}" not in out
    assert twice not in out and twice.translate(FULLWIDTH) not in out
