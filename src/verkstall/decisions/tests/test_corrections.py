"""Correcting a registered decision (SPEC R1.1, issue 16 item 1): the officer corrects the date,
the assessment, the goals and a granted service's scope, frequency and validity, with a
reason; each correction is kept with who, when, why and the old and new values, shown on the
decision's page to the officers of its unit; the providers of its orders are told; the clocks
that count from the decision follow (R11)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from verkstall.core import clock
from verkstall.core.errors import PermissionDenied, ValidationFailed
from verkstall.deadlines.models import DueItem, RuleProfile
from verkstall.decisions.correction_services import correct_decision
from verkstall.decisions.models import Decision, DecisionCorrection, GrantedService
from verkstall.journal.models import CaseJournalEntry, Message
from verkstall.orders.models import Order

pytestmark = pytest.mark.django_db


def test_r1_1_a_corrected_decision_date_is_kept_with_who_and_why(world):
    """R1.1: the decision's date is corrected; the old and the new date, the officer and the
    reason are stored, and the case journal says so. No silent overwrite."""
    decision = world.decision()
    old = decision.decided_on
    new = old - timedelta(days=2)
    correction = correct_decision(
        world.officer, decision, decided_on=new, reason="Fel datum vid registreringen."
    )
    decision.refresh_from_db()
    assert decision.decided_on == new
    assert correction.changes == {"decided_on": [old.isoformat(), new.isoformat()]}
    assert correction.corrected_by == world.officer
    assert correction.reason == "Fel datum vid registreringen."
    entry = CaseJournalEntry.objects.get(person=decision.person, title="Rättelse av beslut")
    assert old.isoformat() in entry.text and new.isoformat() in entry.text
    assert "Fel datum vid registreringen." in entry.text


def test_r1_1_a_correction_needs_a_reason_and_a_change(world):
    """R1.1: without a reason, or changing nothing, the correction is refused and nothing is
    written."""
    decision = world.decision()
    with pytest.raises(ValidationFailed) as exc:
        correct_decision(world.officer, decision, assessment_summary="Ny text", reason="  ")
    assert "reason" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        correct_decision(world.officer, decision, decided_on=decision.decided_on, reason="Fel")
    assert "changes" in exc.value.errors
    decision.refresh_from_db()
    assert decision.assessment_summary == ""
    assert not DecisionCorrection.objects.exists()


def test_r1_1_only_an_officer_of_the_decisions_unit_corrects_it(world):
    """R1.1, Actors: another unit's officer and the provider may not correct the decision."""
    order = world.order(state="sent")
    for user in (world.other_officer, world.staff_a):
        with pytest.raises(PermissionDenied):
            correct_decision(user, order.decision, assessment_summary="X", reason="Fel")
    assert not DecisionCorrection.objects.exists()


def test_r1_1_a_scope_correction_reaches_the_order_and_its_provider_is_told(world):
    """R1.1, R1.2: a granted service's scope and frequency are corrected after the order was
    sent; the order (which holds the granted service) shows the new scope, and the provider
    gets a message saying what changed, without the reason."""
    order = world.order(state="started")
    service = order.services.get()
    correct_decision(
        world.officer,
        order.decision,
        services=[{"id": service.pk, "scope_amount": "25", "frequency": "morgon, lunch, kväll"}],
        reason="Skrivfel i omfattningen: beslutet gäller 25 timmar.",
    )
    service.refresh_from_db()
    assert service.scope_amount == Decimal("25")
    assert service.frequency == "morgon, lunch, kväll"
    assert Order.objects.get(pk=order.pk).services.get().scope_amount == Decimal("25")
    correction = DecisionCorrection.objects.get()
    assert correction.changes[f"services.{service.pk}.scope_amount"] == ["20", "25"]
    message = Message.objects.get(order=order, subject__contains="rättat")
    assert message.provider_id == world.provider_a.pk and not message.from_provider
    assert "omfattning: 20 → 25" in message.body
    assert "Skrivfel" not in message.body


def test_r1_1_a_correction_keeps_orders_consistent(world):
    """R1.1, R1.2, R3.2: the decision date cannot move after an order written from it, and a
    service already started cannot fall outside its corrected validity; the type of a service
    is not corrected (that is a new decision)."""
    order = world.order(state="started")
    service = order.services.get()
    earlier = clock.today() - timedelta(days=3)
    Order.objects.filter(pk=order.pk).update(written_on=earlier)
    with pytest.raises(ValidationFailed) as exc:
        correct_decision(world.officer, order.decision, decided_on=clock.today(), reason="Fel")
    assert "decided_on" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        correct_decision(
            world.officer,
            order.decision,
            services=[{"id": service.pk, "valid_from": clock.today() + timedelta(days=1)}],
            reason="Fel",
        )
    assert "services[0].valid_from" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        correct_decision(
            world.officer,
            order.decision,
            services=[{"id": service.pk, "valid_to": clock.today() - timedelta(days=1)}],
            reason="Fel",
        )
    assert "services[0].valid_to" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        correct_decision(
            world.officer,
            order.decision,
            services=[{"id": service.pk, "service_type": "hemtjanst-stad"}],
            reason="Fel",
        )
    assert "services[0].service_type" in exc.value.errors
    other = world.decision().services.get()
    with pytest.raises(ValidationFailed) as exc:
        correct_decision(
            world.officer, order.decision, services=[{"id": other.pk, "frequency": "x"}], reason="F"
        )
    assert "services[0].id" in exc.value.errors
    assert not DecisionCorrection.objects.exists()
    assert GrantedService.objects.get(pk=service.pk).valid_to is None


def test_r1_1_a_corrected_decision_date_moves_the_clocks_counted_from_it(world):
    """R1.1, R9.5, R11: the IVO clock (a decision not started within three months) counts from
    the decision date; corrected, its due date follows at once."""
    decision = world.decision(decided_on=clock.today() - timedelta(days=10))
    item = DueItem.objects.get(decision=decision, order=None, rule__code="ivo-ej-verkstallt")
    before = item.due_date
    correct_decision(
        world.officer,
        decision,
        decided_on=clock.today() - timedelta(days=20),
        reason="Beslutet fattades tidigare.",
    )
    item.refresh_from_db()
    assert before - item.due_date >= timedelta(days=9)


def test_r1_1_an_orders_clock_counted_from_the_decision_follows_its_corrected_date(world):
    """R1.1, R11.4: a municipality's rule on the order that counts from the decision ("start
    within 10 days of the decision"): the decision date corrected after the order went out,
    the order's due date moves with it (the engine recomputes the decision's orders too)."""
    from verkstall.deadlines import services as deadlines

    profile = deadlines.copy_profile(
        None, source=RuleProfile.objects.get(slug="stockholm-hv"), owner=world.muni
    )
    deadlines.add_rules(
        profile,
        [
            {
                "code": "start-fran-beslut",
                "name": "Start inom 10 dagar från beslutet",
                "subject": "order",
                "start_event": "decision.granted",
                "stop_events": ["order.started"],
                "amount": 10,
                "unit": "calendar_days",
                "responsible": "provider",
                "source": "egen rutin",
            }
        ],
    )
    world.muni.rule_profile = profile.slug
    world.muni.save()
    order = world.order(state="sent")
    item = DueItem.objects.get(order=order, rule__code="start-fran-beslut")
    before = item.due_date
    correct_decision(
        world.officer,
        order.decision,
        decided_on=order.decision.decided_on - timedelta(days=4),
        reason="Beslutet fattades tidigare.",
    )
    item.refresh_from_db()
    assert item.due_date < before


def test_r1_1_the_decision_page_shows_the_history_to_its_unit_only(world, client):
    """R1.1: the decision's page lists each correction with who, when, why and the values; an
    officer of another unit does not reach the decision."""
    decision = world.decision(assessment_summary="Behöver stöd.")
    correct_decision(
        world.officer,
        decision,
        assessment_summary="Behöver stöd morgon och kväll.",
        reason="Ofullständig",
    )
    client.force_login(world.officer)
    page = client.get(reverse("decision-detail", args=[decision.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="corrections"' in html and "Ofullständig" in html
    assert "Behöver stöd morgon och kväll." in html
    client.force_login(world.other_officer)
    assert client.get(reverse("decision-detail", args=[decision.pk])).status_code == 404


def test_r1_1_the_correction_screen_corrects_with_a_reason(world, client):
    """R1.1: the screen shows the decision as it stands; sent without a reason it says so
    (400, nothing written); with one, the decision is corrected and the page shows it. What
    the officer did not change (the assessment, sent back with the browser's CRLF line
    breaks) is not recorded as a change."""
    decision = world.decision(assessment_summary="Rad ett.\nRad två.")
    service = decision.services.get()
    client.force_login(world.officer)
    url = reverse("decision-correct", args=[decision.pk])
    assert client.get(url).status_code == 200
    post = {
        "decided_on": decision.decided_on.isoformat(),
        "assessment_summary": "Rad ett.\r\nRad två.",
        "goals": "Klara morgonrutinen själv\r\nKomma ut varje vecka",
        "reason": "",
        "services-TOTAL_FORMS": "1",
        "services-INITIAL_FORMS": "1",
        "services-0-id": str(service.pk),
        "services-0-scope_amount": "22",
        "services-0-scope_unit": "hours_per_month",
        "services-0-frequency": service.frequency,
        "services-0-valid_from": service.valid_from.isoformat(),
        "services-0-valid_to": "",
    }
    refused = client.post(url, post)
    assert refused.status_code == 400
    assert not DecisionCorrection.objects.exists()
    done = client.post(url, {**post, "reason": "Omfattningen var fel."})
    assert done.status_code == 302
    correction = DecisionCorrection.objects.get()
    assert set(correction.changes) == {"goals", f"services.{service.pk}.scope_amount"}
    page = client.get(reverse("decision-detail", args=[decision.pk])).content.decode()
    assert "Klara morgonrutinen själv" in page and "Omfattningen var fel." in page


def test_r1_1_the_api_corrects_and_lists_corrections_for_the_unit(world, api):
    """R1.1: POST /api/decisions/{id}/correct/ (201) and GET .../corrections/; a bad field is a
    400 naming it; another unit's officer gets 404, a provider 403."""
    order = world.order(state="sent")
    decision = order.decision
    base = f"/api/decisions/{decision.pk}/"
    bad = api(world.officer).post(base + "correct/", {"reason": "Fel"}, format="json")
    assert bad.status_code == 400 and "changes" in bad.json()
    response = api(world.officer).post(
        base + "correct/",
        {"reason": "Målen saknades.", "goals": ["Äta lunch med andra"]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["changes"] == {"goals": [[], ["Äta lunch med andra"]]}
    listed = api(world.officer).get(base + "corrections/")
    assert listed.status_code == 200 and listed.json()[0]["reason"] == "Målen saknades."
    assert api(world.other_officer).get(base + "corrections/").status_code == 404
    assert api(world.staff_a).get(base + "corrections/").status_code == 403
    assert api(world.staff_a).post(base + "correct/", {"reason": "x"}).status_code == 403
    assert api(world.staff_a).get(base).json()["goals"][0]["text"] == "Äta lunch med andra"
    assert Decision.objects.get(pk=decision.pk).corrections.count() == 1
