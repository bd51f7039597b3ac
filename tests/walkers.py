"""Walks over the project's own code for the tests that hold every instance to a rule: every
serializer, every form (issue 11: no unscoped related field, no unbounded date field)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import verkstall

# Needs DJANGO_SECRET_KEY at import; its settings are tested on their own.
SKIPPED_MODULES = ("verkstall.settings_production",)


def project_modules():
    """Every module of the package but tests, migrations and the admin modules (the admin's
    forms are the admin's own, scoped by access.admin)."""
    for info in pkgutil.walk_packages(verkstall.__path__, "verkstall."):
        name = info.name
        if ".tests" in name or ".migrations" in name or name in SKIPPED_MODULES:
            continue
        if name.endswith(".admin"):
            continue
        yield importlib.import_module(name)


def project_classes(base) -> list[type]:
    """Every class of the project that subclasses `base`, each once, in name order."""
    found: dict[str, type] = {}
    for module in project_modules():
        for obj in vars(module).values():
            if (
                inspect.isclass(obj)
                and issubclass(obj, base)
                and obj.__module__.startswith("verkstall.")
            ):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return [found[key] for key in sorted(found)]


def writable_serializer_fields(serializer_class, path: str = ""):
    """(where, field) for every field of the serializer that takes input, nested serializers'
    fields included; a list's or a many-relation's child stands for the list."""
    from rest_framework import relations, serializers

    if issubclass(serializer_class, serializers.ModelSerializer) and not hasattr(
        serializer_class, "Meta"
    ):
        return  # an abstract base such as OutputModelSerializer
    for name, field in serializer_class().fields.items():
        where = f"{path}{serializer_class.__module__}.{serializer_class.__name__}.{name}"
        if field.read_only:
            continue
        if isinstance(field, serializers.ListSerializer | serializers.ListField):
            field = field.child
        if isinstance(field, relations.ManyRelatedField):
            field = field.child_relation
        if isinstance(field, serializers.BaseSerializer):
            yield from writable_serializer_fields(type(field), f"{where} -> ")
        else:
            yield where, field
