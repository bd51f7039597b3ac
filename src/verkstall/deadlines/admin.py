"""Rule profiles in the Django admin, in Swedish, for the LOV administrator (SPEC "Actors",
R11.1, R11.2, R11.3, R11.4, R11.5; issue 13 §4-§6).

A rule is changed only through `services.update_rule`, so every change of its timing raises
its version and keeps the old rule as a revision; versions and revisions are shown read-only.
A profile is changed only through `services.update_profile`, copied through `copy_profile`
and assigned to a municipality through `assign_profile`; a new rule is made by `add_rules`.
Due items are computed by the engine and only shown here, never added, changed or deleted.

Who may use these pages follows the roles, not Django's per-model permissions, which the
project does not grant, and is scoped like every screen (access/admin.py, R11.3;
deadlines/profile_selectors.py): the LOV administrator reads their municipality's own
profiles and those nobody owns (built-in templates, national libraries), and changes only
their own; the system administrator (the superuser) reads and changes every profile and
alone sets a profile's owner and assigns profiles. Another municipality's profile or rule is
not found (404). Due items are about clients, not rules: only the system administrator reads
them here, and nobody changes them.

Each rule shows the routine's own words beside it (`source_text`), whether its clock can start
and be met (event_sources.rule_reachability), and a "Prova regeln" panel that answers exactly
as `python -m verkstall due` (trial.py). The profile pages export and import profiles
(profile_io.py, admin_views.py).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.filters import ChoicesFieldListFilter, RelatedOnlyFieldListFilter
from django.contrib.admin.utils import unquote
from django.db.models import Case, Count, Value, When
from django.db.models.functions import Concat
from django.http import Http404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst

from verkstall.access.admin import ScopedAdminMixin, ScopedInlineMixin, sees_all
from verkstall.access.roles import Role
from verkstall.core.errors import DomainError, ValidationFailed

from . import admin_views, selectors, services
from .event_sources import rule_reachability
from .models import PROFILE_FLAGS, THRESHOLDS, DueItem, Rule, RuleProfile, RuleRevision
from .profile_io_selectors import library_profiles, municipalities_using
from .rule_forms import (
    DUE_ITEM_LABELS,
    READ_ONLY_AS,
    RULE_FIELDSETS,
    DueItemColumns,
    ProfileForm,
    RuleDisplay,
    RuleForm,
    quote,
    reachability_text,
    titled,
)


class ProfileScopedAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Rows of a rule profile: the LOV administrator reads the profiles of
    deadlines.selectors.profile_scope and changes those of own_profile_scope."""

    admin_roles = frozenset({Role.LOV_ADMIN})
    municipality_field = None
    profile_path = ""  # the path from the model to its profile

    def scope(self, request):
        return selectors.profile_scope(request.user, self.profile_path)

    def writable_scope(self, request):
        return selectors.own_profile_scope(request.user, self.profile_path)

    def may_delete(self, request, obj=None):
        return False  # a rule's due items and revisions are history

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        """Another municipality's profile or rule answers as one that does not exist: 404,
        never a redirect (R11.3, issue 13 acceptance). Overrides Django's hook of that name,
        which every object page (change, history, delete) calls."""
        raise Http404("Hittades inte.")

    def delete_view(self, request, object_id, extra_context=None):
        # Nothing here is deleted (403), but one not found is not found first (404).
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404("Hittades inte.")
        return super().delete_view(request, object_id, extra_context)


class ProfileFilter(RelatedOnlyFieldListFilter):
    """The profile filter, titled in Swedish (the relation itself has no Swedish name)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "regelprofil"


class ReadOnlyInline(ScopedInlineMixin, admin.TabularInline):
    """An inline the rule editors may read (where they may read its parent), never change."""


class RuleRevisionInline(ReadOnlyInline):
    model = RuleRevision
    fields = ("version", "changed", "changed_by_name", "before")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-version",)
    verbose_name = "tidigare version"
    verbose_name_plural = "tidigare versioner"

    def get_queryset(self, request):
        """Who changed it, by name only if they are of the reader's municipality."""
        name = Concat("changed_by__first_name", Value(" "), "changed_by__last_name")
        if not sees_all(request.user):
            name = Case(
                When(changed_by__municipality_id=request.user.municipality_id, then=name),
                default=Value("(utanför kommunen)"),
            )
        label = Case(When(changed_by__isnull=True, then=Value("(systemet)")), default=name)
        return super().get_queryset(request).annotate(changed_by_label=label)

    @admin.display(description="ändrad")
    def changed(self, revision: RuleRevision):
        return revision.changed_at

    @admin.display(description="ändrad av")
    def changed_by_name(self, revision: RuleRevision) -> str:
        return getattr(revision, "changed_by_label", "")

    @admin.display(description="regeln före ändringen")
    def before(self, revision: RuleRevision):
        return format_html("<code>{}</code>", revision.snapshot)


@admin.register(Rule)
class RuleAdmin(RuleDisplay, ProfileScopedAdmin):
    form = RuleForm
    actions = None  # one rule at a time, through services.delete_rule
    profile_path = "profile__"
    change_form_template = "admin/deadlines/rule/change_form.html"
    list_display = (
        "code",
        "name",
        "profile_name",
        "subject",
        "length",
        "responsible",
        "routine_quote",
        "reachability",
        "version",
    )
    list_filter = (("profile", ProfileFilter), "subject", "responsible", "unit")
    search_fields = ("code", "name", "source", "source_text")
    list_select_related = ("profile",)
    readonly_fields = (
        "version",
        "changed",
        "profile_name",
        "routine_text",
        "reachability_detail",
        *READ_ONLY_AS.values(),
    )
    inlines = [RuleRevisionInline]
    fieldsets = RULE_FIELDSETS

    @admin.display(description="regelprofil", ordering="profile__slug")
    def profile_name(self, rule: Rule) -> str:
        return f"{rule.profile.name} ({rule.profile.slug})"

    @admin.display(description="senast ändrad")
    def changed(self, rule: Rule):
        return rule.updated_at

    @admin.display(description="rutinen säger")
    def routine_text(self, rule: Rule):
        if rule.pk is None:
            return "–"
        return format_html(
            '<blockquote class="routine-quote">{}</blockquote><p>Fristen som regeln läser den: '
            "{}.</p>",
            quote(rule),
            rule.spec().length_text(),
        )

    @admin.display(description="kan starta / kan bli klar")
    def reachability_detail(self, rule: Rule):
        if rule.pk is None:
            return "–"
        reach = rule_reachability(rule)
        lines = [("Startar", reach.start_by or "ingen registrerar händelsen")]
        lines += [("Klar", by) for by in reach.stop_by]
        return format_html(
            "{}<br>{}", reachability_text(rule), format_html_join("", "{}: {}.<br>", lines)
        )

    def get_fieldsets(self, request, obj=None):
        """The profile shown by name once the rule exists; on a page the reader may not
        change, lists and events shown in Swedish rather than as codes."""
        if obj is None:
            return self.fieldsets
        swap = {"profile": "profile_name"}
        if not self.has_change_permission(request, obj):
            swap.update(READ_ONLY_AS)
        return [
            (title, {**opts, "fields": tuple(swap.get(f, f) for f in opts["fields"])})
            for title, opts in self.fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields

    def may_add(self, request):
        """Into a profile the user may change (the form's drop-down lists only those)."""
        profiles = self.admin_site.get_model_admin(RuleProfile)
        return profiles.writable_queryset(request).exists()

    def may_delete(self, request, obj=None):
        """A rule that never made a due item, of a profile the user may change (the scope
        says which): a copied template's rules the routine does not have. Items are history."""
        return obj is not None and not obj.due_items.exists()

    def delete_model(self, request, obj):
        services.delete_rule(request.user, obj)

    def get_urls(self):
        view = self.admin_site.admin_view(self.try_view)
        return [
            path("<path:object_id>/prova/", view, name="deadlines_rule_try"),
            *super().get_urls(),
        ]

    def try_view(self, request, object_id):
        return admin_views.try_rule_view(self, request, object_id)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        rule = self.get_object(request, unquote(object_id))
        extra = {"reach": rule_reachability(rule)} if rule is not None else {}
        if rule is not None:
            extra["try_form"] = admin_views.TryForm()
            extra["try_url"] = reverse("admin:deadlines_rule_try", args=[rule.pk])
            extra["try_start_label"] = self.start_event_text(rule)
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        # No "changed successfully" after a change the service refused.
        if getattr(request, "_rule_change_refused", False) and level == messages.SUCCESS:
            return
        super().message_user(request, message, level, *args, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:  # a new rule, made from its fields like every other (R11.1)
            data = {k: v for k, v in form.cleaned_data.items() if k in obj.as_dict()}
            (made,) = services.add_rules(form.cleaned_data["profile"], [data])
            obj.pk, obj.version, obj.updated_at = made.pk, made.version, made.updated_at
            return
        changes = {
            field: form.cleaned_data[field] for field in form.changed_data if field in obj.as_dict()
        }
        try:
            saved = services.update_rule(request.user, obj, **changes)
        except DomainError as exc:  # checked by the form; only a race gets here
            messages.error(request, exc.message)
            request._rule_change_refused = True
            return
        obj.version = saved.version
        obj.updated_at = saved.updated_at


class RuleInline(RuleDisplay, ReadOnlyInline):
    """A profile's rules, read-only, each with the routine's words beside it: each links to
    its own page, where it is edited through services.update_rule."""

    model = Rule
    fields = (
        "edit",
        "name",
        "subject",
        "start_event_text",
        "length",
        "responsible",
        "routine_quote",
        "reachability",
        "version",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False
    verbose_name = "regel"
    verbose_name_plural = "regler"

    @admin.display(description="kod")
    def edit(self, rule: Rule):
        url = reverse("admin:deadlines_rule_change", args=[rule.pk])
        return format_html('<a href="{}">{}</a>', url, rule.code)


@admin.register(RuleProfile)
class RuleProfileAdmin(ProfileScopedAdmin):
    form = ProfileForm
    change_form_template = "admin/deadlines/ruleprofile/change_form.html"
    change_list_template = "admin/deadlines/ruleprofile/change_list.html"
    list_display = ("slug", "name", "owner", "is_library", "used_by", "rule_count")
    list_filter = ("is_library", "owner")
    search_fields = ("slug", "name")
    inlines = [RuleInline]
    fieldsets = (
        (
            "Profil",
            {
                "fields": (
                    "slug",
                    "name",
                    "sources",
                    "owner",
                    "is_library",
                    "used_by",
                    "includes",
                    "library_rules",
                )
            },
        ),
        ("Gränsvärden i rutinen", {"fields": tuple(THRESHOLDS)}),
        ("Ersättning vid frånvaro", {"fields": ("absence_payment_reasons",)}),
        ("Start av insats", {"fields": ("booked_staff_service_kinds",)}),
        ("Beslutsmeddelandet", {"fields": tuple(PROFILE_FLAGS)}),
    )

    def get_queryset(self, request):
        # The list's rule count in the same query as the profiles (no query per row).
        return super().get_queryset(request).annotate(rule_total=Count("rules")).order_by("slug")

    @admin.display(description="regler")
    def rule_count(self, profile: RuleProfile) -> int:
        return profile.rule_total

    @admin.display(description="används av")
    def used_by(self, profile: RuleProfile) -> str:
        return ", ".join(m.name for m in municipalities_using(profile)) or "–"

    @admin.display(description="regler från inkluderade bibliotek")
    def library_rules(self, profile: RuleProfile):
        if profile.pk is None:
            return "–"
        rows = [
            (reverse("admin:deadlines_rule_change", args=[rule.pk]), rule.code, rule.name, lib.slug)
            for lib in profile.includes.all()
            for rule in selectors.rules_of(lib)
        ]
        if not rows:
            return "–"
        return format_html_join("", '<a href="{}">{}</a> {} ({})<br>', rows)

    def get_readonly_fields(self, request, obj=None):
        """The code is fixed once made; who owns a profile and whether it is a library only
        the system administrator sets (R11.3)."""
        fields = ["used_by", "library_rules"]
        if obj is not None:
            fields.append("slug")
        # On a change they are written by update_profile: editable once it takes them.
        writable = obj is None or {"owner", "is_library"} <= set(services.PROFILE_FIELDS)
        if not (sees_all(request.user) and writable):
            fields += ["owner", "is_library"]
        return fields

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        """`includes` lists the national libraries, which every municipality may include
        (read-only to it; the mixin would list only profiles the user may change)."""
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "includes" and field is not None:
            field.queryset = library_profiles()
        return field

    def may_add(self, request):
        """The system administrator (a template, or any municipality's profile) and a LOV
        administrator (a new, empty profile of their own municipality, to encode a routine
        from scratch; or they copy or import one)."""
        return sees_all(request.user) or admin_views.may_import(request.user)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        views = admin_views.ProfileViews(self)
        return [
            path("importera/", wrap(views.import_view), name="deadlines_ruleprofile_import"),
            path(
                "<path:object_id>/exportera/",
                wrap(views.export_view),
                name="deadlines_ruleprofile_export",
            ),
            path(
                "<path:object_id>/kopiera/",
                wrap(views.copy_view),
                name="deadlines_ruleprofile_copy",
            ),
            path(
                "<path:object_id>/tilldela/",
                wrap(views.assign_view),
                name="deadlines_ruleprofile_assign",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra = {"may_import": admin_views.may_import(request.user)}
        return super().changelist_view(request, {**extra, **(extra_context or {})})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {
            "may_copy": admin_views.may_import(request.user),
            "may_assign": sees_all(request.user),
        }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def save_model(self, request, obj, form, change):
        if not change:  # a new, empty profile: owned as services.create_profile says
            data = form.cleaned_data
            made = services.create_profile(
                request.user,
                slug=data["slug"],
                name=data["name"],
                sources=data.get("sources", ""),
                owner=data.get("owner"),
                includes=list(data.get("includes") or ()),
                thresholds={name: data[name] for name in THRESHOLDS if name in data},
                absence_payment_reasons=data.get("absence_payment_reasons"),
                booked_staff_service_kinds=data.get("booked_staff_service_kinds"),
                flags={name: data[name] for name in PROFILE_FLAGS if name in data},
            )
            obj.pk, obj.owner_id = made.pk, made.owner_id
            return
        changes = {f: form.cleaned_data[f] for f in form.changed_data}
        try:
            services.update_profile(request.user, obj, **changes)
        except ValidationFailed as exc:
            named = (
                f"{capfirst(str(form.fields[f].label)) if f in form.fields else f}: {m}"
                for f, msgs in exc.errors.items()
                for m in msgs
            )
            messages.error(request, "Profilen ändrades inte. " + " ".join(named))
            request._profile_change_refused = True
        except DomainError as exc:
            messages.error(request, exc.message)
            request._profile_change_refused = True
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        """The included libraries were written by update_profile on a change (never by the
        form itself); the rule list is read-only, so its formset saves nothing."""
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        if getattr(request, "_profile_change_refused", False) and level == messages.SUCCESS:
            return
        super().message_user(request, message, level, *args, **kwargs)


@admin.register(DueItem)
class DueItemAdmin(DueItemColumns, ScopedAdminMixin, admin.ModelAdmin):
    """Read-only, for the system administrator only: due items are computed by the engine and
    are about clients, which the LOV administrator's work (rules, providers, contracts) does not
    need. The client is shown by id only: a name or personnummer read here would bypass the
    access log (R10.4)."""

    admin_roles = frozenset()

    list_display = (
        "id",
        *(f"{f}_shown" for f in ("rule", "subject_key", "cycle", "status", "due_at")),
        "responsible_shown",
    )
    list_filter = (
        ("status", titled(ChoicesFieldListFilter, "status")),
        ("responsible", titled(ChoicesFieldListFilter, "ansvarig")),
        ("rule__profile", titled(RelatedOnlyFieldListFilter, "regelprofil")),
    )
    search_fields = ("rule__code", "subject_key")
    list_select_related = ("rule", "rule__profile")
    fields = (*(f"{f}_shown" for f in DUE_ITEM_LABELS), "explanation_text")
    readonly_fields = fields

    @admin.display(description="förklaring")
    def explanation_text(self, item: DueItem) -> str:
        return (item.explanation or {}).get("text", "")

    def may_add(self, request):
        return False

    def may_change(self, request, obj=None):
        return False

    def may_delete(self, request, obj=None):
        return False
