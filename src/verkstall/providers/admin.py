"""Areas, providers, units and LOV contract lines in the Django admin, for the LOV
administrator (SPEC "Actors": providers, areas, contracts, capacity; R2.1, R2.5).

Every save goes through the services (`services.create_*`/`update_*`), which check the role
and the rules; the forms run the same checks first so that a mistake is shown on the field.
Who may use these pages follows the role (as in deadlines/admin.py), not Django's per-model
permissions; each administrator sees only their own municipality, in every list, page,
drop-down and filter (access/admin.py, issue 11). The system administrator reads every
municipality's rows here but changes none: the services take the LOV administrator's word
only. Nothing is deleted here: a contract line ends by its end date, and providers and areas
are referred to by history.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin

from verkstall.access.admin import ScopedAdminMixin, ScopedInlineMixin
from verkstall.access.roles import Role
from verkstall.core.errors import ValidationFailed

from . import selectors, services
from .models import Area, Contract, Provider, ProviderUnit

#: Swedish labels of the relations whose model fields have none (issue 17 item 9). Given here,
#: in the forms, columns and filters of the admin, rather than as verbose names on the models,
#: which would need a migration for a label.
LABELS = {
    "provider": "utförare",
    "area": "område",
    "service_type": "insatstyp",
    "service_types": "insatstyper",
}


def related_filter(field_name: str):
    """The admin's filter by a relation (only the values in use), titled in Swedish."""

    class Filter(admin.RelatedOnlyFieldListFilter):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = LABELS[field_name]

    return (field_name, Filter)


class TenantForm(forms.ModelForm):
    """A model form that knows who fills it in (set by LovAdmin.get_form)."""

    actor = None

    def _name_free(self, data) -> None:
        name = data.get("name")
        if name and selectors.name_taken(
            self._meta.model, self.actor.municipality_id, name, self.instance.pk
        ):
            self.add_error("name", "Namnet används redan i kommunen.")


class LovAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Open to the LOV administrator, scoped to their municipality, saved by services."""

    admin_roles = frozenset({Role.LOV_ADMIN})
    shared_models = ("decisions.servicetype",)  # the catalogue, shared by all

    def may_add(self, request):
        return services.may_administer_lov(request.user)

    def may_change(self, request, obj=None):
        return services.may_administer_lov(request.user)

    def may_delete(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user
        return form

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and db_field.name in LABELS:
            formfield.label = LABELS[db_field.name].capitalize()
        return formfield

    # The relations as list columns, with Swedish headings (LABELS).
    @admin.display(description=LABELS["provider"], ordering="provider__name")
    def provider_column(self, obj):
        return obj.provider

    @admin.display(description=LABELS["service_type"], ordering="service_type__name")
    def service_type_column(self, obj):
        return obj.service_type

    @admin.display(description=LABELS["area"], ordering="area__name")
    def area_column(self, obj):
        return obj.area

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "provider":
            kwargs["queryset"] = selectors.providers_for(request.user)
        elif db_field.name == "area":
            kwargs["queryset"] = selectors.areas_for(request.user)
        elif db_field.name == "service_type":
            from verkstall.decisions.selectors import service_types

            kwargs["queryset"] = service_types().filter(lov=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        """Relations are saved by the services in save_model; inlines here are read-only."""
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    @staticmethod
    def _changes(form) -> dict:
        return {f: form.cleaned_data[f] for f in form.changed_data if f in form.cleaned_data}

    @staticmethod
    def _adopt(obj, saved) -> None:
        """Let the admin (log entry, redirect) see the row the service saved."""
        obj.pk = saved.pk
        obj.municipality_id = saved.municipality_id


class AreaForm(TenantForm):
    class Meta:
        model = Area
        fields = ("name",)

    def clean(self):
        data = super().clean()
        self._name_free(data)
        return data


@admin.register(Area)
class AreaAdmin(LovAdmin):
    form = AreaForm
    list_display = ("name",)
    search_fields = ("name",)

    def save_model(self, request, obj, form, change):
        if change:
            saved = services.update_area(request.user, obj, name=form.cleaned_data["name"])
        else:
            saved = services.create_area(request.user, name=form.cleaned_data["name"])
        self._adopt(obj, saved)


class ProviderForm(TenantForm):
    class Meta:
        model = Provider
        fields = services.PROVIDER_FIELDS

    def clean(self):
        data = super().clean()
        self._name_free(data)
        return data


class UnitInline(ScopedInlineMixin, admin.TabularInline):
    """A provider's units, read here; each is edited on its own page."""

    model = ProviderUnit
    fields = ("name", "manager_name", "phone", "latitude", "longitude")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Provider)
class ProviderAdmin(LovAdmin):
    form = ProviderForm
    list_display = ("name", "is_connected", "channel", "phone", "email")
    list_filter = ("is_connected", "channel")
    search_fields = ("name", "organisation_number")
    inlines = [UnitInline]

    def save_model(self, request, obj, form, change):
        if change:
            saved = services.update_provider(request.user, obj, **self._changes(form))
        else:
            data = {f: form.cleaned_data[f] for f in services.PROVIDER_FIELDS}
            saved = services.create_provider(request.user, **data)
        self._adopt(obj, saved)


class ProviderUnitForm(TenantForm):
    class Meta:
        model = ProviderUnit
        fields = (*services.UNIT_FIELDS, "service_types")
        widgets = {"service_types": forms.CheckboxSelectMultiple}
        help_texts = {
            "service_types": "Vilka boenden enheten erbjuder (korttidsboende, profilboende: "
            "närhetsprincipen, R2.5).",
            "latitude": "Decimala grader, t.ex. 59.361700.",
        }


@admin.register(ProviderUnit)
class ProviderUnitAdmin(LovAdmin):
    form = ProviderUnitForm
    list_display = ("name", "provider_column", "manager_name", "latitude", "longitude")
    list_filter = (related_filter("provider"),)
    search_fields = ("name", "provider__name")
    list_select_related = ("provider",)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "service_types":
            from verkstall.decisions.selectors import service_types

            kwargs["queryset"] = service_types()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            saved = services.update_provider_unit(request.user, obj, **self._changes(form))
        else:
            data = {f: form.cleaned_data[f] for f in services.UNIT_FIELDS}
            saved = services.create_provider_unit(
                request.user, service_types=list(form.cleaned_data["service_types"]), **data
            )
        self._adopt(obj, saved)


class ContractForm(TenantForm):
    class Meta:
        model = Contract
        fields = services.CONTRACT_FIELDS
        help_texts = {
            "capacity_reason": "Krävs när utföraren inte tar emot nya brukare; visas på "
            "valskärmen (R2.1).",
            "capacity_until": "Sista dagen kapacitetstaket gäller; tomt: tills det hävs.",
        }

    def clean(self):
        """The whole line checked as the service will (services.clean_contract)."""
        data = super().clean()
        if self.errors:
            return data
        try:
            services.clean_contract(self.actor.municipality_id, data, instance=self.instance)
        except ValidationFailed as exc:
            for field, msgs in exc.errors.items():
                for msg in msgs:
                    self.add_error(field if field in self.fields else None, msg)
        return data


@admin.register(Contract)
class ContractAdmin(LovAdmin):
    form = ContractForm
    change_list_template = "providers/contract_admin_change_list.html"
    list_display = (
        "provider_column",
        "service_type_column",
        "area_column",
        "valid_from",
        "valid_to",
        "in_no_choice",
        "accepts_new_clients",
        "capacity_reason",
        "capacity_until",
    )
    list_filter = (
        related_filter("area"),
        related_filter("service_type"),
        related_filter("provider"),
        "accepts_new_clients",
        "in_no_choice",
    )
    search_fields = ("provider__name", "area__name", "service_type__name")
    list_select_related = ("provider", "service_type", "area")
    date_hierarchy = "valid_from"
    fieldsets = (
        (None, {"fields": ("provider", "service_type", "area", "valid_from", "valid_to")}),
        ("Ickeval", {"fields": ("in_no_choice",)}),
        ("Kapacitet", {"fields": ("accepts_new_clients", "capacity_reason", "capacity_until")}),
    )

    def save_model(self, request, obj, form, change):
        if change:
            saved = services.update_contract(request.user, obj, **self._changes(form))
        else:
            data = {f: form.cleaned_data[f] for f in services.CONTRACT_FIELDS}
            saved = services.create_contract(request.user, **data)
        self._adopt(obj, saved)
