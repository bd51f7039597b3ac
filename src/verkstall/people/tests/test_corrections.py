"""Corrections of a client's data and relatives, kept in a history (SPEC R1.1; seed 002
§IUB, §Beställning: "Person- och anhöriguppgifter uppdateras kontinuerligt av handläggare och
utförare, ansvaret är gemensamt"), and protected identity in that history (R10.5).

The officer of the client's unit corrects name, address, area, phone and whereabouts with a
reason; the client's provider updates phone, whereabouts and relatives on screen and by API.
Every change is kept with who, when, old and new value and why; nothing is overwritten
silently. A protected client's values and reasons reach only the named staff.
"""

from __future__ import annotations

import pytest
from django.test import Client

from verkstall.access.roles import Role
from verkstall.core.errors import PermissionDenied, ValidationFailed
from verkstall.orders import services as orders
from verkstall.people import protection_services, selectors, services
from verkstall.people.models import ChangeKind, Person, PersonChange, Protection, Relative
from verkstall.tooling import testing as build

PLACEHOLDER = "Skyddade uppgifter"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def sent_order(world, person, provider=None):
    order = world.order(decision=world.decision(person), provider=provider)
    orders.send_order(world.officer, order)
    return order


def history(person) -> list[tuple]:
    return list(
        PersonChange.objects.filter(person=person)
        .order_by("pk")
        .values_list("kind", "field", "old_value", "new_value", "reason", "changed_by__username")
    )


# --- The officer corrects the client's data -------------------------------------------------


def test_the_officer_corrects_the_address_on_screen_and_the_history_keeps_old_and_new(world):
    """R1.1: the officer corrects the address with a reason; the history keeps each changed
    field's old and new value, who and why; an unchanged field writes nothing."""
    person = world.person()
    client = login(world.officer)
    page = client.get(f"/clients/{person.pk}/")
    assert f'href="/clients/{person.pk}/edit/"' in page.content.decode()
    form = client.get(f"/clients/{person.pk}/edit/")
    assert form.status_code == 200
    assert 'value="Testgatan 1"' in form.content.decode()
    data = {
        "first_name": "Elsa",
        "last_name": "Testsson",
        "street_address": "Nygatan 5",
        "postal_code": "16255",
        "city": "Hässelby",
        "area": world.area.pk,
        "phone": "08-123 45",
        "whereabouts": "",
        "latitude": "",
        "longitude": "",
        "reason": "Klienten har flyttat",
    }
    response = client.post(f"/clients/{person.pk}/edit/", data)
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.street_address, person.city) == ("Nygatan 5", "Hässelby")
    assert history(person) == [
        ("field", "street_address", "Testgatan 1", "Nygatan 5", "Klienten har flyttat", "officer"),
        ("field", "city", "Vällingby", "Hässelby", "Klienten har flyttat", "officer"),
    ]
    text = client.get(f"/clients/{person.pk}/history/").content.decode()
    for shown in ("Testgatan 1", "Nygatan 5", "Klienten har flyttat", "Gatuadress"):
        assert shown in text
    # The client page shows the latest changes too.
    assert "Nygatan 5" in client.get(f"/clients/{person.pk}/").content.decode()


def test_an_officers_correction_without_a_reason_is_refused_and_changes_nothing(world):
    """R1.1: no silent overwrite: the officer's correction needs a reason."""
    person = world.person()
    response = login(world.officer).post(
        f"/clients/{person.pk}/edit/",
        {"first_name": "Elsa", "last_name": "Testsson", "street_address": "Nygatan 5"},
    )
    assert response.status_code == 400
    assert "Ange varför uppgifterna ändras." in response.content.decode()
    person.refresh_from_db()
    assert person.street_address == "Testgatan 1"
    assert history(person) == []
    with pytest.raises(ValidationFailed) as caught:
        services.update_person(world.officer, person, phone="070-1", reason="  ")
    assert set(caught.value.errors) == {"reason"}
    assert Person.objects.get(pk=person.pk).phone == "08-123 45"


def test_the_history_names_the_area_and_the_position_and_skips_unchanged_values(world):
    """R1.1: the area by name, the coordinates as one value; giving a value unchanged writes
    no history and needs no reason."""
    person = world.person(latitude="59.36", longitude="17.87")
    other = build.area(world.muni, "Östra området")
    unchanged = services.update_person(world.officer, person, city="Vällingby")
    assert unchanged.recorded_changes == [] and history(person) == []
    services.update_person(
        world.officer,
        person,
        area=other.pk,
        latitude="59.40",
        longitude="17.90",
        reason="Fel område",
    )
    rows = {row[1]: row[2:4] for row in history(person)}
    assert rows == {
        "area": ("Västra området", "Östra området"),
        "position": ("59.360000, 17.870000", "59.400000, 17.900000"),
    }


def test_another_units_officer_and_the_fee_officer_cannot_correct(world):  # R1.1
    person = world.person()
    for user in (world.other_officer, world.fee_officer):
        with pytest.raises(PermissionDenied):
            services.update_person(user, person, phone="070-1", reason="x")
    assert login(world.other_officer).get(f"/clients/{person.pk}/edit/").status_code == 404
    assert login(world.fee_officer).get(f"/clients/{person.pk}/edit/").status_code == 403
    assert history(person) == []


# --- The provider updates contact data on screen ---------------------------------------------


def test_the_provider_updates_phone_and_whereabouts_on_screen(world):
    """R1.1, seed 002 "ansvaret är gemensamt": the client's provider updates the contact data
    on a screen (not only by API); the reason is optional; the name is not its to change."""
    person = world.person()
    sent_order(world, person)
    client = login(world.staff_a)
    page = client.get(f"/clients/{person.pk}/").content.decode()
    assert "Uppdatera kontaktuppgifter" in page
    form = client.get(f"/clients/{person.pk}/edit/").content.decode()
    assert 'name="phone"' in form and 'name="whereabouts"' in form
    assert 'name="street_address"' not in form and 'name="first_name"' not in form
    response = client.post(
        f"/clients/{person.pk}/edit/",
        {"phone": "070-555", "whereabouts": "Sjukhuset", "first_name": "Annan", "reason": ""},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.phone, person.whereabouts, person.first_name) == (
        "070-555",
        "Sjukhuset",
        "Elsa",
    )
    assert history(person) == [
        ("field", "phone", "08-123 45", "070-555", "", "staff_a"),
        ("field", "whereabouts", "", "Sjukhuset", "", "staff_a"),
    ]
    # The officer reads what the provider changed, and who.
    text = login(world.officer).get(f"/clients/{person.pk}/history/").content.decode()
    assert "070-555" in text and "Omsorg A AB" in text


def test_a_provider_without_an_order_for_the_client_cannot_update_it(world):  # R1.1, Actors
    person = world.person()
    sent_order(world, person)
    assert login(world.staff_b).get(f"/clients/{person.pk}/edit/").status_code == 404
    with pytest.raises(PermissionDenied):
        services.update_person(world.staff_b, person, phone="070-1")
    with pytest.raises(PermissionDenied):
        services.add_relative(world.staff_b, person, name="Ny")
    assert history(person) == []


# --- Relatives: add, change, remove -----------------------------------------------------------


def test_relatives_are_added_changed_and_removed_on_screen_with_history(world):
    """R1.1: the officer adds a relative, corrects its phone (with a reason) and removes it
    (always with a reason); the history keeps who the relative was."""
    person = world.person()
    client = login(world.officer)
    response = client.post(
        f"/clients/{person.pk}/relatives/new/",
        {"name": "Karin Ek", "relation": "dotter", "phone": "070-1", "email": "", "reason": ""},
    )
    assert response.status_code == 302
    relative = Relative.objects.get(person=person)
    edit = f"/clients/{person.pk}/relatives/{relative.pk}/edit/"
    assert edit in client.get(f"/clients/{person.pk}/").content.decode()
    same = {"name": "Karin Ek", "relation": "dotter", "email": ""}
    refused = client.post(edit, {**same, "phone": "070-2", "reason": ""})
    assert refused.status_code == 400
    assert Relative.objects.get(pk=relative.pk).phone == "070-1"
    assert client.post(edit, {**same, "phone": "070-2", "reason": "Nytt nummer"}).status_code == 302
    remove = f"/clients/{person.pk}/relatives/{relative.pk}/remove/"
    assert client.post(remove, {"remove-reason": ""}).status_code == 400
    assert Relative.objects.filter(pk=relative.pk).exists()
    assert client.post(remove, {"remove-reason": "Avliden"}).status_code == 302
    assert not Relative.objects.filter(pk=relative.pk).exists()
    assert history(person) == [
        ("relative_added", "", "", "Karin Ek (dotter), 070-1", "", "officer"),
        ("relative_changed", "phone", "070-1", "070-2", "Nytt nummer", "officer"),
        ("relative_removed", "", "Karin Ek (dotter), 070-2", "", "Avliden", "officer"),
    ]
    assert set(PersonChange.objects.filter(person=person).values_list("subject", flat=True)) == {
        "Karin Ek"
    }
    text = client.get(f"/clients/{person.pk}/history/").content.decode()
    for shown in ("Anhörig tillagd", "Anhörig: Telefon", "Anhörig borttagen", "Avliden"):
        assert shown in text


def test_the_provider_changes_and_removes_a_relative_by_api(world, api):
    """R1.1: in the API too; the provider's correction needs no reason, a removal does."""
    person = world.person(relatives=[{"name": "Olle Ek", "phone": "070-1"}])
    sent_order(world, person)
    relative = person.relatives.get()
    client = api(world.staff_a)
    base = f"/api/persons/{person.pk}/relatives/"
    added = client.post(base, {"name": "Siv Ek", "relation": "syster"}, format="json")
    assert added.status_code == 201, added.data
    changed = client.patch(f"{base}{relative.pk}/", {"phone": "070-9"}, format="json")
    assert changed.status_code == 200 and changed.json()["phone"] == "070-9"
    assert client.post(f"{base}{relative.pk}/remove/", {}, format="json").status_code == 400
    removed = client.post(f"{base}{relative.pk}/remove/", {"reason": "Flyttat"}, format="json")
    assert removed.status_code == 200
    assert removed.json()["kind"] == "relative_removed"
    assert list(person.relatives.values_list("name", flat=True)) == ["Siv Ek"]
    rows = api(world.officer).get(f"/api/persons/{person.pk}/changes/").json()
    assert [(r["kind"], r["old_value"], r["new_value"]) for r in rows] == [
        ("relative_removed", "Olle Ek, 070-9", ""),
        ("relative_changed", "070-1", "070-9"),
        ("relative_added", "", "Siv Ek (syster)"),
    ]
    assert all(r["changed_by"].endswith("Omsorg A AB") for r in rows)
    # A relative of another client is not found through this client.
    other = world.person(relatives=[{"name": "Främling"}])
    stranger = other.relatives.get()
    response = api(world.officer).patch(f"{base}{stranger.pk}/", {"phone": "1"}, format="json")
    assert response.status_code == 404


def test_the_history_is_read_in_the_clients_scope(world, api):
    """R1.1, Actors: the client's officers, the fee officer and its providers read the
    history; another unit and another provider do not."""
    person = world.person()
    sent_order(world, person)
    services.update_person(world.officer, person, city="Hässelby", reason="Flytt")
    for user in (world.officer, world.fee_officer, world.staff_a):
        response = api(user).get(f"/api/persons/{person.pk}/changes/")
        assert response.status_code == 200
        assert [r["new_value"] for r in response.json()] == ["Hässelby"]
    for user in (world.other_officer, world.staff_b):
        assert api(user).get(f"/api/persons/{person.pk}/changes/").status_code == 404
        assert login(user).get(f"/clients/{person.pk}/history/").status_code == 404


def test_the_history_cannot_be_rewritten(world):  # R1.1: no silent overwrite
    person = world.person()
    services.update_person(world.officer, person, city="Hässelby", reason="Flytt")
    change = PersonChange.objects.get(person=person)
    change.new_value = "Annat"
    with pytest.raises(ValueError):
        change.save()
    with pytest.raises(ValueError):
        change.delete()
    assert PersonChange.objects.get(pk=change.pk).new_value == "Hässelby"


# --- Protected identity in the history (R10.5) ------------------------------------------------


@pytest.fixture
def colleague(world):
    """Another officer of the client's unit, not among the named staff."""
    return build.user(Role.OFFICER, world.muni, unit=world.unit, username="colleague")


def test_a_protected_clients_corrections_do_not_reach_readers_without_access(world, api, colleague):
    """R1.1, R10.5: the named officer corrects a protected client's address and a relative;
    a colleague who is not named, and the provider, see that a change was made, by whom and
    when, but never the old or new value nor the reason; the named officer sees them."""
    person = world.person(
        street_address="Hemliga vägen 7", relatives=[{"name": "Dold Anhörig", "phone": "070-7"}]
    )
    person = protection_services.set_protection(
        world.officer, person, protection=Protection.PROTECTED_REGISTRATION
    )
    order = world.order(decision=world.decision(person))
    protection_services.record_oral_briefing(
        world.officer, order, told_name="Enhetschefen", told_at=order.created_at
    )
    orders.send_order(world.officer, order)
    services.update_person(
        world.officer, person, street_address="Skyddade gatan 9", reason="Flytt till Skyddsby"
    )
    services.update_person(world.officer, person, first_name="Elsie", reason="Namnbyte")
    services.change_relative(
        world.officer, person, relative=person.relatives.get().pk, phone="070-8", reason="Nytt"
    )
    secrets = ["Hemliga vägen 7", "Skyddade gatan 9", "Flytt till Skyddsby", "Dold Anhörig"]
    secrets += ["070-7", "070-8"]
    for reader in (colleague, world.staff_a):
        rows = api(reader).get(f"/api/persons/{person.pk}/changes/").json()
        assert len(rows) == 3
        body = str(rows)
        assert not [s for s in secrets if s in body], reader
        hidden = [r for r in rows if r["hidden"]]
        assert {r["field"] for r in hidden} == {"street_address", "phone"}
        assert all(r["old_value"] == PLACEHOLDER == r["reason"] for r in hidden)
        # The name is not protected: its change and reason show.
        assert ("Elsa", "Elsie", "Namnbyte") in [
            (r["old_value"], r["new_value"], r["reason"]) for r in rows
        ]
        for url in (f"/clients/{person.pk}/history/", f"/clients/{person.pk}/"):
            text = login(reader).get(url).content.decode()
            assert not [s for s in secrets if s in text], (reader, url)
        text = login(reader).get(f"/orders/{order.pk}/").content.decode()
        assert not [s for s in secrets if s in text], (reader, "order page")
    named = api(world.officer).get(f"/api/persons/{person.pk}/changes/").json()
    assert ("Hemliga vägen 7", "Skyddade gatan 9", "Flytt till Skyddsby") in [
        (r["old_value"], r["new_value"], r["reason"]) for r in named
    ]
    # Nobody without access corrects it either (R10.5), nor gets a form for it.
    with pytest.raises(ValidationFailed):
        services.change_relative(world.staff_a, person, relative=person.relatives.get().pk)
    assert login(world.staff_a).get(f"/clients/{person.pk}/edit/").status_code == 403
    form = login(colleague).get(f"/clients/{person.pk}/edit/").content.decode()
    assert 'name="first_name"' in form and 'name="street_address"' not in form
    assert "Skyddade gatan 9" not in form


def test_a_change_made_while_protected_stays_hidden_from_providers_after_the_marking_goes(
    world, api
):
    """R10.5: the marking removed (its grants revoked), what was changed while the client was
    protected is read by the client's officers only, never by the provider."""
    person = world.person()
    sent_order(world, person)
    protection_services.set_protection(
        world.officer, person, protection=Protection.CONFIDENTIALITY_MARKING
    )
    services.update_person(world.officer, person, street_address="Gömd 1", reason="Skydd")
    Person.objects.filter(pk=person.pk).update(protection=Protection.NONE)
    rows = api(world.staff_a).get(f"/api/persons/{person.pk}/changes/").json()
    assert rows[0]["hidden"] and "Gömd 1" not in str(rows)
    rows = api(world.officer).get(f"/api/persons/{person.pk}/changes/").json()
    assert rows[0]["new_value"] == "Gömd 1"
    # A change after the marking went is read as any other.
    services.update_person(world.officer, person, city="Öppenby", reason="Flytt")
    rows = api(world.staff_a).get(f"/api/persons/{person.pk}/changes/").json()
    assert rows[0]["new_value"] == "Öppenby"


def test_shown_changes_hide_protected_fields_only(world, colleague):  # R10.5
    person = world.person()
    protection_services.set_protection(world.officer, person, protection="protected_registration")
    services.update_person(world.officer, person, last_name="Ny", phone="1", reason="r")
    person = Person.objects.get(pk=person.pk)
    shown = selectors.shown_changes(colleague, person, selectors.person_changes(colleague, person))
    assert {(c.field, c.hidden) for c in shown} == {("last_name", False), ("phone", True)}
    assert ChangeKind.FIELD in {c.kind for c in shown}


def test_a_provider_whose_orders_ended_or_were_withdrawn_no_longer_writes_the_clients_data(
    world, api
):
    """R1.1 (seed 002 "ansvaret är gemensamt"): the provider keeps the client's contact data
    and relatives only while it holds an order for the client (sent, acknowledged or started).
    One whose order ended, or was withdrawn, still reads the client and its history through
    that order, but neither the screens, the API nor the services let it write; the screen
    offers no link. A new order to it gives the right back."""
    person = world.person(relatives=[{"name": "Olle Ek", "phone": "070-1"}])
    relative = person.relatives.get()
    world.order(state="ended", decision=world.decision(person))  # provider A: ended
    withdrawn = world.order(
        provider=world.provider_b, state="sent", decision=world.decision(person)
    )
    orders.cancel_order(world.officer, withdrawn, reason="Fel utförare")  # provider B
    for staff in (world.staff_a, world.staff_b):
        assert selectors.get_person(staff, person.pk) == person  # still read
        with pytest.raises(PermissionDenied):
            services.update_person(staff, person, phone="070-9")
        with pytest.raises(PermissionDenied):
            services.add_relative(staff, person, name="Ny")
        with pytest.raises(PermissionDenied):
            services.change_relative(staff, person, relative=relative.pk, phone="070-9")
        with pytest.raises(PermissionDenied):
            services.remove_relative(staff, person, relative=relative.pk, reason="Flyttat")
        client = login(staff)
        page = client.get(f"/clients/{person.pk}/").content.decode()
        assert "Uppdatera kontaktuppgifter" not in page and "Lägg till anhörig" not in page
        assert client.get(f"/clients/{person.pk}/edit/").status_code == 403
        assert client.post(f"/clients/{person.pk}/edit/", {"phone": "070-9"}).status_code == 403
        assert client.get(f"/clients/{person.pk}/relatives/new/").status_code == 403
        edit = f"/clients/{person.pk}/relatives/{relative.pk}/edit/"
        assert client.get(edit).status_code == 403
        assert client.get(f"/clients/{person.pk}/history/").status_code == 200
        by_api = api(staff)
        patched = by_api.patch(f"/api/persons/{person.pk}/", {"phone": "070-9"}, format="json")
        assert patched.status_code == 403
        base = f"/api/persons/{person.pk}/relatives/"
        assert by_api.post(base, {"name": "Ny"}, format="json").status_code == 403
        changed = by_api.patch(f"{base}{relative.pk}/", {"phone": "070-9"}, format="json")
        assert changed.status_code == 403
        assert by_api.get(f"/api/persons/{person.pk}/changes/").status_code == 200
    person.refresh_from_db()
    assert person.phone == "08-123 45" and person.relatives.get().phone == "070-1"
    assert history(person) == []
    # A new order to provider A, still with it: A keeps the data again.
    sent_order(world, person)
    services.update_person(world.staff_a, person, phone="070-5")
    assert history(person) == [("field", "phone", "08-123 45", "070-5", "", "staff_a")]
    with pytest.raises(PermissionDenied):
        services.update_person(world.staff_b, person, phone="070-6")
