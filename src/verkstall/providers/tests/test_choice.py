"""Provider choice (SPEC R2.1, R2.2, R2.3, R2.6): the choice screen lists every provider contracted
for the service in the client's area, marks those at their capacity cap, in a fair order;
registering the active choice writes the choice, the case-journal entry and meets the choice
deadline."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.core.errors import PermissionDenied, ValidationFailed
from verkstall.deadlines.models import DueItem
from verkstall.decisions.services import record_decision
from verkstall.journal.models import CaseJournalEntry
from verkstall.people.services import register_person
from verkstall.providers import choice_services, selectors, services
from verkstall.providers.models import ProviderChoice
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db

CARE = "hemtjanst-omvardnad"
NAMES = ["Alfa Omsorg", "Beta Omsorg", "Gamma Omsorg", "Delta Omsorg", "Epsilon Omsorg"]


class Market:
    """Five providers contracted for personal care in the world's area, one at its cap, and
    lines that must not show: another area, another service, ended, not yet begun."""

    def __init__(self, world):
        self.world = world
        muni = world.muni
        self.admin = build.user(Role.LOV_ADMIN, muni, username="lovadmin")
        self.providers = {name: build.provider(muni, name) for name in NAMES}
        since = clock.today() - timedelta(days=100)
        for name, provider in self.providers.items():
            cap = {}
            if name == "Gamma Omsorg":
                cap = {
                    "accepts_new_clients": False,
                    "capacity_reason": "Kapacitetstak nått",
                    "capacity_until": clock.today() + timedelta(days=30),
                }
            self.contract(provider, valid_from=since, **cap)
        east = build.area(muni, "Östra området")
        self.contract(world.provider_a, area=east)  # another area
        self.contract(world.provider_b, service_type="hemtjanst-service")  # another service
        self.contract(  # ended yesterday
            world.offline, valid_from=since, valid_to=clock.today() - timedelta(days=1)
        )
        self.contract(world.provider_a, valid_from=clock.today() + timedelta(days=1))  # future
        self.other_muni = build.municipality()
        self.contract_elsewhere()

    def contract(self, provider, **values):
        data = {
            "provider": provider,
            "service_type": CARE,
            "area": self.world.area,
            "valid_from": clock.today() - timedelta(days=10),
        }
        data.update(values)
        return services.create_contract(self.admin, **data)

    def contract_elsewhere(self):
        admin = build.user(Role.LOV_ADMIN, self.other_muni, username="lovadmin2")
        services.create_contract(
            admin,
            provider=build.provider(self.other_muni, "Annan kommuns omsorg"),
            service_type=CARE,
            area=build.area(self.other_muni, "Västra området"),
            valid_from=date(2020, 1, 1),
        )

    def granted(self, person=None):
        decision = self.world.decision(person)
        return decision.services.get()


@pytest.fixture
def market(world):
    return Market(world)


def names(options) -> list[str]:
    return [o.provider.name for o in options]


def test_the_choice_lists_exactly_the_providers_contracted_in_the_area(market):  # R2.1
    options = selectors.choice_options(market.granted())
    assert sorted(names(options)) == sorted(NAMES)


def test_the_provider_at_its_cap_is_marked_with_reason_and_date_and_listed_last(market):  # R2.1
    options = selectors.choice_options(market.granted())
    capped = [o for o in options if o.at_capacity]
    assert names(capped) == ["Gamma Omsorg"]
    assert options[-1].provider.name == "Gamma Omsorg"
    assert capped[0].capacity_reason == "Kapacitetstak nått"
    assert capped[0].capacity_until == clock.today() + timedelta(days=30)
    # After the cap's last day the provider takes new clients again.
    later = selectors.choice_options(market.granted(), day=clock.today() + timedelta(days=31))
    assert not any(o.at_capacity for o in later)


def test_the_order_is_stable_for_one_client_and_day_but_not_always_the_same(
    market, world
):  # R2.1 (fair order)
    granted = market.granted()
    today = clock.today()
    first = names(selectors.choice_options(granted, day=today))
    assert names(selectors.choice_options(granted, day=today)) == first  # a reload
    # Another client the same day, or the same client on other days, see other orders.
    others = [names(selectors.choice_options(market.granted(), day=today)) for _ in range(6)]
    days = [names(selectors.choice_options(granted, day=today + timedelta(d))) for d in range(8)]
    assert len({tuple(o) for o in [first, *others]}) > 1
    assert len({tuple(d) for d in days}) > 1
    assert len({d[0] for d in days}) > 1  # not always the same provider first


def test_fair_order_is_a_deterministic_permutation():  # R2.1
    items = list(range(10))
    a = selectors.fair_order(items, seed="x", key=lambda i: i)
    assert sorted(a) == items
    assert selectors.fair_order(reversed(items), seed="x", key=lambda i: i) == a
    assert selectors.fair_order(items, seed="y", key=lambda i: i) != a
    firsts = {selectors.fair_order(items, seed=str(s), key=lambda i: i)[0] for s in range(200)}
    assert firsts == set(items)  # every item gets to be first


def test_registering_a_choice_writes_it_and_the_case_journal_entry(market, world):  # R2.2
    granted = market.granted()
    provider = market.providers["Alfa Omsorg"]
    received = clock.today() - timedelta(days=2)
    choice = choice_services.register_choice(
        world.officer, granted_service=granted, provider=provider, form_received_on=received
    )
    assert (choice.kind, choice.provider, choice.form_received_on) == ("choice", provider, received)
    assert (choice.person, choice.registered_by) == (granted.decision.person, world.officer)
    [entry] = CaseJournalEntry.objects.filter(person=granted.decision.person)
    assert (entry.title, entry.kind, entry.author) == (
        "Val av utförare LOV",
        "choice",
        world.officer,
    )
    assert "Alfa Omsorg" in entry.text and received.isoformat() in entry.text

    choice_services.register_choice(
        world.officer,
        granted_service=granted,
        provider=market.providers["Beta Omsorg"],
        kind="rechoice",
        form_received_on=clock.today(),
    )
    titles = list(
        CaseJournalEntry.objects.filter(person=granted.decision.person).values_list(
            "title", flat=True
        )
    )
    assert titles == ["Omval utförare LOV", "Val av utförare LOV"]


def test_a_choice_is_refused_for_a_provider_not_contracted_there(market, world):  # R2.1
    granted = market.granted()
    for provider in (world.provider_a, world.provider_b, world.offline):  # area, service, ended
        with pytest.raises(ValidationFailed) as exc:
            choice_services.register_choice(
                world.officer,
                granted_service=granted,
                provider=provider,
                form_received_on=clock.today(),
            )
        assert "inget gällande avtal" in exc.value.errors["provider"][0]
    assert not ProviderChoice.objects.exists()
    assert not CaseJournalEntry.objects.exists()


def test_a_choice_is_refused_for_a_provider_at_its_cap_and_a_future_form(market, world):  # R2.1
    granted = market.granted()
    with pytest.raises(ValidationFailed) as exc:
        choice_services.register_choice(
            world.officer,
            granted_service=granted,
            provider=market.providers["Gamma Omsorg"],
            form_received_on=clock.today(),
        )
    assert "tar inte emot nya brukare" in exc.value.errors["provider"][0]
    assert "Kapacitetstak nått" in exc.value.errors["provider"][0]
    with pytest.raises(ValidationFailed) as exc:
        choice_services.register_choice(
            world.officer,
            granted_service=granted,
            provider=market.providers["Alfa Omsorg"],
            form_received_on=clock.today() + timedelta(days=1),
        )
    assert "form_received_on" in exc.value.errors
    assert not ProviderChoice.objects.exists()


def test_a_client_returning_from_a_temporary_stay_goes_back_despite_the_cap(market, world):  # R2.6
    gamma = market.providers["Gamma Omsorg"]
    person = world.person()
    # Never Gamma's client: the exception does not apply.
    with pytest.raises(ValidationFailed) as exc:
        choice_services.register_choice(
            world.officer,
            granted_service=market.granted(person),
            provider=gamma,
            form_received_on=clock.today(),
            returning_from_temporary_stay=True,
        )
    assert "returning_from_temporary_stay" in exc.value.errors
    # Gamma held the client before the stay (an order it received).
    world.order(decision=world.decision(person), provider=gamma, state="sent")
    choice = choice_services.register_choice(
        world.officer,
        granted_service=market.granted(person),
        provider=gamma,
        kind="rechoice",
        form_received_on=clock.today(),
        returning_from_temporary_stay=True,
    )
    assert choice.provider == gamma
    entry = CaseJournalEntry.objects.get(person=person)
    assert "oavsett kapacitetstak" in entry.text


def test_only_the_clients_officer_may_register_a_choice(market, world):  # Actors, R2.2
    granted = market.granted()
    for actor in (world.other_officer, world.staff_a, world.fee_officer, market.admin):
        with pytest.raises(PermissionDenied):
            choice_services.register_choice(
                actor,
                granted_service=granted,
                provider=market.providers["Alfa Omsorg"],
                form_received_on=clock.today(),
            )


def test_a_service_outside_lov_has_no_choice(market, world):  # R2.1
    decision = world.decision(
        services=[
            {
                "service_type": "matdistribution",
                "scope_amount": "30",
                "scope_unit": "visits_per_month",
            }
        ]
    )
    with pytest.raises(ValidationFailed) as exc:
        choice_services.register_choice(
            world.officer,
            granted_service=decision.services.get(),
            provider=market.providers["Alfa Omsorg"],
            form_received_on=clock.today(),
        )
    assert "LOV" in exc.value.errors["granted_service"][0]


def test_the_choice_meets_solnas_two_month_choice_deadline(db):  # R2.3, R2.2
    muni = build.municipality(name="Solna stad", profile="solna-boendestod")
    unit = build.unit(muni)
    area = build.area(muni, "Solna centrum")
    officer = build.user(Role.OFFICER, muni, unit=unit, username="solna")
    admin = build.user(Role.LOV_ADMIN, muni, username="solnalov")
    partner = build.provider(muni, "Stödpartner AB", connected=False, channel="post")
    services.create_contract(
        admin, provider=partner, service_type="boendestod", area=area, valid_from=date(2024, 1, 1)
    )
    person = register_person(
        officer,
        personal_number=build.test_number(),
        first_name="Sara",
        last_name="Solnadotter",
        area=area.pk,
    )
    decided = clock.today() - timedelta(days=5)
    decision = record_decision(
        officer,
        person=person,
        decided_on=decided,
        services=[
            {"service_type": "boendestod", "scope_amount": "8", "scope_unit": "hours_per_month"}
        ],
    )
    item = DueItem.objects.get(decision_id=decision.pk, rule__code="val-av-utforare")
    assert item.status == "open"
    assert decided + timedelta(days=58) <= item.due_date <= decided + timedelta(days=65)  # 2 months

    choice_services.register_choice(
        officer,
        granted_service=decision.services.get(),
        provider=partner,
        form_received_on=decided + timedelta(days=3),
    )
    item.refresh_from_db()
    assert item.status == "met_on_time"
    assert timezone.localdate(item.met_at) == decided + timedelta(days=3)


# --- The screen and the API --------------------------------------------------------------


def url(granted, what="choice") -> str:
    return f"/clients/{granted.decision.person_id}/services/{granted.pk}/{what}/"


def test_the_choice_screen_shows_the_providers_and_marks_the_one_at_its_cap(
    client, market, world
):  # R2.1
    granted = market.granted()
    client.force_login(world.officer)
    response = client.get(url(granted))
    assert response.status_code == 200
    page = response.content.decode()
    for name in NAMES:
        assert name in page
    for name in ("Omsorg A AB", "Omsorg B AB", "Faxomsorg HB", "Annan kommuns omsorg"):
        assert name not in page
    assert "Kapacitetstak nått" in page
    until = (clock.today() + timedelta(days=30)).isoformat()
    assert f"till och med {until}" in page
    assert [o.provider.name for o in response.context["options"]] == names(
        selectors.choice_options(granted)
    )


def test_the_choice_screen_registers_and_links_on_to_the_order(client, market, world):  # R2.2
    granted = market.granted()
    alfa = market.providers["Alfa Omsorg"]
    client.force_login(world.officer)
    response = client.post(
        url(granted),
        {"provider": str(alfa.pk), "kind": "choice", "form_received_on": clock.today().isoformat()},
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Val av utförare LOV registrerat: Alfa Omsorg." in page
    assert f"/decisions/{granted.decision_id}/orders/new/?provider={alfa.pk}" in page
    assert ProviderChoice.objects.get().provider == alfa
    # A provider at its cap is refused on the form, nothing written.
    gamma = market.providers["Gamma Omsorg"]
    response = client.post(
        url(granted),
        {
            "provider": str(gamma.pk),
            "kind": "rechoice",
            "form_received_on": clock.today().isoformat(),
        },
    )
    assert response.status_code == 200
    assert "tar inte emot nya brukare" in response.content.decode()
    assert ProviderChoice.objects.count() == 1


def test_the_client_page_links_each_lov_service_to_its_choice(client, market, world):  # R2.1
    granted = market.granted()
    client.force_login(world.officer)
    page = client.get(f"/clients/{granted.decision.person_id}/").content.decode()
    assert url(granted) in page


def test_others_do_not_reach_the_choice_screen(client, market, world):  # Actors
    granted = market.granted()
    world.order(decision=granted.decision, state="sent")  # provider A holds the client
    client.force_login(world.staff_a)
    assert client.get(url(granted)).status_code == 403
    client.force_login(world.other_officer)
    assert client.get(url(granted)).status_code == 404
    client.force_login(world.officer)
    other = market.granted()
    wrong_person = f"/clients/{granted.decision.person_id}/services/{other.pk}/choice/"
    assert client.get(wrong_person).status_code == 404


def test_the_api_lists_options_and_registers_a_choice(api, market, world):  # R2.1, R2.2
    granted = market.granted()
    options = api(world.officer).get(
        "/api/providers/choice-options/", {"granted_service": granted.pk}
    )
    assert options.status_code == 200
    rows = options.json()
    assert [r["provider_name"] for r in rows] == names(selectors.choice_options(granted))
    assert [r["provider_name"] for r in rows if r["at_capacity"]] == ["Gamma Omsorg"]
    body = {
        "granted_service": granted.pk,
        "provider": market.providers["Beta Omsorg"].pk,
        "form_received_on": clock.today().isoformat(),
    }
    response = api(world.officer).post("/api/providers/choices/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["kind"] == "choice"
    refused = api(world.officer).post(
        "/api/providers/choices/",
        {**body, "provider": market.providers["Gamma Omsorg"].pk},
        format="json",
    )
    assert refused.status_code == 400 and "provider" in refused.json()
    assert (
        api(world.staff_a).post("/api/providers/choices/", body, format="json").status_code == 403
    )
    assert (
        api(world.staff_a)
        .get("/api/providers/choice-options/", {"granted_service": granted.pk})
        .status_code
        == 403
    )
    assert (
        api(world.other_officer)
        .get("/api/providers/choice-options/", {"granted_service": granted.pk})
        .status_code
        == 404
    )
