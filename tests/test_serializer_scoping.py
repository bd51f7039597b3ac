"""No serializer offers another organisation's rows (SPEC R10.4; issue 11, critical finding).

The browsable API renders a POST form for a view's serializer, and every writable related field
in it becomes a drop-down of its queryset. Output serializers with writable foreign keys listed
every client, decision, unit and user of every municipality to any officer. The rule now: no
serializer in the project has a writable related field (inputs take plain ids that the services
scope to the acting user). The walk below fails on any new one.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from rest_framework import relations, serializers
from walkers import project_classes, writable_serializer_fields

from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.tooling import testing as build


def project_serializers() -> list[type[serializers.BaseSerializer]]:
    return project_classes(serializers.BaseSerializer)


def writable_related_fields(serializer_class) -> list[str]:
    """Every writable related field of the serializer, nested serializers included."""
    return [
        where.rsplit(".", 2)[-2] + "." + where.rsplit(".", 1)[-1]
        for where, field in writable_serializer_fields(serializer_class)
        if isinstance(field, relations.RelatedField)
    ]


def test_walk_finds_every_serializer_of_the_api():  # R10.4
    names = {cls.__name__ for cls in project_serializers()}
    assert {"OrderSerializer", "DecisionSerializer", "PersonSerializer", "ChoiceSerializer"} <= (
        names
    )
    assert len(names) > 30


def test_no_serializer_has_a_writable_related_field():  # R10.4
    offending = [f for cls in project_serializers() for f in writable_related_fields(cls)]
    assert offending == [], (
        "writable related fields carry an unscoped queryset that the browsable API lists: "
        + ", ".join(offending)
    )


def test_walk_flags_a_planted_unscoped_related_field():  # R10.4
    from verkstall.orders.models import Order

    class PlantedOrderSerializer(serializers.ModelSerializer):
        class Meta:
            model = Order
            fields = ["id", "person"]

    assert writable_related_fields(PlantedOrderSerializer) == ["PlantedOrderSerializer.person"]


# --- The reproduction: as an officer, the browsable API of another municipality's rows ------


@pytest.fixture
def other_municipality(world):
    """Municipality B with a client, a decision, an order and users, all named with canaries."""
    from verkstall.decisions.services import record_decision
    from verkstall.orders.services import create_order
    from verkstall.people.services import register_person

    muni = build.municipality(name="Kanariekommun")
    unit = build.unit(muni, "KanarieEnheten")
    officer = build.user(Role.OFFICER, muni, unit=unit, username="kanarie_handlaggare")
    provider = build.provider(muni, "Kanarieomsorg AB")
    person = register_person(
        officer,
        personal_number=build.test_number(),
        first_name="Kanariefågel",
        last_name="Hemligsson",
    )
    decision = record_decision(
        officer,
        person=person,
        decided_on=clock.today() - timedelta(days=3),
        services=[
            {
                "service_type": "hemtjanst-omvardnad",
                "scope_amount": "10",
                "scope_unit": "hours_per_month",
            }
        ],
    )
    order = create_order(officer, decision=decision, provider=provider)
    return {"order": order, "strings": ["Kanarie", "Hemligsson", "kanarie_handlaggare"]}


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/api/orders/?format=api", {}),
        ("/api/orders/", {"HTTP_ACCEPT": "text/html"}),
        ("/api/decisions/?format=api", {}),
        ("/api/persons/?format=api", {}),
        ("/api/providers/?format=api", {}),
        ("/api/plans/?format=api", {}),
        ("/api/messages/?format=api", {}),
        ("/api/due-items/?format=api", {}),
    ],
)
def test_browsable_api_forms_list_no_other_municipality(
    world, other_municipality, api, path, headers
):  # R10.4
    world.order(state="sent")
    response = api(world.officer).get(path, **headers)
    assert response.status_code in (200, 403, 404)
    body = response.content.decode()
    for canary in other_municipality["strings"]:
        assert canary not in body, (path, canary)


def test_browsable_api_of_another_municipalitys_order_lists_nothing(
    world, other_municipality, api
):  # R10.4
    order = other_municipality["order"]
    for suffix in ("", "oral-briefings/", "events/"):
        response = api(world.officer).get(f"/api/orders/{order.pk}/{suffix}?format=api")
        assert response.status_code in (403, 404, 405)
        body = response.content.decode()
        for canary in other_municipality["strings"]:
            assert canary not in body, (suffix, canary)


def test_no_input_serializer_nests_an_output_serializer():  # R10.4
    """An output serializer is read-only through and through: nested in an input it would
    silently drop what the client sent (the relatives of a new client did)."""
    from verkstall.core.api import OutputModelSerializer

    nested = []
    for cls in project_serializers():
        if issubclass(cls, serializers.ModelSerializer) and not hasattr(cls, "Meta"):
            continue
        for name, field in cls().fields.items():
            inner = field.child if isinstance(field, serializers.ListSerializer) else field
            if isinstance(inner, OutputModelSerializer) and not field.read_only:
                nested.append(f"{cls.__name__}.{name}")
    assert nested == []
