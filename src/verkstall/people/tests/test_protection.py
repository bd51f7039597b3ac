"""Protected identity (SPEC R10.1, R10.5; seed 002 §Skyddade personuppgifter).

A client with protected personal data shows name and personnummer to everyone who may see the
client, and the address, postal code, city, whereabouts, phone, coordinates and relatives only
to the named staff; everyone else sees the placeholder "Skyddade uppgifter". No document or
e-mail carries them. An order for such a client goes out only after the officer has recorded
that the provider's unit manager was told orally.
"""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from django.core import mail
from django.test import Client
from pypdf import PdfReader

from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.core.errors import PermissionDenied, ValidationFailed
from verkstall.decisions import documents as decision_documents
from verkstall.journal.models import CaseJournalEntry
from verkstall.orders import documents as order_documents
from verkstall.orders import services as orders
from verkstall.orders.change_services import reissue_order
from verkstall.orders.models import Order
from verkstall.outbox.delivery_services import deliver_due
from verkstall.people import protection_services, selectors, services
from verkstall.people.models import (
    OralBriefing,
    Person,
    ProtectedDataAccess,
    Protection,
    ProtectionRequest,
)
from verkstall.providers.models import Channel
from verkstall.tooling import testing as build
from verkstall.tooling.testing import confirmed

PLACEHOLDER = "Skyddade uppgifter"
BADGE = "Skyddade personuppgifter"
STREET = "Hemliga vägen 7"
POSTAL = "99999"
CITY = "Doldaby"
PHONE = "070-111 22 33"
WHEREABOUTS = "Sjukhuset Gömstället"
RELATIVE = "Anna Anhörigsson"
RELATIVE_PHONE = "070-999 88 77"
SECRETS = [STREET, POSTAL, CITY, PHONE, WHEREABOUTS, RELATIVE, RELATIVE_PHONE]


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def assert_nothing_protected(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, secret


def protected_person(world, protection=Protection.PROTECTED_REGISTRATION) -> Person:
    person = world.person(
        street_address=STREET,
        postal_code=POSTAL,
        city=CITY,
        phone=PHONE,
        whereabouts=WHEREABOUTS,
        latitude="59.3617",
        longitude="17.8722",
        relatives=[{"name": RELATIVE, "relation": "dotter", "phone": RELATIVE_PHONE}],
    )
    return protection_services.set_protection(world.officer, person, protection=protection)


def brief(world, order, **kw) -> OralBriefing:
    values = {"told_name": "Enhetschefen", "told_at": clock.now() - timedelta(hours=1)}
    values.update(kw)
    return protection_services.record_oral_briefing(world.officer, order, **values)


def sent_order(world, person, provider=None) -> Order:
    order = world.order(decision=world.decision(person), provider=provider)
    brief(world, order)
    orders.send_order(world.officer, order)
    return Order.objects.get(pk=order.pk)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def manager_a(world):
    return build.user(
        Role.PROVIDER_MANAGER, world.muni, provider=world.provider_a, username="manager_a"
    )


@pytest.fixture
def colleague(world):
    """Another officer of the client's unit, not named: sees the placeholder too (R10.5)."""
    return build.user(Role.OFFICER, world.muni, unit=world.unit, username="colleague")


# --- The flag -------------------------------------------------------------------------------


def test_only_the_clients_officer_sets_the_flag(world, api):  # R10.1
    person = world.person()
    for user in (world.other_officer, world.fee_officer, world.staff_a):
        with pytest.raises(PermissionDenied):
            protection_services.set_protection(
                user, person, protection=Protection.CONFIDENTIALITY_MARKING
            )
    url = f"/api/persons/{person.pk}/protection/"
    body = {"protection": "confidentiality_marking"}
    assert api(world.fee_officer).post(url, body, format="json").status_code == 403
    assert api(world.other_officer).post(url, body, format="json").status_code == 404
    bad = api(world.officer).post(url, {"protection": "secret"}, format="json")
    assert bad.status_code == 400 and "protection" in bad.json()

    response = api(world.officer).post(url, body, format="json")
    assert response.status_code == 200
    data = response.json()
    assert data["protection"] == "confidentiality_marking"
    assert data["protected_data_hidden"] is False  # the officer who set it is named
    person.refresh_from_db()
    assert person.protection_set_by == world.officer and person.protection_set_at is not None
    assert ProtectedDataAccess.objects.get(person=person, revoked_at=None).user == world.officer
    entry = CaseJournalEntry.objects.get(person=person, title="Skyddade personuppgifter")
    assert "Sekretessmarkering" in entry.text


def grant(world, colleague, person, user):
    """Access as the routine gives it: one officer asks, another approves (four eyes)."""
    asked = protection_services.request_protected_access(world.officer, person, user=user)
    protection_services.decide_protection_request(colleague, person, request=asked, approve=True)
    return ProtectedDataAccess.objects.get(person=person, user=user, revoked_at=None)


def test_clearing_the_flag_revokes_every_grant(world, colleague):  # R10.5
    person = protected_person(world)
    asked = protection_services.set_protection(world.officer, person, protection=Protection.NONE)
    assert Person.objects.get(pk=person.pk).is_protected  # waits for a second officer
    protection_services.decide_protection_request(colleague, person, request=asked, approve=True)
    assert not ProtectedDataAccess.objects.filter(person=person, revoked_at=None).exists()
    assert selectors.may_see_protected(world.staff_a, Person.objects.get(pk=person.pk))


def test_officer_sets_flag_and_names_staff_on_the_client_page(world, colleague):  # R10.1, R10.5
    person = world.person()
    order = world.order(decision=world.decision(person), state="sent")
    client = login(world.officer)
    response = client.post(
        f"/clients/{person.pk}/protection/", {"protection": "protected_registration"}
    )
    assert response.status_code == 302
    page = client.get(f"/clients/{person.pk}/").content.decode()
    assert BADGE in page and "Begär behörighet" in page
    response = client.post(f"/clients/{person.pk}/protected-access/", {"user": world.staff_b.pk})
    assert response.status_code == 400  # provider B has nothing to do with the client
    response = client.post(f"/clients/{person.pk}/protected-access/", {"user": world.staff_a.pk})
    assert response.status_code == 302
    assert not ProtectedDataAccess.objects.filter(person=person, user=world.staff_a).exists()
    asked = ProtectionRequest.objects.get(person=person, user=world.staff_a)
    decide = f"/clients/{person.pk}/protection-requests/{asked.pk}/"
    client.post(decide, {"decision": "approve"})  # the one who asked cannot approve
    assert not ProtectedDataAccess.objects.filter(person=person, user=world.staff_a).exists()
    page = login(colleague).get(f"/clients/{person.pk}/").content.decode()
    assert "Godkänn" in page and decide in page
    assert login(colleague).post(decide, {"decision": "approve"}).status_code == 302
    grant = ProtectedDataAccess.objects.get(person=person, user=world.staff_a)
    assert grant.granted_by == colleague
    assert "Testgatan 1" in login(world.staff_a).get(f"/orders/{order.pk}/").content.decode()
    client.post(f"/clients/{person.pk}/protected-access/{grant.pk}/revoke/")
    grant.refresh_from_db()
    assert grant.revoked_by == world.officer
    page = login(world.staff_a).get(f"/orders/{order.pk}/").content.decode()
    assert "Testgatan 1" not in page and PLACEHOLDER in page
    # The provider's staff cannot set the flag through the screen either.
    response = login(world.staff_a).post(
        f"/clients/{person.pk}/protection/", {"protection": "none"}
    )
    assert response.status_code in (400, 403)
    assert Person.objects.get(pk=person.pk).is_protected


# --- Who sees what --------------------------------------------------------------------------


def test_provider_staff_without_access_see_the_placeholder_in_the_api(world, api):  # R10.5
    person = protected_person(world)
    sent_order(world, person)
    data = api(world.staff_a).get(f"/api/persons/{person.pk}/").json()
    assert data["first_name"] == "Elsa" and data["personal_number"]  # name and number show
    for field in ("street_address", "postal_code", "city", "phone", "whereabouts"):
        assert data[field] == PLACEHOLDER, field
    assert data["relatives"] == []
    assert data["protection"] == "protected_registration"
    assert data["protected_data_hidden"] is True
    listed = api(world.staff_a).get("/api/persons/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    [row] = [r for r in rows if r["id"] == person.pk]
    assert row["street_address"] == PLACEHOLDER and row["protected_data_hidden"] is True
    assert_nothing_protected(str(listed) + str(data))


def test_provider_staff_and_other_officers_see_the_placeholder_on_screens(
    world, colleague
):  # R10.5
    person = protected_person(world)
    order = sent_order(world, person)
    for user in (world.staff_a, colleague):
        client = login(user)
        for url in (f"/clients/{person.pk}/", f"/orders/{order.pk}/"):
            page = client.get(url).content.decode()
            assert "Elsa Testsson" in page and person.formatted_personal_number in page
            assert PLACEHOLDER in page and BADGE in page, url
            assert_nothing_protected(page)
        listing = client.get("/orders/").content.decode()
        assert BADGE in listing
    # The list of clients shows the badge, never the address.
    page = login(colleague).get("/clients/").content.decode()
    assert BADGE in page
    assert_nothing_protected(page)


def test_named_staff_see_the_data(world, api, manager_a, colleague):  # R10.5
    person = protected_person(world)
    order = world.order(decision=world.decision(person))
    brief(world, order, told_user=manager_a.pk, told_name="")
    orders.send_order(world.officer, order)
    # The briefing asked that the manager see the data; a second officer approves.
    [asked] = selectors.pending_protection_requests(person)
    assert asked.user == manager_a and asked.requested_by == world.officer
    assert not selectors.may_see_protected(manager_a, Person.objects.get(pk=person.pk))
    protection_services.decide_protection_request(colleague, person, request=asked, approve=True)
    # The told manager was named by the briefing; the officer who set the flag by setting it.
    for user in (world.officer, manager_a):
        data = api(user).get(f"/api/persons/{person.pk}/").json()
        assert data["street_address"] == STREET and data["phone"] == PHONE, user
        assert data["relatives"][0]["name"] == RELATIVE
        assert data["protected_data_hidden"] is False
        page = login(user).get(f"/clients/{person.pk}/").content.decode()
        assert STREET in page and WHEREABOUTS in page and RELATIVE in page
    grant(world, colleague, person, world.staff_a)
    data = api(world.staff_a).get(f"/api/persons/{person.pk}/").json()
    assert data["whereabouts"] == WHEREABOUTS
    grants = api(world.officer).get(f"/api/persons/{person.pk}/protected-access/").json()
    assert {g["user"] for g in grants} == {world.officer.pk, manager_a.pk, world.staff_a.pk}
    assert api(world.staff_a).get(f"/api/persons/{person.pk}/protected-access/").status_code == 403


def test_access_is_granted_only_to_people_who_work_with_the_client(world, api, colleague):  # R10.5
    person = protected_person(world)
    sent_order(world, person)
    url = f"/api/persons/{person.pk}/protected-access/"
    refused = api(world.officer).post(url, {"user": world.staff_b.pk}, format="json")
    assert refused.status_code == 400 and "user" in refused.json()
    assert (
        api(world.staff_a).post(url, {"user": world.staff_a.pk}, format="json").status_code == 403
    )
    asked = api(world.officer).post(url, {"user": world.staff_a.pk}, format="json")
    assert asked.status_code == 202 and asked.json()["pending"] is True
    again = api(world.officer).post(url, {"user": world.staff_a.pk}, format="json")
    assert again.status_code == 400  # one pending request per person
    approve = f"/api/persons/{person.pk}/protection-requests/{asked.json()['id']}/approve/"
    assert api(colleague).post(approve).json()["approved"] is True
    again = api(world.officer).post(url, {"user": world.staff_a.pk}, format="json")
    assert again.status_code == 400  # has access already
    granted = ProtectedDataAccess.objects.get(person=person, user=world.staff_a)
    revoke = f"{url}{granted.pk}/revoke/"
    assert api(world.officer).post(revoke).json()["active"] is False
    assert api(world.officer).post(revoke).status_code == 400


def test_who_may_not_read_protected_fields_may_not_overwrite_them(
    world, api, colleague
):  # R10.5, R1.1
    person = protected_person(world)
    sent_order(world, person)
    url = f"/api/persons/{person.pk}/"
    response = api(world.staff_a).patch(url, {"phone": "000", "whereabouts": "x"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"phone", "whereabouts"}
    response = api(colleague).patch(url, {"street_address": "Ny gata 1"}, format="json")
    assert response.status_code == 400 and "street_address" in response.json()
    with pytest.raises(ValidationFailed) as caught:
        services.add_relative(world.staff_a, person, name="Ny Anhörig")
    assert "relatives" in caught.value.errors
    person.refresh_from_db()
    assert (person.street_address, person.phone, person.whereabouts) == (
        STREET,
        PHONE,
        WHEREABOUTS,
    )
    assert person.relatives.count() == 1
    # What is not protected can still be changed, and the named officer changes everything.
    renamed = {"first_name": "Elsie", "reason": "Stavning"}
    assert api(colleague).patch(url, renamed, format="json").status_code == 200
    response = api(world.officer).patch(url, {"phone": "08-1", "reason": "Nytt"}, format="json")
    assert response.status_code == 200 and response.json()["phone"] == "08-1"


# --- The oral briefing before the order goes out ---------------------------------------------


def test_send_is_refused_without_the_oral_briefing_and_allowed_after(
    world, api, manager_a
):  # R10.1
    person = protected_person(world)
    order = world.order(decision=world.decision(person))
    send = f"/api/orders/{order.pk}/send/"
    response = api(world.officer).post(send, {}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "oral_briefing_missing"
    assert body["missing"] == ["told_name", "told_at"]
    assert "Omsorg A AB" in body["detail"] and "muntligt" in body["detail"]
    assert Order.objects.get(pk=order.pk).state == "draft"

    briefings = f"/api/orders/{order.pk}/oral-briefings/"
    future = (clock.now() + timedelta(hours=2)).isoformat()
    response = api(world.officer).post(
        briefings, {"told_name": "Chefen", "told_at": future}, format="json"
    )
    assert response.status_code == 400 and "told_at" in response.json()
    response = api(world.officer).post(briefings, {"told_at": clock.now().isoformat()})
    assert response.status_code == 400 and "told_name" in response.json()
    response = api(world.officer).post(briefings, {"told_name": "Chefen"}, format="json")
    assert response.status_code == 400 and "told_at" in response.json()
    response = api(world.officer).post(
        briefings, {"told_user": world.staff_a.pk, "told_at": clock.now().isoformat()}
    )
    assert response.status_code == 400 and "told_user" in response.json()  # not a manager
    response = api(world.staff_a).post(
        briefings, {"told_name": "Chefen", "told_at": clock.now().isoformat()}
    )
    assert response.status_code in (403, 404)  # only the client's officer records it

    told_at = clock.now() - timedelta(minutes=30)
    response = api(world.officer).post(
        briefings, {"told_user": manager_a.pk, "told_at": told_at.isoformat()}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["told_name"] == "Test provider_manager"
    # A briefing is no grant: it asks for one, which a second officer decides (four eyes).
    assert not selectors.may_see_protected(manager_a, Person.objects.get(pk=person.pk))
    assert selectors.pending_protection_requests(person).get().user == manager_a
    assert api(world.officer).get(briefings).json()[0]["provider_name"] == "Omsorg A AB"
    assert CaseJournalEntry.objects.filter(
        person=person, text__contains="underrättades muntligt"
    ).exists()

    response = api(world.officer).post(send, {}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "sent"
    assert response.json()["person_protected"] is True


def test_the_order_page_asks_for_the_briefing_before_sending(world):  # R10.1
    person = protected_person(world)
    order = world.order(decision=world.decision(person))
    client = login(world.officer)
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert "Muntlig underrättelse saknas" in page
    assert "Registrera muntlig underrättelse" in page

    response = client.post(f"/orders/{order.pk}/send/", confirmed())
    assert response.status_code == 400
    text = response.content.decode()
    assert "underrätta enhetschefen hos Omsorg A AB muntligt" in text
    assert Order.objects.get(pk=order.pk).state == "draft"

    future = timezone_local(clock.now() + timedelta(days=1))
    response = client.post(
        f"/clients/orders/{order.pk}/oral-briefing/", {"told_name": "Chefen", "told_at": future}
    )
    assert response.status_code == 400
    assert "Tidpunkten kan inte ligga i framtiden." in response.content.decode()

    response = client.post(
        f"/clients/orders/{order.pk}/oral-briefing/",
        {"told_name": "Chefen Chefsson", "told_at": timezone_local(clock.now())},
    )
    assert response.status_code == 302
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert "Chefen Chefsson" in page and "Muntlig underrättelse saknas" not in page
    assert client.post(f"/orders/{order.pk}/send/", confirmed()).status_code == 302
    assert Order.objects.get(pk=order.pk).state == "sent"


def timezone_local(moment) -> str:
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_a_client_without_protection_needs_no_briefing(world):  # R10.1
    order = world.order(state="sent")
    assert order.state == "sent"
    with pytest.raises(ValidationFailed):
        brief(world, world.order())


def test_a_briefing_names_the_orders_provider_or_a_switch_target_only(world):  # R10.1
    person = protected_person(world)
    order = world.order(decision=world.decision(person))
    with pytest.raises(ValidationFailed) as caught:
        brief(world, order, provider=world.provider_b.pk)
    assert "provider" in caught.value.errors
    with pytest.raises(PermissionDenied):
        protection_services.record_oral_briefing(
            world.other_officer, order, told_name="X", told_at=clock.now()
        )


def test_a_new_version_to_the_same_provider_needs_no_new_briefing(world):  # R10.1, R3.10
    person = protected_person(world)
    order = sent_order(world, person)
    orders.acknowledge_order(world.staff_a, order)
    orders.register_start(world.staff_a, order, start_date=clock.today())
    new = reissue_order(
        world.officer, order, decision=world.decision(person), change_summary="Mer tid"
    )
    assert new.state == "sent"


def test_a_new_order_to_another_provider_needs_its_own_briefing(world):  # R10.1
    person = protected_person(world)
    sent_order(world, person)
    other = world.order(decision=world.decision(person), provider=world.provider_b)
    with pytest.raises(protection_services.OralBriefingMissing):
        orders.send_order(world.officer, other)


# --- Documents and e-mail carry nothing protected --------------------------------------------


def test_order_pdf_and_print_view_show_the_placeholder_even_to_the_named_officer(
    world,
):  # R10.5
    person = protected_person(world)
    order = sent_order(world, person)
    client = login(world.officer)  # named: sees the data on screen, never in the document
    pdf = client.get(f"/orders/{order.pk}/document.pdf")
    assert pdf.status_code == 200
    text = pdf_text(pdf.content)
    assert "Elsa Testsson" in text and PLACEHOLDER in text
    assert_nothing_protected(text)
    printed = client.get(f"/orders/{order.pk}/print/").content.decode()
    assert PLACEHOLDER in printed
    assert_nothing_protected(printed)


def test_the_emailed_order_carries_nothing_protected(
    world, django_capture_on_commit_callbacks
):  # R10.5, R3.3
    provider = build.provider(world.muni, "Mejlomsorg AB", connected=False, channel=Channel.EMAIL)
    provider.email = "order@mejlomsorg.example"
    provider.save()
    person = protected_person(world)
    order = world.order(decision=world.decision(person), provider=provider)
    brief(world, order)
    with django_capture_on_commit_callbacks(execute=True):
        orders.send_order(world.officer, order)
    deliver_due()  # the outbox sends it (outbox/delivery_services.py)
    [message] = mail.outbox
    assert_nothing_protected(message.subject + message.body)
    [(_name, content, _type)] = message.attachments
    text = pdf_text(content)
    assert "Elsa Testsson" in text and PLACEHOLDER in text
    assert_nothing_protected(text)


@pytest.mark.parametrize(
    ("protection", "address_line"),
    [
        (Protection.PROTECTED_REGISTRATION, "Skyddad folkbokföring – förmedlas via Skatteverket"),
        (Protection.CONFIDENTIALITY_MARKING, PLACEHOLDER),
    ],
)
def test_the_decision_letter_never_prints_a_protected_address(
    world, protection, address_line
):  # R10.5, R1.2
    person = protected_person(world, protection)
    decision = world.decision(person)
    text = pdf_text(decision_documents.render_letter_pdf(decision))
    assert "Elsa Testsson" in text and address_line in text
    assert_nothing_protected(text)
    html = order_documents.render_order_html(world.order(decision=decision))
    assert_nothing_protected(html)


def test_an_unprotected_clients_letter_keeps_the_address(world):  # R1.2
    decision = world.decision()
    html = decision_documents.render_letter_html(decision)
    assert "Testgatan 1" in html and PLACEHOLDER not in html


def test_the_proximity_screen_uses_no_protected_home(world, colleague):  # R10.5, R2.5
    from verkstall.providers import services as provider_services

    unit = build.provider_unit(world.provider_a, "Korttids Nära")
    provider_services.ensure_unit_offers(
        unit=unit, latitude="59.362", longitude="17.873", service_types=["korttidsboende"]
    )
    person = protected_person(world)
    decision = world.decision(
        person,
        services=[{"service_type": "korttidsboende", "scope_amount": "1", "scope_unit": "place"}],
    )
    granted = decision.services.get()
    url = f"/clients/{person.pk}/services/{granted.pk}/proximity/"
    hidden = login(colleague).get(url).content.decode()
    assert "skyddade personuppgifter" in hidden and " km<" not in hidden
    shown = login(world.officer).get(url).content.decode()
    assert " km<" in shown and "position-protected" not in shown


def test_reminder_mails_load_the_client_by_name_only():  # R10.5, R11
    from verkstall.deadlines import reminders
    from verkstall.people.presentation import PROTECTED_FIELDS

    loaded = {f.split("__", 1)[1] for f in reminders._ITEM_FIELDS if f.startswith("person__")}
    assert loaded == {"first_name", "last_name"}
    assert not loaded & set(PROTECTED_FIELDS)


def test_a_switch_to_a_new_provider_needs_a_briefing_naming_it(db):  # R10.1, R2.6
    from verkstall.core.clock import travel_to
    from verkstall.orders import switch_services
    from verkstall.orders.tests.test_switch import (
        THU_5_MAR,
        THU_19_MAR,
        Gotland,
        _through_agreed,
        at,
    )

    g = Gotland(alarm=False)
    with travel_to(at(THU_5_MAR, 8)):
        protection_services.set_protection(
            g.officer, g.bengt, protection=Protection.CONFIDENTIALITY_MARKING
        )
    switch = g.request()
    _through_agreed(g, switch)
    with (
        travel_to(at(THU_19_MAR, 8)),
        pytest.raises(protection_services.OralBriefingMissing) as caught,
    ):
        switch_services.complete_switch(g.officer, switch=switch)
    assert "Ängens Omsorg" in caught.value.message
    with travel_to(at(THU_19_MAR, 8, 30)):
        protection_services.record_oral_briefing(
            g.officer,
            g.order,
            provider=g.angens.pk,
            told_name="Enhetschefen på Ängens Omsorg",
            told_at=at(THU_19_MAR, 8, 15),
        )
        done = switch_services.complete_switch(g.officer, switch=switch)
    assert done.new_order.state == "sent" and done.new_order.provider == g.angens
