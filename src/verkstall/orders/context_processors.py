"""Whether the header's client search is shown: the same declaration that lets the user open
the search's results (access.declarations), not a second list of roles in the template."""

from __future__ import annotations

from verkstall.access import declarations

from . import client_search_views


def client_search(request):
    user = getattr(request, "user", None)
    access = declarations.for_view(client_search_views.client_search)
    return {"may_search_clients": access is not None and declarations.permits(access, user)}
