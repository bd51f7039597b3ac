"""No dead end after a form's errors (issue 17 item 2).

An action that only takes POST (acknowledge an order, save a plan, answer a follow-up) shows
its form's errors on the page it renders at its own URL. Reloading that page later, opening it
from the history or the address bar is a GET of the action's URL, which Django answers with an
empty 405. `FormPageMiddleware` sends that GET to the page that has the form instead: the view's
own `form_page` (set with the decorator below), else the nearest page above it in the URL
(`/orders/7/acknowledge/` -> `/orders/7/`), which for every action of this project is the page
with its form. The page it sends to is then reached as any other: a user who may not see it
gets its 403 or 404. The redirect is the same whatever the id in the URL, so it tells nobody
whether an object exists (tests/test_idor.py).

The API (`/api/`) and the admin keep Django's 405.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpResponseRedirect
from django.urls import NoReverseMatch, Resolver404, get_script_prefix, resolve, reverse

#: Paths that keep the plain 405: the API answers in JSON, the admin is Django's own.
KEEP_405 = ("/api/", "/admin/")


def form_page(url_name: str, **kwargs_from: str) -> Callable:
    """Name the page a GET of this POST-only view goes to: `url_name`, reversed with the view's
    own URL arguments renamed by `kwargs_from` (`form_page("order-detail", pk="order_pk")`:
    the order page of the URL's `order_pk`). Put it above the other decorators."""

    def decorate(view):
        view.form_page = (url_name, kwargs_from)
        return view

    return decorate


def _declared_page(view, kwargs: dict) -> str | None:
    while view is not None:
        declared = getattr(view, "form_page", None)
        if declared is not None:
            url_name, kwargs_from = declared
            try:
                return reverse(
                    url_name, kwargs={name: kwargs[source] for name, source in kwargs_from.items()}
                )
            except (KeyError, NoReverseMatch):
                return None
        view = getattr(view, "__wrapped__", None)
    return None


def _page_above(path: str) -> str:
    """The nearest path above `path` that is a page of the site; the start page if none is."""
    parts = path.strip("/").split("/")
    while len(parts) > 1:
        parts.pop()
        candidate = "/" + "/".join(parts) + "/"
        try:
            resolve(candidate)
        except Resolver404:
            continue
        return get_script_prefix().rstrip("/") + candidate
    return reverse("home")


def page_for(request) -> str:
    """Where a GET of the POST-only URL of `request` goes."""
    match = request.resolver_match
    if match is not None:
        declared = _declared_page(match.func, match.kwargs)
        if declared:
            return declared
    return _page_above(request.path_info)


class FormPageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.method in ("GET", "HEAD")
            and not request.path_info.startswith(KEEP_405)
            and request.resolver_match is not None
        ):
            redirect = HttpResponseRedirect(page_for(request))
            redirect.form_page_redirect = True  # read by tests/test_idor.py
            return redirect
        return response
