"""Every entered date has bounds (issue 11, medium finding "dates").

A decision dated 0001-01-01 was accepted by `POST /api/decisions/`, dates such as 1900 or an
absence in 9999 were accepted everywhere, and a naive `0001-01-01T00:00:00` was a 500. Every
date and time entered in the API, a screen or a service now lies in one window
(`core.dates.date_window`: 1990-01-01 to 31 December ten years ahead, from the settings
VERKSTALL_EARLIEST_DATE and VERKSTALL_YEARS_AHEAD). The walks below find every serializer and
form of the project and fail on a date field that takes input without the bounds, so a field
added later cannot forget them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django import forms
from django.test import Client
from rest_framework import serializers
from walkers import project_classes, writable_serializer_fields

from verkstall.core import clock
from verkstall.core.date_fields import (
    BoundedDateField,
    BoundedDateTimeField,
    BoundedFormDateField,
    BoundedFormDateTimeField,
)
from verkstall.core.dates import date_window, parse_date, parse_moment, window_message
from verkstall.core.errors import ValidationFailed


def serializer_date_fields(serializer_class) -> list[tuple[str, object]]:
    """Every date or time field of the serializer that takes input, nested ones included."""
    return [
        (where, field)
        for where, field in writable_serializer_fields(serializer_class)
        if isinstance(field, serializers.DateField | serializers.DateTimeField)
    ]


def form_date_fields(form_class) -> list[tuple[str, object]]:
    return [
        (f"{form_class.__module__}.{form_class.__name__}.{name}", field)
        for name, field in form_class.base_fields.items()
        if isinstance(field, forms.DateField | forms.DateTimeField)
    ]


SERIALIZER_FIELDS = [
    f for cls in project_classes(serializers.BaseSerializer) for f in serializer_date_fields(cls)
]
FORM_FIELDS = [f for cls in project_classes(forms.BaseForm) for f in form_date_fields(cls)]


def test_the_walks_find_the_date_fields_of_the_finding():  # R1.2, R7.1
    serializer_names = {where.rsplit(".", 1)[-1] for where, _ in SERIALIZER_FIELDS}
    assert {"decided_on", "valid_from", "acute_oral_at", "occurred_at", "told_at"} <= (
        serializer_names
    )
    form_names = {where for where, _ in FORM_FIELDS}
    assert "verkstall.absences.forms.AbsenceForm.to_date" in form_names
    assert "verkstall.decisions.forms.DecisionForm.decided_on" in form_names
    assert len(SERIALIZER_FIELDS) >= 12 and len(FORM_FIELDS) >= 15


@pytest.mark.parametrize(
    ("where", "field"), SERIALIZER_FIELDS, ids=[w for w, _ in SERIALIZER_FIELDS]
)
def test_every_serializer_date_field_is_bounded(where, field):  # R1.2
    bounded = (
        BoundedDateTimeField if isinstance(field, serializers.DateTimeField) else (BoundedDateField)
    )
    assert isinstance(field, bounded), f"{where} takes any date; use core.date_fields"


@pytest.mark.parametrize(("where", "field"), FORM_FIELDS, ids=[w for w, _ in FORM_FIELDS])
def test_every_form_date_field_is_bounded(where, field):  # R1.2
    bounded = (
        BoundedFormDateTimeField
        if isinstance(field, forms.DateTimeField)
        else (BoundedFormDateField)
    )
    assert isinstance(field, bounded), f"{where} takes any date; use core.date_fields"


def test_the_walk_flags_a_planted_unbounded_field():  # R1.2
    class Planted(serializers.Serializer):
        day = serializers.DateField()
        moment = BoundedDateTimeField()
        shown = serializers.DateField(read_only=True)

    assert [w.rsplit(".", 1)[-1] for w, _ in serializer_date_fields(Planted)] == ["day", "moment"]
    assert not isinstance(serializer_date_fields(Planted)[0][1], BoundedDateField)


# --- The window -------------------------------------------------------------------------------


def test_the_window_is_1990_to_the_end_of_the_year_ten_years_ahead():  # R1.2
    first, last = date_window()
    assert first == date(1990, 1, 1)
    assert last == date(clock.today().year + 10, 12, 31)
    assert window_message() == f"Datumet måste ligga mellan 1990-01-01 och {last:%Y-%m-%d}."


def test_the_window_comes_from_the_settings(settings):  # R1.2
    settings.VERKSTALL_EARLIEST_DATE = "2000-01-01"
    settings.VERKSTALL_YEARS_AHEAD = 1
    assert date_window() == (date(2000, 1, 1), date(clock.today().year + 1, 12, 31))


@pytest.mark.parametrize(
    "value",
    ["0001-01-01", "1900-01-01", "1989-12-31", "9999-12-31", date(1, 1, 1), datetime(1, 1, 1)],
)
def test_the_services_parser_refuses_a_date_outside_the_window(value):  # R1.2
    errors: dict[str, str] = {}
    assert parse_date(value, "decided_on", errors) is None
    assert errors == {"decided_on": window_message()}


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01T00:00:00",
        "9999-12-31T23:59:59",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-12:00",
        datetime(1, 1, 1),
        datetime(9999, 12, 31, 23, 59),
    ],
)
def test_the_services_parser_refuses_a_moment_near_year_1_or_9999_without_overflow(value):  # R1.2
    errors: dict[str, str] = {}
    assert parse_moment(value, "occurred_at", errors) is None
    assert errors == {"occurred_at": window_message(moment=True)}


def test_the_window_edges_are_accepted():  # R1.2
    first, last = date_window()
    errors: dict[str, str] = {}
    assert parse_date(first, "d", errors) == first
    assert parse_date(last.isoformat(), "d", errors) == last
    assert errors == {}


# --- The reproductions ------------------------------------------------------------------------


def _decision_body(person, **changes) -> dict:
    values = {
        "person": person.pk,
        "decided_on": (clock.today() - timedelta(days=2)).isoformat(),
        "services": [
            {
                "service_type": "hemtjanst-omvardnad",
                "scope_amount": "12.5",
                "scope_unit": "hours_per_month",
            }
        ],
    }
    values.update(changes)
    return values


@pytest.mark.django_db
@pytest.mark.parametrize("decided_on", ["0001-01-01", "1900-06-01", "9999-12-31"])
def test_a_decision_dated_outside_the_window_is_a_400_on_decided_on(world, api, decided_on):
    # R1.2; issue 11: 0001-01-01 was accepted and took down the unit's watchlists.
    from verkstall.decisions.models import Decision

    response = api(world.officer).post(
        "/api/decisions/", _decision_body(world.person(), decided_on=decided_on), format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["decided_on"] == [window_message()]
    assert not Decision.objects.exists()


@pytest.mark.django_db
def test_a_granted_service_valid_to_9999_is_a_400_keyed_by_its_index(world, api):  # R1.2
    body = _decision_body(world.person())
    body["services"][0]["valid_to"] = "9999-12-31"
    response = api(world.officer).post("/api/decisions/", body, format="json")
    assert response.status_code == 400
    assert response.json()["services[0].valid_to"] == [window_message()]


@pytest.mark.django_db
@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00", "9999-12-31T23:59:59", "1900-01-01"])
def test_a_naive_moment_near_year_1_is_a_400_not_a_500(world, api, moment):  # R3.2
    from verkstall.orders.models import Order

    response = api(world.officer).post(
        "/api/orders/",
        {
            "decision": world.decision().pk,
            "provider": world.provider_a.pk,
            "acute_oral_at": moment,
        },
        format="json",
    )
    assert response.status_code == 400, response.content
    assert response.json()["acute_oral_at"] == [window_message(moment=True)]
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_a_hospital_notice_in_year_1_is_a_400_on_occurred_at(world, api):  # R7.3
    person = world.person()
    response = api(world.officer).post(
        "/api/hospital-notices/",
        {
            "kind": "admission",
            "occurred_at": "0001-01-01T00:00:00",
            "personal_number": person.personal_number,
        },
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "occurred_at" in response.json()


@pytest.mark.django_db
def test_an_absence_until_9999_is_refused_on_the_screen_and_by_the_service(world):  # R7.1
    from verkstall.absences import services
    from verkstall.absences.models import Absence

    order = world.order(state="started")
    client = Client()
    client.force_login(world.staff_a)
    response = client.post(
        f"/orders/{order.pk}/absences/",
        {"reason": "hospital", "from_date": clock.today().isoformat(), "to_date": "9999-12-31"},
    )
    assert response.status_code == 400
    assert window_message() in response.content.decode()
    with pytest.raises(ValidationFailed) as refused:
        services.register_absence(
            world.staff_a, order, reason="hospital", from_date=clock.today(), to_date="9999-12-31"
        )
    assert refused.value.errors == {"to_date": [window_message()]}
    assert not Absence.objects.exists()


@pytest.mark.django_db
def test_the_decision_screen_refuses_1900_with_the_message_on_the_field(world):  # R1.2
    from verkstall.decisions.models import Decision

    person = world.person()
    client = Client()
    client.force_login(world.officer)
    response = client.post(
        f"/clients/{person.pk}/decisions/new/",
        {
            "decided_on": "1900-01-01",
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "0",
            "form-0-service_type": "hemtjanst-omvardnad",
            "form-0-scope_amount": "10",
            "form-0-scope_unit": "hours_per_month",
        },
    )
    assert window_message() in response.content.decode()
    assert not Decision.objects.exists()


@pytest.mark.django_db
def test_a_service_called_directly_refuses_a_date_outside_the_window(world):  # R1.2
    # Services are called by commands and the demo, too: the bound is theirs, not the API's.
    from verkstall.decisions.services import record_decision

    with pytest.raises(ValidationFailed) as refused:
        world.decision(decided_on=date(1, 1, 1))
    assert refused.value.errors == {"decided_on": [window_message()]}
    with pytest.raises(ValidationFailed):
        record_decision(
            world.officer,
            person=world.person(),
            decided_on=clock.today(),
            services=[
                {
                    "service_type": "hemtjanst-omvardnad",
                    "scope_amount": "5",
                    "scope_unit": "hours_per_month",
                    "valid_from": "1900-01-01",
                }
            ],
        )
