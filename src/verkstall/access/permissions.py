"""Deny by default for the API: an action missing from `access.declarations.API` is refused,
and so is a role the action does not declare (issue 6), and a write with a read-only key."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from . import declarations


class DeclaredAccess(BasePermission):
    message = "Your role may not use this endpoint, or the endpoint declares no access."

    def has_permission(self, request, view) -> bool:
        if getattr(request.auth, "read_only", False) and request.method not in SAFE_METHODS:
            # A key made for reading (issue 20: an API client that may only read).
            self.message = "This API key may only read."
            return False
        access = declarations.for_api(type(view), getattr(view, "action", None))
        if access is None:
            return False
        return declarations.permits(access, request.user)
