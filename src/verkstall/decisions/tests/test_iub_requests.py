"""IUB: the request for a service without needs assessment is its own registered step (SPEC R1.3,
seed 002 §IUB: "Förste handläggare tar emot förfrågan från den enskilde om IUB. Handläggare
skickar uppdraget till utförare ... Meddelande (Beslutsmeddelande) om insats postas till den
enskilde"; "Förste handläggare registrerar telefonnummer och anhöriguppgifter"), and the
two-yearly new request (R6.2) hangs on it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.core.errors import NotFound, PermissionDenied, ValidationFailed
from verkstall.deadlines.models import DueItem
from verkstall.decisions import iub_selectors
from verkstall.decisions.documents import render_letter_html
from verkstall.decisions.iub_services import register_iub_request
from verkstall.decisions.models import Decision, IubRequest
from verkstall.decisions.services import record_decision
from verkstall.followups.services import record_iub_request
from verkstall.journal.models import CaseJournalEntry
from verkstall.orders import services as orders
from verkstall.people.models import Person, Protection
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db

IUB = {"service_type": "iub-service", "scope_amount": "2", "scope_unit": "hours_per_month"}
HOME_CARE = {
    "service_type": "hemtjanst-omvardnad",
    "scope_amount": "10",
    "scope_unit": "hours_per_month",
}


def request_for(world, person=None, **kw):
    values = {
        "person": person or world.person(),
        "asked_by": "Dottern Anna Ek",
        "asked_on": clock.today() - timedelta(days=2),
        "channel": "phone",
    }
    values.update(kw)
    return register_iub_request(world.officer, **values)


def test_r1_3_the_first_officer_registers_who_asked_when_and_how_with_phone_and_relative(world):
    """R1.3: the request is its own step: who asked, when, how, the first officer; the client's
    phone and a relative are registered at the same time, and the case journal says so."""
    person = world.person(phone="")
    asked_on = clock.today() - timedelta(days=3)
    request = register_iub_request(
        world.officer,
        person=person,
        asked_by="Dottern Anna Ek",
        asked_on=asked_on.isoformat(),
        channel="phone",
        note="Vill ha hjälp med inköp.",
        service_type="iub-service",
        phone="070-111 22 33",
        relatives=[{"name": "Anna Ek", "relation": "dotter", "phone": "070-222 33 44"}],
    )
    request.refresh_from_db()
    assert request.first_officer == world.officer
    assert request.unit == world.unit and request.person == person
    assert (request.asked_by, request.asked_on, request.channel) == (
        "Dottern Anna Ek",
        asked_on,
        "phone",
    )
    assert request.service_type.code == "iub-service" and request.decision is None
    person.refresh_from_db()
    assert person.phone == "070-111 22 33"
    assert list(person.relatives.values_list("name", "relation", "phone")) == [
        ("Anna Ek", "dotter", "070-222 33 44")
    ]
    entry = CaseJournalEntry.objects.get(person=person, title="Förfrågan om IUB")
    assert "Dottern Anna Ek" in entry.text and "telefon" in entry.text
    assert "Förste handläggare" in entry.text and "anhöriguppgifter" in entry.text
    assert list(iub_selectors.open_iub_requests(world.officer)) == [request]


def test_r1_3_bad_input_names_each_field_and_writes_nothing(world):
    """R1.3: a clear error per field; no request, phone or relative half-written."""
    person = world.person(phone="08-1")
    with pytest.raises(ValidationFailed) as caught:
        register_iub_request(
            world.officer,
            person=person,
            asked_by="  ",
            asked_on=clock.today() + timedelta(days=1),
            channel="pigeon",
            service_type="hemtjanst-omvardnad",
            phone="070-1",
            relatives=[{"name": "", "phone": "070-2"}],
        )
    assert set(caught.value.errors) == {
        "asked_by",
        "asked_on",
        "channel",
        "service_type",
        "relatives[0].name",
    }
    person.refresh_from_db()
    assert person.phone == "08-1" and not person.relatives.exists()
    assert not IubRequest.objects.exists()


def test_r1_3_only_an_officer_of_the_clients_unit_registers_a_request(world):
    person = world.person()
    for actor in (world.other_officer, world.staff_a, world.fee_officer):
        with pytest.raises(PermissionDenied):
            register_iub_request(
                actor, person=person, asked_by="X", asked_on=clock.today(), channel="phone"
            )
    assert not IubRequest.objects.exists()


def test_r1_3_the_decision_links_to_the_request_and_goes_on_to_the_provider_and_letter(world):
    """R1.3: the decision for the IUB service points at the request; the assignment goes to a
    provider (the order flow) and the decision letter is produced to be posted."""
    request = request_for(world)
    person = request.person
    decision = record_decision(
        world.officer, person=person, decided_on=clock.today(), services=[IUB], iub_request=request
    )
    request.refresh_from_db()
    assert request.decision == decision
    assert list(iub_selectors.open_iub_requests(world.officer)) == []
    order = world.order(decision=decision, state="sent")
    assert order.provider == world.provider_a and order.state == "sent"
    letter = render_letter_html(decision)
    assert "Serviceinsats utan behovsprövning" in letter


def test_r1_3_a_decision_refuses_a_request_it_cannot_grant(world):
    """R1.3: another client's request, one already decided, or a decision that grants no IUB
    service: refused under `iub_request`, and no decision is written."""
    request = request_for(world)
    other = world.person()
    cases = [
        (other, [IUB], request),
        (request.person, [HOME_CARE], request),
        (request.person, [IUB], 999999),
    ]
    for person, services, value in cases:
        with pytest.raises(ValidationFailed) as caught:
            record_decision(
                world.officer,
                person=person,
                decided_on=clock.today(),
                services=services,
                iub_request=value,
            )
        assert "iub_request" in caught.value.errors
    assert not Decision.objects.exists()
    record_decision(
        world.officer,
        person=request.person,
        decided_on=clock.today(),
        services=[IUB],
        iub_request=request,
    )
    with pytest.raises(ValidationFailed) as caught:
        record_decision(
            world.officer,
            person=request.person,
            decided_on=clock.today(),
            services=[IUB],
            iub_request=request.pk,
        )
    assert caught.value.errors["iub_request"] == ["Förfrågan har redan lett till ett beslut."]


def test_r1_3_the_two_yearly_new_request_hangs_on_the_first_and_the_order_page_shows_it(
    client, world
):
    """R1.3, R6.2: the new request every second year is a new request of the same decision
    and client; the decision's first request stays the first, and the order page shows who
    asked, when and the first officer, to the officer and to the provider."""
    world.muni.rule_profile = "gotland"
    world.muni.save()
    start = clock.today() - timedelta(days=40)
    person = world.person()
    with clock.travel_to(clock.start_of_day(start) + timedelta(hours=9)):
        first = request_for(world, person=person, asked_on=start)
        decision = record_decision(
            world.officer, person=person, decided_on=start, services=[IUB], iub_request=first
        )
        order = orders.create_order(world.officer, decision=decision, provider=world.provider_a)
        orders.send_order(world.officer, order)
        orders.acknowledge_order(world.staff_a, order)
        orders.register_start(world.staff_a, order, start_date=start)
    renewed = record_iub_request(
        world.officer,
        order,
        "Vill fortsätta.",
        asked_by="Den enskilde",
        asked_on=clock.today() - timedelta(days=1),
        channel="visit",
    )
    assert renewed.decision == decision and renewed.person == person
    assert (renewed.asked_by, renewed.channel) == ("Den enskilde", "visit")
    assert list(iub_selectors.decision_requests(decision)) == [first, renewed]
    items = DueItem.objects.filter(decision=decision, rule__code="iub-ny-forfragan")
    assert sorted(i.status for i in items) == ["met_on_time", "open"]
    event = order.events.get(kind="iub_request_renewed")
    assert event.data["iub_request"] == renewed.pk
    officer_name = world.officer.get_full_name() or world.officer.username
    for reader in (world.officer, world.staff_a):
        client.force_login(reader)
        page = client.get(reverse("order-detail", args=[order.pk])).content.decode()
        assert 'id="iub-first-request"' in page
        assert "Dottern Anna Ek" in page and officer_name in page
        assert f"{start:%Y-%m-%d}" in page


def test_r1_3_renewal_without_who_asked_is_the_clients_own(world):
    """R1.3, R6.2: a new request registered with a note only is the client's, today."""
    decision = world.decision(services=[IUB])
    order = world.order(decision=decision, state="started")
    renewed = record_iub_request(world.officer, order, "Per telefon.")
    assert renewed.asked_by == order.person.full_name and renewed.asked_on == clock.today()
    assert renewed.first_officer == world.officer and renewed.decision == decision


def test_r1_3_screens_register_list_and_link_the_decision(client, world):
    """R1.3: "Registrera förfrågan om IUB" on the client page, the unit's list of open
    requests, and the decision form that links the request."""
    person = world.person()
    client.force_login(world.officer)
    page = client.get(reverse("person-detail", args=[person.pk])).content.decode()
    assert "Registrera förfrågan om IUB" in page
    url = reverse("iub-request-create", args=[person.pk])
    assert client.get(url).status_code == 200
    refused = client.post(url, {"asked_by": "", "asked_on": "", "channel": ""})
    assert refused.status_code == 400 and not IubRequest.objects.exists()
    done = client.post(
        url,
        {
            "asked_by": "Grannen Bo",
            "asked_on": clock.today().isoformat(),
            "channel": "visit",
            "service_type": "iub-service",
            "relative_name": "Bo Granne",
            "relative_relation": "granne",
        },
    )
    assert done.status_code == 302
    request = IubRequest.objects.get(person=person)
    assert request.first_officer == world.officer and request.channel == "visit"
    assert person.relatives.filter(name="Bo Granne").exists()
    listing = client.get(reverse("iub-request-list")).content.decode()
    assert "Grannen Bo" in listing and f"?iub_request={request.pk}" in listing
    form = client.get(reverse("decision-create", args=[person.pk]), {"iub_request": request.pk})
    assert f'name="iub_request" value="{request.pk}"' in form.content.decode()
    posted = client.post(
        reverse("decision-create", args=[person.pk]),
        {
            "iub_request": request.pk,
            "decided_on": clock.today().isoformat(),
            "services-TOTAL_FORMS": "1",
            "services-INITIAL_FORMS": "0",
            "services-0-service_type": "iub-service",
            "services-0-scope_amount": "2",
            "services-0-scope_unit": "hours_per_month",
        },
    )
    assert posted.status_code == 302
    request.refresh_from_db()
    assert request.decision is not None and request.decision.person == person
    # Another unit's officer: no list entry, no form.
    client.force_login(world.other_officer)
    assert "Grannen Bo" not in client.get(reverse("iub-request-list")).content.decode()
    assert client.get(url).status_code == 404


def test_r1_3_api_registers_and_reads_within_the_unit(world, api):
    person = world.person()
    officer = api(world.officer)
    created = officer.post(
        "/api/iub-requests/",
        {
            "person": person.pk,
            "asked_by": "Sonen Erik",
            "asked_on": clock.today().isoformat(),
            "channel": "email",
            "phone": "070-9",
            "relatives": [{"name": "Erik Ek", "relation": "son"}],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["asked_by"] == "Sonen Erik" and body["first_officer"] == world.officer.pk
    assert body["is_open"] is True and body["decision"] is None
    assert Person.objects.get(pk=person.pk).phone == "070-9"
    bad = officer.post(
        "/api/iub-requests/",
        {"person": person.pk, "asked_by": "X", "asked_on": "2999-01-01", "channel": "email"},
        format="json",
    )
    assert bad.status_code == 400
    listed = officer.get("/api/iub-requests/", {"open": "true"}).json()["results"]
    assert [r["id"] for r in listed] == [body["id"]]
    other = api(world.other_officer)
    assert other.get("/api/iub-requests/").json()["results"] == []
    assert other.get(f"/api/iub-requests/{body['id']}/").status_code == 404
    assert api(world.staff_a).get("/api/iub-requests/").status_code == 403


def test_r1_3_who_asked_is_hidden_for_a_protected_client_like_the_relatives(client, world, api):
    """R1.3, R10.5: who asked may name a relative: a protected client's list row and API list
    show the placeholder; the named staff read it on the client page."""
    person = world.person()
    request = request_for(world, person=person, asked_by="Systern Karin Lund")
    Person.objects.filter(pk=person.pk).update(
        protection=Protection.CONFIDENTIALITY_MARKING,
        protection_set_by=world.officer,
        protection_set_at=clock.now(),
    )
    client.force_login(world.officer)
    assert "Systern Karin Lund" not in client.get(reverse("iub-request-list")).content.decode()
    assert (
        "Systern Karin Lund"
        not in client.get(reverse("person-detail", args=[person.pk])).content.decode()
    )
    rows = api(world.officer).get("/api/iub-requests/").json()["results"]
    assert rows[0]["asked_by"] != "Systern Karin Lund"
    person.protected_access.create(
        municipality=world.muni, user=world.officer, granted_by=world.other_officer
    )
    page = client.get(reverse("person-detail", args=[person.pk])).content.decode()
    assert "Systern Karin Lund" in page
    one = api(world.officer).get(f"/api/iub-requests/{request.pk}/").json()
    assert one["asked_by"] == "Systern Karin Lund"


def test_r1_3_another_municipality_never_sees_a_request(world, api):
    request = request_for(world)
    muni = build.municipality()
    unit = build.unit(muni)
    stranger = build.user(Role.OFFICER, muni, unit=unit)
    assert api(stranger).get(f"/api/iub-requests/{request.pk}/").status_code == 404
    with pytest.raises(NotFound):
        iub_selectors.get_iub_request(stranger, request.pk)
