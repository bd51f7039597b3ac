"""API plumbing shared by every app: one mapping from domain errors to responses."""

from __future__ import annotations

from django.http import Http404
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError, NotFound


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
    return response
