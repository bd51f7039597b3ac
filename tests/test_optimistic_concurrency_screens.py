"""Edit forms carry the version they were opened at (issue 18 item 1): a stale submit shows the
form again with a Swedish message at the top saying that someone else changed the record since
it was opened and what, keeps what was typed, and carries the current version, so that the
next submit saves."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from verkstall.decisions import correction_services
from verkstall.decisions.models import Decision
from verkstall.orders import draft_correction_services
from verkstall.orders.models import Order
from verkstall.people import services as people
from verkstall.people.models import Person
from verkstall.plans import services as plans
from verkstall.plans.models import ImplementationPlan

pytestmark = pytest.mark.django_db

STALE = "har ändrats av någon annan sedan du öppnade formuläret"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def opened_version(page) -> str:
    assert page.status_code == 200
    found = re.search(r'name="lock_version" value="(\d+)"', page.content.decode())
    assert found, "the edit form carries its version as a hidden input"
    return found.group(1)


def test_a_stale_client_edit_is_shown_again_with_what_changed_and_what_was_typed(world):
    person = world.person()
    client = login(world.officer)
    version = opened_version(client.get(f"/clients/{person.pk}/edit/"))
    # Someone else changes the phone number after the form was opened.
    people.update_person(world.officer, person, phone="070-999", reason="Nytt nummer")
    data = {
        "first_name": "Elsa",
        "last_name": "Testsson",
        "street_address": "Nygatan 5",
        "postal_code": "16255",
        "city": "Vällingby",
        "area": world.area.pk,
        "phone": "08-123 45",
        "whereabouts": "",
        "latitude": "",
        "longitude": "",
        "reason": "Klienten har flyttat",
        "lock_version": version,
    }
    stale = client.post(f"/clients/{person.pk}/edit/", data)
    assert stale.status_code == 400
    page = stale.content.decode()
    assert "Klientens uppgifter " + STALE in page
    assert "telefon" in page.split(STALE, 1)[1][:200]
    assert 'value="Nygatan 5"' in page  # what was typed is kept
    assert Person.objects.get(pk=person.pk).street_address == "Testgatan 1"
    current = Person.objects.get(pk=person.pk).lock_version
    assert opened_version_of(page) == str(current)
    # Having read the message, the same submit with the version it now carries saves.
    saved = client.post(f"/clients/{person.pk}/edit/", {**data, "lock_version": current})
    assert saved.status_code == 302
    person = Person.objects.get(pk=person.pk)
    assert (person.street_address, person.phone) == ("Nygatan 5", "08-123 45")


def opened_version_of(page: str) -> str:
    return re.search(r'name="lock_version" value="(\d+)"', page).group(1)


def test_a_stale_draft_order_edit_names_the_correction_in_between(world):
    order = world.order()
    client = login(world.officer)
    version = opened_version(client.get(f"/orders/{order.pk}/edit/"))
    draft_correction_services.correct_draft(
        world.officer, order, reason="Nyckel", instructions="Nyckel i kodlåda"
    )
    stale = client.post(
        f"/orders/{order.pk}/edit/",
        {
            "provider": world.provider_a.pk,
            "provider_unit": "",
            "services": [s.pk for s in order.services.all()],
            "instructions": "Ring på dörren",
            "reason": "Mitt skäl",
            "lock_version": version,
        },
    )
    assert stale.status_code == 400
    page = stale.content.decode()
    assert "Beställningen " + STALE in page and "Utkast rättat" in page
    assert "Ring på dörren" in page
    assert Order.objects.get(pk=order.pk).instructions == "Nyckel i kodlåda"


def test_a_stale_decision_correction_is_refused_on_screen(world):
    decision = world.decision()
    client = login(world.officer)
    version = opened_version(client.get(f"/decisions/{decision.pk}/correct/"))
    correction_services.correct_decision(
        world.officer, decision, reason="Utredning", assessment_summary="Ny text"
    )
    service = decision.services.get()
    stale = client.post(
        f"/decisions/{decision.pk}/correct/",
        {
            "decided_on": decision.decided_on.isoformat(),
            "assessment_summary": "Min text",
            "goals": "",
            "reason": "Mitt skäl",
            "lock_version": version,
            "services-TOTAL_FORMS": "1",
            "services-INITIAL_FORMS": "1",
            "services-0-id": service.pk,
            "services-0-scope_amount": "20",
            "services-0-scope_unit": "hours_per_month",
            "services-0-frequency": "morgon och kväll",
            "services-0-valid_from": service.valid_from.isoformat(),
            "services-0-valid_to": "",
        },
    )
    assert stale.status_code == 400, stale.content.decode()[:2000]
    page = stale.content.decode()
    assert "Beslutet " + STALE in page and "utredning" in page
    assert Decision.objects.get(pk=decision.pk).assessment_summary == "Ny text"


def test_a_stale_plan_draft_is_refused_on_screen(world):
    order = world.order(state="started")
    plan = plans.start_plan(world.staff_a, order)
    client = login(world.staff_a)
    version = opened_version(client.get(f"/orders/{order.pk}/plan/"))
    plans.save_draft(world.staff_a, plan, what="Andras text")
    stale = client.post(
        f"/orders/{order.pk}/plan/{plan.pk}/save/",
        {
            "what": "Min text",
            "how": "",
            "when": "",
            "by_whom": "",
            "participation": "",
            "revision_reason": "",
            "do": "save",
            "lock_version": version,
        },
    )
    assert stale.status_code == 400
    page = stale.content.decode()
    assert "Planen " + STALE in page and "Min text" in page
    assert ImplementationPlan.objects.get(pk=plan.pk).what == "Andras text"
