"""Screens for journals and messages (SPEC R10.2, R10.3, R5.5). Thin: selectors read, services
write; another organisation's client, order or message is a 404 through the selectors."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from verkstall.access.roles import Role
from verkstall.core import uploads
from verkstall.core.paging import paginate
from verkstall.core.views import run_form
from verkstall.drafts import services as text_drafts
from verkstall.drafts.forms import keep_drafts
from verkstall.orders.selectors import get_order, orders_for, person_orders
from verkstall.people.selectors import get_person

from . import case_selectors, case_services, selectors, services
from .draft_text_selectors import CASE_JOURNAL, MESSAGE, MESSAGE_PERSON, PROVIDER_JOURNAL
from .forms import CaseEntryForm, DocumentReceivedForm, MessageForm, ProviderEntryForm

MYNDIGHET_READERS = (Role.OFFICER, Role.FEE_OFFICER)


@login_required
def case_journal(request, person_pk):
    """The case journal (myndighetsjournal) of a client, newest first."""
    user = request.user
    person = get_person(user, person_pk)
    if user.role_enum not in MYNDIGHET_READERS:
        raise Http404
    orders = person_orders(user, person).exclude(state="draft")
    note_form = CaseEntryForm(prefix="note")
    document_form = DocumentReceivedForm(prefix="doc", orders=orders)
    if request.method == "POST":
        if request.POST.get("action") == "document":
            document_form = DocumentReceivedForm(
                request.POST, request.FILES, prefix="doc", orders=orders
            )
            done = run_form(
                request,
                document_form,
                lambda data: services.record_document_received(
                    user,
                    person=person,
                    title=data["title"],
                    text=data["text"],
                    order=get_order(user, data["order"]) if data["order"] else None,
                    provider_name=data["provider_name"],
                    upload=data["upload"],
                ),
                success_message="Handlingen är registrerad som inkommen.",
                redirect_to=lambda _: redirect("case-journal", person_pk=person.pk),
            )
        else:
            note_form = CaseEntryForm(request.POST, prefix="note")
            done = run_form(
                request,
                note_form,
                lambda data: case_services.officer_write_case_entry(
                    user,
                    person=person,
                    title=data["title"],
                    text=data["text"],
                    corrects=(
                        case_selectors.get_case_entry(user, person.pk, data["corrects"])
                        if data["corrects"]
                        else None
                    ),
                ),
                success_message=lambda _: (
                    "Rättelsen är sparad."
                    if note_form.cleaned_data["corrects"]
                    else "Anteckningen är sparad."
                ),
                redirect_to=lambda _: redirect("case-journal", person_pk=person.pk),
            )
            if done and not note_form.cleaned_data["corrects"]:  # saved: no longer kept
                text_drafts.clear_drafts(user=user, kind=CASE_JOURNAL, pk=person.pk)
        if done:
            return done
    correcting = None
    if request.GET.get("correct"):
        correcting = case_selectors.get_case_entry(user, person.pk, request.GET["correct"])
        note_form = CaseEntryForm(
            prefix="note",
            initial={"title": correcting.title, "text": correcting.text, "corrects": correcting.pk},
        )
    may_write = user.is_officer and user.unit_id == person.unit_id
    if may_write and not correcting:  # a new note typed and not saved, kept (issue 17 item 1)
        keep_drafts(note_form, user=user, kind=CASE_JOURNAL, pk=person.pk)
    return render(
        request,
        "journal/case_journal.html",
        {
            "person": person,
            "entries": case_selectors.case_journal(user, person.pk),
            "note_form": note_form,
            "document_form": document_form,
            "correcting": correcting,
            "may_write": may_write,
        },
    )


@login_required
@require_GET
def case_document(request, person_pk, entry_pk):
    """A scanned document, only through the case journal's scoping; never from the web root."""
    document, path = case_selectors.case_document_file(request.user, person_pk, entry_pk)
    stream = path.open("rb")
    head = stream.read(uploads.SNIFF_BYTES)
    stream.seek(0)
    response = FileResponse(
        stream,
        as_attachment=True,
        filename=document.file_name or path.name,
        # The stored type only if the content still is of that type: a file stored before
        # uploads were checked by content goes out as a plain download.
        content_type=uploads.served_content_type(head, document.content_type),
    )
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def provider_journal(request, order_pk):
    """The provider's journal (verksamhetsjournal) of an order: the provider's staff only."""
    user = request.user
    order = get_order(user, order_pk)
    if not user.is_provider_user or order.provider_id != user.provider_id:
        raise Http404
    form = ProviderEntryForm()
    if request.method == "POST":
        form = ProviderEntryForm(request.POST)
        done = run_form(
            request,
            form,
            lambda data: services.write_provider_entry(
                user,
                order=order,
                text=data["text"],
                is_summary=data["is_summary"],
                corrects=(
                    selectors.get_provider_entry(user, data["corrects"])
                    if data["corrects"]
                    else None
                ),
            ),
            success_message="Anteckningen är sparad.",
            redirect_to=lambda _: redirect("provider-journal", order_pk=order.pk),
        )
        if done:
            if not form.cleaned_data["corrects"]:  # saved: the new note's draft goes
                text_drafts.clear_drafts(user=user, kind=PROVIDER_JOURNAL, pk=order.pk)
            return done
    entries = selectors.provider_journal(user, order.pk)
    correcting = None
    if request.method == "GET" and request.GET.get("correct"):
        correcting = selectors.get_provider_entry(user, request.GET["correct"])
        form = ProviderEntryForm(
            initial={
                "text": correcting.text,
                "is_summary": correcting.is_summary,
                "corrects": correcting.pk,
            }
        )
    if not correcting:  # a new note typed and not saved, kept (issue 17 item 1)
        keep_drafts(form, user=user, kind=PROVIDER_JOURNAL, pk=order.pk)
    return render(
        request,
        "journal/provider_journal.html",
        {"order": order, "entries": entries, "form": form, "correcting": correcting},
    )


@login_required
@require_GET
def message_list(request):
    user = request.user
    box = "out" if request.GET.get("box") == "out" else "in"
    rows = selectors.outbox(user) if box == "out" else selectors.inbox(user)
    page = paginate(rows, request.GET, sorting=selectors.MESSAGE_SORTING)  # issue 17 item 5
    return render(
        request, "journal/message_list.html", {"messages_list": page, "paging": page, "box": box}
    )


@login_required
def message_create(request):
    user = request.user
    if not (user.is_officer or user.is_provider_user):
        raise Http404
    orders = orders_for(user).exclude(state="draft")
    if user.is_provider_user:
        orders = orders.filter(provider_id=user.provider_id)
    if request.GET.get("person"):
        orders = orders.filter(person=get_person(user, request.GET["person"]))
    initial = {"order": request.GET.get("order")} if request.GET.get("order") else None
    form = MessageForm(request.POST or None, orders=orders[:200], initial=initial)
    kind, pk = _message_draft_key(form, request.GET)
    keep_drafts(form, user=user, kind=kind, pk=pk)  # typed and not sent, kept (issue 17 item 1)
    if request.method == "POST" and form.is_valid():
        order = get_order(user, form.cleaned_data["order"])  # outside the form: a 404
        done = run_form(
            request,
            form,
            lambda data: services.send_message(
                user,
                person=order.person,
                order=order,
                subject=data["subject"],
                body=data["body"],
            ),
            success_message="Meddelandet är skickat.",
            redirect_to=lambda message: redirect("message-detail", pk=message.pk),
        )
        if done:
            text_drafts.clear_drafts(user=user, kind=kind, pk=pk)  # sent: no longer kept
            return done
    return render(request, "journal/message_form.html", {"form": form})


def _message_draft_key(form, query) -> tuple[str, int]:
    """The new message's draft key (journal/draft_text_selectors.py): the order it was begun
    from, if the form offers it; else the client it was begun from; else none."""
    order = str(query.get("order", ""))
    if order.isdigit() and int(order) in {pk for pk, _label in form.fields["order"].choices}:
        return MESSAGE, int(order)
    person = str(query.get("person", ""))
    if person.isdigit():  # the view read the client through get_person already
        return MESSAGE_PERSON, int(person)
    return MESSAGE, 0


@login_required
@require_GET
def message_detail(request, pk):
    """Opening a message to one's organisation leaves the reader's receipt (R10.3)."""
    user = request.user
    message = selectors.get_message(user, pk)
    inbound = selectors.is_inbound(user, message)
    if inbound:
        services.mark_read(user, message)
        message = selectors.get_message(user, pk)
    return render(
        request,
        "journal/message_detail.html",
        {"message": message, "inbound": inbound, "receipts": message.receipts.all()},
    )
