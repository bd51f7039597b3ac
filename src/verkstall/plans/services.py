"""Every write to an implementation plan (SPEC R5). Each action records its order event
(plan_begun, plan_sent, plan_confirmed, plan_reviewed) through orders.services.record_event,
which moves the profile's clocks in the same transaction."""

from __future__ import annotations

import uuid
import zipfile

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max

from verkstall.access.policies import provider_side, require_officer_of_unit
from verkstall.core import clock, uploads
from verkstall.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from verkstall.orders.models import EventKind, Order
from verkstall.orders.services import ON_BEHALF_CHANNELS, record_event

from .goal_services import carry_goal_entries
from .models import DocumentKind, ImplementationPlan, PlanStatus
from .storage import document_storage

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
MAX_MIMETYPE_BYTES = 200  # the ODT "mimetype" member is a few dozen bytes
TEXT_FIELDS = ("what", "how", "when", "by_whom", "participation", "revision_reason")


def _provider_side(actor, order: Order, what: str):
    """The provider's staff, or the municipality for a provider not connected (R3.3)."""
    allowed, on_behalf = provider_side(actor, order.provider)
    if not allowed:
        raise PermissionDenied(f"Endast utföraren kan {what}.")
    return on_behalf


def _channel(on_behalf, channel: str) -> str:
    """A plan from a provider outside the system comes by post unless told otherwise (R5.3)."""
    if on_behalf is None:
        return ""
    return channel if channel in ON_BEHALF_CHANNELS else "post"


def _lock(plan: ImplementationPlan) -> ImplementationPlan:
    return (
        ImplementationPlan.objects.select_for_update(of=("self",))
        .select_related("order__provider")
        .get(pk=plan.pk)
    )


def _require_draft(plan: ImplementationPlan) -> None:
    if plan.status != PlanStatus.DRAFT:
        raise TransitionNotAllowed(
            "Planen är redan skickad; påbörja en ny version för att revidera den.",
            state=plan.status,
            action="edit",
            allowed=[],
        )


def _texts(values: dict) -> dict:
    return {k: (values[k] or "").strip() for k in TEXT_FIELDS if k in values}


@transaction.atomic
def start_plan(actor, order: Order, *, channel: str = "", **texts) -> ImplementationPlan:
    """Begin a plan, or a new version of a sent one (a revision, R5.3). The first draft of an
    order records that the plan was begun (plan.begun stops the "påbörjad" clocks, R5.1).
    Returns the order's open draft when there already is one."""
    order = (
        Order.objects.select_for_update(of=("self",)).select_related("provider").get(pk=order.pk)
    )
    on_behalf = _provider_side(actor, order, "upprätta genomförandeplanen")
    draft = order.plans.filter(status=PlanStatus.DRAFT).first()
    if draft is not None:
        return draft
    previous = order.plans.exclude(status=PlanStatus.DRAFT).order_by("-version").first()
    first = not order.plans.exists()
    now = clock.now()
    carried = {}
    if previous is not None:  # a revision starts from the current plan's text
        carried = {f: getattr(previous, f) for f in ("what", "how", "when", "by_whom")}
    carried.update(_texts(texts))
    version = (order.plans.aggregate(m=Max("version"))["m"] or 0) + 1
    plan = ImplementationPlan.objects.create(
        municipality_id=order.municipality_id,
        order=order,
        version=version,
        begun_at=now,
        created_by=actor,
        updated_by=actor,
        on_behalf_of=on_behalf,
        **carried,
    )
    carry_goal_entries(previous, plan)  # and its answer to each goal of the decision (002)
    if first:
        record_event(
            actor,
            order,
            kind=EventKind.PLAN_BEGUN,
            occurred_at=now,
            data={"plan": plan.pk, "version": version},
            on_behalf_of=on_behalf,
            channel=_channel(on_behalf, channel),
        )
    return plan


@transaction.atomic
def save_draft(actor, plan: ImplementationPlan, **texts) -> ImplementationPlan:
    """Save the draft's what, how, when, by whom and the person's participation (R5.2)."""
    plan = _lock(plan)
    _provider_side(actor, plan.order, "ändra genomförandeplanen")
    _require_draft(plan)
    for field, value in _texts(texts).items():
        setattr(plan, field, value)
    plan.updated_by = actor
    plan.save()
    return plan


def detect_document_kind(head: bytes, data: bytes) -> str | None:
    """What the file is by its content: PDF, DOCX or ODT; None for anything else. A DOCX or
    ODT is a zip: its central directory is judged (core.uploads.open_zip, ValidationFailed on
    a zip bomb) before any member is read, and the one member read is capped."""
    sniffed = uploads.sniff_content_type(head)
    if sniffed == uploads.PDF:
        return DocumentKind.PDF
    if sniffed != uploads.ZIP:
        return None
    try:
        with uploads.open_zip(data, field="document") as archive:
            names = archive.namelist()
            if "mimetype" in names:
                mimetype = uploads.read_member(archive, "mimetype", limit=MAX_MIMETYPE_BYTES)
                if mimetype.strip() == ODT_MIMETYPE:
                    return DocumentKind.ODT
            if "[Content_Types].xml" in names and any(n.startswith("word/") for n in names):
                return DocumentKind.DOCX
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, EOFError):
        return None
    return None


KIND_NAMES = {
    DocumentKind.PDF: "en PDF-fil",
    DocumentKind.DOCX: "ett Word-dokument (DOCX)",
    DocumentKind.ODT: "ett OpenDocument-dokument (ODT)",
}


def _checked_document(upload) -> tuple[str, bytes]:
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_DOCUMENT_BYTES:
        raise ValidationFailed({"document": "Filen är större än 10 MB."})
    upload.seek(0)
    data = upload.read(MAX_DOCUMENT_BYTES + 1)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ValidationFailed({"document": "Filen är större än 10 MB."})
    if not data:
        raise ValidationFailed({"document": "Filen är tom."})
    kind = detect_document_kind(data[: uploads.SNIFF_BYTES], data)
    name = getattr(upload, "name", "") or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if kind is None:
        raise ValidationFailed(
            {
                "document": "Filen kan inte tas emot: endast PDF, Word (DOCX) och "
                "OpenDocument-text (ODT) går att ladda upp, och innehållet avgör vad filen är."
            }
        )
    if extension in DocumentKind.values and extension != kind:
        raise ValidationFailed(
            {
                "document": f"Filen heter .{extension} men är {KIND_NAMES[kind]}. "
                "Ge filen rätt filändelse och ladda upp den igen."
            }
        )
    if extension not in DocumentKind.values:
        raise ValidationFailed(
            {"document": f"Filen måste ha filändelsen .{kind} (den är {KIND_NAMES[kind]})."}
        )
    return kind, data


@transaction.atomic
def upload_document(actor, plan: ImplementationPlan, *, upload) -> ImplementationPlan:
    """Attach the plan as a document (R5.4: filed in the document store). PDF, DOCX or ODT,
    judged by content, at most 10 MB; stored outside the web root under a generated name."""
    plan = _lock(plan)
    _provider_side(actor, plan.order, "ladda upp genomförandeplanen")
    _require_draft(plan)
    kind, data = _checked_document(upload)
    old = plan.document.name if plan.document else ""
    plan.document.save(f"{uuid.uuid4().hex}.{kind}", ContentFile(data), save=False)
    new = plan.document.name
    plan.document_kind = kind
    plan.document_size = len(data)
    plan.updated_by = actor
    try:
        plan.save()
    except Exception:
        document_storage.delete(new)
        raise
    if old:  # the replaced file goes once the new one is committed
        transaction.on_commit(lambda: document_storage.delete(old))
    return plan


@transaction.atomic
def send_plan(actor, plan: ImplementationPlan, *, channel: str = "") -> ImplementationPlan:
    """Send the plan to the officer (R5.1, R5.2): it needs its content (or a document) and how
    the person took part, or why not. plan.sent stops the routine's plan clock."""
    plan = _lock(plan)
    on_behalf = _provider_side(actor, plan.order, "skicka genomförandeplanen")
    _require_draft(plan)
    errors = {}
    if not plan.has_content and not plan.document:
        errors["what"] = (
            "Beskriv vad som ska göras, hur, när och av vem, eller bifoga planen som dokument."
        )
    if not plan.participation.strip():
        errors["participation"] = (
            "Ange hur den enskilde eller företrädaren deltog i planeringen, eller varför inte."
        )
    if errors:
        raise ValidationFailed(errors)
    now = clock.now()
    plan.status = PlanStatus.SENT
    plan.sent_at = now
    plan.sent_by = actor
    plan.updated_by = actor
    plan.save()
    record_event(
        actor,
        plan.order,
        kind=EventKind.PLAN_SENT,
        occurred_at=now,
        data={"plan": plan.pk, "version": plan.version, "text": f"Version {plan.version}"},
        on_behalf_of=on_behalf,
        channel=_channel(on_behalf, channel),
    )
    return plan


@transaction.atomic
def confirm_plan(actor, plan: ImplementationPlan) -> ImplementationPlan:
    """The officer of the order's unit confirms that the plan arrived (R5.4)."""
    plan = _lock(plan)
    require_officer_of_unit(actor, plan.order.unit_id, "bekräfta att genomförandeplanen mottagits")
    if plan.status != PlanStatus.SENT:
        raise TransitionNotAllowed(
            "Endast en skickad plan kan bekräftas.",
            state=plan.status,
            action="confirm",
            allowed=[],
        )
    now = clock.now()
    plan.status = PlanStatus.CONFIRMED
    plan.confirmed_at = now
    plan.confirmed_by = actor
    plan.save()
    record_event(
        actor,
        plan.order,
        kind=EventKind.PLAN_CONFIRMED,
        occurred_at=now,
        data={"plan": plan.pk, "version": plan.version, "text": f"Version {plan.version}"},
    )
    return plan


@transaction.atomic
def review_plan(
    actor, plan: ImplementationPlan, *, note: str = "", channel: str = ""
) -> ImplementationPlan:
    """The yearly review of the current plan (R5.3). A substantial change of needs is a new
    version instead (start_plan)."""
    plan = _lock(plan)
    on_behalf = _provider_side(actor, plan.order, "följa upp genomförandeplanen")
    current = (
        ImplementationPlan.objects.filter(order_id=plan.order_id)
        .exclude(status=PlanStatus.DRAFT)
        .order_by("-version")
        .first()
    )
    if current is None or current.pk != plan.pk:
        raise TransitionNotAllowed(
            "Endast den gällande, skickade planen kan följas upp.",
            state=plan.status,
            action="review",
            allowed=[],
        )
    now = clock.now()
    plan.reviewed_at = now
    plan.updated_by = actor
    plan.save()
    record_event(
        actor,
        plan.order,
        kind=EventKind.PLAN_REVIEWED,
        occurred_at=now,
        data={"plan": plan.pk, "version": plan.version, "text": (note or "").strip()},
        on_behalf_of=on_behalf,
        channel=_channel(on_behalf, channel),
    )
    return plan
