"""Assignment by the no-choice rotation through the service, the screens and the report
(SPEC R2.4; SCENARIOS story 2; seeds 002 "Om brukaren avstår från att välja utförare" and
004 "Icke val"), with a concurrency test that needs PostgreSQL's row locks.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections import Counter
from datetime import date, timedelta

import pytest
from django.db import connection
from django.urls import reverse

from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.core.errors import NotFound, PermissionDenied, ValidationFailed
from verkstall.deadlines.models import DueItem
from verkstall.decisions.models import ServiceType
from verkstall.decisions.services import record_decision
from verkstall.journal.models import CaseJournalEntry
from verkstall.people.services import register_person
from verkstall.providers import rotation_selectors as selectors
from verkstall.providers.models import (
    Contract,
    ProviderChoice,
    RotationAssignment,
    RotationState,
)
from verkstall.providers.rotation import MAX_KEY_LENGTH, swedish_key
from verkstall.providers.rotation_services import (
    JOURNAL_TITLE,
    RotationRefused,
    assign_by_rotation,
    rotation_letter_text,
)
from verkstall.tooling import testing as build
from verkstall.tooling.testing import confirmed

OMVARDNAD = "hemtjanst-omvardnad"
SERVICE = "hemtjanst-service"
_seq = itertools.count(1)


class Gotland:
    """Region Gotland's routine (seed 002): the area Visby with two no-choice providers."""

    def __init__(self, profile: str = "gotland"):
        self.muni = build.municipality(name=f"Region Gotland {next(_seq)}", profile=profile)
        self.unit = build.unit(self.muni, "Myndighetsenheten")
        self.other_unit = build.unit(self.muni, "Myndighetsenheten Norr")
        self.area = build.area(self.muni, "Visby")
        self.karin = build.user(Role.OFFICER, self.muni, unit=self.unit)
        self.karin.first_name, self.karin.last_name = "Karin", "Handläggare"
        self.karin.save()
        self.other_officer = build.user(Role.OFFICER, self.muni, unit=self.other_unit)
        self.lov_admin = build.user(Role.LOV_ADMIN, self.muni)
        self.fee_officer = build.user(Role.FEE_OFFICER, self.muni)
        self.bjorkens = build.provider(self.muni, "Björkens Hemtjänst")
        self.bjorkens.phone = "0498-11 22 33"
        self.bjorkens.save()
        self.angens = build.provider(self.muni, "Ängens Omsorg")
        self.staff_angens = build.user(Role.PROVIDER_STAFF, self.muni, provider=self.angens)
        self.staff_bjorkens = build.user(Role.PROVIDER_STAFF, self.muni, provider=self.bjorkens)
        for provider in (self.bjorkens, self.angens):
            for code in (OMVARDNAD, SERVICE):
                self.contract(provider, code)

    def contract(self, provider, code=OMVARDNAD, **kw) -> Contract:
        values = {"valid_from": date(2020, 1, 1), "in_no_choice": True, "area": self.area}
        values.update(kw)
        return Contract.objects.create(
            municipality=self.muni,
            provider=provider,
            service_type=ServiceType.objects.get(code=code),
            **values,
        )

    def cap(self, provider, code=OMVARDNAD, *, on=True, reason="Kapacitetstak nått"):
        Contract.objects.filter(provider=provider, service_type__code=code).update(
            accepts_new_clients=not on, capacity_reason=reason if on else ""
        )

    def client(self, first_name, last_name="Karlsson", *, codes=(OMVARDNAD,), area=True):
        person = register_person(
            self.karin,
            personal_number=build.test_number(),
            first_name=first_name,
            last_name=last_name,
            area=self.area.pk if area else None,
        )
        decision = record_decision(
            self.karin,
            person=person,
            decided_on=clock.today() - timedelta(days=2),
            services=[
                {"service_type": code, "scope_amount": "10", "scope_unit": "hours_per_month"}
                for code in codes
            ],
        )
        services = {s.service_type.code: s for s in decision.services.all()}
        return person, services

    def assign(self, first_name, last_name="Karlsson", *, code=OMVARDNAD, **kw):
        _person, services = self.client(first_name, last_name, codes=(code,), **kw)
        return assign_by_rotation(self.karin, granted_service=services[code])


@pytest.fixture
def gotland(db):
    return Gotland()


# --- Scenario 2 -------------------------------------------------------------------------------


def test_scenario_2_no_choice_with_a_provider_at_its_cap(gotland):  # R2.4, story 2 [002, 004]
    g = gotland
    # Before Bengt: Anna's assignment went to Björkens, the first in alphabetical order.
    assert g.assign("Anna").provider == g.bjorkens

    # Bengt: service and personal care, no choice. Ängens is next but at its cap.
    g.cap(g.angens, reason="Kapacitetstak nått till sommaren")
    bengt, services = g.client("Bengt", "Karlsson", codes=(SERVICE, OMVARDNAD))
    care = assign_by_rotation(g.karin, granted_service=services[OMVARDNAD])
    assert care.provider == g.bjorkens
    assert care.passed_over == [
        {
            "provider_id": g.angens.pk,
            "name": "Ängens Omsorg",
            "reason": "Har nått sitt kapacitetstak (tar inte emot nya brukare): "
            "Kapacitetstak nått till sommaren",
        }
    ]
    assert "Ängens Omsorg passerats" in care.reason
    state = RotationState.objects.get(area=g.area, service_kind="personal_care")
    assert state.owed == [g.angens.pk]
    assert state.cursor_key == swedish_key("Björkens Hemtjänst")

    # The case journal records who got it and why, and who was passed over and why.
    entry = CaseJournalEntry.objects.get(person=bengt, kind=CaseJournalEntry.Kind.ROTATION)
    assert entry.title == JOURNAL_TITLE == "Ickeval – tilldelad enligt turordning"
    assert "Tilldelad utförare: Björkens Hemtjänst." in entry.text
    assert "- Ängens Omsorg: Har nått sitt kapacitetstak" in entry.text
    assert "Visby" in entry.text and "turordning" in entry.text
    assert entry.author == g.karin
    # The provider choice is registered as a rotation.
    choice = ProviderChoice.objects.get(granted_service=services[OMVARDNAD])
    assert choice.kind == ProviderChoice.Kind.ROTATION and choice.provider == g.bjorkens
    # Bengt's letter: who, why, and that he may choose later [002].
    letter = care.letter_text
    assert letter == rotation_letter_text(care)
    assert "Hej Bengt Karlsson" in letter
    assert "Din utförare är Björkens Hemtjänst." in letter and "0498-11 22 33" in letter
    assert "inte har valt någon utförare" in letter
    assert "senare välja en annan utförare" in letter
    assert "Karin Handläggare" in letter

    # The rotation is kept per service kind: service has its own, Ängens is not capped there.
    service = assign_by_rotation(g.karin, granted_service=services[SERVICE])
    assert service.provider == g.bjorkens and service.passed_over == []
    assert RotationState.objects.filter(area=g.area).count() == 2

    # Ängens is freed: it gets the next assignment, and keeps its regular turn after it.
    g.cap(g.angens, on=False)
    owed = g.assign("Cilla")
    assert owed.provider == g.angens and "till godo" in owed.reason
    state.refresh_from_db()
    assert state.owed == [] and state.cursor_key == swedish_key("Björkens Hemtjänst")

    # Cederns Omsorg joins and takes its alphabetical place, between Björkens and Ängens.
    cederns = build.provider(g.muni, "Cederns Omsorg")
    g.contract(cederns, OMVARDNAD)
    assert [g.assign(n).provider.name for n in ("David", "Eva", "Frans", "Gun")] == [
        "Cederns Omsorg",
        "Ängens Omsorg",
        "Björkens Hemtjänst",
        "Cederns Omsorg",
    ]


def test_the_cursor_column_holds_every_key():  # R2.4
    assert RotationState._meta.get_field("cursor_key").max_length == MAX_KEY_LENGTH


def test_rotation_assignment_settles_the_choice_deadline(db):  # R2.3, R2.4 [003]
    g = Gotland(profile="solna-boendestod")
    for provider in (g.bjorkens, g.angens):
        g.contract(provider, "boendestod")
    _person, services = g.client("Sara", codes=("boendestod",))
    decision = services["boendestod"].decision
    item = DueItem.objects.get(decision=decision, rule__code="val-av-utforare")
    assert item.status == "open"
    assign_by_rotation(g.karin, granted_service=services["boendestod"])
    item.refresh_from_db()
    assert item.status.startswith("met")


def test_everyone_at_cap_is_refused_and_nothing_is_written(gotland):  # R2.4
    g = gotland
    g.cap(g.angens)
    g.cap(g.bjorkens, reason="Fullt")
    person, services = g.client("Hans")
    with pytest.raises(RotationRefused) as exc:
        assign_by_rotation(g.karin, granted_service=services[OMVARDNAD])
    assert "Ingen utförare" in exc.value.message and "Fullt" in exc.value.message
    assert exc.value.status_code == 409
    assert not RotationAssignment.objects.exists()
    assert not ProviderChoice.objects.exists()
    assert not CaseJournalEntry.objects.filter(person=person).exists()


def test_only_providers_in_the_no_choice_alternative_with_a_valid_contract(gotland):  # R2.4
    g = gotland
    outside = build.provider(g.muni, "Almens Omsorg")  # first in the alphabet, but
    g.contract(outside, in_no_choice=False)  # not in the no-choice alternative
    ended = build.provider(g.muni, "Asp Omsorg")
    g.contract(ended, valid_to=clock.today() - timedelta(days=1))
    future = build.provider(g.muni, "Al Omsorg")
    g.contract(future, valid_from=clock.today() + timedelta(days=1))
    other_area = build.provider(g.muni, "Aaa Omsorg")
    g.contract(other_area, area=build.area(g.muni, "Slite"))
    assert g.assign("Ida").provider == g.bjorkens


def test_a_cap_that_has_run_out_no_longer_passes_the_provider_over(gotland):  # R2.1, R2.4
    g = gotland
    g.assign("Anna")  # Björkens; Ängens is next
    Contract.objects.filter(provider=g.angens, service_type__code=OMVARDNAD).update(
        accepts_new_clients=False, capacity_until=clock.today() - timedelta(days=1)
    )
    assert g.assign("Bo").provider == g.angens


def test_the_same_service_cannot_be_assigned_twice(gotland):  # R2.4
    g = gotland
    _person, services = g.client("Jan")
    assign_by_rotation(g.karin, granted_service=services[OMVARDNAD])
    with pytest.raises(RotationRefused, match="redan en utförare"):
        assign_by_rotation(g.karin, granted_service=services[OMVARDNAD])
    assert RotationAssignment.objects.count() == 1


def test_clear_errors_for_no_area_and_services_outside_lov(gotland):  # R2.4
    g = gotland
    _person, services = g.client("Kim", area=False)
    with pytest.raises(ValidationFailed, match="hemtjänstområde"):
        assign_by_rotation(g.karin, granted_service=services[OMVARDNAD])
    _person, services = g.client("Lo", codes=("trygghetslarm",))
    with pytest.raises(ValidationFailed, match="LOV"):
        assign_by_rotation(g.karin, granted_service=services["trygghetslarm"])


def test_only_an_officer_of_the_clients_unit_may_assign(gotland):  # R2.4, Actors
    g = gotland
    _person, services = g.client("Mia")
    gs = services[OMVARDNAD]
    for actor in (g.other_officer, g.staff_angens, g.lov_admin, g.fee_officer):
        with pytest.raises(PermissionDenied):
            assign_by_rotation(actor, granted_service=gs)
    stranger = build.user(Role.OFFICER, build.municipality(), unit=g.unit)
    with pytest.raises(NotFound):
        assign_by_rotation(stranger, granted_service=gs)
    assert not RotationAssignment.objects.exists()


# --- screens ----------------------------------------------------------------------------------


def test_officer_assigns_from_the_clients_page_and_sees_the_letter(gotland, client):  # R2.4
    g = gotland
    person, services = g.client("Nils", "Olsson")
    gs = services[OMVARDNAD]
    client.force_login(g.karin)
    page = client.get(reverse("person-detail", args=[person.pk])).content.decode()
    assert reverse("rotation-assign", args=[gs.pk]) in page
    assert "Tilldela enligt turordning" in page
    preview = client.get(reverse("rotation-assign", args=[gs.pk])).content.decode()
    assert "Björkens Hemtjänst" in preview and "Nästa på tur" in preview

    response = client.post(reverse("rotation-assign", args=[gs.pk]), confirmed())
    assignment = RotationAssignment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("rotation-assignment", args=[assignment.pk])
    result = client.get(response["Location"]).content.decode()
    assert "Björkens Hemtjänst" in result and "Hej Nils Olsson" in result
    assert "senare välja en annan utförare" in result

    again = client.post(reverse("rotation-assign", args=[gs.pk]), confirmed(), follow=True)
    assert "redan en utförare" in again.content.decode()
    assert RotationAssignment.objects.count() == 1


def test_others_cannot_use_the_assign_screen(gotland, client):  # R2.4, Actors
    g = gotland
    _person, services = g.client("Olle")
    url = reverse("rotation-assign", args=[services[OMVARDNAD].pk])
    client.force_login(g.other_officer)
    assert client.post(url).status_code == 404
    client.force_login(g.staff_angens)  # provider roles are refused the screen outright
    assert client.post(url).status_code == 403
    assert not RotationAssignment.objects.exists()
    assignment = assign_by_rotation(g.karin, granted_service=services[OMVARDNAD])
    client.force_login(g.other_officer)
    assert client.get(reverse("rotation-assignment", args=[assignment.pk])).status_code == 404


def _history(g):
    g.assign("Anna", "Andersson")  # Björkens
    g.cap(g.angens)
    g.assign("Bengt", "Karlsson")  # Björkens, Ängens passed over
    g.cap(g.angens, on=False)
    g.assign("Cilla", "Berg")  # Ängens (owed)


def test_report_shows_order_next_owed_and_history_without_personal_numbers(gotland, client):  # R2.4
    g = gotland
    _history(g)
    g.cap(g.bjorkens)
    client.force_login(g.lov_admin)
    page = client.get(reverse("rotation-report")).content.decode()
    assert "Visby – Personlig omvårdnad" in page
    assert "Nästa tilldelning: <strong>Ängens Omsorg</strong>" in page
    assert "Kapacitetstak" in page
    for name in ("Anna A.", "Bengt K.", "Cilla B."):
        assert name in page
    assert "Karlsson" not in page and "Andersson" not in page
    for p in RotationAssignment.objects.select_related("person"):
        assert p.person.personal_number not in page
        assert p.person.formatted_personal_number not in page

    client.force_login(g.karin)
    filtered = client.get(reverse("rotation-report"), {"provider": g.angens.pk}).content.decode()
    assert "Bengt K." in filtered and "Cilla B." in filtered and "Anna A." not in filtered
    csv_text = client.get(
        reverse("rotation-history-csv"), {"kind": "personal_care"}
    ).content.decode("utf-8-sig")
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("Datum;Område;Insatsslag")
    assert len(lines) == 4
    assert "Bengt K.;Björkens Hemtjänst" in csv_text and "Ängens Omsorg: Har nått" in csv_text


def test_provider_sees_only_rows_where_it_was_assigned_or_passed_over(gotland, client):  # R2.4
    g = gotland
    _history(g)
    rows = selectors.history_rows(g.staff_angens, selectors.rotation_history(g.staff_angens))
    # Ängens: passed over for Bengt (client not shown: not its client), assigned Cilla.
    assert [(r.client, r.provider) for r in rows] == [
        ("Cilla B.", "Ängens Omsorg"),
        ("–", "Björkens Hemtjänst"),
    ]
    client.force_login(g.staff_angens)
    page = client.get(reverse("rotation-report")).content.decode()
    assert "Anna" not in page and "Bengt" not in page and "Cilla B." in page
    # Björkens: both its own assignments, and nothing where it was not involved.
    rows = selectors.history_rows(g.staff_bjorkens, selectors.rotation_history(g.staff_bjorkens))
    assert [r.client for r in rows] == ["Bengt K.", "Anna A."]
    # Another provider's staff: nothing.
    stranger = build.provider(g.muni, "Främlingens Omsorg")
    staff = build.user(Role.PROVIDER_STAFF, g.muni, provider=stranger)
    assert not selectors.rotation_history(staff).exists()
    assert selectors.rotation_lists(staff) == []


def test_report_is_refused_to_roles_without_a_part_in_it(gotland, client):  # R2.4, Actors
    client.force_login(gotland.fee_officer)
    assert client.get(reverse("rotation-report")).status_code == 403
    assert client.get(reverse("rotation-history-csv")).status_code == 403


def test_report_lists_are_one_query_each(gotland, django_assert_num_queries):  # R2.4
    g = gotland
    _history(g)
    with django_assert_num_queries(1):
        rows = selectors.history_rows(g.lov_admin, selectors.rotation_history(g.lov_admin))
    assert len(rows) == 3
    with django_assert_num_queries(2):
        lists = selectors.rotation_lists(g.lov_admin)
    assert [(lst.area.name, lst.kind_label) for lst in lists] == [
        ("Visby", "Personlig omvårdnad"),
        ("Visby", "Service"),
    ]
    care = next(lst for lst in lists if lst.kind == "personal_care")
    assert [(r.name, r.is_next, r.is_owed) for r in care.rows] == [
        ("Ängens Omsorg", True, False),
        ("Björkens Hemtjänst", False, False),
    ]


def test_csv_cells_cannot_start_a_formula(gotland, client):  # R2.4 export
    g = gotland
    g.assign("=HYPERLINK", "Test")
    client.force_login(g.karin)
    text = client.get(reverse("rotation-history-csv")).content.decode("utf-8-sig")
    assert "'=HYPERLINK T." in text


# --- concurrency (PostgreSQL) -----------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_assignments_never_share_a_turn():  # R2.4
    """Eight officers' assignments at the same moment, each on its own connection: the row
    lock queues them, so with three providers the turns are 3/3/2 in alphabetical order."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: SQLite serialises every write transaction, so there is no "
            "concurrent assignment to test (CI runs this on PostgreSQL)"
        )
    g = Gotland()
    cederns = build.provider(g.muni, "Cederns Omsorg")
    g.contract(cederns)
    n = 8
    services = [g.client(f"Klient{i}")[1][OMVARDNAD] for i in range(n)]
    assert not RotationState.objects.exists()  # the first assignments also race to create it

    barrier = threading.Barrier(n)
    results, errors = [], []

    def worker(gs):
        try:
            barrier.wait(timeout=30)
            results.append(assign_by_rotation(g.karin, granted_service=gs).pk)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(gs,)) for gs in services]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert len(results) == n

    sequence = [a.provider.name for a in RotationAssignment.objects.order_by("id")]
    expected = ["Björkens Hemtjänst", "Cederns Omsorg", "Ängens Omsorg"] * 3
    assert sequence == expected[:n]
    counts = Counter(sequence)
    assert [counts[p] for p in ("Björkens Hemtjänst", "Cederns Omsorg", "Ängens Omsorg")] == [
        3,
        3,
        2,
    ]
    assert RotationState.objects.count() == 1
    assert ProviderChoice.objects.filter(kind=ProviderChoice.Kind.ROTATION).count() == n
    assert CaseJournalEntry.objects.filter(kind=CaseJournalEntry.Kind.ROTATION).count() == n
    state = RotationState.objects.get()
    assert state.cursor_key == swedish_key("Cederns Omsorg") and state.owed == []


def test_a_protected_clients_area_stays_out_of_rotation_screens_letter_journal_and_report(
    gotland, client
):  # R2.4, R10.5 (issue 11)
    """The area narrows a protected home down to a district: the assign screen, the result,
    the letter, the case journal and the rotation report give the placeholder to whoever is
    not named staff (the letter, which leaves the system, always)."""
    from verkstall.people.models import Person
    from verkstall.people.protection_services import set_protection

    g = gotland
    g.area.name = "Visbykanarie"
    g.area.save()
    person, services = g.client("Hedda", "Hemlig")
    set_protection(g.karin, person, protection="protected_registration")
    colleague = build.user(Role.OFFICER, g.muni, unit=g.unit, username="kollega_rot")
    gs = services[OMVARDNAD]
    client.force_login(colleague)
    assert (
        "Visbykanarie" not in client.get(reverse("rotation-assign", args=[gs.pk])).content.decode()
    )
    assignment = assign_by_rotation(colleague, granted_service=gs)
    result = client.get(reverse("rotation-assignment", args=[assignment.pk])).content.decode()
    assert "Visbykanarie" not in result and "Skyddade uppgifter" in result
    assert "Visbykanarie" not in rotation_letter_text(assignment)
    journal = CaseJournalEntry.objects.get(person=person, title=JOURNAL_TITLE)
    assert "Visbykanarie" not in journal.text
    client.force_login(g.lov_admin)
    report = client.get(reverse("rotation-report")).content.decode()
    [row] = [r for r in re.findall(r"<tr>.*?</tr>", report, re.S) if "Hedda" in r]
    assert "Visbykanarie" not in row and "Skyddade uppgifter" in row
    export = client.get(reverse("rotation-history-csv")).content.decode("utf-8-sig")
    [line] = [line for line in export.splitlines() if "Hedda" in line]
    assert "Visbykanarie" not in line
    # The officer who set the flag is named staff and sees the area on the result.
    client.force_login(g.karin)
    assert (
        "Visbykanarie"
        in client.get(reverse("rotation-assignment", args=[assignment.pk])).content.decode()
    )
    assert Person.objects.get(pk=person.pk).is_protected
