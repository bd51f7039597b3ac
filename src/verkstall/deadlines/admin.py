"""Rule profiles in the Django admin, for the LOV administrator (SPEC "Actors", R11.1).

A rule is changed only through `services.update_rule`, so every change of its timing raises
its version and keeps the old rule as a revision; versions and revisions are shown read-only.
Due items are computed by the engine and only shown here, never added, changed or deleted.

Who may use these pages follows the roles, not Django's per-model permissions, which the
project does not grant, and is scoped like every screen (access/admin.py, issue 11, R11.3): the
LOV administrator reads the rule profile their municipality uses, with its rules, and changes
it only if no other municipality uses it too; a shared profile is changed by the system
administrator (the superuser), who sees every profile. Due items are about clients, not rules:
only the system administrator reads them here, and nobody changes them.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Case, Value, When
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils.html import format_html

from verkstall.access.admin import ScopedAdminMixin, ScopedInlineMixin, sees_all
from verkstall.access.roles import Role
from verkstall.core.errors import DomainError, ValidationFailed
from verkstall.decisions.catalogue import KIND_LABELS
from verkstall.decisions.selectors import service_types

from . import selectors, services
from .models import DueItem, Rule, RuleProfile, RuleRevision
from .rules import EVENT_LABELS

EVENT_CHOICES = [(code, f"{label} ({code})") for code, label in EVENT_LABELS.items()]
KIND_CHOICES = [(kind.value, label) for kind, label in KIND_LABELS.items()]


class ProfileScopedAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Rows of a rule profile: the LOV administrator reads their municipality's profile and
    changes it where it is their own (deadlines.selectors.profile_scope, own_profile_scope)."""

    admin_roles = frozenset({Role.LOV_ADMIN})
    municipality_field = None
    profile_path = ""  # the path from the model to its profile

    def scope(self, request):
        return selectors.profile_scope(request.user, self.profile_path)

    def writable_scope(self, request):
        return selectors.own_profile_scope(request.user, self.profile_path)

    def may_delete(self, request, obj=None):
        return False  # a rule's due items and revisions are history


class RuleForm(forms.ModelForm):
    """The events and service kinds as choices rather than raw JSON, and the whole rule
    checked the way the engine will read it (services.check_rule)."""

    start_event = forms.ChoiceField(label="startar vid", choices=EVENT_CHOICES)
    stop_events = forms.MultipleChoiceField(
        label="klar vid", choices=EVENT_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    service_kinds = forms.MultipleChoiceField(
        label="insatsslag",
        choices=KIND_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tomt tillsammans med insatstyper: regeln gäller alla insatser.",
    )
    service_types = forms.MultipleChoiceField(
        label="insatstyper", choices=(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Rule
        fields = (
            "profile",
            "code",
            "name",
            "subject",
            "responsible",
            "start_event",
            "stop_events",
            "amount",
            "unit",
            "count_from_next_day",
            "roll_to_weekday",
            "stop_by",
            "repeats",
            "service_kinds",
            "service_types",
            "source",
            "source_text",
            "on_miss",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(t.code, f"{t.name} ({t.code})") for t in service_types()]
        known = {code for code, _ in choices}
        for code in self.initial.get("service_types") or ():
            if code not in known:  # keep a code the catalogue no longer lists
                choices.append((code, code))
        self.fields["service_types"].choices = choices

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        values = self.instance.as_dict() if self.instance.pk else {}
        values.update({k: v for k, v in data.items() if k in Rule().as_dict()})
        values["unit"] = values.get("unit") or None
        try:
            services.check_rule(values)
        except ValidationFailed as exc:
            for field, msgs in exc.errors.items():
                target = field if field in self.fields else None
                for msg in msgs:
                    self.add_error(target, msg)
        return data


class ReadOnlyInline(ScopedInlineMixin, admin.TabularInline):
    """An inline the rule editors may read (where they may read its parent), never change."""


class RuleRevisionInline(ReadOnlyInline):
    model = RuleRevision
    fields = ("version", "changed_at", "changed_by_name", "snapshot")
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

    @admin.display(description="ändrad av")
    def changed_by_name(self, revision: RuleRevision) -> str:
        return getattr(revision, "changed_by_label", "")


@admin.register(Rule)
class RuleAdmin(ProfileScopedAdmin):
    form = RuleForm
    profile_path = "profile__"
    list_display = ("code", "name", "profile", "subject", "length", "responsible", "version")
    list_filter = ("profile", "subject", "responsible")
    search_fields = ("code", "name", "source")
    readonly_fields = ("version", "updated_at")
    inlines = [RuleRevisionInline]
    fieldsets = (
        (None, {"fields": ("profile", "code", "name", "subject", "responsible")}),
        (
            "Frist",
            {
                "fields": (
                    "start_event",
                    "stop_events",
                    "amount",
                    "unit",
                    "count_from_next_day",
                    "roll_to_weekday",
                    "stop_by",
                    "repeats",
                )
            },
        ),
        ("Gäller", {"fields": ("service_kinds", "service_types")}),
        ("Källa", {"fields": ("source", "source_text", "on_miss")}),
        ("Version", {"fields": ("version", "updated_at")}),
    )

    @admin.display(description="frist")
    def length(self, rule: Rule) -> str:
        return rule.spec().length_text()

    def get_readonly_fields(self, request, obj=None):
        # A rule stays in its profile: due items and revisions refer to it there.
        return (*self.readonly_fields, "profile") if obj is not None else self.readonly_fields

    def may_add(self, request):
        """Into a profile the user may change (the form's drop-down lists only those)."""
        profiles = self.admin_site.get_model_admin(RuleProfile)
        return profiles.writable_queryset(request).exists()

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        # No "changed successfully" after a change the service refused.
        if getattr(request, "_rule_change_refused", False) and level == messages.SUCCESS:
            return
        super().message_user(request, message, level, *args, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
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


class RuleInline(ReadOnlyInline):
    """A profile's rules, read-only: each links to its own page, where it is edited through
    services.update_rule."""

    model = Rule
    fields = ("edit", "name", "subject", "start_event", "length", "responsible", "version")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    @admin.display(description="kod")
    def edit(self, rule: Rule):
        url = reverse("admin:deadlines_rule_change", args=[rule.pk])
        return format_html('<a href="{}">{}</a>', url, rule.code)

    @admin.display(description="frist")
    def length(self, rule: Rule) -> str:
        return rule.spec().length_text()


@admin.register(RuleProfile)
class RuleProfileAdmin(ProfileScopedAdmin):
    list_display = ("slug", "name", "sources", "rule_count")
    search_fields = ("slug", "name")
    inlines = [RuleInline]

    @admin.display(description="regler")
    def rule_count(self, profile: RuleProfile) -> int:
        return profile.rules.count()

    def get_readonly_fields(self, request, obj=None):
        # Municipalities name their profile by its code.
        return ("slug",) if obj is not None else ()

    def may_add(self, request):
        return sees_all(request.user)  # a new profile is no municipality's until one uses it


@admin.register(DueItem)
class DueItemAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Read-only, for the system administrator only: due items are computed by the engine and
    are about clients, which the LOV administrator's work (rules, providers, contracts) does not
    need. The client is shown by id only: a name or personnummer read here would bypass the
    access log (R10.4)."""

    admin_roles = frozenset()

    list_display = ("id", "rule", "subject_key", "cycle", "status", "due_at", "responsible")
    list_filter = ("status", "responsible", "rule__profile")
    search_fields = ("rule__code", "subject_key")
    list_select_related = ("rule", "rule__profile")
    fields = (
        "rule",
        "rule_version",
        "subject_key",
        "cycle",
        "order_id",
        "decision_id",
        "person_id",
        "responsible",
        "start_event",
        "started_at",
        "start_recorded_at",
        "due_date",
        "due_at",
        "status",
        "met_at",
        "explanation_text",
        "updated_at",
    )
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
