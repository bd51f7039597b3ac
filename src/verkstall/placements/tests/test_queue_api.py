"""The API of the care-home and day-activity queue and of the temporary stays (SPEC R8.1, R8.2,
R8.3, R8.4): the whole walk an own system makes, withdrawal from the queue (also on the
entry's screen), the roles and the scoping."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from verkstall.access.roles import Role
from verkstall.core.clock import travel_to
from verkstall.deadlines.engine import recompute_decision
from verkstall.deadlines.models import DueItem
from verkstall.journal.models import CaseJournalEntry
from verkstall.orders.models import Order
from verkstall.people.protection_services import set_protection
from verkstall.placements import services
from verkstall.placements.models import EntryState, IntakeState, QueueEntry, StayIntake
from verkstall.tooling import testing as build

from .test_queue import DAY_ACTIVITY, Queue, at
from .test_stays import URL as STAYS
from .test_stays import payload

pytestmark = pytest.mark.django_db

URL = "/api/queue-entries/"
TUE_3_MAR = date(2026, 3, 3)


@pytest.fixture
def q(world):
    return Queue(world)


def _enqueue_urgent(q, api, granted=None):
    granted = granted or q.granted()
    return api(q.world.officer).post(
        URL,
        {
            "granted_service": granted.pk,
            "homes": [q.solgarden.pk, q.ekbacken.pk],
            "urgent": True,
            "current_location": "Danderyds sjukhus, avd 12",
            "discharge_ready_at": at(date(2026, 3, 2), 14).isoformat(),
            "notes": "Behöver demensanpassat boende.",
        },
        format="json",
    )


def _liability_item(entry_id) -> DueItem:
    entry = QueueEntry.objects.get(pk=entry_id)
    return DueItem.objects.get(decision=entry.decision, rule__code="betalningsansvar")


def test_the_whole_queue_walk_through_the_api(q, api):  # R8.1 R8.2
    officer, placement = api(q.world.officer), api(q.placement)
    with travel_to(at(TUE_3_MAR)):
        created = _enqueue_urgent(q, api)
        assert created.status_code == 201, created.content
        body = created.json()
        pk = body["id"]
        assert body["state"] == "waiting" and body["urgent"] and body["kind"] == "care_home"
        assert body["liability_from"] == "2026-03-05"  # three days after the notice (R8.1)
        assert body["current_location"] == "Danderyds sjukhus, avd 12"
        assert [(c["rank"], c["home"]) for c in body["choices"]] == [
            (1, q.solgarden.pk),
            (2, q.ekbacken.pk),
        ]
        assert "Solgården" in body["choices"][0]["home_name"]
        assert body["person"]["personal_number"].count("-") == 1
        assert _liability_item(pk).status == "open"

        # The placement unit's list, with its filters.
        rows = placement.get(URL, {"urgent": "true", "kind": "care_home", "state": "waiting"})
        assert [r["id"] for r in rows.json()["results"]] == [pk]
        assert placement.get(URL, {"kind": "day_activity"}).json()["results"] == []
        assert placement.get(URL, {"urgent": "false"}).json()["results"] == []
        assert placement.get(URL, {"state": "accepted"}).json()["results"] == []

        # Offer -> decline (with a reason) -> offer -> accept.
        offered = placement.post(f"{URL}{pk}/offer/", {"home": q.ekbacken.pk}, format="json")
        assert offered.status_code == 200 and offered.json()["state"] == "offered"
        no_reason = placement.post(f"{URL}{pk}/answer/", {"accepted": False}, format="json")
        assert no_reason.status_code == 400 and "reason" in no_reason.json()
        declined = placement.post(
            f"{URL}{pk}/answer/", {"accepted": False, "reason": "För långt bort."}, format="json"
        )
        assert declined.status_code == 200 and declined.json()["state"] == "waiting"
        [offer] = declined.json()["offers"]
        assert offer["outcome"] == "declined" and offer["decline_reason"] == "För långt bort."
        again = placement.post(f"{URL}{pk}/answer/", {"accepted": True}, format="json")
        assert again.status_code == 409  # no open offer
    with travel_to(at(date(2026, 3, 4))):
        placement.post(f"{URL}{pk}/offer/", {"home": q.solgarden.pk}, format="json")
        accepted = placement.post(f"{URL}{pk}/answer/", {"accepted": True}, format="json")
        assert accepted.status_code == 200, accepted.content
        assert accepted.json()["state"] == "accepted" and accepted.json()["days_waited"] == 1
        assert [o["outcome"] for o in accepted.json()["offers"]] == ["declined", "accepted"]
    assert _liability_item(pk).status == "met_on_time"  # the clock stopped (R8.1)

    # The officer sends the order to the accepted home (R8.2).
    with travel_to(at(date(2026, 3, 4), 11)):
        ordered = officer.post(
            f"{URL}{pk}/order/", {"instructions": "Inflyttning på fredag."}, format="json"
        )
    assert ordered.status_code == 200, ordered.content
    order = Order.objects.get(pk=ordered.json()["order"])
    assert ordered.json()["state"] == "ordered"
    assert order.state == "sent" and order.provider_unit == q.solgarden
    assert order.instructions == "Inflyttning på fredag."
    withdrawn = officer.post(f"{URL}{pk}/withdraw/", {"reason": "Flyttat."}, format="json")
    assert withdrawn.status_code == 409  # an ordered entry cannot be withdrawn


def test_a_day_activity_goes_through_the_same_queue(q, api):  # R8.3
    granted = q.granted(DAY_ACTIVITY)
    created = api(q.world.officer).post(
        URL, {"granted_service": granted.pk, "homes": [q.dagtraffen.pk]}, format="json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["kind"] == "day_activity"
    placement = api(q.placement)
    assert [r["id"] for r in placement.get(URL, {"kind": "day_activity"}).json()["results"]] == [
        created.json()["id"]
    ]
    assert placement.get(URL, {"kind": "care_home"}).json()["results"] == []


def test_withdrawal_closes_the_open_offer_and_the_liability_clock(q, api):  # R8.1 R8.2
    placement = api(q.placement)
    with travel_to(at(TUE_3_MAR)):
        pk = _enqueue_urgent(q, api).json()["id"]
        placement.post(f"{URL}{pk}/offer/", {"home": q.solgarden.pk}, format="json")
        missing = placement.post(f"{URL}{pk}/withdraw/", {}, format="json")
        assert missing.status_code == 400 and "reason" in missing.json()
        too_long = placement.post(f"{URL}{pk}/withdraw/", {"reason": "x" * 301}, format="json")
        assert too_long.status_code == 400 and "reason" in too_long.json()
        done = placement.post(
            f"{URL}{pk}/withdraw/", {"reason": "Klienten har avlidit."}, format="json"
        )
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["state"] == "removed" and body["removed_reason"] == "Klienten har avlidit."
    assert body["removed_at"] is not None
    [offer] = body["offers"]
    assert offer["outcome"] == "declined"
    assert offer["decline_reason"] == "Avförd ur kön: Klienten har avlidit."
    # The payment-liability item is no longer open, and a later recompute keeps it so.
    item = _liability_item(pk)
    assert item.status == "closed"
    entry = QueueEntry.objects.get(pk=pk)
    recompute_decision(entry.decision)
    item.refresh_from_db()
    assert item.status == "closed"
    note = CaseJournalEntry.objects.filter(person=entry.person).latest("written_at")
    assert "Avförd ur kön" in note.text and "avlidit" in note.text
    again = placement.post(f"{URL}{pk}/withdraw/", {"reason": "Igen."}, format="json")
    assert again.status_code == 409
    # The entry leaves the queue; the service is free to be queued again.
    assert placement.get(URL, {"state": "waiting"}).json()["results"] == []
    assert api(q.world.officer).get(f"{URL}{pk}/").json()["state"] == "removed"


def test_an_accepted_entry_withdrawn_keeps_its_met_clock(q, api):  # R8.1 R8.2
    with travel_to(at(TUE_3_MAR)):
        entry = services.enqueue(
            q.world.officer,
            granted_service=q.granted(),
            homes=[q.solgarden],
            urgent=True,
            current_location="Hemma",
            discharge_ready_at=at(date(2026, 3, 2)),
        )
        offer = services.offer_place(q.placement, entry=entry, home=q.solgarden)
        services.record_answer(q.placement, offer=offer, accepted=True)
        response = api(q.world.officer).post(
            f"{URL}{entry.pk}/withdraw/", {"reason": "Vill bo kvar hemma."}, format="json"
        )
    assert response.status_code == 200 and response.json()["state"] == "removed"
    assert _liability_item(entry.pk).status == "met_on_time"


def test_removal_after_too_many_declines_closes_the_liability_clock(q):  # R8.1 R8.2
    with travel_to(at(TUE_3_MAR)):
        entry = services.enqueue(
            q.world.officer,
            granted_service=q.granted(),
            homes=[q.solgarden, q.ekbacken],
            urgent=True,
            current_location="Hemma",
            discharge_ready_at=at(date(2026, 3, 2)),
        )
        for home in (q.solgarden, q.ekbacken):  # stockholm-hv: two declines and out
            offer = services.offer_place(q.placement, entry=entry, home=home)
            services.record_answer(q.placement, offer=offer, accepted=False, reason="Nej.")
    entry.refresh_from_db()
    assert entry.state == EntryState.REMOVED
    assert _liability_item(entry.pk).status == "closed"


def test_the_entry_screen_withdraws_with_a_reason(q, client):  # R8.1 R8.2
    entry = q.enqueue()
    client.force_login(q.world.officer)
    page = client.get(reverse("placement-entry", args=[entry.pk])).content.decode()
    assert "Avför ur kön" in page and "Skäl" in page
    url = reverse("placement-withdraw", args=[entry.pk])
    assert client.post(url, {"reason": ""}).status_code == 400
    # A reload of the refused form's URL is the entry's page, not an empty 405 (issue 17).
    assert client.get(url)["Location"] == reverse("placement-entry", args=[entry.pk])
    response = client.post(url, {"reason": "Har flyttat till annan kommun."})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.state == EntryState.REMOVED
    assert entry.removed_reason == "Har flyttat till annan kommun."
    page = client.get(reverse("placement-entry", args=[entry.pk])).content.decode()
    assert "Har flyttat till annan kommun." in page and 'id="withdraw-entry"' not in page
    # The placement unit may withdraw too, but not twice.
    client.force_login(q.placement)
    assert client.post(url, {"reason": "Igen"}).status_code == 400


def test_bad_input_is_400_with_field_names(q, api):  # R8.1
    officer = api(q.world.officer)
    empty = officer.post(URL, {}, format="json")
    assert empty.status_code == 400 and {"granted_service", "homes"} <= set(empty.json())
    granted = q.granted()
    urgent = officer.post(
        URL, {"granted_service": granted.pk, "homes": [q.solgarden.pk], "urgent": True}
    )
    assert urgent.status_code == 400
    assert {"current_location", "discharge_ready_at"} <= set(urgent.json())
    wrong_home = officer.post(
        URL, {"granted_service": granted.pk, "homes": [q.dagtraffen.pk]}, format="json"
    )
    assert wrong_home.status_code == 400 and "homes" in wrong_home.json()
    twice = officer.post(
        URL,
        {"granted_service": granted.pk, "homes": [q.solgarden.pk, q.solgarden.pk]},
        format="json",
    )
    assert twice.status_code == 400 and "homes" in twice.json()
    entry = q.enqueue()
    placement = api(q.placement)
    not_chosen = placement.post(f"{URL}{entry.pk}/offer/", {"home": q.dagtraffen.pk})
    assert not_chosen.status_code == 400 and "home" in not_chosen.json()
    assert placement.post(f"{URL}{entry.pk}/offer/", {}).status_code == 400


def test_the_wrong_role_is_403_and_another_units_entry_404(q, api):  # R8.1 R8.2 Actors
    entry = q.enqueue()
    officer, placement = api(q.world.officer), api(q.placement)
    # Each side does only its own steps (as the screens).
    assert officer.post(f"{URL}{entry.pk}/offer/", {"home": q.solgarden.pk}).status_code == 403
    assert officer.post(f"{URL}{entry.pk}/answer/", {"accepted": True}).status_code == 403
    assert placement.post(f"{URL}{entry.pk}/order/", {}).status_code == 403
    assert (
        placement.post(
            URL, {"granted_service": entry.granted_service_id, "homes": [q.solgarden.pk]}
        ).status_code
        == 403
    )
    assert api(q.world.staff_a).get(URL).status_code == 403
    assert api(q.world.fee_officer).get(f"{URL}{entry.pk}/").status_code == 403
    # Another unit's officer and another municipality's placement unit: no such entry.
    other_unit = api(q.world.other_officer)
    assert other_unit.get(f"{URL}{entry.pk}/").status_code == 404
    assert other_unit.post(f"{URL}{entry.pk}/withdraw/", {"reason": "x"}).status_code == 404
    assert other_unit.get(URL).json()["results"] == []
    elsewhere = api(build.user(Role.PLACEMENT_UNIT, build.municipality()))
    assert elsewhere.get(f"{URL}{entry.pk}/").status_code == 404
    assert elsewhere.post(f"{URL}{entry.pk}/offer/", {"home": q.solgarden.pk}).status_code == 404
    assert elsewhere.get(URL).json()["results"] == []
    entry.refresh_from_db()
    assert entry.state == EntryState.WAITING
    # Another unit's granted service cannot be queued by this officer.
    other = q.granted()
    response = other_unit.post(
        URL, {"granted_service": other.pk, "homes": [q.solgarden.pk]}, format="json"
    )
    assert response.status_code == 403


def test_a_protected_clients_whereabouts_only_to_named_staff_never_in_a_list(q, api):  # R10.5
    with travel_to(at(TUE_3_MAR)):
        pk = _enqueue_urgent(q, api).json()["id"]
    entry = QueueEntry.objects.get(pk=pk)
    set_protection(q.world.officer, entry.person, protection="confidentiality_marking")
    officer, placement = api(q.world.officer), api(q.placement)
    # The officer who marked the client is named staff: the entry shows where the client is.
    assert officer.get(f"{URL}{pk}/").json()["current_location"] == "Danderyds sjukhus, avd 12"
    assert officer.get(f"{URL}{pk}/").json()["person"]["protected"] is True
    for client in (officer, placement):
        [row] = client.get(URL).json()["results"]
        assert row["current_location"] == "Skyddade uppgifter"
    assert placement.get(f"{URL}{pk}/").json()["current_location"] == "Skyddade uppgifter"
    body = placement.get(URL).content.decode() + placement.get(f"{URL}{pk}/").content.decode()
    assert "Danderyd" not in body


# --- temporary stays from another municipality (R8.4) --------------------------------------


def test_the_placement_unit_lists_registers_and_declines_stays(q, api):  # R8.4
    placement = api(q.placement)
    first = placement.post(STAYS, payload(), format="json").json()["id"]
    second = placement.post(
        STAYS, payload(external_id="ET-2", personal_number=build.test_number()), format="json"
    ).json()["id"]
    rows = placement.get(STAYS, {"state": "pending"}).json()["results"]
    assert [r["id"] for r in rows] == [first, second]
    assert "street_address" not in rows[0] and rows[0]["home_municipality_name"] == "Uppsala"
    detail = placement.get(f"{STAYS}{first}/").json()
    assert detail["street_address"] == "Strandvägen 3" and detail["state"] == "pending"

    missing = placement.post(f"{STAYS}{first}/register/", {}, format="json")
    assert missing.status_code == 400 and "unit" in missing.json()
    registered = placement.post(
        f"{STAYS}{first}/register/", {"unit": q.world.unit.pk}, format="json"
    )
    assert registered.status_code == 200, registered.content
    assert registered.json()["state"] == "registered" and registered.json()["person"]
    assert registered.json()["unit"] == q.world.unit.pk
    again = placement.post(f"{STAYS}{first}/register/", {"unit": q.world.unit.pk})
    assert again.status_code == 409

    no_reason = placement.post(f"{STAYS}{second}/decline/", {"reason": ""}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    declined = placement.post(
        f"{STAYS}{second}/decline/", {"reason": "Ingen plats i kommunen."}, format="json"
    )
    assert declined.status_code == 200
    assert declined.json()["decline_reason"] == "Ingen plats i kommunen."
    assert StayIntake.objects.get(pk=second).state == IntakeState.DECLINED
    assert placement.get(STAYS, {"state": "pending"}).json()["results"] == []
    assert len(placement.get(STAYS).json()["results"]) == 2


def test_stays_are_the_receiving_placement_units_only(q, api):  # R8.4 Actors
    pk = api(q.placement).post(STAYS, payload(), format="json").json()["id"]
    assert api(q.world.officer).get(STAYS).status_code == 403
    assert api(q.world.officer).get(f"{STAYS}{pk}/").status_code == 403
    elsewhere = api(build.user(Role.PLACEMENT_UNIT, build.municipality()))
    assert elsewhere.get(STAYS).json()["results"] == []
    assert elsewhere.get(f"{STAYS}{pk}/").status_code == 404
    assert elsewhere.post(f"{STAYS}{pk}/decline/", {"reason": "Nej"}).status_code == 404
    assert StayIntake.objects.get(pk=pk).state == IntakeState.PENDING


def test_a_registered_stays_address_follows_the_clients_protection(q, api):  # R8.4 R10.5
    placement = api(q.placement)
    pk = placement.post(STAYS, payload(), format="json").json()["id"]
    placement.post(f"{STAYS}{pk}/register/", {"unit": q.world.unit.pk}, format="json")
    person = StayIntake.objects.get(pk=pk).person
    set_protection(q.world.officer, person, protection="confidentiality_marking")
    detail = placement.get(f"{STAYS}{pk}/").json()
    assert detail["street_address"] == "Skyddade uppgifter"
    assert detail["first_name"] == "Greta"


def test_a_protected_clients_whereabouts_stay_out_of_the_case_journal(q, api):  # R10.5 R8.1
    """Found by the isolation proof: the case journal, read by the whole unit and the fee
    officer, said where a protected client queued urgently was."""
    granted = q.granted()
    set_protection(q.world.officer, granted.decision.person, protection="confidentiality_marking")
    with travel_to(at(TUE_3_MAR)):
        assert _enqueue_urgent(q, api, granted).status_code == 201
    [entry] = CaseJournalEntry.objects.filter(
        person=granted.decision.person, title="Kö och placering"
    )
    assert "Danderyd" not in entry.text
    assert "se köplatsen (skyddade uppgifter)" in entry.text
