"""The one declaration of client-bearing models (audit/client_models.py) against the model
graph, and the lists derived from it (SPEC R10.4, R10.6)."""

from __future__ import annotations

import pytest

from verkstall.audit import capture, retention_selectors, retention_services
from verkstall.audit.client_models import CLIENT_DATA
from verkstall.core import clock
from verkstall.people.models import Person
from verkstall.tooling import testing as build


def test_every_model_that_reaches_a_client_is_declared_client_bearing():
    # R10.4: every read of client data reaches the access log; R10.6: retention removes it all.
    declared = {c.model for c in CLIENT_DATA}
    missing = {m._meta.label for m in build.models_reaching_a_client() - declared}
    assert missing == set()
    assert len(declared) == len(CLIENT_DATA)


def test_the_capture_reports_every_declared_model():  # R10.4
    assert set(capture.CLIENT_MODELS) == {c.label for c in CLIENT_DATA}


@pytest.mark.parametrize("declared", CLIENT_DATA, ids=lambda c: c.label)
def test_each_declaration_names_its_client_by_a_real_path(declared):  # R10.4
    model = declared.model
    *hops, last = declared.client.split("__")
    for hop in hops:
        model = model._meta.get_field(hop).related_model
    target = model._meta.get_field(last.removesuffix("_id") if last != "id" else "id")
    assert model is Person if last == "id" else target.related_model is Person
    if declared.captured_as not in ("pk", "row"):
        declared.model._meta.get_field(declared.captured_as.removesuffix("_id"))
    for name in declared.dated:
        field = declared.model._meta.get_field(name)
        assert field.get_internal_type() in ("DateField", "DateTimeField"), name


def test_the_retention_lists_are_derived_from_the_declaration():  # R10.6
    assert [m for m, _ in retention_services.REMOVAL_PLAN] == [c.model for c in CLIENT_DATA]
    assert [m for m, _, _ in retention_selectors.LAST_ENTRY_SOURCES] == [
        c.model for c in CLIENT_DATA if c.dated
    ]


@pytest.mark.django_db
def test_a_row_named_through_another_model_reports_its_client(world):
    # R10.4: a reminder names its client only through its due item.
    from verkstall.audit.services import client_ids
    from verkstall.deadlines.models import DueItem, Reminder

    order = world.order(state="sent")
    item = DueItem.objects.filter(order=order).first()
    assert item is not None
    reminder = Reminder.objects.create(
        municipality=world.muni,
        user=world.officer,
        due_item=item,
        kind=Reminder.Kind.values[0],
        sent_on=clock.today(),
        sent_at=clock.now(),
    )
    with capture.capturing() as cap:
        list(Reminder.objects.filter(pk=reminder.pk))
    assert cap.rows == {"deadlines.Reminder": {reminder.pk}}
    assert client_ids(cap) == {order.person_id}
