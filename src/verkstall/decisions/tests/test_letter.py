"""The decision letter (beslutsmeddelande, SPEC R1.2): a PDF for post to the person, with each
granted service, the law, the LOV sentence where free choice applies, appeal information and
how to reach the officer. One PDF per module; the other tests use the HTML or the plumbing."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO
from types import SimpleNamespace

import pytest
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import reverse
from pypdf import PdfReader

from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.decisions import documents
from verkstall.decisions.services import record_decision
from verkstall.people.services import register_person
from verkstall.tooling import testing as build

# Also makes pytest-django set up the test database when only module-fixture tests run.
pytestmark = pytest.mark.django_db

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOV_SENTENCE = (
    "om du inte väljer tilldelas en utförare enligt turordning, och du kan när som helst "
    "välja en annan utförare senare"
)


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def _letter_once() -> SimpleNamespace:
    muni = build.municipality(name="Solna stad")
    unit = build.unit(muni, "Omvårdnadsförvaltningen")
    officer = build.user(Role.OFFICER, muni, unit=unit, username="letter-officer")
    officer.first_name, officer.last_name = "Lena", "Beslutsson"
    officer.email = "lena.beslutsson@solna.example"
    officer.save()
    number = build.test_number()
    person = register_person(
        officer,
        personal_number=number,
        first_name="Maj",
        last_name="Brevsson",
        street_address="Parkvägen 3 lgh 1102",
        postal_code="17141",
        city="Solna",
    )
    today = clock.today()
    decided = today - timedelta(days=1)
    decision = record_decision(
        officer,
        person=person,
        decided_on=decided,
        services=[
            {
                "service_type": "hemtjanst-omvardnad",
                "scope_amount": "30",
                "scope_unit": "hours_per_month",
                "frequency": "morgon och kväll",
                "valid_from": decided,
                "valid_to": decided + timedelta(days=365),
            },
            {
                "service_type": "hemtjanst-stad",
                "scope_amount": "2",
                "scope_unit": "visits_per_month",
                "frequency": "varannan vecka",
                "valid_from": decided,
            },
            {
                "service_type": "daglig-verksamhet-lss",
                "scope_amount": "5",
                "scope_unit": "days_per_week",
                "valid_from": decided,
            },
        ],
    )
    client = Client()
    client.force_login(officer)
    response = client.get(reverse("decision-letter-pdf", args=[decision.pk]))
    return SimpleNamespace(
        decision_pk=decision.pk,
        decided=decided,
        number=number,
        status=response.status_code,
        headers=dict(response.headers),
        pdf=response.content,
        text=pdf_text(response.content),
    )


@pytest.fixture(scope="module")
def letter(django_db_setup, django_db_blocker):
    """One letter per module, made through the real screen and rolled back afterwards."""
    name = str(connection.settings_dict["NAME"])
    assert "test" in name or "memory" in name, name  # never a developer's database
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        result = _letter_once()
        transaction.set_rollback(True)
    return result


def test_letter_is_addressed_to_the_person_and_dated(letter):  # R1.2
    text = letter.text
    assert "Maj Brevsson Parkvägen 3 lgh 1102 17141 Solna" in text
    assert f"Beslutsdatum: {letter.decided:%Y-%m-%d}" in text
    assert f"Personnummer: {letter.number}" in text
    assert "Beslut om insatser" in text


def test_letter_lists_each_service_with_scope_frequency_validity_and_law(letter):  # R1.2
    text = letter.text
    until = letter.decided + timedelta(days=365)
    for expected in [
        "Hemtjänst – personlig omvårdnad",
        "30 timmar per månad",
        "morgon och kväll",
        f"från {letter.decided:%Y-%m-%d} till och med {until:%Y-%m-%d}",
        "Hemtjänst – städ",
        "2 besök per månad",
        "varannan vecka",
        "tills vidare",
        "Daglig verksamhet LSS",
        "5 dagar per vecka",
        "socialtjänstlagen (SoL)",
        "lagen om stöd och service till vissa funktionshindrade (LSS)",
    ]:
        assert expected in text, expected


def test_letter_tells_the_person_they_may_choose_a_provider(letter):  # R1.2, R2.4
    text = letter.text
    assert "Val av utförare" in text
    assert (
        "Du kan välja utförare för hemtjänst – personlig omvårdnad, hemtjänst – städ och "
        "daglig verksamhet LSS bland de utförare som kommunen har avtal med"
    ) in text
    assert LOV_SENTENCE in text


def test_letter_has_appeal_information_and_the_officer(letter):  # R1.2
    text = letter.text
    assert "Så överklagar du beslutet" in text
    assert "förvaltningsrätten" in text
    assert "inom tre veckor från den dag du fick del av beslutet" in text
    assert "Omvårdnadsförvaltningen, Solna stad" in text
    assert "Lena Beslutsson" in text and "lena.beslutsson@solna.example" in text


def test_letter_is_an_inline_a4_pdf_named_by_decision_number(
    letter,
):  # ARCHITECTURE Conventions, R1.2
    assert letter.status == 200
    assert letter.headers["Content-Type"] == "application/pdf"
    assert letter.headers["Content-Disposition"] == (
        f'inline; filename="beslut-{letter.decision_pk}.pdf"'
    )
    assert "no-store" in letter.headers["Cache-Control"]
    reader = PdfReader(BytesIO(letter.pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    assert f"Sida 1 av {len(reader.pages)}" in letter.text


def test_no_lov_sentence_when_no_service_has_free_choice(world):  # R1.2
    decision = world.decision(
        services=[{"service_type": "trygghetslarm", "scope_amount": "1", "scope_unit": "place"}]
    )
    html = documents.render_letter_html(decision)
    assert "Trygghetslarm" in html
    assert "Val av utförare" not in html and "turordning" not in html


def test_only_the_clients_officers_get_the_letter(world, client, monkeypatch):  # R1.2, R10.4
    monkeypatch.setattr(documents, "render_letter_pdf", lambda decision: b"%PDF-1.4 stub")
    order = world.order(provider=world.provider_a, state="sent")
    url = reverse("decision-letter-pdf", args=[order.decision_id])
    client.force_login(world.other_officer)  # another unit
    assert client.get(url).status_code == 404
    client.force_login(world.staff_b)  # provider roles are refused the letter outright
    assert client.get(url).status_code == 403
    client.force_login(world.staff_a)  # the provider holding the order: sees it, no letter
    assert client.get(url).status_code == 403
    client.force_login(world.officer)
    response = client.get(url)
    assert response.status_code == 200 and response.content == b"%PDF-1.4 stub"
