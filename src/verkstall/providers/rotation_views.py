"""Screens for the no-choice rotation (SPEC R2.4): assign by rotation from the client's page,
the result with the letter text, and the rotation report with its CSV export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from verkstall.core import csv_views
from verkstall.core.confirm_views import Confirmation, confirm_first, render_confirmation
from verkstall.core.errors import DomainError, NotFound, PermissionDenied
from verkstall.people.selectors import area_name_for

from . import rotation_selectors as selectors
from . import rotation_services as services

HISTORY_ON_SCREEN = 300


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _filters(request) -> tuple[dict, dict]:
    """The report's filters from the query string, each checked against what the user may
    choose from (an unknown value is ignored)."""
    areas, kinds, providers = selectors.filter_choices(request.user)
    area_id, provider_id = _int(request.GET.get("area")), _int(request.GET.get("provider"))
    kind = request.GET.get("kind", "")
    chosen = {
        "area": areas.filter(pk=area_id).first() if area_id else None,
        "kind": kind if kind in dict(kinds) else "",
        "provider": providers.filter(pk=provider_id).first() if provider_id else None,
    }
    return chosen, {"areas": areas, "kinds": kinds, "providers": providers}


def _require_report_access(user) -> None:
    if not selectors.may_see_rotation(user):
        raise PermissionDenied(
            "Turordningen visas för handläggare, LOV-administratörer och utförare."
        )


@login_required
@require_GET
def rotation_report(request):
    _require_report_access(request.user)
    filters, choices = _filters(request)
    history = selectors.rotation_history(request.user, **filters)[:HISTORY_ON_SCREEN]
    return render(
        request,
        "providers/rotation_report.html",
        {
            "lists": selectors.rotation_lists(request.user, **filters),
            "history": selectors.history_rows(request.user, history),
            "history_limit": HISTORY_ON_SCREEN,
            "filters": filters,
            "query": request.GET.urlencode(),
            **choices,
        },
    )


@login_required
@require_GET
def rotation_history_csv(request):
    _require_report_access(request.user)
    filters, _choices = _filters(request)
    rows = selectors.history_rows(
        request.user, selectors.rotation_history(request.user, **filters).iterator()
    )
    return csv_views.response(
        "ickeval-turordning.csv",
        ["Datum", "Område", "Insatsslag", "Insats", "Brukare", "Utförare", "Skäl", "Passerade"],
        (
            (
                timezone.localtime(r.assigned_at).strftime("%Y-%m-%d %H:%M"),
                r.area,
                r.kind_label,
                r.service_type,
                r.client,
                r.provider,
                r.reason,
                "; ".join(f"{name}: {reason}" for name, reason in r.passed_over),
            )
            for r in rows
        ),
    )


#: The provider the confirmation page named, carried by the confirmed POST.
SHOWN_PROVIDER = "provider"


def _confirmation(request, gs, person, *, notice: str = ""):
    """The page "Kontrollera innan du tilldelar ..." (core/confirm_views.py, issue 17 item 3):
    which provider the rotation gives now, who is passed over, and that the turn is used.
    When nobody can be assigned, the preview page says why instead."""
    preview = selectors.rotation_preview(request.user, gs)
    chosen = preview.outcome.chosen if preview.outcome and not preview.existing else None
    if chosen is None:
        return redirect("rotation-assign", granted_service_pk=gs.pk)
    passed = [f"{p.name}: {p.reason}" for p in preview.outcome.passed_over]
    return Confirmation(
        doing=_("tilldelar %(service)s enligt turordning") % {"service": gs.service_type.name},
        facts=[
            (_("Klient"), person.full_name),
            (_("Insats"), f"{gs.service_type.name}, {gs.scope_text}"),
            (_("Område"), area_name_for(request.user, person, preview.area)),
            (_("Insatsslag"), preview.kind_label),
            (_("Nästa på tur"), chosen.name),
            (_("Skäl"), preview.outcome.reason),
            (_("Passeras"), passed),
        ],
        consequences=[
            _(
                "%(provider)s tilldelas insatsen enligt turordningen. Turen är därmed använd: "
                "nästa klient utan eget val får nästa utförare i tur."
            )
            % {"provider": chosen.name},
            _(
                "Tilldelningen antecknas i myndighetsjournalen, och ett brev till brukaren tas "
                "fram där det står att brukaren senare kan välja en annan utförare."
            ),
            _(
                "Tilldelningen kan inte ångras. Tilldelar någon annan samtidigt kan det bli "
                "nästa utförare i tur; då visas det här igen innan något görs."
            ),
        ],
        hidden={SHOWN_PROVIDER: str(chosen.provider_id)},
        notice=notice,
    )


@login_required
@require_http_methods(["GET", "POST"])
def rotation_assign(request, granted_service_pk):
    """GET: who is next in turn for this service; POST: the confirmation page first, then,
    confirmed, assign by rotation (issue 17 item 3)."""
    gs = selectors.get_granted_service(request.user, granted_service_pk)
    person = gs.decision.person
    if not request.user.is_officer:
        raise PermissionDenied(_("Endast handläggare kan tilldela utförare enligt turordning."))
    if request.method == "POST":
        first = confirm_first(
            request,
            confirmation=lambda: _confirmation(request, gs, person),
            back=lambda: redirect("person-detail", pk=person.pk),
        )
        if first is not None:
            return first
        shown = request.POST.get(SHOWN_PROVIDER)
        try:
            # The provider confirmed is checked under the rotation's lock (the service): another
            # officer may have taken that turn since the page named it.
            expected = int(shown) if shown and shown.isdigit() else None
            assignment = services.assign_by_rotation(
                request.user, granted_service=gs, expected_provider_id=expected
            )
        except services.TurnMoved as moved:
            now = _confirmation(request, gs, person, notice=moved.message)
            if isinstance(now, Confirmation):
                return render_confirmation(request, now)
            return now
        except (NotFound, PermissionDenied):
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("rotation-assign", granted_service_pk=gs.pk)
        messages.success(
            request,
            _("%(provider)s har tilldelats enligt turordningen.")
            % {"provider": assignment.provider.name},
        )
        return redirect("rotation-assignment", pk=assignment.pk)
    preview = selectors.rotation_preview(request.user, gs)
    return render(
        request,
        "providers/rotation_assign.html",
        {
            "granted_service": gs,
            "person": person,
            "preview": preview,
            "area_name": area_name_for(request.user, person, preview.area),
        },
    )


@login_required
@require_GET
def rotation_assignment(request, pk):
    """The result of an assignment, with the text of the letter to the client."""
    assignment = selectors.get_assignment(request.user, pk)
    return render(
        request,
        "providers/rotation_result.html",
        {
            "assignment": assignment,
            "person": assignment.person,
            "area_name": area_name_for(request.user, assignment.person, assignment.area),
            "kind_label": selectors.kind_label(assignment.service_kind),
            "letter_text": services.rotation_letter_text(assignment),
        },
    )
