"""Opening protected data up needs a second person, never oneself (R10.1, R10.5; issue 11).

The outside test found that any officer of the unit could name themselves to see a protected
client's address (POST protected-access with their own id -> 201) and could clear the flag
alone. Now one officer asks and another officer of the client's unit approves; the one who
asked and the one who would be given access never decide. Raising protection stays one step.
"""

from __future__ import annotations

import pytest

from verkstall.access.roles import Role
from verkstall.core.errors import PermissionDenied, ValidationFailed
from verkstall.journal.models import CaseJournalEntry
from verkstall.people import protection_services, selectors
from verkstall.people.models import Person, ProtectedDataAccess, Protection, ProtectionRequest
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db

STREET = "Hemliga vägen 7"


@pytest.fixture
def colleague(world):
    return build.user(Role.OFFICER, world.muni, unit=world.unit, username="colleague")


@pytest.fixture
def protected(world):
    person = world.person(street_address=STREET)
    order = world.order(decision=world.decision(person), state="sent")
    protection_services.set_protection(
        world.officer, person, protection=Protection.PROTECTED_REGISTRATION
    )
    return Person.objects.get(pk=person.pk), order


def sees_home(api, user, person) -> bool:
    return api(user).get(f"/api/persons/{person.pk}/").json().get("street_address") == STREET


def test_the_reproduction_an_officer_cannot_grant_themselves(
    world, api, colleague, protected
):  # R10.5
    person, _order = protected
    url = f"/api/persons/{person.pk}/protected-access/"
    response = api(colleague).post(url, {"user": colleague.pk}, format="json")
    assert response.status_code == 202 and response.json()["pending"] is True
    assert not sees_home(api, colleague, person)
    approve = f"/api/persons/{person.pk}/protection-requests/{response.json()['id']}/approve/"
    assert api(colleague).post(approve).status_code == 403  # never oneself
    assert not sees_home(api, colleague, person)
    assert api(world.officer).post(approve).status_code == 200  # a second officer
    assert sees_home(api, colleague, person)
    grant = ProtectedDataAccess.objects.get(person=person, user=colleague, revoked_at=None)
    assert grant.granted_by == world.officer


def test_the_reproduction_an_officer_cannot_clear_the_flag_alone(
    world, api, colleague, protected
):  # R10.1
    person, _order = protected
    url = f"/api/persons/{person.pk}/protection/"
    response = api(colleague).post(url, {"protection": "none"}, format="json")
    assert response.status_code == 202 and response.json()["protection"] == "none"
    assert Person.objects.get(pk=person.pk).is_protected
    lower = api(colleague).post(url, {"protection": "confidentiality_marking"}, format="json")
    assert lower.status_code == 400  # one pending change at a time
    rid = response.json()["id"]
    own = f"/api/persons/{person.pk}/protection-requests/{rid}/approve/"
    assert api(colleague).post(own).status_code == 403
    assert Person.objects.get(pk=person.pk).is_protected
    listed = api(world.officer).get(f"/api/persons/{person.pk}/protection-requests/").json()
    assert [r["id"] for r in listed if r["pending"]] == [rid]
    assert api(world.officer).post(own).status_code == 200
    assert not Person.objects.get(pk=person.pk).is_protected
    assert api(world.officer).post(own).status_code == 400  # decided already
    texts = list(CaseJournalEntry.objects.filter(person=person).values_list("text", flat=True))
    assert any("Begäran om att ändra markeringen" in t for t in texts)
    assert any("godkändes" in t for t in texts)


def test_raising_the_protection_needs_no_second_person_and_grants_nobody(
    world, colleague, protected
):  # R10.1
    person, _order = protected
    protection_services.decide_protection_request(
        world.officer,
        person,
        request=protection_services.set_protection(
            colleague, person, protection=Protection.CONFIDENTIALITY_MARKING
        ),
        approve=True,
    )
    person = Person.objects.get(pk=person.pk)
    assert person.protection == Protection.CONFIDENTIALITY_MARKING
    # Raising again takes effect at once, and does not name the one who raised it.
    raised = protection_services.set_protection(
        colleague, person, protection=Protection.PROTECTED_REGISTRATION
    )
    assert isinstance(raised, Person) and raised.protection == Protection.PROTECTED_REGISTRATION
    assert not selectors.may_see_protected(colleague, Person.objects.get(pk=person.pk))


def test_a_rejected_request_gives_nothing(world, colleague, protected):  # R10.5
    person, _order = protected
    asked = protection_services.request_protected_access(world.officer, person, user=world.staff_a)
    protection_services.decide_protection_request(colleague, person, request=asked, approve=False)
    assert not selectors.may_see_protected(world.staff_a, Person.objects.get(pk=person.pk))
    asked.refresh_from_db()
    assert asked.approved is False and asked.decided_by == colleague


def test_the_one_to_be_given_access_never_decides(world, colleague, protected):  # R10.5
    person, _order = protected
    asked = protection_services.request_protected_access(world.officer, person, user=colleague)
    with pytest.raises(PermissionDenied):
        protection_services.decide_protection_request(
            colleague, person, request=asked, approve=True
        )
    assert not selectors.may_see_protected(colleague, Person.objects.get(pk=person.pk))


ROLES_WHO_MAY_NOT_DECIDE = [
    ("officer_of_another_unit", Role.OFFICER),
    ("provider_staff", Role.PROVIDER_STAFF),
    ("provider_manager", Role.PROVIDER_MANAGER),
    ("placement_unit", Role.PLACEMENT_UNIT),
    ("fee_officer", Role.FEE_OFFICER),
    ("lov_admin", Role.LOV_ADMIN),
    ("aids_centre", Role.AIDS_CENTRE),
    ("log_reviewer", Role.LOG_REVIEWER),
    ("system_admin", Role.SYSTEM_ADMIN),
    ("requester", None),
]


@pytest.mark.parametrize(
    ("label", "role"), ROLES_WHO_MAY_NOT_DECIDE, ids=[r[0] for r in ROLES_WHO_MAY_NOT_DECIDE]
)
def test_no_other_role_decides_a_request(world, api, protected, label, role):  # R10.1, R10.5
    """Per role: only another officer of the client's unit approves, through the service and
    through the API; every other role, and the one who asked, is refused and nothing opens."""
    person, order = protected
    if role is None:
        user = world.officer
    elif role == Role.OFFICER:
        user = world.other_officer
    elif role in (Role.PROVIDER_STAFF, Role.PROVIDER_MANAGER):
        user = build.user(role, world.muni, provider=order.provider, username=label)
    else:
        user = build.user(role, world.muni, username=label)
    for asked in (
        protection_services.request_protected_access(world.officer, person, user=world.staff_a),
        protection_services.set_protection(world.officer, person, protection=Protection.NONE),
    ):
        with pytest.raises(PermissionDenied):
            protection_services.decide_protection_request(user, person, request=asked, approve=True)
        url = f"/api/persons/{person.pk}/protection-requests/{asked.pk}/approve/"
        assert api(user).post(url).status_code in (403, 404), label
        asked.refresh_from_db()
        assert asked.is_pending
    person = Person.objects.get(pk=person.pk)
    assert person.is_protected
    assert not selectors.may_see_protected(world.staff_a, person)


def test_only_the_clients_officers_may_ask(world, protected):  # R10.5
    person, _order = protected
    for user in (world.other_officer, world.staff_a, world.fee_officer):
        with pytest.raises(PermissionDenied):
            protection_services.request_protected_access(user, person, user=user)
    with pytest.raises(ValidationFailed):
        protection_services.request_protected_access(world.officer, person, user=world.staff_b)
    assert not ProtectionRequest.objects.filter(person=person).exists()


# --- What lists and areas give away (issue 11, low findings) ---------------------------------


def test_a_protected_clients_area_is_hidden_from_readers_without_access(
    world, api, client, colleague, protected
):  # R10.5
    person, _order = protected
    area = world.area.name
    data = api(colleague).get(f"/api/persons/{person.pk}/").json()
    assert data["area"] is None and data["area_name"] == "Skyddade uppgifter"
    client.force_login(colleague)
    for url in (f"/clients/{person.pk}/",):
        assert area not in client.get(url).content.decode(), url
    # The officer who set the flag is named: the client page shows the area.
    client.force_login(world.officer)
    assert area in client.get(f"/clients/{person.pk}/").content.decode()
    assert api(world.officer).get(f"/api/persons/{person.pk}/").json()["area"] == world.area.pk


def test_lists_never_show_protected_data_even_to_named_staff(
    world, api, client, protected
):  # R10.5
    person, _order = protected
    assert selectors.may_see_protected(world.officer, person)
    listed = api(world.officer).get("/api/persons/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    [row] = [r for r in rows if r["id"] == person.pk]
    assert row["street_address"] == "Skyddade uppgifter" and row["area"] is None
    assert STREET not in str(listed) and world.area.name not in str(listed)
    client.force_login(world.officer)
    page = client.get("/clients/").content.decode()
    assert person.last_name in page and STREET not in page and world.area.name not in page


def test_a_pending_lowering_is_void_once_someone_raised_the_protection(
    world, colleague, protected
):  # R10.1
    """A asks to clear a confidentiality marking; B raises it to protected registration; C's
    approval of A's old request must not take the client from protected registration to none."""
    person, _order = protected
    third = build.user(Role.OFFICER, world.muni, unit=world.unit, username="third")
    protection_services.decide_protection_request(
        colleague,
        person,
        request=protection_services.set_protection(
            world.officer, person, protection=Protection.CONFIDENTIALITY_MARKING
        ),
        approve=True,
    )
    clear = protection_services.set_protection(world.officer, person, protection=Protection.NONE)
    protection_services.set_protection(
        colleague, person, protection=Protection.PROTECTED_REGISTRATION
    )
    clear.refresh_from_db()
    assert not clear.is_pending and clear.approved is False
    with pytest.raises(ValidationFailed):
        protection_services.decide_protection_request(third, person, request=clear, approve=True)
    assert Person.objects.get(pk=person.pk).protection == Protection.PROTECTED_REGISTRATION


def test_an_approval_is_refused_when_the_level_changed_since_the_request(
    world, colleague, protected
):  # R10.1
    person, _order = protected
    asked = protection_services.set_protection(world.officer, person, protection=Protection.NONE)
    # The level changes by another road (e.g. a row from before this rule): approval refuses.
    Person.objects.filter(pk=person.pk).update(protection=Protection.CONFIDENTIALITY_MARKING)
    with pytest.raises(ValidationFailed):
        protection_services.decide_protection_request(
            colleague, person, request=asked, approve=True
        )
    assert Person.objects.get(pk=person.pk).protection == Protection.CONFIDENTIALITY_MARKING


def test_the_demo_shows_the_second_officer_at_work(db):  # R10.1, R10.5 (README demo users)
    from verkstall.access.models import User
    from verkstall.tooling.demo import seed

    seed()
    bertil = Person.objects.get(first_name="Bertil", last_name="Sekretesson")
    manager = User.objects.get(username="enhetschef")
    [asked] = ProtectionRequest.objects.filter(person=bertil, user=manager)
    assert asked.approved and asked.decided_by.username == "handlaggare2"
    assert asked.requested_by.username == "handlaggare"
    assert selectors.may_see_protected(manager, bertil)
    assert not selectors.may_see_protected(User.objects.get(username="utforare"), bertil)


def test_a_switch_refusal_names_no_protected_area(world, colleague, protected):  # R2.6, R10.5
    """The review found the switch's contract message naming a protected client's area."""
    from datetime import date

    from verkstall.decisions.models import ServiceType
    from verkstall.providers.models import Contract
    from verkstall.providers.selectors import takeover_problem

    _person, order = protected
    other_area = build.area(world.muni, "Annat område")
    Contract.objects.create(
        municipality=world.muni,
        provider=world.provider_b,
        service_type=ServiceType.objects.get(code="hemtjanst-omvardnad"),
        area=other_area,
        valid_from=date(2020, 1, 1),
    )
    today = date.today()
    hidden = takeover_problem(colleague, order, world.provider_b, returning=False, today=today)
    assert world.area.name not in hidden and "Skyddade uppgifter" in hidden
    named = takeover_problem(world.officer, order, world.provider_b, returning=False, today=today)
    assert world.area.name in named
