"""Deny by default for screens: a view missing from `access.declarations` is refused, and a user
whose role is not declared for a view gets 403 before the view runs (issue 6, SPEC "Actors").

API views are checked per action by `access.permissions.DeclaredAccess`, since the API
authenticates tokens inside DRF, after this middleware."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import declarations


class DeclaredAccessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if declarations.is_api_view(view_func):
            return None
        match = request.resolver_match
        access = declarations.for_view(view_func, match)
        if access is None:
            return _refuse(request, _("Sidan har ingen behörighetsdeklaration och kan inte visas."))
        if access.public or access.url_token:  # a secret in the URL: its view checks it
            return None
        user = request.user
        if not user.is_authenticated:
            if access is declarations.ADMIN_SITE:
                return None  # the admin site shows its own login, for staff only
            return redirect_to_login(request.get_full_path())
        if not declarations.permits(access, user):
            return _refuse(request, _("Din roll har inte tillgång till den här sidan."))
        return None


def _refuse(request, message: str):
    return render(request, "403.html", {"message": message}, status=403)
