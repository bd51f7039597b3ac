"""Rule profiles in the Django admin, for the LOV administrator (SPEC "Actors", R11.1).

A rule is changed only through `services.update_rule`, so every change of its timing raises
its version and keeps the old rule as a revision; versions and revisions are shown read-only.
Due items are computed by the engine and only shown here, never added, changed or deleted.

Who may use these pages follows the roles (LOV administrator, system administrator), as in
`services.update_rule`, not Django's per-model permissions, which the project does not grant.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from verkstall.access.roles import Role
from verkstall.core.errors import DomainError, ValidationFailed
from verkstall.decisions.catalogue import KIND_LABELS
from verkstall.decisions.selectors import service_types

from . import services
from .models import DueItem, Rule, RuleProfile, RuleRevision
from .rules import EVENT_LABELS

RULE_ADMIN_ROLES = (Role.LOV_ADMIN, Role.SYSTEM_ADMIN)
EVENT_CHOICES = [(code, f"{label} ({code})") for code, label in EVENT_LABELS.items()]
KIND_CHOICES = [(kind.value, label) for kind, label in KIND_LABELS.items()]


def may_edit_rules(user) -> bool:
    """Same test as services.update_rule, plus the admin site's own (active staff)."""
    return bool(
        user.is_active
        and user.is_staff
        and (user.is_superuser or getattr(user, "role_enum", None) in RULE_ADMIN_ROLES)
    )


class RoleAdmin(admin.ModelAdmin):
    """Pages open to the LOV administrator and the system administrator."""

    def has_module_permission(self, request):
        return may_edit_rules(request.user)

    def has_view_permission(self, request, obj=None):
        return may_edit_rules(request.user)


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


class ReadOnlyInline(admin.TabularInline):
    """An inline the rule editors may read but never change."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return may_edit_rules(request.user)


class RuleRevisionInline(ReadOnlyInline):
    model = RuleRevision
    fields = ("version", "changed_at", "changed_by", "snapshot")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-version",)
    verbose_name = "tidigare version"
    verbose_name_plural = "tidigare versioner"


@admin.register(Rule)
class RuleAdmin(RoleAdmin):
    form = RuleForm
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

    def has_add_permission(self, request):
        return may_edit_rules(request.user)

    def has_change_permission(self, request, obj=None):
        return may_edit_rules(request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # a rule's due items and revisions are history

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
class RuleProfileAdmin(RoleAdmin):
    list_display = ("slug", "name", "sources", "rule_count")
    search_fields = ("slug", "name")
    inlines = [RuleInline]

    @admin.display(description="regler")
    def rule_count(self, profile: RuleProfile) -> int:
        return profile.rules.count()

    def get_readonly_fields(self, request, obj=None):
        # Municipalities name their profile by its code.
        return ("slug",) if obj is not None else ()

    def has_add_permission(self, request):
        return may_edit_rules(request.user)

    def has_change_permission(self, request, obj=None):
        return may_edit_rules(request.user)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DueItem)
class DueItemAdmin(RoleAdmin):
    """Read-only. The client is shown by id only: a name or personnummer read here would
    bypass the access log (R10.4)."""

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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
