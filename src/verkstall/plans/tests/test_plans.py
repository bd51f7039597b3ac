"""Implementation plans (SPEC R5) through the real services, views and the deadline engine.

Seeds: 001 §Genomförandeplan (Stockholm: sent within 15 working days of the start; filed and
announced on the officer's watchlist), 002 Genomförandeplan (Gotland: begun within 3 weeks,
finished within 6; what, how, when, by whom; the person's participation; reviewed yearly),
003 genomförandeplan (Solna: begun within 14 days, sent within 3 months; the officer confirms
receipt).
"""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from datetime import date, datetime, time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from verkstall.core.clock import travel_to
from verkstall.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from verkstall.deadlines.calendar import STOCKHOLM, compute_due
from verkstall.deadlines.models import DueItem
from verkstall.decisions.services import record_decision
from verkstall.orders import services as order_services
from verkstall.orders.models import EventKind, Order
from verkstall.plans import selectors, services
from verkstall.plans.models import ImplementationPlan
from verkstall.tooling.testing import refuse_zip_member_reads, zip_bomb

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
TEXTS = {
    "what": "Hjälp med morgon- och kvällsrutiner",
    "how": "Stöd vid dusch och påklädning",
    "when": "Varje dag 07-08 och 20-21",
    "by_whom": "Kontaktmannen och två ordinarie medarbetare",
    "participation": "Planen gjordes hemma hos Elsa tillsammans med dottern.",
}


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
ODT = zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})


@pytest.fixture(autouse=True)
def _documents_in_tmp(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), STOCKHOLM)


def use_profile(world, slug: str) -> None:
    world.muni.rule_profile = slug
    world.muni.save()


def started_order(world, on: date, code: str = "hemtjanst-omvardnad", provider=None) -> Order:
    provider = provider or world.provider_a
    actor = world._provider_actor(provider)
    channel = "" if provider.is_connected else "phone"
    with travel_to(at(on, 9)):
        decision = record_decision(
            world.officer,
            person=world.person(),
            decided_on=on,
            services=[
                {"service_type": code, "scope_amount": "20", "scope_unit": "hours_per_month"}
            ],
        )
        order = order_services.create_order(world.officer, decision=decision, provider=provider)
        order_services.send_order(world.officer, order)
        order_services.acknowledge_order(actor, order, channel=channel)
        # Solna's housing support starts when a staff member is booked (R3.6, seed 003).
        booked = "Ordinarie boendestödjare" if code == "boendestod" else ""
        order_services.register_start(
            actor, order, start_date=on, channel=channel, booked_staff=booked
        )
    return Order.objects.get(pk=order.pk)


def item(order: Order, code: str) -> DueItem:
    return DueItem.objects.get(order=order, rule__code=code, cycle=0)


def written_plan(world, order: Order, actor=None) -> ImplementationPlan:
    actor = actor or world.staff_a
    plan = services.start_plan(actor, order)
    return services.save_draft(actor, plan, **TEXTS)


# --- Deadlines per routine (R5.1) ---------------------------------------------------------


def test_stockholm_plan_sent_within_15_working_days_across_christmas(world):  # R5.1 [001]
    use_profile(world, "stockholm-hv")
    start = date(2026, 12, 18)  # a Friday before julafton, juldagen, nyår and trettondagen
    order = started_order(world, start)
    due = item(order, "genomforandeplan-skickad")
    expected = compute_due(start, 15, "working_days")
    assert due.due_date == expected.due_date == date(2027, 1, 15)
    skipped = {s.day for s in expected.skipped}
    assert {date(2026, 12, 24), date(2026, 12, 31), date(2027, 1, 6)} <= skipped
    assert due.status == "open" and due.responsible_provider == world.provider_a

    with travel_to(at(date(2027, 1, 13))):
        plan = written_plan(world, order)
        services.send_plan(world.staff_a, plan)
    due.refresh_from_db()
    assert due.status == "met_on_time"
    # Its arrival is on the officer's watchlist until confirmed (R5.4, 001 "insatsbevakningslista").
    received = item(order, "genomforandeplan-mottagen")
    assert received.status == "open" and received.responsible == "officer"
    with travel_to(at(date(2027, 1, 14))):
        services.confirm_plan(world.officer, plan)
    received.refresh_from_db()
    assert received.status == "met_on_time"


def test_gotland_plan_begun_within_3_weeks_and_finished_within_6(world):  # R5.1 [002]
    use_profile(world, "gotland")
    start = date(2026, 3, 2)
    order = started_order(world, start)
    begun, finished = item(order, "genomforandeplan-paborjad"), item(order, "genomforandeplan-klar")
    assert begun.due_date == compute_due(start, 3, "weeks").due_date
    assert finished.due_date == compute_due(start, 6, "weeks").due_date

    with travel_to(at(date(2026, 3, 16))):
        plan = services.start_plan(world.staff_a, order)
    begun.refresh_from_db()
    finished.refresh_from_db()
    assert begun.status == "met_on_time" and finished.status == "open"
    assert order.events.filter(kind=EventKind.PLAN_BEGUN).count() == 1

    with travel_to(at(date(2026, 4, 20))):  # seven weeks: late
        services.save_draft(world.staff_a, plan, **TEXTS)
        services.send_plan(world.staff_a, plan)
    finished.refresh_from_db()
    assert finished.status == "met_late"


def test_solna_plan_begun_in_14_days_sent_in_3_months_and_confirmed(world):  # R5.1 R5.4 [003]
    use_profile(world, "solna-boendestod")
    start = date(2026, 3, 2)
    order = started_order(world, start, "boendestod")
    begun, sent = item(order, "genomforandeplan-paborjad"), item(order, "genomforandeplan-skickad")
    assert begun.due_date == compute_due(start, 14, "calendar_days").due_date
    assert sent.due_date == compute_due(start, 3, "months").due_date

    with travel_to(at(date(2026, 3, 10))):
        plan = written_plan(world, order)
    with travel_to(at(date(2026, 5, 25))):  # the mapping period done, within 3 months
        services.send_plan(world.staff_a, plan)
    begun.refresh_from_db()
    sent.refresh_from_db()
    assert begun.status == "met_on_time" and sent.status == "met_on_time"
    confirmed = item(order, "genomforandeplan-bekraftad")
    assert confirmed.status == "open" and confirmed.responsible == "officer"
    with travel_to(at(date(2026, 5, 26))):
        plan = services.confirm_plan(world.officer, plan)
    confirmed.refresh_from_db()
    assert confirmed.status == "met_on_time" and plan.status == "confirmed"


# --- Content and versions (R5.2, R5.3) ----------------------------------------------------


def test_sending_needs_content_and_the_persons_participation(world):  # R5.2 [002]
    order = world.order(state="started")
    plan = services.start_plan(world.staff_a, order)
    with pytest.raises(ValidationFailed) as refused:
        services.send_plan(world.staff_a, plan)
    assert set(refused.value.errors) == {"what", "participation"}
    services.upload_document(world.staff_a, plan, upload=SimpleUploadedFile("plan.pdf", PDF))
    with pytest.raises(ValidationFailed) as refused:
        services.send_plan(world.staff_a, plan)
    assert set(refused.value.errors) == {"participation"}  # a document is the content
    services.save_draft(world.staff_a, plan, participation="Elsa ville inte delta; sonen deltog.")
    assert services.send_plan(world.staff_a, plan).status == "sent"


def test_a_revision_is_a_new_version_and_the_latest_sent_is_current(world):  # R5.3 [002]
    order = world.order(state="started")
    first = services.send_plan(world.staff_a, written_plan(world, order))
    services.confirm_plan(world.officer, first)
    second = services.start_plan(world.staff_a, order, revision_reason="Behoven har ökat")
    assert second.version == 2 and second.what == TEXTS["what"]  # carried over
    assert selectors.current_plan(world.officer, order).pk == first.pk  # draft is not current
    assert order.events.filter(kind=EventKind.PLAN_BEGUN).count() == 1
    with pytest.raises(TransitionNotAllowed):
        services.save_draft(world.staff_a, first, what="ändrat i efterhand")
    with pytest.raises(ValidationFailed):  # made with the person again: said anew (R5.2)
        services.send_plan(world.staff_a, second)
    services.save_draft(world.staff_a, second, participation=TEXTS["participation"])
    services.send_plan(world.staff_a, second)
    assert selectors.current_plan(world.officer, order).pk == second.pk
    assert ImplementationPlan.objects.filter(order=order).count() == 2
    with pytest.raises(TransitionNotAllowed):
        services.review_plan(world.staff_a, first)  # only the current plan is reviewed
    services.review_plan(world.staff_a, second, note="Planen stämmer")
    assert order.events.filter(kind=EventKind.PLAN_REVIEWED).count() == 1


def test_officer_writes_the_plan_for_a_provider_not_connected(world):  # R5.3 R3.3 [002]
    order = world.order(provider=world.offline, state="started")
    plan = written_plan(world, order, actor=world.officer)
    services.send_plan(world.officer, plan)
    event = order.events.get(kind=EventKind.PLAN_SENT)
    assert event.on_behalf_of == world.offline and event.channel == "post"


# --- Who may do what ----------------------------------------------------------------------


def test_only_the_officer_of_the_unit_confirms(world):  # R5.4 [001, 003]
    order = world.order(state="started")
    plan = services.send_plan(world.staff_a, written_plan(world, order))
    for outsider in (world.staff_a, world.staff_b, world.other_officer, world.fee_officer):
        with pytest.raises(PermissionDenied):
            services.confirm_plan(outsider, plan)
    services.confirm_plan(world.officer, plan)
    with pytest.raises(TransitionNotAllowed):
        services.confirm_plan(world.officer, plan)


def test_only_the_provider_side_writes_the_plan(world):  # R5.2
    order = world.order(state="started")
    for outsider in (world.officer, world.staff_b):
        with pytest.raises(PermissionDenied):
            services.start_plan(outsider, order)


def test_provider_b_cannot_see_provider_as_plan(world, client):  # R5, R10.4
    order = world.order(state="started")
    plan = written_plan(world, order)
    services.upload_document(world.staff_a, plan, upload=SimpleUploadedFile("p.pdf", PDF))
    services.send_plan(world.staff_a, plan)
    client.force_login(world.staff_b)
    assert client.get(reverse("plan-page", args=[order.pk])).status_code == 404
    doc = reverse("plan-document", args=[order.pk, plan.pk])
    assert client.get(doc).status_code == 404
    assert client.post(reverse("plan-start", args=[order.pk])).status_code == 404
    assert selectors.plans_for(world.staff_b).count() == 0


def test_the_officer_does_not_see_a_connected_providers_draft(world):  # R5.4, Actors
    order = world.order(state="started")
    written_plan(world, order)
    assert selectors.order_plans(world.officer, order).count() == 0
    assert selectors.order_plans(world.staff_a, order).count() == 1


# --- Documents (R5.4) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [("plan.pdf", PDF, "pdf"), ("plan.docx", DOCX, "docx"), ("p.odt", ODT, "odt")],
)
def test_pdf_docx_and_odt_are_accepted_by_content(world, name, data, kind):  # R5.4
    order = world.order(state="started")
    plan = services.start_plan(world.staff_a, order)
    plan = services.upload_document(world.staff_a, plan, upload=SimpleUploadedFile(name, data))
    assert plan.document_kind == kind
    assert plan.document.name.startswith(f"plans/{order.municipality_id}/")
    assert name not in plan.document.name  # a generated name, never the uploader's


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("plan.pdf", DOCX, "heter .pdf men är ett Word-dokument"),
        ("plan.docx", PDF, "heter .docx men är en PDF-fil"),
        ("plan.pdf", b"MZ\x90\x00 this is an executable", "endast PDF"),
        ("plan.docx", zip_bytes({"a.txt": b"x"}), "endast PDF"),
        ("plan.odt", zip_bytes({"mimetype": b"application/zip"}), "endast PDF"),
        ("plan.exe", PDF, "filändelsen .pdf"),
    ],
)
def test_a_false_extension_or_other_content_is_refused(world, name, data, message):  # R5.4
    order = world.order(state="started")
    plan = services.start_plan(world.staff_a, order)
    with pytest.raises(ValidationFailed) as refused:
        services.upload_document(world.staff_a, plan, upload=SimpleUploadedFile(name, data))
    assert message in refused.value.errors["document"][0]
    plan.refresh_from_db()
    assert not plan.document


def test_a_document_over_10_mb_is_refused(world):  # R5.4
    order = world.order(state="started")
    plan = services.start_plan(world.staff_a, order)
    big = PDF + b"0" * (10 * 1024 * 1024)
    with pytest.raises(ValidationFailed, match="10 MB"):
        services.upload_document(world.staff_a, plan, upload=SimpleUploadedFile("p.pdf", big))


def test_document_is_stored_outside_the_web_root_and_downloaded_as_attachment(
    world, client, settings, tmp_path
):  # R5.4, ARCHITECTURE "A personnummer is never written to ... a URL"
    order = world.order(state="started")
    plan = written_plan(world, order)
    plan = services.upload_document(world.staff_a, plan, upload=SimpleUploadedFile("p.pdf", PDF))
    services.send_plan(world.staff_a, plan)
    assert (tmp_path / "documents" / plan.document.name).read_bytes() == PDF
    client.force_login(world.officer)
    response = client.get(reverse("plan-document", args=[order.pk, plan.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    disposition = response["Content-Disposition"]
    assert (
        disposition.startswith("attachment")
        and f"genomforandeplan-{order.pk}-v1.pdf" in disposition
    )
    assert order.person.personal_number.replace("-", "")[:8] not in disposition
    assert response["Cache-Control"] == "no-store, private"


# --- Screens --------------------------------------------------------------------------------


def test_plan_page_flow_for_provider_and_officer(world, client):  # R5.1, R5.2, R5.3, R5.4
    order = world.order(state="started")
    client.force_login(world.staff_a)
    page = client.get(reverse("plan-page", args=[order.pk]))
    assert page.status_code == 200 and "Påbörja genomförandeplan" in page.content.decode()
    client.post(reverse("plan-start", args=[order.pk]))
    plan = ImplementationPlan.objects.get(order=order)
    save = reverse("plan-save", args=[order.pk, plan.pk])
    refused = client.post(save, {**TEXTS, "participation": "", "do": "send"})
    assert refused.status_code == 400 and "deltog i planeringen" in refused.content.decode()
    bad = SimpleUploadedFile("plan.pdf", DOCX)
    refused = client.post(save, {**TEXTS, "document": bad, "do": "save"})
    assert refused.status_code == 400 and "heter .pdf men är" in refused.content.decode()
    good = SimpleUploadedFile("plan.pdf", PDF)
    sent = client.post(save, {**TEXTS, "document": good, "do": "send"})
    assert sent.status_code == 302
    plan.refresh_from_db()
    assert plan.status == "sent" and plan.document_kind == "pdf"
    assert "Bekräfta att planen mottagits" not in client.get(sent.url).content.decode()

    client.force_login(world.officer)
    page = client.get(reverse("plan-page", args=[order.pk])).content.decode()
    assert "Bekräfta att planen mottagits" in page and "Spara utkast" not in page
    assert (
        "Genomförandeplan" in client.get(reverse("order-detail", args=[order.pk])).content.decode()
    )
    client.post(reverse("plan-confirm", args=[order.pk, plan.pk]))
    plan.refresh_from_db()
    assert plan.status == "confirmed"


def test_api_lists_plans_in_scope_and_only_the_officer_confirms(world, api):  # R5.4
    order = world.order(state="started")
    plan = services.send_plan(world.staff_a, written_plan(world, order))
    assert [p["id"] for p in api(world.officer).get("/api/plans/").json()["results"]] == [plan.pk]
    assert api(world.staff_b).get(f"/api/plans/{plan.pk}/").status_code == 404
    assert api(world.staff_a).post(f"/api/plans/{plan.pk}/confirm/").status_code == 403
    response = api(world.officer).post(f"/api/plans/{plan.pk}/confirm/")
    assert response.status_code == 200 and response.json()["status"] == "confirmed"


# --- Zip bombs (issue 11) -------------------------------------------------------------------

DOCX_PARTS = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}


@pytest.fixture(scope="module")
def bombs():
    return {
        # The ODT's own "mimetype" is the bomb: reading it was the blow-up.
        "plan.odt": zip_bomb("mimetype", 200 * 1024 * 1024),
        "plan.docx": zip_bomb("word/media/image1.png", 200 * 1024 * 1024, before=DOCX_PARTS),
    }


@pytest.mark.parametrize("name", ["plan.odt", "plan.docx"])
def test_a_zip_bomb_plan_is_refused_before_any_member_is_read(
    world, bombs, monkeypatch, name
):  # issue 11 (Medium): a 509 KiB ODT took a worker from 156 to 1 174 MiB; R5.4
    order = world.order(state="started")
    plan = services.start_plan(world.staff_a, order)
    refuse_zip_member_reads(monkeypatch)
    tracemalloc.start()
    try:
        with pytest.raises(ValidationFailed) as refused:
            services.upload_document(
                world.staff_a, plan, upload=SimpleUploadedFile(name, bombs[name])
            )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "zip-bomb" in refused.value.errors["document"][0]
    assert peak < 20 * 1024 * 1024  # the 200 MB inside were never unpacked
    plan.refresh_from_db()
    assert not plan.document


def test_a_zip_bomb_plan_is_refused_on_the_screen(world, client, bombs):  # issue 11; R5.4
    order = world.order(state="started")
    client.force_login(world.staff_a)
    client.post(reverse("plan-start", args=[order.pk]))
    plan = ImplementationPlan.objects.get(order=order)
    bomb = SimpleUploadedFile("plan.odt", bombs["plan.odt"])
    response = client.post(
        reverse("plan-save", args=[order.pk, plan.pk]), {**TEXTS, "document": bomb, "do": "save"}
    )
    assert response.status_code == 400 and "zip-bomb" in response.content.decode()
    plan.refresh_from_db()
    assert not plan.document


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("plan.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
        ("plan.pdf", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("plan.odt", b"<html><body>ODT</body></html>"),
    ],
)
def test_markup_is_refused_whatever_the_plan_is_called(world, name, data):  # issue 11; R5.4
    order = world.order(state="started")
    plan = services.start_plan(world.staff_a, order)
    with pytest.raises(ValidationFailed, match="endast PDF"):
        services.upload_document(world.staff_a, plan, upload=SimpleUploadedFile(name, data))
