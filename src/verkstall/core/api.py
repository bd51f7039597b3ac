"""API plumbing shared by every app: one mapping from domain errors to responses."""

from __future__ import annotations

from django.http import Http404
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError, NotFound

#: The request header that makes an API write safe to retry (audit/idempotency.py, issue 20).
IDEMPOTENCY_HEADER = "Idempotency-Key"


class OutputModelSerializer(serializers.ModelSerializer):
    """A model as the API answers it: every field read-only.

    Writes go through input serializers of plain ids that the services scope to the acting
    user. A writable related field would carry an unscoped queryset, and the browsable API
    renders that queryset as a drop-down of every row in every municipality (issue 11); a
    read-only one has no queryset at all. `tests/test_serializer_scoping.py` fails on any
    writable related field in the project."""

    def get_extra_kwargs(self):
        extra = super().get_extra_kwargs()
        for name in getattr(self.Meta, "fields", ()):
            if isinstance(name, str):
                extra.setdefault(name, {})["read_only"] = True
        return extra

    def include_extra_kwargs(self, kwargs, extra_kwargs):
        # DRF drops `allow_blank` from a read-only field; the answer can still be "" (a
        # blank choice), and the schema must say so.
        allow_blank = kwargs.get("allow_blank")
        kwargs = super().include_extra_kwargs(kwargs, extra_kwargs)
        if allow_blank is not None:
            kwargs["allow_blank"] = allow_blank
        return kwargs


def flatten_errors(errors, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested field errors as flat keys, the shape services use (`services[0].scope_unit`).

    So a client sees one error shape whether the serializer or the service caught the fault.
    """
    flat: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            key = str(key)
            if not prefix:
                name = key
            elif key.isdigit():
                name = f"{prefix}[{key}]"
            else:
                name = f"{prefix}.{key}"
            flat |= flatten_errors(value, name)
    elif isinstance(errors, list) and all(isinstance(e, str) for e in errors):
        if errors:
            flat[prefix or api_settings.NON_FIELD_ERRORS_KEY] = list(errors)
    elif isinstance(errors, list):
        for i, item in enumerate(errors):
            flat |= flatten_errors(item, f"{prefix}[{i}]")
    else:
        flat[prefix or api_settings.NON_FIELD_ERRORS_KEY] = [errors]
    return flat


def exception_handler(exc, context):
    """400 with field names, 403, 404 and 409 from domain errors; DRF's own handling otherwise."""
    if isinstance(exc, Http404):
        exc = NotFound()
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.status_code)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if response.status_code == status.HTTP_404_NOT_FOUND:
        response.data = NotFound().as_dict()
    elif isinstance(exc, ValidationError) and isinstance(response.data, dict):
        response.data = flatten_errors(response.data)
    return response
