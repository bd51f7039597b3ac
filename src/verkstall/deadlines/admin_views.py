"""The admin's own pages for rules and rule profiles (SPEC R11.3, R11.5; issue 13 §5): "Prova
regeln" on a rule, and export, import, copy and assign on a profile.

Each page is reached through its ModelAdmin (deadlines/admin.py, `get_urls`), so it is scoped
like the change page: a rule or profile the user may not read is not found (404), a user who
may not do the action is refused (403). Bad input is shown on the page in Swedish, never as a
500. Writes go through the services (`profile_io.import_profile`, `services.copy_profile`,
`services.assign_profile`).
"""

from __future__ import annotations

import json
from datetime import datetime, time

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from verkstall.access.admin import sees_all
from verkstall.access.roles import Role
from verkstall.core.errors import DomainError, NotFound, ValidationFailed
from verkstall.core.errors import PermissionDenied as DomainPermissionDenied

from . import services
from .calendar import STOCKHOLM
from .profile_forms import AssignForm, CopyForm, ImportForm, TryForm, owner_field
from .profile_io import export_profile, import_profile
from .trial import conditions_text, scope_text, start_text, try_rule

__all__ = ["ProfileViews", "TryForm", "may_import", "try_rule_view"]

MAX_IMPORT_BYTES = 1024 * 1024
TRY_FIELDS = {"start": "day", "service": "service"}


def may_import(user) -> bool:
    """Who may import or copy a profile: a LOV administrator (into their municipality) or
    the system administrator (R11.3)."""
    if sees_all(user):
        return True
    return bool(
        getattr(user, "is_authenticated", False)
        and user.role_enum == Role.LOV_ADMIN
        and user.municipality_id is not None
    )


def _readable(model_admin, request, object_id):
    """The object, if the user may read it here; else 404 (another municipality's)."""
    obj = model_admin.get_object(request, unquote(object_id))
    if obj is None or not model_admin.has_view_permission(request, obj):
        raise Http404("Hittades inte.")
    return obj


def _context(model_admin, request, obj, title: str, **extra) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "original": obj,
        "title": title,
        **extra,
    }


def _due_text(result: dict) -> str:
    """The due moment in Swedish local time ("2026-12-29", "2026-12-29 kl. 12:00")."""
    if result["due_at"] is None:
        return "Ingen tidsgräns (snarast)."
    due_at = datetime.fromisoformat(result["due_at"]).astimezone(STOCKHOLM)
    if result["due_date"] and due_at.time() == time.max:
        return f"{result['due_date']} (dagens slut)"
    return f"{due_at:%Y-%m-%d} kl. {due_at:%H:%M}"


def try_rule_view(model_admin, request, object_id):
    """The "Prova regeln" panel's answer: the due moment and the explanation of
    `python -m verkstall due` for a start moment (R11.5). GET or POST."""
    rule = _readable(model_admin, request, object_id)
    data = request.POST if request.method == "POST" else request.GET
    form = TryForm(data if any(k in data for k in ("day", "start", "service")) else None)
    result = None
    if form.is_bound and form.is_valid():
        moment = data.get("start") or start_text(
            form.cleaned_data["day"], form.cleaned_data["clock"]
        )
        try:
            result = try_rule(rule, moment, form.cleaned_data["service"] or None)
        except ValidationFailed as exc:
            for key, msgs in exc.errors.items():
                for msg in msgs:
                    text = f"Ogiltig starttidpunkt: {msg}" if key == "start" else msg
                    form.add_error(TRY_FIELDS.get(key), text)
    try:
        spec = rule.spec()
    except ValueError:  # a stored rule the language no longer accepts: said by try_rule
        spec = None
    context = _context(
        model_admin,
        request,
        rule,
        f"Prova regeln {rule.code}",
        rule=rule,
        form=form,
        result=result,
        due_text=_due_text(result) if result else "",
        scope=scope_text(spec) if spec else "–",
        conditions=conditions_text(spec) if spec else [],
        length=spec.length_text() if spec else "–",
    )
    return TemplateResponse(request, "admin/deadlines/rule/try.html", context)


class ProfileViews:
    """Export, import, copy and assign, for RuleProfileAdmin."""

    def __init__(self, model_admin):
        self.model_admin = model_admin

    def _change_url(self, profile) -> str:
        return reverse("admin:deadlines_ruleprofile_change", args=[profile.pk])

    def _form_page(self, request, obj, title: str, form, *, submit: str, errors=(), upload=False):
        context = _context(
            self.model_admin,
            request,
            obj,
            title,
            form=form,
            submit=submit,
            errors=list(errors),
            upload=upload,
        )
        return TemplateResponse(request, "admin/deadlines/ruleprofile/action_form.html", context)

    def export_view(self, request, object_id):
        """The profile as `<slug>.json` (profile_io, R11.5): for whoever may read it."""
        profile = _readable(self.model_admin, request, object_id)
        text = json.dumps(export_profile(profile), ensure_ascii=False, indent=2) + "\n"
        response = HttpResponse(text, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{profile.slug}.json"'
        response["X-Content-Type-Options"] = "nosniff"
        return response

    def import_view(self, request):
        """Upload a profile file; every error named by its path (profile_io, R11.5)."""
        if not (self.model_admin.has_module_permission(request) and may_import(request.user)):
            raise DjangoPermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        if sees_all(request.user):
            form.fields["owner"] = owner_field(
                required=False, help_text="Kommunen som ska äga profilen. Tomt: en mall."
            )
        errors: list[str] = []
        if request.method == "POST" and form.is_valid():
            try:
                profile = import_profile(
                    request.user,
                    _read_upload(form.cleaned_data["file"]),
                    slug=form.cleaned_data["slug"],
                    owner=form.cleaned_data.get("owner"),
                )
            except ValidationFailed as exc:
                errors = [f"{path}: {msg}" for path, msgs in exc.errors.items() for msg in msgs]
            except DomainError as exc:
                errors = [exc.message]
            else:
                messages.success(request, f"Regelprofilen {profile.slug} importerades.")
                return HttpResponseRedirect(self._change_url(profile))
        return self._form_page(
            request,
            None,
            "Importera regelprofil",
            form,
            submit="Importera",
            errors=errors,
            upload=True,
        )

    def copy_view(self, request, object_id):
        """ "Kopiera till egen kommun" (services.copy_profile, R11.3)."""
        source = _readable(self.model_admin, request, object_id)
        if not may_import(request.user):
            raise DjangoPermissionDenied
        form = CopyForm(request.POST or None)
        if sees_all(request.user):
            form.fields["owner"] = owner_field(
                required=False, help_text="Kommunen som ska äga kopian. Tomt: en ny mall."
            )
        errors: list[str] = []
        if request.method == "POST" and form.is_valid():
            try:
                copy = services.copy_profile(
                    request.user,
                    source=source,
                    slug=form.cleaned_data["slug"],
                    name=form.cleaned_data["name"],
                    owner=form.cleaned_data.get("owner"),
                )
            except NotFound:
                raise Http404("Hittades inte.") from None
            except DomainPermissionDenied as exc:
                raise DjangoPermissionDenied(exc.message) from None
            except ValidationFailed as exc:
                _form_errors(form, exc)
            else:
                messages.success(
                    request, f"Regelprofilen kopierades till {copy.slug}; ändra den här."
                )
                return HttpResponseRedirect(self._change_url(copy))
        return self._form_page(
            request, source, f"Kopiera {source.name}", form, submit="Kopiera", errors=errors
        )

    def assign_view(self, request, object_id):
        """ "Tilldela kommun": the system administrator only (services.assign_profile)."""
        profile = _readable(self.model_admin, request, object_id)
        if not sees_all(request.user):
            raise DjangoPermissionDenied
        form = AssignForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            municipality = form.cleaned_data["municipality"]
            try:
                services.assign_profile(request.user, municipality=municipality, profile=profile)
            except ValidationFailed as exc:
                _form_errors(form, exc)
            else:
                messages.success(
                    request, f"{municipality.name} arbetar nu efter regelprofilen {profile.slug}."
                )
                return HttpResponseRedirect(self._change_url(profile))
        return self._form_page(
            request, profile, f"Tilldela {profile.name} en kommun", form, submit="Tilldela"
        )


def _form_errors(form, exc: ValidationFailed) -> None:
    for key, msgs in exc.errors.items():
        for msg in msgs:
            form.add_error(key if key in form.fields else None, msg)


def _read_upload(upload):
    """The uploaded file's JSON, or ValidationFailed in Swedish (size, encoding, syntax)."""
    if upload.size > MAX_IMPORT_BYTES:
        raise ValidationFailed({"fil": "Filen är större än 1 MB."})
    raw = upload.read(MAX_IMPORT_BYTES + 1)
    if len(raw) > MAX_IMPORT_BYTES:
        raise ValidationFailed({"fil": "Filen är större än 1 MB."})
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ValidationFailed({"fil": "Filen är inte text i UTF-8."}) from None
    except json.JSONDecodeError as exc:
        raise ValidationFailed(
            {"fil": f"Filen är inte giltig JSON: rad {exc.lineno}, kolumn {exc.colno} ({exc.msg})."}
        ) from None
