"""Provider switch (byte av utförare): SPEC R2.6, seed 002 §Byte av utförare, SCENARIOS story 2.

Gotland's routine (rule profile ``gotland``): "Vid byte av utförare gäller 14 dagars
uppsägningstid" (``byte-uppsagningstid``); "Ny utförare tar kontakt med föregående utförare
inom 3 vardagar för att komma överens om när bytet kan ske" (``byte-kontakt``).

The days are on the real calendar (core.clock.travel_to moves the services' clock), in
February and March 2026, which have no public holiday: Bengt's order to Björkens Hemtjänst
starts Tuesday 3 February; he asks for Ängens Omsorg on Thursday 5 March.
"""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from verkstall.access.roles import Role
from verkstall.core.clock import travel_to
from verkstall.core.errors import PermissionDenied, ValidationFailed
from verkstall.deadlines.calendar import STOCKHOLM
from verkstall.deadlines.models import DueItem
from verkstall.decisions.models import ServiceType
from verkstall.decisions.services import record_decision
from verkstall.journal.models import CaseJournalEntry
from verkstall.orders import services, switch_services
from verkstall.orders.models import Order, OrderEvent, ProviderSwitch
from verkstall.orders.switch_services import SwitchStepNotAllowed
from verkstall.people.services import register_person
from verkstall.providers.models import Contract, ProviderChoice
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db

MON_2_FEB = date(2026, 2, 2)
TUE_3_FEB = date(2026, 2, 3)
THU_5_MAR = date(2026, 3, 5)  # the request, and the new provider informed
MON_9_MAR = date(2026, 3, 9)
TUE_10_MAR = date(2026, 3, 10)  # 3 weekdays after Thursday: Fri, (Sat, Sun), Mon, Tue
WED_18_MAR = date(2026, 3, 18)
THU_19_MAR = date(2026, 3, 19)  # 14 days after the request: the earliest switch date
WED_11_MAR = date(2026, 3, 11)

HEMTJANST = ("hemtjanst-service", "hemtjanst-omvardnad")


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), STOCKHOLM)


class Gotland:
    """Story 2: Karin, officer on Gotland; Bengt, 79, with service, personal care and a safety
    alarm from Björkens Hemtjänst; Ängens Omsorg, Cederns Omsorg (no contract in Bengt's area)
    and Fårö Hemtjänst HB (not connected) are the other providers."""

    def __init__(self, *, alarm: bool = True):
        self.muni = build.municipality(name="Region Gotland", profile="gotland")
        self.unit = build.unit(self.muni, "Myndighetsavdelningen")
        self.other_unit = build.unit(self.muni, "Myndighet Norr")
        self.area = build.area(self.muni, "Visby")
        self.officer = build.user(Role.OFFICER, self.muni, unit=self.unit, username="karin")
        self.other_officer = build.user(
            Role.OFFICER, self.muni, unit=self.other_unit, username="olle"
        )
        self.bjorkens = build.provider(self.muni, "Björkens Hemtjänst")
        self.angens = build.provider(self.muni, "Ängens Omsorg")
        self.cederns = build.provider(self.muni, "Cederns Omsorg")
        self.faro = build.provider(self.muni, "Fårö Hemtjänst HB", connected=False)
        self.staff_bjorkens = build.user(
            Role.PROVIDER_STAFF, self.muni, provider=self.bjorkens, username="bjorkens"
        )
        self.staff_angens = build.user(
            Role.PROVIDER_STAFF, self.muni, provider=self.angens, username="angens"
        )
        self.staff_cederns = build.user(
            Role.PROVIDER_STAFF, self.muni, provider=self.cederns, username="cederns"
        )
        self.contracts = {}
        for provider in (self.bjorkens, self.angens, self.faro):
            for code in HEMTJANST:
                self.contracts[provider.pk, code] = Contract.objects.create(
                    municipality=self.muni,
                    provider=provider,
                    service_type=ServiceType.objects.get(code=code),
                    area=self.area,
                    valid_from=date(2025, 1, 1),
                )
        services_granted = [
            {"service_type": code, "scope_amount": "10", "scope_unit": "hours_per_month"}
            for code in HEMTJANST
        ]
        if alarm:
            services_granted.append(
                {"service_type": "trygghetslarm", "scope_amount": "1", "scope_unit": "place"}
            )
        with travel_to(at(MON_2_FEB, 9)):
            self.bengt = register_person(
                self.officer,
                personal_number=build.test_number(),
                first_name="Bengt",
                last_name="Gotlänning",
                street_address="Strandgatan 1",
                postal_code="62155",
                city="Visby",
                area=self.area.pk,
            )
            self.decision = record_decision(
                self.officer, person=self.bengt, decided_on=MON_2_FEB, services=services_granted
            )
            order = services.create_order(
                self.officer,
                decision=self.decision,
                provider=self.bjorkens,
                instructions="Nyckel i nyckelgömman vid dörren.",
            )
            services.send_order(self.officer, order)
        with travel_to(at(TUE_3_FEB, 9)):
            services.acknowledge_order(self.staff_bjorkens, order)
            services.register_start(self.staff_bjorkens, order, start_date=TUE_3_FEB)
        self.order = Order.objects.get(pk=order.pk)

    def cap(self, provider, reason="Kapacitetstak nått"):
        for code in HEMTJANST:
            line = self.contracts[provider.pk, code]
            line.accepts_new_clients = False
            line.capacity_reason = reason
            line.save()

    def request(self, day=THU_5_MAR, provider=None, **kw) -> ProviderSwitch:
        with travel_to(at(day)):
            return switch_services.request_switch(
                self.officer,
                order=self.order,
                new_provider=provider or self.angens,
                requested_on=day,
                **kw,
            )


@pytest.fixture
def gotland(db):
    return Gotland()


def reload(obj):
    return obj.__class__.objects.get(pk=obj.pk)


def kinds(order: Order) -> list[str]:
    return list(
        OrderEvent.objects.filter(order_id=order.pk).order_by("seq").values_list("kind", flat=True)
    )


def event(order: Order, kind: str) -> OrderEvent:
    return OrderEvent.objects.get(order_id=order.pk, kind=kind)


def due(order: Order, code: str) -> DueItem:
    return DueItem.objects.get(order_id=order.pk, rule__code=code, cycle=0)


def journal(person) -> list[CaseJournalEntry]:
    return list(
        CaseJournalEntry.objects.filter(person=person, kind="switch").order_by("written_at", "id")
    )


def snapshot() -> dict:
    """Everything a switch step may write."""
    return {
        "orders": list(Order.objects.order_by("id").values_list("id", "state", "last_event_seq")),
        "events": OrderEvent.objects.count(),
        "switches": list(
            ProviderSwitch.objects.order_by("id").values_list(
                "id", "new_order_id", "completed_at", "agreed_date"
            )
        ),
        "choices": ProviderChoice.objects.count(),
        "journal": CaseJournalEntry.objects.count(),
        "due": list(DueItem.objects.order_by("id").values_list("id", "status", "due_at", "met_at")),
    }


# --- The whole routine --------------------------------------------------------------------


def test_the_whole_switch_from_request_to_new_order_on_the_routines_dates(gotland):
    # R2.6, seed 002 §Byte av utförare, SCENARIOS story 2
    g = gotland
    switch = g.request(has_hsl=True)

    # The request: 14 days' notice, the old provider informed, the officer's journal entry.
    assert switch.notice_ends_on == THU_19_MAR
    assert switch.old_provider_informed_at is not None
    requested = event(g.order, "switch_requested")
    assert requested.data["notice_ends_on"] == "2026-03-19"
    assert requested.data["new_provider"] == "Ängens Omsorg"
    notice = due(g.order, "byte-uppsagningstid")
    assert (notice.due_date, notice.status) == (THU_19_MAR, "open")
    assert notice.responsible == "officer"
    entry = journal(g.bengt)[0]
    assert entry.title == "Önskemål om byte av utförare"
    assert "Björkens Hemtjänst till Ängens Omsorg" in entry.text
    assert "tidigast 2026-03-19" in entry.text
    assert "Björkens Hemtjänst informerades om bytet 2026-03-05" in entry.text

    # The officer phones Ängens on Thursday afternoon: 3 weekdays, across the weekend.
    with travel_to(at(THU_5_MAR, 14)):
        switch_services.inform_new_provider(g.officer, switch=switch)
    contact = due(g.order, "byte-kontakt")
    assert (contact.due_date, contact.status) == (TUE_10_MAR, "open")
    assert [s["date"] for s in contact.explanation["skipped"]] == ["2026-03-07", "2026-03-08"]
    assert "Ängens Omsorg informerades muntligt 2026-03-05" in journal(g.bengt)[1].text
    assert "senast 2026-03-10" in journal(g.bengt)[1].text

    # Ängens agrees a date with Björkens on Monday and reports it: the contact item is met.
    with travel_to(at(MON_9_MAR, 11)):
        switch_services.register_agreed_date(g.staff_angens, switch=switch, agreed_date=THU_19_MAR)
    assert due(g.order, "byte-kontakt").status == "met_on_time"
    agreed = event(g.order, "switch_providers_agreed")
    assert agreed.actor == g.staff_angens and agreed.channel == "system"
    assert agreed.data["agreed_date"] == "2026-03-19"
    assert reload(switch).agreed_date == THU_19_MAR

    # On the agreed date the officer moves the order in one step.
    with travel_to(at(THU_19_MAR, 8)):
        done = switch_services.complete_switch(g.officer, switch=switch)
    old = reload(g.order)
    new = done.new_order
    assert old.state == "ended"
    assert old.end_date == date(2026, 3, 18)  # the day before the new provider starts
    assert new.state == "sent" and new.provider == g.angens
    assert new.written_on == THU_19_MAR
    assert new.decision_id == old.decision_id
    assert set(new.services.all()) == set(old.services.all())
    assert new.instructions == "Nyckel i nyckelgömman vid dörren."
    assert kinds(old) == [
        "created",
        "sent",
        "acknowledged",
        "started",
        "message_sent",  # "verkställt från och med" to the officer (R3.7, R10.3)
        "switch_requested",
        "switch_new_provider_informed",
        "switch_providers_agreed",
        "ended",
        "message_sent",  # the end told to the provider (R3.9, R10.3)
        "switch_completed",
    ]
    # Bengt has a safety alarm: Ängens orders its move itself, on its own clock (R2.6).
    assert kinds(new) == ["created", "sent", "switch_completed"]
    assert reload(switch).completed_at is not None
    assert due(g.order, "byte-uppsagningstid").status == "met_on_time"
    choices = ProviderChoice.objects.filter(person=g.bengt, provider=g.angens)
    assert sorted(c.granted_service_id for c in choices) == sorted(s.pk for s in old.services.all())
    assert {c.kind for c in choices} == {"rechoice"}
    last = journal(g.bengt)[-1]
    assert last.title == "Byte av utförare genomfört"
    assert "Bytet från Björkens Hemtjänst till Ängens Omsorg sker 2026-03-19" in last.text
    assert "slutdatum 2026-03-18" in last.text
    assert f"Ny beställning #{new.pk} skickad till Ängens Omsorg 2026-03-19" in last.text


def test_the_agreed_date_is_refused_before_the_notice_ends(gotland):  # R2.6, seed 002
    g = gotland
    switch = g.request()
    with travel_to(at(THU_5_MAR, 14)):
        switch_services.inform_new_provider(g.officer, switch=switch)
    before = snapshot()
    with travel_to(at(MON_9_MAR)), pytest.raises(ValidationFailed) as caught:
        switch_services.register_agreed_date(g.staff_angens, switch=switch, agreed_date=WED_18_MAR)
    assert caught.value.errors["agreed_date"] == [
        "Bytet kan ske tidigast 2026-03-19 (14 dagars uppsägningstid från begäran 2026-03-05)."
    ]
    assert snapshot() == before


def test_the_switch_cannot_be_completed_before_the_agreed_date(gotland):  # R2.6
    g = gotland
    switch = g.request()
    with travel_to(at(THU_5_MAR, 14)):
        switch_services.inform_new_provider(g.officer, switch=switch)
    with travel_to(at(MON_9_MAR)):
        switch_services.register_agreed_date(
            g.staff_angens, switch=switch, agreed_date=date(2026, 3, 23)
        )
    before = snapshot()
    with travel_to(at(date(2026, 3, 20), 16)), pytest.raises(SwitchStepNotAllowed) as caught:
        switch_services.complete_switch(g.officer, switch=switch)
    assert "2026-03-23" in caught.value.message
    assert caught.value.status_code == 409
    assert snapshot() == before
    with travel_to(at(date(2026, 3, 23), 8)):
        done = switch_services.complete_switch(g.officer, switch=switch)
    assert reload(g.order).end_date == date(2026, 3, 22)
    assert done.new_order.written_on == date(2026, 3, 23)


def test_the_steps_follow_the_routines_order(gotland):  # R2.6
    g = gotland
    switch = g.request()
    with travel_to(at(MON_9_MAR)):
        with pytest.raises(SwitchStepNotAllowed):  # nobody told Ängens yet
            switch_services.register_agreed_date(
                g.staff_angens, switch=switch, agreed_date=THU_19_MAR
            )
        with pytest.raises(SwitchStepNotAllowed):  # no date yet
            switch_services.complete_switch(g.officer, switch=switch)
        with pytest.raises(SwitchStepNotAllowed, match="pågår redan"):
            switch_services.request_switch(
                g.officer, order=g.order, new_provider=g.faro, requested_on=MON_9_MAR
            )
        switch_services.inform_new_provider(g.officer, switch=switch)
        with pytest.raises(SwitchStepNotAllowed, match="informerades redan"):
            switch_services.inform_new_provider(g.officer, switch=switch)


def test_a_switch_is_requested_only_for_an_order_the_provider_has(gotland):  # R2.6
    g = gotland
    with travel_to(at(THU_5_MAR)):
        draft = services.create_order(g.officer, decision=g.decision, provider=g.bjorkens)
        with pytest.raises(SwitchStepNotAllowed, match="utkast"):
            switch_services.request_switch(
                g.officer, order=draft, new_provider=g.angens, requested_on=THU_5_MAR
            )


def test_the_request_is_checked(gotland):  # R2.6, R2.1
    g = gotland
    with travel_to(at(THU_5_MAR)):

        def refused(**kw) -> dict:
            values = {"new_provider": g.angens, "requested_on": THU_5_MAR} | kw
            with pytest.raises(ValidationFailed) as caught:
                switch_services.request_switch(g.officer, order=g.order, **values)
            return caught.value.errors

        assert "redan utförare" in refused(new_provider=g.bjorkens)["new_provider"][0]
        assert refused(requested_on=date(2026, 3, 6))["requested_on"] == [
            "Begäran kan inte ligga i framtiden."
        ]
        assert refused(kind="whim")["kind"]
        assert refused(new_provider=g.cederns)["new_provider"] == [
            "Cederns Omsorg har inget gällande avtal för Hemtjänst – serviceinsatser, "
            "Hemtjänst – personlig omvårdnad i Visby."
        ]
    assert ProviderSwitch.objects.count() == 0


def test_without_any_contracts_in_the_municipality_the_switch_is_allowed(world):  # R2.6
    order = world.order(state="started")
    switch = switch_services.request_switch(
        world.officer, order=order, new_provider=world.provider_b, requested_on=order.start_date
    )
    assert switch.new_provider == world.provider_b


# --- Capacity: the ordinary provider takes its client back ---------------------------------


def test_a_provider_at_its_cap_is_refused_for_a_new_client(gotland):  # R2.6, R2.1
    g = gotland
    g.cap(g.angens)
    with travel_to(at(THU_5_MAR)), pytest.raises(ValidationFailed) as caught:
        switch_services.request_switch(
            g.officer, order=g.order, new_provider=g.angens, requested_on=THU_5_MAR
        )
    assert caught.value.errors["new_provider"][0].startswith(
        "Ängens Omsorg tar för närvarande inte emot nya brukare i Visby (Kapacitetstak nått)."
    )


def test_returning_from_a_temporary_stay_the_chosen_provider_takes_the_client_over_its_cap(
    gotland,
):  # R2.6, seed 002: "Ordinarie vald utförare har oavsett kapacitetstak skyldighet att ta
    # emot en brukare"
    g = gotland
    g.cap(g.angens)
    # Not Ängens' client before: the exception does not apply.
    with travel_to(at(THU_5_MAR)), pytest.raises(ValidationFailed) as caught:
        switch_services.request_switch(
            g.officer,
            order=g.order,
            new_provider=g.angens,
            requested_on=THU_5_MAR,
            kind="move",
            returning_from_temporary_stay=True,
        )
    assert "ordinarie vald utförare" in caught.value.errors["returning_from_temporary_stay"][0]
    # Bengt had chosen Ängens before his stay in a summer house.
    ProviderChoice.objects.create(
        municipality=g.muni,
        person=g.bengt,
        granted_service=g.decision.services.first(),
        provider=g.angens,
        kind="choice",
        form_received_on=date(2025, 6, 1),
        registered_by=g.officer,
        registered_at=at(date(2025, 6, 2)),
    )
    switch = g.request(kind="move", returning_from_temporary_stay=True)
    assert switch.returning_from_temporary_stay and switch.kind == "move"
    assert "oavsett kapacitetstak" in journal(g.bengt)[0].text


# --- HSL and the safety alarm -----------------------------------------------------------------


def _through_agreed(g, switch, agreed=THU_19_MAR):
    with travel_to(at(THU_5_MAR, 14)):
        switch_services.inform_new_provider(g.officer, switch=switch)
    with travel_to(at(MON_9_MAR)):
        switch_services.register_agreed_date(g.staff_angens, switch=switch, agreed_date=agreed)


def test_hsl_and_alarm_notes_follow_the_switch(gotland, client):
    # R2.6, seed 002: "Om brukaren har HSL-insatser ska den nuvarande utföraren meddela
    # beställaren"; "HMC ändrar så att trygghetslarmet blir kopplat till ny aktuell utförare
    # från överenskommet verkställighetsdatum"
    g = gotland
    switch = g.request(has_hsl=True)
    hsl = (
        "Klienten har HSL-insatser: Björkens Hemtjänst meddelar beställaren (t.ex. "
        "vårdcentralen) om bytet och uppmanar den att skicka uppdraget till Ängens Omsorg."
    )
    assert event(g.order, "switch_requested").data["hsl_notice"] == hsl
    # The old provider sees the switch and the HSL task on its order page.
    client.force_login(g.staff_bjorkens)
    with travel_to(at(THU_5_MAR, 15)):
        page = client.get(f"/orders/{g.order.pk}/").content.decode()
    assert "Byte av utförare begärt, tidigast 2026-03-19" in page
    assert hsl in page
    assert "Begär byte av utförare" not in page

    _through_agreed(g, switch)
    with travel_to(at(THU_19_MAR, 8)):
        done = switch_services.complete_switch(g.officer, switch=switch)
    assert event(g.order, "switch_completed").data["hsl_notice"] == hsl
    # The alarm's move is a task for the aids centre (alarms.AlarmContactMove, issue 14).
    alarm = (
        "Trygghetslarm: Ängens Omsorg beställer flytten av larmet från hjälpmedelscentralen, "
        "som kopplar larmet till Ängens Omsorg från och med 2026-03-19."
    )
    on_new = event(done.new_order, "switch_completed").data
    assert on_new["alarm_notice"] == alarm
    assert on_new["from_provider"] == "Björkens Hemtjänst"
    last = journal(g.bengt)[-1].text
    assert hsl in last and alarm in last

    client.force_login(g.staff_angens)
    with travel_to(at(THU_19_MAR, 9)):
        page = client.get(f"/orders/{done.new_order.pk}/").content.decode()
        assert "switch-alarm" not in page  # nothing ordered from the aids centre yet
        ordered = client.post(f"/orders/{done.new_order.pk}/alarm/", {"ordered_on": ""})
        assert ordered.status_code == 302
        page = client.get(f"/orders/{done.new_order.pk}/").content.decode()
    assert "Övertagen från Björkens Hemtjänst genom byte av utförare från och med 2026-03-19" in (
        page
    )
    assert (
        "Trygghetslarm: hjälpmedelscentralen kopplar larmet till Ängens Omsorg från och med "
        "2026-03-19 (väntar på hjälpmedelscentralen)."
    ) in page


def test_without_hsl_or_alarm_there_are_no_notes(db):  # R2.6
    g = Gotland(alarm=False)
    switch = g.request()
    _through_agreed(g, switch)
    with travel_to(at(THU_19_MAR, 8)):
        done = switch_services.complete_switch(g.officer, switch=switch)
    assert "hsl_notice" not in event(g.order, "switch_completed").data
    assert "alarm_notice" not in event(done.new_order, "switch_completed").data
    assert "HSL" not in journal(g.bengt)[-1].text
    assert "Trygghetslarm" not in journal(g.bengt)[-1].text


# --- All or nothing -----------------------------------------------------------------------------


def test_a_failure_in_the_middle_of_the_switch_leaves_nothing_written(gotland, monkeypatch):
    # R2.6: "the old order ends and the new one starts, in one step"
    g = gotland
    switch = g.request()
    _through_agreed(g, switch)
    before = snapshot()

    def broken_send(*args, **kwargs):
        raise ValidationFailed({"written_on": "Faxen svarar inte."})

    monkeypatch.setattr(services, "send_order", broken_send)
    with travel_to(at(THU_19_MAR, 8)), pytest.raises(ValidationFailed):
        switch_services.complete_switch(g.officer, switch=switch)
    assert snapshot() == before
    old = reload(g.order)
    assert old.state == "started" and old.end_date is None
    assert not Order.objects.filter(provider=g.angens).exists()
    assert reload(switch).completed_at is None and reload(switch).new_order is None

    monkeypatch.undo()
    with travel_to(at(THU_19_MAR, 9)):
        switch_services.complete_switch(g.officer, switch=switch)
    assert reload(g.order).state == "ended"


def test_an_order_received_but_never_started_is_withdrawn_instead_of_ended(gotland):
    # R2.6, R3.9: there is no start to end, so the old order is cancelled with the reason
    g = gotland
    with travel_to(at(MON_2_FEB, 9)):
        order = services.create_order(g.officer, decision=g.decision, provider=g.bjorkens)
        services.send_order(g.officer, order)
        services.acknowledge_order(g.staff_bjorkens, order)
    g.order = reload(order)
    switch = g.request()
    _through_agreed(g, switch)
    with travel_to(at(THU_19_MAR, 8)):
        done = switch_services.complete_switch(g.officer, switch=switch)
    assert reload(order).state == "cancelled"
    reason = event(order, "cancelled").data["reason"]
    assert "Ängens Omsorg tar över från och med 2026-03-19" in reason
    assert done.new_order.state == "sent"


# --- Who may do what ----------------------------------------------------------------------------


def test_only_the_clients_officer_requests_informs_and_completes(gotland):  # R2.6, Actors
    g = gotland
    for actor in (g.staff_bjorkens, g.staff_angens, g.other_officer):
        with travel_to(at(THU_5_MAR)), pytest.raises(PermissionDenied):
            switch_services.request_switch(
                actor, order=g.order, new_provider=g.angens, requested_on=THU_5_MAR
            )
    switch = g.request()
    for actor in (g.staff_bjorkens, g.staff_angens, g.other_officer):
        with travel_to(at(THU_5_MAR, 14)), pytest.raises(PermissionDenied):
            switch_services.inform_new_provider(actor, switch=switch)
    _through_agreed(g, switch)
    for actor in (g.staff_bjorkens, g.staff_angens, g.other_officer):
        with travel_to(at(THU_19_MAR, 8)), pytest.raises(PermissionDenied):
            switch_services.complete_switch(actor, switch=switch)


def test_only_the_new_provider_registers_the_agreed_date(gotland):  # R2.6, R3.3
    g = gotland
    switch = g.request()
    with travel_to(at(THU_5_MAR, 14)):
        switch_services.inform_new_provider(g.officer, switch=switch)
    with travel_to(at(MON_9_MAR)):
        for actor in (g.staff_bjorkens, g.staff_cederns):
            with pytest.raises(PermissionDenied, match="Endast den nya utföraren"):
                switch_services.register_agreed_date(actor, switch=switch, agreed_date=THU_19_MAR)
        with pytest.raises(PermissionDenied, match="Ängens Omsorg är ansluten"):
            switch_services.register_agreed_date(g.officer, switch=switch, agreed_date=THU_19_MAR)
        switch_services.register_agreed_date(g.staff_angens, switch=switch, agreed_date=THU_19_MAR)


def test_the_officer_registers_the_date_for_a_new_provider_not_connected(gotland):  # R2.6, R3.3
    g = gotland
    switch = g.request(provider=g.faro)
    with travel_to(at(THU_5_MAR, 14)):
        switch_services.inform_new_provider(g.officer, switch=switch)
    with travel_to(at(WED_11_MAR)):
        with pytest.raises(ValidationFailed) as caught:
            switch_services.register_agreed_date(g.officer, switch=switch, agreed_date=THU_19_MAR)
        assert "channel" in caught.value.errors
        switch_services.register_agreed_date(
            g.officer, switch=switch, agreed_date=THU_19_MAR, channel="phone"
        )
    agreed = event(g.order, "switch_providers_agreed")
    assert agreed.on_behalf_of == g.faro and agreed.channel == "phone"
    # Registered a day late: the contact item (due Tuesday) is late.
    assert due(g.order, "byte-kontakt").status == "met_late"


# --- Screens ------------------------------------------------------------------------------------


def test_the_switch_on_screen_from_request_to_new_order(gotland, client):  # R2.6
    g = gotland
    client.force_login(g.officer)
    with travel_to(at(THU_5_MAR, 10)):
        page = client.get(f"/orders/{g.order.pk}/").content.decode()
        assert f'href="/switches/new/{g.order.pk}/"' in page
        assert "Begär byte av utförare" in page
        form = client.get(f"/switches/new/{g.order.pk}/")
        assert form.status_code == 200
        assert "Ängens Omsorg" in form.content.decode()
        bad = client.post(
            f"/switches/new/{g.order.pk}/",
            {"new_provider": g.cederns.pk, "requested_on": "2026-03-05", "kind": "rechoice"},
        )
        assert bad.status_code == 200
        assert "har inget gällande avtal" in bad.content.decode()
        response = client.post(
            f"/switches/new/{g.order.pk}/",
            {
                "new_provider": g.angens.pk,
                "requested_on": "2026-03-05",
                "kind": "rechoice",
                "has_hsl": "on",
            },
        )
    switch = ProviderSwitch.objects.get()
    assert response.status_code == 302 and response.url == f"/switches/{switch.pk}/"
    with travel_to(at(THU_5_MAR, 14)):
        page = client.get(f"/switches/{switch.pk}/").content.decode()
        assert "2026-03-19" in page  # the earliest date
        assert f'action="/switches/{switch.pk}/inform/"' in page
        assert f'action="/switches/{switch.pk}/agree/"' not in page  # Ängens is connected
        assert client.post(f"/switches/{switch.pk}/inform/").status_code == 302
        page = client.get(f"/switches/{switch.pk}/").content.decode()
        assert "Väntar på att Ängens Omsorg meddelar datum för bytet." in page
        assert "2026-03-10" in page  # the contact deadline

    client.force_login(g.staff_angens)
    with travel_to(at(MON_9_MAR)):
        assert client.get(f"/orders/{g.order.pk}/").status_code == 404  # not theirs
        assert "Bengt Gotlänning" in client.get("/switches/").content.decode()
        page = client.get(f"/switches/{switch.pk}/").content.decode()
        assert f'action="/switches/{switch.pk}/agree/"' in page
        refused = client.post(f"/switches/{switch.pk}/agree/", {"agreed_date": "2026-03-18"})
        assert refused.status_code == 400
        assert "Bytet kan ske tidigast 2026-03-19" in refused.content.decode()
        ok = client.post(f"/switches/{switch.pk}/agree/", {"agreed_date": "2026-03-19"})
        assert ok.status_code == 302
        assert client.post(f"/switches/{switch.pk}/complete/").status_code == 403

    client.force_login(g.officer)
    with travel_to(at(WED_18_MAR)):
        page = client.get(f"/switches/{switch.pk}/").content.decode()
        assert f'action="/switches/{switch.pk}/complete/"' not in page
        assert "Bytet genomförs av handläggaren 2026-03-19." in page
        early = client.post(f"/switches/{switch.pk}/complete/")
        assert early.status_code == 400
        assert "2026-03-19" in early.content.decode()
    with travel_to(at(THU_19_MAR, 8)):
        page = client.get(f"/switches/{switch.pk}/").content.decode()
        assert f'action="/switches/{switch.pk}/complete/"' in page
        assert client.post(f"/switches/{switch.pk}/complete/").status_code == 302
    switch = reload(switch)
    assert reload(g.order).state == "ended" and switch.new_order.state == "sent"

    client.force_login(g.staff_angens)
    with travel_to(at(THU_19_MAR, 9)):
        page = client.get(f"/switches/{switch.pk}/").content.decode()
        assert f'href="/orders/{switch.new_order_id}/"' in page
        assert f'href="/orders/{g.order.pk}/"' not in page


def test_another_provider_cannot_see_the_switch(gotland, client):  # R2.6, R10.4
    g = gotland
    switch = g.request()
    client.force_login(g.staff_cederns)
    with travel_to(at(THU_5_MAR, 14)):
        assert client.get(f"/switches/{switch.pk}/").status_code == 404
        assert (
            client.post(f"/switches/{switch.pk}/agree/", {"agreed_date": "2026-03-19"}).status_code
            == 404
        )
        assert "Gotlänning" not in client.get("/switches/").content.decode()
    client.force_login(g.staff_bjorkens)
    with travel_to(at(THU_5_MAR, 14)):
        assert client.get(f"/switches/new/{g.order.pk}/").status_code == 403
        page = client.get(f"/switches/{switch.pk}/").content.decode()  # the old provider sees it
        assert "Väntar på att handläggaren informerar Ängens Omsorg om bytet." in page
        assert f'action="/switches/{switch.pk}/' not in page
