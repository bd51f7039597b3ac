"""Nothing typed is lost (issue 17 item 1): the long text fields of six screens are kept as the
user's own draft on the server while typed, put back when the screen is opened again, and
removed when the real record is saved. Through the screens and the draft endpoint, as htmx
posts to it."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from verkstall.access.roles import Role
from verkstall.audit.models import AccessLogEntry
from verkstall.core import clock
from verkstall.drafts import registry, services
from verkstall.drafts.models import MAX_TEXT, Draft
from verkstall.drafts.tasks import purge_old_drafts
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def save_draft(client, kind, pk, field, text):
    url = reverse("draft-save", kwargs={"kind": kind, "pk": pk, "field": field})
    return client.post(url, {field: text}, headers=HTMX)


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


@pytest.fixture
def plan_order(world):
    """A started order of provider A with the plan begun, as the plan page offers its form."""
    from verkstall.plans import services as plans

    order = world.order(state="started")
    plans.start_plan(world.staff_a, order)
    return order


def test_typed_plan_text_is_kept_and_put_back_with_a_note(world, client, plan_order):
    client.force_login(world.staff_a)
    response = save_draft(client, "plan", plan_order.pk, "how", "Stöd vid dusch, lugnt tempo")
    assert response.status_code == 200
    assert response["X-Verkstall-Draft"] == "1"
    moment = timezone.localtime(Draft.objects.get().updated_at).strftime("%H.%M")
    assert f"Utkast sparat kl. {moment}." in response.content.decode()
    draft = Draft.objects.get()
    assert (draft.user, draft.key, draft.field) == (world.staff_a, f"plan:{plan_order.pk}", "how")
    assert draft.person_id == plan_order.person_id

    shown = page(client, reverse("plan-page", args=[plan_order.pk]))
    assert ">\nStöd vid dusch, lugnt tempo</textarea>" in shown
    assert f"Återställt utkast från kl. {moment}." in shown
    assert "Släng utkastet" in shown
    assert 'aria-live="polite"' in shown and 'hx-trigger="input changed delay:1s"' in shown


def test_a_draft_from_an_earlier_day_names_its_day(world, client, plan_order):
    client.force_login(world.staff_a)
    save_draft(client, "plan", plan_order.pk, "what", "Hjälp med inköp")
    earlier = timezone.make_aware(timezone.datetime(2025, 3, 1, 10, 42))
    Draft.objects.update(updated_at=earlier)
    shown = page(client, reverse("plan-page", args=[plan_order.pk]))
    assert "Återställt utkast från 2025-03-01 kl. 10.42." in shown


def test_saving_the_plan_removes_the_authors_drafts_only(world, client, plan_order):
    from verkstall.plans.models import ImplementationPlan

    colleague = build.user(Role.PROVIDER_STAFF, world.muni, provider=world.provider_a)
    client.force_login(colleague)
    save_draft(client, "plan", plan_order.pk, "what", "Kollegans text")
    client.force_login(world.staff_a)
    save_draft(client, "plan", plan_order.pk, "what", "Hjälp med inköp")
    plan = ImplementationPlan.objects.get(order=plan_order)
    saved = client.post(
        reverse("plan-save", args=[plan_order.pk, plan.pk]),
        {"what": "Hjälp med inköp", "do": "save"},
    )
    assert saved.status_code == 302
    assert list(Draft.objects.values_list("user", "text")) == [(colleague.pk, "Kollegans text")]
    shown = page(client, reverse("plan-page", args=[plan_order.pk]))
    assert "Återställt utkast" not in shown and "Kollegans text" not in shown


def test_another_users_draft_is_never_shown_nor_overwritten(world, client, plan_order):
    colleague = build.user(Role.PROVIDER_STAFF, world.muni, provider=world.provider_a)
    client.force_login(world.staff_a)
    save_draft(client, "plan", plan_order.pk, "what", "Min egen text")
    client.force_login(colleague)
    shown = page(client, reverse("plan-page", args=[plan_order.pk]))
    assert "Min egen text" not in shown and "Återställt utkast" not in shown
    assert save_draft(client, "plan", plan_order.pk, "what", "Kollegans").status_code == 200
    discard = reverse(
        "draft-discard", kwargs={"kind": "plan", "pk": plan_order.pk, "field": "what"}
    )
    assert client.post(discard, headers=HTMX).status_code == 200
    assert Draft.objects.get(user=world.staff_a).text == "Min egen text"


@pytest.mark.parametrize(
    ("who", "kind", "field"),
    [
        ("staff_b", "plan", "what"),  # another provider's order
        ("officer2", "followup", "question"),  # another unit's order
        ("officer2", "case-journal", "note-text"),  # another unit's client
        ("officer2", "decision-new", "goals"),
        ("officer2", "order-new", "instructions"),
        ("staff_b", "provider-journal", "text"),
        ("staff_b", "message", "body"),
        ("officer2", "message-person", "body"),
    ],
)
def test_a_key_outside_the_users_scope_is_a_404_and_stores_nothing(
    world, client, plan_order, who, kind, field
):  # Actors
    pk = {
        "case-journal": plan_order.person_id,
        "decision-new": plan_order.person_id,
        "message-person": plan_order.person_id,
        "order-new": plan_order.decision_id,
    }.get(kind, plan_order.pk)
    client.force_login({"staff_b": world.staff_b, "officer2": world.other_officer}[who])
    assert save_draft(client, kind, pk, field, "Smygtext").status_code == 404
    assert not Draft.objects.exists()


def test_an_unknown_kind_or_field_and_a_reader_who_does_not_write_store_nothing(
    world, client, plan_order
):
    client.force_login(world.staff_a)
    assert save_draft(client, "nothing", plan_order.pk, "what", "x").status_code == 404
    assert save_draft(client, "plan", plan_order.pk, "question", "x").status_code == 404
    client.force_login(world.officer)  # sees the order, does not write its plan
    assert save_draft(client, "plan", plan_order.pk, "what", "x").status_code == 403
    assert not Draft.objects.exists()


def test_too_long_a_text_is_refused_with_a_clear_message(world, client, plan_order):
    client.force_login(world.staff_a)
    refused = save_draft(client, "plan", plan_order.pk, "what", "a" * (MAX_TEXT + 1))
    assert refused.status_code == 400
    assert refused["X-Verkstall-Draft"] == "1"
    assert "längre än 100\u00a0000 tecken" in refused.content.decode()
    assert not Draft.objects.exists()
    assert save_draft(client, "plan", plan_order.pk, "what", "a" * MAX_TEXT).status_code == 200


def test_an_emptied_field_and_discarding_remove_the_draft(world, client, plan_order):
    client.force_login(world.staff_a)
    save_draft(client, "plan", plan_order.pk, "what", "Text")
    assert save_draft(client, "plan", plan_order.pk, "what", "").status_code == 200
    assert not Draft.objects.exists()
    save_draft(client, "plan", plan_order.pk, "how", "Text")
    discard = reverse("draft-discard", kwargs={"kind": "plan", "pk": plan_order.pk, "field": "how"})
    response = client.post(discard, headers=HTMX)
    assert response.status_code == 200 and "Utkastet är slängt." in response.content.decode()
    assert not Draft.objects.exists()


def test_storing_and_discarding_a_clients_draft_is_in_the_access_log(world, client, plan_order):
    # R10.4
    client.force_login(world.staff_a)
    save_draft(client, "plan", plan_order.pk, "what", "Text")
    discard = reverse(
        "draft-discard", kwargs={"kind": "plan", "pk": plan_order.pk, "field": "what"}
    )
    client.post(discard, headers=HTMX)
    rows = AccessLogEntry.objects.filter(person_id=plan_order.person_id, user_id=world.staff_a.pk)
    assert {(r.route, r.action, r.method) for r in rows} >= {
        ("draft-save", "change", "POST"),
        ("draft-discard", "change", "POST"),
    }


def test_restoring_a_draft_reports_its_client_to_the_access_log(world, plan_order):  # R10.4
    from verkstall.audit import capture
    from verkstall.drafts.selectors import own_drafts

    services.store_draft(user=world.staff_a, kind="plan", pk=plan_order.pk, field="what", text="x")
    with capture.capturing() as cap:
        list(own_drafts(world.staff_a, kind="plan", pk=plan_order.pk))
    assert cap.persons == {plan_order.person_id}


def test_drafts_older_than_fourteen_days_are_purged_daily(world, plan_order):
    for field, days in (("what", 15), ("how", 13)):
        services.store_draft(
            user=world.staff_a, kind="plan", pk=plan_order.pk, field=field, text="x"
        )
        Draft.objects.filter(field=field).update(updated_at=clock.now() - timedelta(days=days))
    assert purge_old_drafts.call() == 1
    assert list(Draft.objects.values_list("field", flat=True)) == ["how"]


def test_every_screen_kind_is_registered():
    assert {k.name for k in registry.kinds()} == {
        "plan",
        "followup",
        "order-new",
        "case-journal",
        "provider-journal",
        "message",
        "message-person",
        "decision-new",
        "decision-correct",
    }


# --- each screen: restored when opened again, gone when saved ----------------------------------


def _order_new(world):
    decision = world.decision()
    url = reverse("order-create", args=[decision.pk])
    post = {
        "provider": world.provider_a.pk,
        "services": [decision.services.get().pk],
        "instructions": "Nyckel i tubben",
    }
    return world.officer, "order-new", decision.pk, "instructions", url, url, post


def _case_journal(world):
    person = world.person()
    url = reverse("case-journal", args=[person.pk])
    post = {"action": "note", "note-title": "Samtal", "note-text": "Ringde dottern"}
    return world.officer, "case-journal", person.pk, "note-text", url, url, post


def _provider_journal(world):
    order = world.order(state="started")
    url = reverse("provider-journal", args=[order.pk])
    return world.staff_a, "provider-journal", order.pk, "text", url, url, {"text": "Bra dag"}


def _message(world):
    order = world.order(state="sent")
    url = reverse("message-create") + f"?order={order.pk}"
    post = {"order": order.pk, "subject": "Inför start", "body": "Hej, nyckeln finns"}
    return world.officer, "message", order.pk, "body", url, url, post


def _message_without_order(world):
    order = world.order(state="sent")
    url = reverse("message-create")
    post = {"order": order.pk, "subject": "Inför start", "body": "Hej, nyckeln finns"}
    return world.officer, "message", 0, "body", url, url, post


def _followup(world):
    order = world.order(state="started")
    url = reverse("followup-page", args=[order.pk])
    post = {"question": "Hur går det?"}
    return world.officer, "followup", order.pk, "question", url, url + "request/", post


def _decision_new(world):
    person = world.person()
    url = reverse("decision-create", args=[person.pk])
    post = {
        "decided_on": (clock.today() - timedelta(days=1)).isoformat(),
        "assessment_summary": "Behov av stöd vid hygien",
        "services-TOTAL_FORMS": "1",
        "services-INITIAL_FORMS": "0",
        "services-0-service_type": "hemtjanst-omvardnad",
        "services-0-scope_amount": "10",
        "services-0-scope_unit": "hours_per_month",
    }
    return world.officer, "decision-new", person.pk, "assessment_summary", url, url, post


def _decision_correct(world):
    decision = world.decision(assessment_summary="Gammal text")
    service = decision.services.get()
    url = reverse("decision-correct", args=[decision.pk])
    post = {
        "decided_on": decision.decided_on.isoformat(),
        "assessment_summary": "Rättad text",
        "goals": "",
        "reason": "Fel i utredningen",
        "services-TOTAL_FORMS": "1",
        "services-INITIAL_FORMS": "1",
        "services-0-id": str(service.pk),
        "services-0-scope_amount": "20",
        "services-0-scope_unit": "hours_per_month",
        "services-0-frequency": service.frequency,
        "services-0-valid_from": service.valid_from.isoformat(),
        "services-0-valid_to": "",
    }
    return world.officer, "decision-correct", decision.pk, "reason", url, url, post


@pytest.mark.parametrize(
    "screen",
    [
        _order_new,
        _case_journal,
        _provider_journal,
        _message,
        _message_without_order,
        _followup,
        _decision_new,
        _decision_correct,
    ],
    ids=lambda f: f.__name__.strip("_"),
)
def test_each_screen_restores_its_draft_and_the_save_removes_it(world, client, screen):
    user, kind, pk, field, url, save_url, post = screen(world)
    client.force_login(user)
    assert save_draft(client, kind, pk, field, "Skrivet men inte sparat").status_code == 200
    shown = page(client, url)
    assert ">\nSkrivet men inte sparat</textarea>" in shown
    assert "Återställt utkast från kl." in shown
    save_url_attr = reverse("draft-save", kwargs={"kind": kind, "pk": pk, "field": field})
    assert f'hx-post="{save_url_attr}"' in shown
    response = client.post(save_url, post)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not Draft.objects.filter(user=user).exists()


def test_a_restored_draft_over_a_plan_changed_since_is_refused_with_what_changed(
    world, client, plan_order
):  # issue 17 item 1 with issue 18's optimistic concurrency (review)
    """A types into the plan and closes the tab; B saves the plan; A opens it again and saves
    the restored draft: refused as a stale write, saying what changed, and A's text is kept."""
    from verkstall.plans.models import ImplementationPlan

    plan = ImplementationPlan.objects.get(order=plan_order)
    opened_at = plan.lock_version
    client.force_login(world.staff_a)
    url = reverse("draft-save", kwargs={"kind": "plan", "pk": plan_order.pk, "field": "what"})
    client.post(url, {"what": "A:s text", "lock_version": str(opened_at)}, headers=HTMX)
    assert Draft.objects.get().base_version == opened_at

    colleague = build.user(Role.PROVIDER_STAFF, world.muni, provider=world.provider_a)
    other = type(client)()
    other.force_login(colleague)
    saved = other.post(
        reverse("plan-save", args=[plan_order.pk, plan.pk]),
        {"what": "B:s text", "do": "save", "lock_version": str(opened_at)},
    )
    assert saved.status_code == 302
    plan.refresh_from_db()
    assert plan.lock_version > opened_at

    shown = page(client, reverse("plan-page", args=[plan_order.pk]))
    assert "A:s text" in shown
    assert f'name="lock_version" value="{opened_at}"' in shown  # as old as the draft
    stale = client.post(
        reverse("plan-save", args=[plan_order.pk, plan.pk]),
        {"what": "A:s text", "do": "save", "lock_version": str(opened_at)},
    )
    plan.refresh_from_db()
    assert plan.what == "B:s text"  # not overwritten
    refused = html.unescape(stale.content.decode())
    assert stale.status_code == 400 and "A:s text" in refused  # shown again, what was typed kept
    assert "har ändrats" in refused, refused[:3000]
