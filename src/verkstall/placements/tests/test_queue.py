"""The care-home and day-activity queue, urgent placement and offers (SPEC R8.1, R8.2, R8.3,
seed 001 §Skyndsam placering, §Dagverksamhet), through the real services, views and deadline
engine."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.urls import reverse

from verkstall.access.roles import Role
from verkstall.core.clock import travel_to
from verkstall.core.errors import PermissionDenied, ValidationFailed
from verkstall.deadlines.calendar import STOCKHOLM
from verkstall.deadlines.models import DueItem, Rule, RuleProfile
from verkstall.decisions.models import ServiceType
from verkstall.journal.models import CaseJournalEntry
from verkstall.orders.models import Order
from verkstall.placements import selectors, services
from verkstall.placements.models import EntryState, QueueEntry
from verkstall.placements.services import QueueStepNotAllowed
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db

CARE_HOME = "vard-och-omsorgsboende"
DAY_ACTIVITY = "dagverksamhet"


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), STOCKHOLM)


class Queue:
    """The world's municipality with two care homes, a day-activity unit and the placement
    unit's user."""

    def __init__(self, world):
        self.world = world
        self.placement = build.user(Role.PLACEMENT_UNIT, world.muni, username="placering")
        self.solgarden = self.home(world.provider_a, "Solgården", CARE_HOME)
        self.ekbacken = self.home(world.provider_b, "Ekbacken", CARE_HOME)
        self.dagtraffen = self.home(world.provider_a, "Dagträffen", DAY_ACTIVITY)

    @staticmethod
    def home(provider, name, code):
        unit = build.provider_unit(provider, name)
        unit.service_types.add(ServiceType.objects.get(code=code))
        return unit

    def granted(self, code=CARE_HOME, on=date(2026, 3, 2), **person):
        decision = self.world.decision(
            person=self.world.person(**person),
            decided_on=on,
            services=[{"service_type": code, "scope_amount": "1", "scope_unit": "place"}],
        )
        return decision.services.get()

    def enqueue(self, granted=None, homes=None, **kw):
        return services.enqueue(
            self.world.officer,
            granted_service=granted or self.granted(),
            homes=homes or [self.solgarden, self.ekbacken],
            **kw,
        )

    def urgent(self, ready=None, **kw):
        return self.enqueue(
            urgent=True,
            current_location="Danderyds sjukhus, avd 12",
            discharge_ready_at=ready or at(date(2026, 3, 2)),
            notes="Behöver demensanpassat boende.",
            **kw,
        )


@pytest.fixture
def q(world):
    return Queue(world)


def test_the_queue_per_home_puts_urgent_first_then_waiting_time(q):  # R8.1 R8.3
    with travel_to(at(date(2026, 3, 2))):
        first = q.enqueue(q.granted(first_name="Först"))
        day = q.enqueue(q.granted(DAY_ACTIVITY), homes=[q.dagtraffen])
    with travel_to(at(date(2026, 3, 9))):
        second = q.enqueue(q.granted(first_name="Sedan"), homes=[q.ekbacken])
    with travel_to(at(date(2026, 3, 16))):
        urgent = q.urgent(ready=at(date(2026, 3, 16), 8))
        care = selectors.queue_by_home(q.placement, care_homes=True)
        days = selectors.queue_by_home(q.placement, care_homes=False)
    by_home = {queue.home: [row.entry for row in queue.rows] for queue in care}
    assert by_home[q.solgarden] == [urgent, first]
    assert by_home[q.ekbacken] == [urgent, first, second]
    waited = {row.entry: row.days for queue in care for row in queue.rows}
    assert waited == {urgent: 0, first: 14, second: 7}
    # Day activities have their own queue (R8.3); short-term and profile homes none.
    assert [(queue.home, [r.entry for r in queue.rows]) for queue in days] == [
        (q.dagtraffen, [day])
    ]


def test_short_term_and_profile_homes_stay_outside_the_queue(q):  # R8.1 R2.5
    for code in ("korttidsboende", "profilboende"):
        with pytest.raises(ValidationFailed) as exc:
            q.enqueue(q.granted(code))
        assert "närhetsprincipen" in exc.value.errors["granted_service"][0]
    assert not QueueEntry.objects.exists()


def test_the_homes_must_offer_the_service_and_an_urgent_placement_its_facts(q):  # R8.1
    with pytest.raises(ValidationFailed) as exc:
        q.enqueue(homes=[q.dagtraffen])
    assert "erbjuder den beviljade insatsen" in exc.value.errors["homes"][0]
    with pytest.raises(ValidationFailed) as exc:
        q.enqueue(urgent=True)
    assert set(exc.value.errors) == {"current_location", "discharge_ready_at"}
    with pytest.raises(ValidationFailed) as exc:
        q.enqueue(q.granted(DAY_ACTIVITY), homes=[q.dagtraffen], urgent=True)
    assert "urgent" in exc.value.errors
    with pytest.raises(PermissionDenied):
        services.enqueue(q.world.other_officer, granted_service=q.granted(), homes=[q.solgarden])


def test_an_urgent_placement_starts_the_payment_liability_clock(q, client):  # R8.1
    with travel_to(at(date(2026, 3, 3))):
        entry = q.urgent(ready=at(date(2026, 3, 2), 14))
    # stockholm-hv's rule: three calendar days after the hospital's notice (lag 2017:612).
    assert entry.liability_from == date(2026, 3, 5)
    item = DueItem.objects.get(decision=entry.decision, rule__code="betalningsansvar")
    assert item.status == "open" and item.responsible == "placement_unit"
    assert item.due_date == date(2026, 3, 5) and item.start_event == "placement.discharge_ready"
    # The placement unit's watchlist shows it; the officer's journal has the urgent facts.
    client.force_login(q.placement)
    with travel_to(at(date(2026, 3, 3))):
        assert entry.person.full_name in client.get(reverse("watchlist")).content.decode()
    note = CaseJournalEntry.objects.get(person=entry.person, title="Kö och placering")
    assert "Danderyds sjukhus" in note.text and "2026-03-05" in note.text

    with travel_to(at(date(2026, 3, 4))):
        offer = services.offer_place(q.placement, entry=entry, home=q.ekbacken)
        services.record_answer(q.placement, offer=offer, accepted=True)
    item.refresh_from_db()
    assert item.status == "met_on_time"


def test_a_local_agreement_changes_the_liability_date(q):  # R8.1 R11.4
    profile = RuleProfile.objects.create(slug="lokal-overenskommelse", name="Lokal")
    Rule.objects.create(
        profile=profile,
        code="betalningsansvar",
        name="Betalningsansvar enligt lokal överenskommelse",
        subject="decision",
        start_event="placement.discharge_ready",
        stop_events=["placement.place_accepted"],
        amount=5,
        unit="calendar_days",
        responsible="placement_unit",
        service_kinds=["care_home"],
        source="Lokal överenskommelse med regionen",
    )
    q.world.muni.rule_profile = profile.slug
    q.world.muni.save()
    with travel_to(at(date(2026, 3, 3))):
        entry = q.urgent(ready=at(date(2026, 3, 2), 14))
    assert entry.liability_from == date(2026, 3, 7)
    item = DueItem.objects.get(decision=entry.decision)
    assert item.due_date == date(2026, 3, 7)


def test_without_a_rule_the_profiles_threshold_gives_the_liability_date(q):  # R8.1 R11.4
    RuleProfile.objects.create(slug="utan-regel", name="Utan regel", discharge_liability_days=4)
    q.world.muni.rule_profile = "utan-regel"
    q.world.muni.save()
    with travel_to(at(date(2026, 3, 3))):
        entry = q.urgent(ready=at(date(2026, 3, 2), 14))
    assert entry.liability_from == date(2026, 3, 6)
    assert not DueItem.objects.filter(decision=entry.decision).exists()
    # The SPEC's default: three days (lag 2017:612).
    assert RuleProfile.objects.get(slug="gotland").discharge_liability_days == 3


def _decline(q, entry, home, reason="Vill vänta på förstahandsvalet."):
    offer = services.offer_place(q.placement, entry=entry, home=home)
    return services.record_answer(q.placement, offer=offer, accepted=False, reason=reason)


def test_a_decline_keeps_the_client_in_the_queue_until_the_profiles_limit(q):  # R8.2
    entry = q.enqueue()
    assert RuleProfile.objects.get(slug="stockholm-hv").queue_declines_allowed == 2
    _decline(q, entry, q.ekbacken)
    entry.refresh_from_db()
    assert entry.state == EntryState.WAITING
    assert selectors.queue_by_home(q.placement, care_homes=True)[0].rows[0].entry == entry
    _decline(q, entry, q.solgarden)
    entry.refresh_from_db()
    assert entry.state == EntryState.REMOVED and "2" in entry.removed_reason
    assert selectors.queue_by_home(q.placement, care_homes=True) == []
    notes = CaseJournalEntry.objects.filter(person=entry.person).values_list("text", flat=True)
    assert any("avförd ur kön" in text for text in notes)


def test_a_municipality_whose_routine_removes_at_the_first_decline(q):  # R8.2 R11.4
    RuleProfile.objects.create(slug="ett-nej", name="Ett nej", queue_declines_allowed=1)
    q.world.muni.rule_profile = "ett-nej"
    q.world.muni.save()
    entry = q.enqueue()
    with pytest.raises(ValidationFailed) as exc:
        services.record_answer(
            q.placement,
            offer=services.offer_place(q.placement, entry=entry, home=q.solgarden),
            accepted=False,
        )
    assert "reason" in exc.value.errors
    entry.refresh_from_db()
    services.record_answer(
        q.placement, offer=entry.offers.get(), accepted=False, reason="För långt bort."
    )
    entry.refresh_from_db()
    assert entry.state == EntryState.REMOVED


def test_accepted_offer_tells_the_officer_who_sends_the_order_in_one_step(q):  # R8.2 R8.3
    entry = q.enqueue()
    with pytest.raises(PermissionDenied):
        services.offer_place(q.world.officer, entry=entry, home=q.solgarden)
    with pytest.raises(ValidationFailed):
        services.offer_place(q.placement, entry=entry, home=q.dagtraffen)
    offer = services.offer_place(q.placement, entry=entry, home=q.ekbacken)
    with pytest.raises(QueueStepNotAllowed):
        services.offer_place(q.placement, entry=entry, home=q.solgarden)
    with pytest.raises(QueueStepNotAllowed):
        services.order_to_home(q.world.officer, entry=entry)
    services.record_answer(q.placement, offer=offer, accepted=True)
    with pytest.raises(QueueStepNotAllowed):
        services.record_answer(q.placement, offer=offer, accepted=True)
    note = CaseJournalEntry.objects.filter(person=entry.person).latest("written_at")
    assert "tackat ja" in note.text and "Ekbacken" in note.text
    assert list(selectors.awaiting_order(q.world.officer)) == [entry]

    order = services.order_to_home(q.world.officer, entry=entry)
    order = Order.objects.get(pk=order.pk)
    assert order.state == "sent"
    assert order.provider == q.world.provider_b and order.provider_unit == q.ekbacken
    assert list(order.services.all()) == [entry.granted_service]
    entry.refresh_from_db()
    assert entry.state == EntryState.ORDERED and entry.order == order


def test_the_screens_walk_urgent_placement_offer_accept_order(q, client):  # R8.1 R8.2
    person = q.world.person(first_name="Greta")
    granted = q.granted()
    person = granted.decision.person
    client.force_login(q.world.officer)
    form = client.get(reverse("placement-entry-new", args=[person.pk]))
    assert form.status_code == 200 and "Solgården" in form.content.decode()
    response = client.post(
        reverse("placement-entry-new", args=[person.pk]),
        {
            "granted_service": granted.pk,
            "home_1": q.solgarden.pk,
            "home_2": q.ekbacken.pk,
            "home_3": "",
            "urgent": "on",
            "current_location": "Karolinska, avd 4",
            "discharge_ready_at": "2026-03-02T09:00",
            "notes": "",
        },
    )
    assert response.status_code == 302, response.content.decode()
    entry = QueueEntry.objects.get(person=person)
    assert [c.home for c in entry.choices.all()] == [q.solgarden, q.ekbacken]

    client.force_login(q.placement)
    page = client.get(reverse("placement-queue")).content.decode()
    assert person.full_name in page and "Karolinska, avd 4" in page and "Skyndsam" in page
    client.post(reverse("placement-offer", args=[entry.pk]), {"home": q.solgarden.pk})
    offer = entry.offers.get()
    response = client.post(
        reverse("placement-answer", args=[entry.pk, offer.pk]), {"answer": "accepted"}
    )
    assert response.status_code == 302

    client.force_login(q.world.officer)
    assert (
        "Skicka beställning"
        in client.get(reverse("placement-entry", args=[entry.pk])).content.decode()
    )
    response = client.post(reverse("placement-order", args=[entry.pk]))
    order = Order.objects.get(person=person)
    assert response.status_code == 302 and response.url == reverse("order-detail", args=[order.pk])
    assert order.provider_unit == q.solgarden and order.state == "sent"


def test_another_municipality_and_other_roles_see_nothing(q, client):  # R8.1 Actors
    entry = q.urgent()
    other = build.municipality()
    outsiders = [
        build.user(Role.PLACEMENT_UNIT, other),
        q.world.other_officer,  # another unit of the same municipality
    ]
    for user in outsiders:
        client.force_login(user)
        assert client.get(reverse("placement-entry", args=[entry.pk])).status_code == 404
        offer = client.post(reverse("placement-offer", args=[entry.pk]), {"home": 1})
        assert offer.status_code in (403, 404)
        assert entry.person.full_name not in client.get(reverse("placement-queue")).content.decode()
    client.force_login(build.user(Role.PLACEMENT_UNIT, other))
    assert client.post(reverse("placement-offer", args=[entry.pk]), {"home": 1}).status_code == 404
    client.force_login(q.world.staff_a)
    assert client.get(reverse("placement-entry", args=[entry.pk])).status_code == 403
    assert selectors.entries_for(q.world.staff_a).count() == 0
