"""The client search in every page's header, and the clients the user opened last (issue 17
item 5). Beside the client list (orders/person_views.py), under /clients/.

The search is posted and then redirected to its results page (post, redirect, get): the text,
perhaps a personnummer, is kept in the session (people/client_session.py), never in an
address, so it reaches no browser history, proxy log or Referer, and the results page pages
and sorts with ordinary links. The results are the user's scope only (people.selectors), and
each client shown is in the access log as listed (R10.4), as on the client list.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from verkstall.core.paging import paginate
from verkstall.people import client_session
from verkstall.people.selectors import (
    PERSON_SORTING,
    listed_person,
    recent_persons,
    search_persons,
)


@login_required
@require_http_methods(["GET", "POST"])
def client_search(request):
    """POST: keep the search and go to its results. GET: the results of the kept search, a
    page at a time, or the recently opened clients when there is none."""
    if request.method == "POST":
        client_session.remember_search(request.session, request.POST.get("q", ""))
        return redirect("client-search")
    query = client_session.current_search(request.session)
    context = {"query": query}
    if query:
        page = paginate(
            search_persons(request.user, query),
            request.GET,
            sorting=PERSON_SORTING,
            wrap=listed_person,  # a list never shows protected data (R10.5)
        )
        context.update(persons=page, paging=page)
    else:
        context["recent"] = _recent(request)
    return render(request, "people/client_search.html", context)


@login_required
@require_GET
def recent_clients(request):
    """The clients the user opened last that the user may still see: the header's list
    (an htmx partial, loaded when it is opened), or a page of its own without JavaScript."""
    template = "people/_recent_clients.html" if request.htmx else "people/recent_clients.html"
    return render(request, template, {"recent": _recent(request)})


def _recent(request) -> list:
    ids = client_session.recent_ids(request.session)
    return [listed_person(p) for p in recent_persons(request.user, ids)]
