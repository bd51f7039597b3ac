"""Shared screen plumbing: the start page, and one mapping of domain errors to pages and forms."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.defaults import page_not_found

from .errors import DomainError, NotFound, PermissionDenied, ValidationFailed


class DomainErrorMiddleware:
    """A NotFound from a selector is a 404 page and a PermissionDenied a 403 page, everywhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotFound):
            raise Http404(exception.message)
        if isinstance(exception, PermissionDenied):
            return render(request, "403.html", {"message": exception.message}, status=403)
        return None


def reply_form(form_class, on_behalf: bool, data=None):
    """A provider-side form; "how did the reply come in" (`channel`) only when the municipality
    registers it on behalf of a provider that is not connected (R3.3)."""
    form = form_class(data)
    if not on_behalf:
        form.fields.pop("channel", None)
    return form


def form_errors_from(form, exc: DomainError) -> None:
    """Put a service's errors on the form: on the field it names, else on the whole form."""
    if isinstance(exc, ValidationFailed):
        for field, messages in exc.errors.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        form.add_error(None, exc.message)


@login_required
def home(request):
    user = request.user
    if user.is_officer:
        from verkstall.orders.views import officer_start

        return officer_start(request)
    if user.is_provider_user:
        return redirect("provider-inbox")
    if user.role == "fee_officer":
        return redirect("order-list")
    if user.role in ("placement_unit", "aids_centre"):
        return redirect("watchlist")
    if user.role == "lov_admin":
        return redirect("contract-list")
    if user.role == "log_reviewer":
        return redirect("log-review")
    return render(request, "core/home_other.html")


def not_found(request, exception=None):
    """handler404: under /api/ the API's JSON error (an id the router does not take, such as
    `/api/orders/1.5/`, was an HTML page, found by tests/test_schemathesis.py); the page
    elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(NotFound().as_dict(), status=404)
    return page_not_found(request, exception)
