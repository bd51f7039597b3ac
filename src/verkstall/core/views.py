"""Shared screen plumbing: the start page, and one mapping of domain errors to pages and forms."""

from __future__ import annotations

import sys

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse, HttpResponseServerError, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.functional import Promise
from django.views.defaults import page_not_found

from . import hooks
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


def run_form(
    request,
    form,
    action,
    *,
    redirect_to,
    success_message=None,
    render_invalid=None,
    error_message: bool = False,
    on_error=None,
    forbidden_page: bool = False,
):
    """The screens' one step from a form to a service and back: the form's cleaned data go to
    `action(cleaned_data)`, whose refusal lands on the form.

    On success: `success_message` (a text, or a function of the action's result giving a text
    or a `(level, text)` pair) and the redirect `redirect_to` (a URL or URL name, or a function
    of the result giving the response). A DomainError goes onto the form (`form_errors_from`),
    after `on_error(exc)` when given, and with `error_message` into the page's messages too;
    with `forbidden_page` a PermissionDenied is not a form error but the 403 page
    (DomainErrorMiddleware). An invalid or refused form returns `render_invalid()`, or None
    when it is not given, so that the view renders its page with the form's errors.
    """
    if form.is_valid():
        try:
            result = action(form.cleaned_data)
        except DomainError as exc:
            if forbidden_page and isinstance(exc, PermissionDenied):
                raise
            mark_refused(request)
            if on_error is not None:
                on_error(exc)
            form_errors_from(form, exc)
            if error_message:
                flash.error(request, exc.message)
        else:
            message = success_message
            if message is not None and not isinstance(message, (str, Promise)):
                message = message(result)
            if message:
                level, text = message if isinstance(message, tuple) else (flash.SUCCESS, message)
                flash.add_message(request, level, text)
            target = redirect_to(result) if callable(redirect_to) else redirect_to
            return target if isinstance(target, HttpResponseBase) else redirect(target)
    else:
        mark_refused(request)
    return render_invalid() if render_invalid is not None else None


#: Set on a request whose form was refused (invalid, or the service said no), also when the
#: refusal answers with a redirect: a submit-once token is kept only for what was saved.
REFUSED = "verkstall_form_refused"


def mark_refused(request) -> None:
    setattr(request, REFUSED, True)


def was_refused(request) -> bool:
    """Refused by a form (`mark_refused`) or with an error message for the next page."""
    if getattr(request, REFUSED, False):
        return True
    queued = getattr(getattr(request, "_messages", None), "_queued_messages", ())
    return any(message.level >= flash.ERROR for message in queued)


@login_required
def home(request):
    user = request.user
    if user.is_officer:  # the orders app's page, through its hook (core/hooks.py)
        return hooks.call(hooks.OFFICER_START_PAGE, request=request)
    if user.is_provider_user:
        return redirect("provider-inbox")
    if user.role == "fee_officer":  # its fee notices (fees app, R9.3)
        return redirect("fee-notice-inbox")
    if user.role == "aids_centre":  # its alarms to install (alarms app, R4.1)
        return redirect("alarm-inbox")
    if user.role == "placement_unit":  # its queue per home (placements app, R8)
        return redirect("placement-queue")
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


#: The 500 page when even its template cannot be rendered (a broken template or static file).
SERVER_ERROR_FALLBACK = (
    '<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>Något gick fel – '
    "Verkställ</title></head><body><main><h1>Något gick fel</h1><p>Ett oväntat fel inträffade "
    "och det du gjorde kan ha avbrutits. Försök igen om en stund. Om felet finns kvar, kontakta "
    'systemförvaltningen.</p><p><a href="/">Till startsidan</a></p></main></body></html>'
)
SERVER_ERROR_MESSAGE = "Ett oväntat fel inträffade. Försök igen om en stund."
#: The answer while the database cannot be reached (restarted, failed over): 503, not 500.
DATABASE_UNAVAILABLE_MESSAGE = (
    "Databasen går inte att nå just nu. Det du skickade sparades inte; försök igen om en stund."
)
DATABASE_RETRY_AFTER_SECONDS = 5


def _database_unavailable() -> bool:
    """Whether the error being handled is the database connection failing (not a fault in a
    query): Django marks such a connection unusable, and the next request opens a new one."""
    error = sys.exc_info()[1]
    return isinstance(error, OperationalError | InterfaceError)


def server_error(request, template_name: str = "500.html"):
    """handler500: the Swedish page in the site's layout, rendered without the request, so that
    no context processor (the database, the session) runs after something already failed, and
    a fixed Swedish page if even that fails (issue 17 item 9). The API gets its JSON error."""
    if _database_unavailable():
        return _unavailable(request)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": SERVER_ERROR_MESSAGE, "code": "server_error"}, status=500)
    try:
        body = loader.get_template(template_name).render()
    except Exception:  # the last resort: never an error page that fails
        body = SERVER_ERROR_FALLBACK
    return HttpResponseServerError(body)


def _unavailable(request) -> HttpResponse:
    """503 with Retry-After (issue 18 item 1: "requests fail cleanly" while PostgreSQL restarts).
    The write was rolled back with its transaction; an API client retries with its
    Idempotency-Key."""
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": DATABASE_UNAVAILABLE_MESSAGE, "code": "database_unavailable"}, status=503
        )
    else:
        try:
            body = loader.get_template("503.html").render()
        except Exception:  # the last resort: never an error page that fails
            body = SERVER_ERROR_FALLBACK
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    return response
