"""The transfer at 65 (SPEC R1.4, seed 003 "Pågående ärende från Socialpsykiatri: När en person
fyller 65 år och har pågående boendestöd från socialpsykiatrin övergår ansvaret till
omvårdnadsförvaltningen. Handläggaren gör en ny utredning och fattar ett beslut om boendestöd
... kan den enskildes boendestödjare delta om så önskas vid mötet")."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.core.errors import NotFound, PermissionDenied, ValidationFailed
from verkstall.core.personal_number import PersonalNumber, luhn_check_digit
from verkstall.decisions.services import record_decision
from verkstall.journal.models import CaseJournalEntry, Message
from verkstall.orders import services as orders
from verkstall.orders.selectors import get_order
from verkstall.people.models import Person
from verkstall.people.selectors import get_person
from verkstall.tooling import testing as build
from verkstall.transfers import selectors
from verkstall.transfers.ages import birthday_at
from verkstall.transfers.models import Transfer
from verkstall.transfers.route_services import set_transfer_route
from verkstall.transfers.services import transfer_client

pytestmark = pytest.mark.django_db

HOUSING_SUPPORT = {
    "service_type": "boendestod",
    "scope_amount": "8",
    "scope_unit": "hours_per_month",
}
HOME_CARE = {
    "service_type": "hemtjanst-omvardnad",
    "scope_amount": "10",
    "scope_unit": "hours_per_month",
}


def number_turning(age: int, in_days: int, birth_number: int, *, coordination=False) -> str:
    """A test personnummer (or samordningsnummer: day + 60) of someone who turns `age` in
    `in_days` days (negative: turned it that many days ago)."""
    turns = clock.today() + timedelta(days=in_days)
    try:
        born = turns.replace(year=turns.year - age)
    except ValueError:  # 29 February
        born = date(turns.year - age, 2, 28)
    day = born.day + (60 if coordination else 0)
    nine = f"{born:%y%m}{day:02d}{birth_number:03d}"
    return PersonalNumber(f"{born:%Y%m}{day:02d}{birth_number:03d}{luhn_check_digit(nine)}").value


@pytest.fixture
def solna(world):
    """world.unit is the socialpsykiatri, world.other_unit the elderly care; the route between
    them is the municipality's data."""
    admin = build.user(Role.LOV_ADMIN, world.muni)
    set_transfer_route(
        admin,
        from_unit=world.unit,
        to_unit=world.other_unit,
        at_age=65,
        notice_days=60,
        source="Solna, seed 003",
    )
    return world


def client_with(world, number: str, services=(HOUSING_SUPPORT,), state="started"):
    person = world.person(personal_number=number)
    decision = world.decision(person=person, services=list(services))
    order = world.order(decision=decision, state=state)
    return person, order


def test_r1_4_the_list_flags_housing_support_clients_turning_65_within_the_window(solna):
    """R1.4: a 64-year-old turning 65 within the notice days (a samordningsnummer too), and
    one who has turned 65 already, with ongoing housing support, are listed, soonest first;
    one turning 65 later, one with home care only, one whose housing support ended, one of
    40, and every client of another unit or municipality are not."""
    world = solna
    soon, _ = client_with(world, number_turning(65, 30, 981))
    coordination, _ = client_with(
        world, number_turning(65, 10, 982, coordination=True), state="sent"
    )
    turned, _ = client_with(world, number_turning(65, -5, 983))
    client_with(world, number_turning(65, 100, 984))
    client_with(world, number_turning(65, 20, 985), services=(HOME_CARE,))
    client_with(world, number_turning(65, 25, 986), state="ended")
    client_with(world, number_turning(40, 20, 987))
    # Another municipality with the same route and a client turning 65 in 30 days.
    muni = build.municipality()
    psych, elderly = build.unit(muni, "Socialpsykiatri"), build.unit(muni, "Äldreomsorg")
    set_transfer_route(build.user(Role.LOV_ADMIN, muni), from_unit=psych, to_unit=elderly)
    stranger = build.user(Role.OFFICER, muni, unit=psych)
    from verkstall.people.services import register_person

    theirs = register_person(
        stranger, personal_number=number_turning(65, 30, 988), first_name="Tor", last_name="Ek"
    )
    decision = record_decision(
        stranger, person=theirs, decided_on=clock.today(), services=[HOUSING_SUPPORT]
    )
    order = orders.create_order(stranger, decision=decision, provider=build.provider(muni))
    orders.send_order(stranger, order)

    route, due = selectors.due_for_transfer(world.officer)
    assert route.to_unit == world.other_unit
    assert [c.person for c in due] == [turned, coordination, soon]
    assert due[0].reached and not due[2].reached and due[2].days_left == 30
    assert selectors.due_for_transfer(world.other_officer) == (None, [])
    _, theirs_due = selectors.due_for_transfer(stranger)
    assert [c.person for c in theirs_due] == [theirs]


def test_r1_4_the_transfer_moves_the_client_writes_the_journal_and_keeps_the_order(solna):
    """R1.4: the client moves to the elderly unit (its officers see the client, the old unit's
    do not); the case journal says who, when, from and to, what keeps running and that the
    support worker is asked to the meeting; the provider is told; the order keeps running
    with the old unit until the new decision, which the new unit then makes."""
    world = solna
    person, order = client_with(world, number_turning(65, 14, 990))
    transfer = transfer_client(
        world.officer,
        person,
        support_worker_invited=True,
        meeting_note="Möte hos den enskilde 12 maj kl. 10.",
    )
    person.refresh_from_db()
    assert person.unit == world.other_unit
    assert (transfer.from_unit, transfer.to_unit) == (world.unit, world.other_unit)
    assert transfer.transferred_by == world.officer and transfer.support_worker_invited
    assert list(transfer.orders.all()) == [order]
    assert transfer.turns_age_on == clock.today() + timedelta(days=14)
    entry = CaseJournalEntry.objects.get(person=person, title="Överlämning till annan enhet")
    assert world.unit.name in entry.text and world.other_unit.name in entry.text
    assert f"#{order.pk}" in entry.text and "Boendestödjaren bjuds in" in entry.text
    assert "12 maj" in entry.text
    message = Message.objects.get(order=order, from_provider=False)
    assert message.provider == world.provider_a and "boendestödjaren deltar" in message.body
    assert person.personal_number not in message.subject + message.body
    # The order keeps running with the unit that ordered it.
    order.refresh_from_db()
    assert (order.state, order.unit, order.officer) == ("started", world.unit, world.officer)
    # Scoping follows the client; the old unit keeps its own order.
    assert get_person(world.other_officer, person.pk) == person
    with pytest.raises(NotFound):
        get_person(world.officer, person.pk)
    assert get_order(world.officer, order.pk) == order
    with pytest.raises(NotFound):
        get_order(world.other_officer, order.pk)
    # The new unit makes the new assessment and decision.
    assert list(selectors.awaiting_assessment(world.other_officer)) == [transfer]
    assert [t.decided for t in selectors.handed_over(world.officer)] == [False]
    assert list(selectors.awaiting_assessment(world.officer)) == []
    record_decision(
        world.other_officer, person=person, decided_on=clock.today(), services=[HOUSING_SUPPORT]
    )
    assert list(selectors.awaiting_assessment(world.other_officer)) == []
    assert [t.decided for t in selectors.handed_over(world.officer)] == [True]
    # Once the old order ends, the old unit has nothing left to do.
    orders.end_order(world.officer, order, end_date=clock.today())
    assert list(selectors.handed_over(world.officer)) == []


def test_r1_4_a_transfer_that_does_not_apply_is_refused_and_changes_nothing(solna):
    """R1.4: too early, no ongoing housing support, no route out of the unit, or another
    unit's officer: refused; the client stays where it was."""
    world = solna
    early, _ = client_with(world, number_turning(65, 100, 991))
    home_care, _ = client_with(world, number_turning(65, 10, 992), services=(HOME_CARE,))
    for person in (early, home_care):
        with pytest.raises(ValidationFailed) as caught:
            transfer_client(world.officer, person)
        assert "person" in caught.value.errors
    with pytest.raises(ValidationFailed, match="tidigast"):
        transfer_client(world.officer, early)
    with pytest.raises(PermissionDenied):
        transfer_client(world.other_officer, early)
    # The elderly unit has no route out of it.
    moved, _ = client_with(world, number_turning(65, 5, 993))
    transfer_client(world.officer, moved)
    with pytest.raises(ValidationFailed):
        transfer_client(world.other_officer, Person.objects.get(pk=moved.pk))
    assert Transfer.objects.count() == 1
    assert set(
        Person.objects.filter(pk__in=[early.pk, home_care.pk]).values_list("unit", flat=True)
    ) == {world.unit.pk}


def test_r1_4_screens_list_and_transfer(client, solna):
    """R1.4: the unit's list names the client and links the transfer; the transfer screen
    moves the client and lands on the list, where the order still running shows."""
    world = solna
    person, order = client_with(world, number_turning(65, 7, 994))
    client.force_login(world.officer)
    page = client.get(reverse("transfer-list")).content.decode()
    assert person.full_name in page and reverse("transfer-person", args=[person.pk]) in page
    detail = client.get(reverse("person-detail", args=[person.pk])).content.decode()
    assert 'id="transfer-due-notice"' in detail
    form = client.get(reverse("transfer-person", args=[person.pk]))
    assert form.status_code == 200 and world.other_unit.name in form.content.decode()
    done = client.post(
        reverse("transfer-person", args=[person.pk]),
        {"support_worker_invited": "on", "meeting_note": "Möte i nästa vecka."},
    )
    assert done.status_code == 302 and done["Location"] == reverse("transfer-list")
    assert Person.objects.get(pk=person.pk).unit == world.other_unit
    after = client.get(reverse("transfer-list")).content.decode()
    assert 'id="transfer-handed-list"' in after and f"#{order.pk}" in after
    assert client.get(reverse("person-detail", args=[person.pk])).status_code == 404
    client.force_login(world.other_officer)
    theirs = client.get(reverse("transfer-list")).content.decode()
    assert 'id="transfer-awaiting-list"' in theirs and person.full_name in theirs
    detail = client.get(reverse("person-detail", args=[person.pk])).content.decode()
    assert 'id="transfer-awaiting-notice"' in detail and "boendestödjaren" in detail


def test_r1_4_the_route_is_the_municipalitys_data_set_by_its_administrator(world):
    """R1.4: which unit hands over to which, at what age and how early, is municipal data."""
    admin = build.user(Role.LOV_ADMIN, world.muni)
    with pytest.raises(PermissionDenied):
        set_transfer_route(world.officer, from_unit=world.unit, to_unit=world.other_unit)
    other = build.unit(build.municipality())
    with pytest.raises(ValidationFailed) as caught:
        set_transfer_route(
            admin, from_unit=world.unit, to_unit=other, notice_days=-1, service_kinds=["x"]
        )
    assert set(caught.value.errors) == {"to_unit", "notice_days", "service_kinds"}
    route = set_transfer_route(admin, from_unit=world.unit, to_unit=world.other_unit)
    assert (route.at_age, route.notice_days, route.service_kinds) == (65, 90, ["housing_support"])
    again = set_transfer_route(admin, from_unit=world.unit, to_unit=world.other_unit, at_age=67)
    assert again.pk == route.pk and again.at_age == 67


def test_r1_4_the_birthday_of_one_born_on_29_february():
    assert birthday_at(date(1960, 2, 29), 65) == date(2025, 3, 1)
    assert birthday_at(date(1960, 2, 29), 64) == date(2024, 2, 29)
    assert birthday_at(date(1961, 5, 3), 65) == date(2026, 5, 3)
