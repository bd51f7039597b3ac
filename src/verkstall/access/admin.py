"""The Django admin scoped like every screen (issue 11, SPEC "Actors", R11.3).

Every ModelAdmin of the project inherits `ScopedAdminMixin` (and every inline
`ScopedInlineMixin`); `unscoped_admins` names any that does not, and
`tests/test_admin_scoping.py` fails on it. What the mixin guarantees, for everyone but the
superuser (the system administrator, who sees everything):

- only active staff of the roles in `admin_roles` reach the model at all, and only with a
  municipality (deny by default: an admin with no roles is the superuser's alone);
- `get_queryset` returns the rows of the user's own municipality (`scope`), so the changelist,
  the change, delete and history pages, the autocomplete answers and the list filters built on
  it never show another municipality's row (another's id gives "does not exist", as a guess
  should);
- each object is checked again in `has_view/change/delete_permission`; rows the municipality
  may read but not own (a rule profile shared with other municipalities, `writable_scope`)
  are read-only;
- every foreign-key and many-to-many drop-down lists only what the user may write: the rows
  the related model's own scoped admin lets the user change, or the related model's rows of
  the user's municipality, or a catalogue shared by all (`shared_models`); anything else is
  empty;
- every related-object list filter lists only objects the user's own rows refer to.

Subclasses narrow what may be done through the hooks `may_add`, `may_change` and
`may_delete`; they do not override the `has_*_permission` methods (the test checks that).
Admins of other packages (auth groups, API tokens, axes, tasks) hold no municipality's data
of their own and are wrapped by `scope_third_party_admins` to be the superuser's only.
"""

from __future__ import annotations

from django.contrib.admin.filters import RelatedFieldListFilter, RelatedOnlyFieldListFilter
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q

from .roles import Role
from .scoping import NOTHING

PERMISSION_METHODS = (
    "has_module_permission",
    "has_view_permission",
    "has_add_permission",
    "has_change_permission",
    "has_delete_permission",
)


def sees_all(user) -> bool:
    """The system administrator: an active superuser of the admin site."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_staff
        and user.is_superuser
    )


def _label(model) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


class _ScopedDropDowns:
    """Every foreign-key and many-to-many drop-down goes through `_scoped_field`."""

    def _scoped_field(self, request, db_field, field):
        raise NotImplementedError

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        return self._scoped_field(request, db_field, field)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        return self._scoped_field(request, db_field, field)


class ScopedAdminMixin(_ScopedDropDowns):
    """Put before `admin.ModelAdmin`: `class XAdmin(ScopedAdminMixin, admin.ModelAdmin)`."""

    # Roles besides the superuser that may use these pages (always with a municipality).
    admin_roles: frozenset[Role] = frozenset()
    # The model's path to its municipality; None: the rows belong to no municipality, so
    # `scope` must be overridden or only the superuser sees them.
    municipality_field: str | None = "municipality"
    # Related models shared by all municipalities (a catalogue) that drop-downs may list
    # unfiltered, as "app_label.modelname".
    shared_models: tuple[str, ...] = ()
    # Also require Django's per-model permissions (for admins of other packages).
    model_permissions = False

    # --- Hooks ------------------------------------------------------------------------------

    def scope(self, request) -> Q:
        """The rows of the user's municipality that the user may read here."""
        if self.municipality_field is None:
            return NOTHING
        return Q(**{self.municipality_field: request.user.municipality_id})

    def writable_scope(self, request) -> Q:
        """The rows of `scope` the user may also change (default: all of them)."""
        return self.scope(request)

    def may_add(self, request) -> bool:
        return True

    def may_change(self, request, obj=None) -> bool:
        return True

    def may_delete(self, request, obj=None) -> bool:
        return True

    # --- The gate ---------------------------------------------------------------------------

    def admits(self, request) -> bool:
        user = request.user
        if sees_all(user):
            return True
        return bool(
            getattr(user, "is_authenticated", False)
            and user.is_active
            and user.is_staff
            and user.municipality_id is not None
            and user.role_enum in self.admin_roles
        )

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if sees_all(request.user):
            return qs
        if not self.admits(request):
            return qs.none()
        return qs.filter(self.scope(request))

    def writable_queryset(self, request):
        """The rows the user may change here: what drop-downs elsewhere may offer."""
        qs = self.get_queryset(request)
        if sees_all(request.user) or not self.admits(request):
            return qs
        return qs.filter(self.writable_scope(request))

    def _holds(self, request, obj, *, writable: bool) -> bool:
        if obj is None or sees_all(request.user):
            return True
        if obj.pk is None:
            return False
        qs = self.writable_queryset(request) if writable else self.get_queryset(request)
        return qs.filter(pk=obj.pk).exists()

    def _django(self, name: str, request, *args) -> bool:
        if not self.model_permissions:
            return True
        return getattr(super(), name)(request, *args)

    # --- Permissions (not to be overridden: narrow with the hooks) --------------------------

    def has_module_permission(self, request):
        return self.admits(request) and self._django("has_module_permission", request)

    def has_view_permission(self, request, obj=None):
        return (
            self.admits(request)
            and self._holds(request, obj, writable=False)
            and self._django("has_view_permission", request, obj)
        )

    def has_add_permission(self, request, *args):
        return (
            self.admits(request)
            and self.may_add(request)
            and self._django("has_add_permission", request, *args)
        )

    def has_change_permission(self, request, obj=None):
        return (
            self.admits(request)
            and self._holds(request, obj, writable=True)
            and self.may_change(request, obj)
            and self._django("has_change_permission", request, obj)
        )

    def has_delete_permission(self, request, obj=None):
        return (
            self.admits(request)
            and self._holds(request, obj, writable=True)
            and self.may_delete(request, obj)
            and self._django("has_delete_permission", request, obj)
        )

    # --- Drop-downs and filters -------------------------------------------------------------

    def scoped_choices(self, request, db_field, queryset):
        """`queryset` (a drop-down's choices) cut to what the user may write."""
        if sees_all(request.user):
            return queryset
        if not self.admits(request):
            return queryset.none()
        related = db_field.remote_field.model
        related_admin = self.admin_site._registry.get(related)
        if isinstance(related_admin, ScopedAdminMixin):
            return queryset.filter(pk__in=related_admin.writable_queryset(request).values("pk"))
        if _label(related) in self.shared_models:
            return queryset
        if _label(related) == "access.municipality":
            return queryset.filter(pk=request.user.municipality_id)
        try:
            related._meta.get_field("municipality")
        except FieldDoesNotExist:
            return queryset.none()  # not declared shared, no municipality: nothing
        return queryset.filter(municipality=request.user.municipality_id)

    def _scoped_field(self, request, db_field, field):
        if field is not None and hasattr(field, "queryset"):
            field.queryset = self.scoped_choices(request, db_field, field.queryset)
        return field

    def get_list_filter(self, request):
        """Every filter on a relation lists only the objects the user's own rows refer to
        (RelatedOnlyFieldListFilter reads `get_queryset`); a plain one lists them all."""
        return [self._scoped_filter(entry) for entry in super().get_list_filter(request)]

    def _scoped_filter(self, entry):
        if isinstance(entry, str):
            try:
                path = get_fields_from_path(self.model, entry)
            except (FieldDoesNotExist, NotRelationField):
                return entry
            return (entry, RelatedOnlyFieldListFilter) if path[-1].is_relation else entry
        if isinstance(entry, tuple | list) and len(entry) == 2:
            name, filter_class = entry
            plain = (
                isinstance(filter_class, type)
                and issubclass(filter_class, RelatedFieldListFilter)
                and not issubclass(filter_class, RelatedOnlyFieldListFilter)
            )
            if plain:
                return (name, RelatedOnlyFieldListFilter)
        return entry


class ScopedInlineMixin(_ScopedDropDowns):
    """Put before an InlineModelAdmin: the inline may be read where its parent object may be
    read, and changed only if it says so (`editable`) and the parent may be changed."""

    editable = False

    def _parent_admin(self):
        return self.admin_site._registry.get(self.parent_model)

    def has_view_permission(self, request, obj=None):
        parent = self._parent_admin()
        return isinstance(parent, ScopedAdminMixin) and parent.has_view_permission(request, obj)

    def _may_write(self, request, obj) -> bool:
        parent = self._parent_admin()
        return (
            self.editable
            and isinstance(parent, ScopedAdminMixin)
            and parent.has_change_permission(request, obj)
        )

    def has_add_permission(self, request, obj=None):
        return self._may_write(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may_write(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_write(request, obj)

    def _scoped_field(self, request, db_field, field):
        parent = self._parent_admin()
        if field is not None and hasattr(field, "queryset"):
            field.queryset = (
                parent.scoped_choices(request, db_field, field.queryset)
                if isinstance(parent, ScopedAdminMixin)
                else field.queryset.none()
            )
        return field


class SuperuserOnlyAdmin(ScopedAdminMixin):
    """For an admin of another package: the superuser's alone, on top of its own rules."""

    admin_roles = frozenset()
    municipality_field = None
    model_permissions = True


def scope_third_party_admins(site) -> None:
    """Re-register every admin that is not the project's own as the superuser's only. Called
    once the admin modules are loaded (AccessConfig.ready); the project's own admins must use
    the mixin themselves."""
    for model, model_admin in list(site._registry.items()):
        admin_class = type(model_admin)
        if isinstance(model_admin, ScopedAdminMixin) or admin_class.__module__.startswith(
            "verkstall."
        ):
            continue
        site.unregister(model)
        name = f"SuperuserOnly{admin_class.__name__}"
        site.register(model, type(name, (SuperuserOnlyAdmin, admin_class), {}))


def unscoped_admins(site) -> list[str]:
    """Every registered admin (and inline) that escapes the scoping, named; [] when none."""
    offenders = []
    for model, model_admin in site._registry.items():
        name = f"{_label(model)} ({type(model_admin).__name__})"
        if not isinstance(model_admin, ScopedAdminMixin):
            offenders.append(f"{name}: no ScopedAdminMixin")
            continue
        for method in PERMISSION_METHODS:
            if getattr(type(model_admin), method) is not getattr(ScopedAdminMixin, method):
                offenders.append(f"{name}: overrides {method}")
        for inline in model_admin.inlines:
            if not issubclass(inline, ScopedInlineMixin):
                offenders.append(f"{name}: inline {inline.__name__} without ScopedInlineMixin")
    return offenders
