"""Deny by default for the API: an action missing from `access.declarations.API` is refused,
and so is a role the action does not declare (issue 6)."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from . import declarations


class DeclaredAccess(BasePermission):
    message = "Your role may not use this endpoint, or the endpoint declares no access."

    def has_permission(self, request, view) -> bool:
        access = declarations.for_api(type(view), getattr(view, "action", None))
        if access is None:
            return False
        return declarations.permits(access, request.user)
