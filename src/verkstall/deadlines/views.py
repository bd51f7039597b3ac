"""Screens for watchlists (*bevakning*, SPEC R11): the list for the user's scope with its
filters and counts, grouped overdue, today, "snarast", the rest, over the horizon the user
chose (7, 14 or 30 days, remembered in the session; issue 17 item 6), and one due item that
explains itself (R11.2)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from verkstall.core.errors import PermissionDenied, ValidationFailed
from verkstall.decisions.selectors import service_types

from . import selectors
from .rules import EVENT_LABELS
from .watchlist_page_selectors import chosen_client, page_clients, watchlist_page

SCOPE_TAB_LABELS = {
    selectors.MINE: _("Mina bevakningar"),
    selectors.UNIT: _("Enhetens bevakningar"),
    selectors.PROVIDER: _("Hela utföraren"),
    selectors.PROVIDER_UNIT: _("Min enhet"),
    selectors.ROLE: _("Min funktion"),
}

ALL = [("", _("Alla"))]
#: The session key of the horizon the user chose last (issue 17 item 6).
HORIZON_SESSION_KEY = "watchlist_horizon_days"

# Events that are dates, stored as the start of their day: shown without a time of day.
WHOLE_DAY_EVENTS = frozenset({"decision.granted", "order.started", "order.ended"})


class WatchlistFilterForm(forms.Form):
    """The horizon and the filters of a watchlist (regel, insats, klient, ansvarig). All
    optional."""

    horizon = forms.ChoiceField(
        label=_("Visa framåt"),
        choices=[(str(d), format_lazy("{} {}", d, _("dagar"))) for d in selectors.HORIZON_CHOICES],
        required=False,
        error_messages={"invalid_choice": _("Välj 7, 14 eller 30 dagar.")},
    )
    rule = forms.ChoiceField(label=_("Regel"), required=False)
    service_type = forms.ChoiceField(label=_("Insats"), required=False)
    person = forms.ChoiceField(
        label=_("Klient"),
        required=False,
        help_text=_("Klienterna på sidan som visas."),
    )
    responsible_user = forms.ChoiceField(label=_("Ansvarig handläggare"), required=False)

    def __init__(self, *args, user, scope, horizon_days, clients=(), **kwargs):
        """`clients`: the client filter's choices to validate against (the client chosen,
        if it is on the user's list); the page's clients join them once the page is read
        (`offer_clients`)."""
        super().__init__(*args, **kwargs)
        choices = selectors.filter_choices(user, scope)
        self.fields["rule"].choices = ALL + choices["rules"]
        self.fields["service_type"].choices = ALL + [(t.code, t.name) for t in service_types()]
        self.fields["person"].choices = ALL + list(clients)
        if choices["officers"]:
            self.fields["responsible_user"].choices = ALL + choices["officers"]
        else:
            del self.fields["responsible_user"]

    def offer_clients(self, clients) -> None:
        self.fields["person"].choices = ALL + list(clients)

    def filters(self) -> dict:
        """The valid, non-empty filters; a stale choice is shown as an error and ignored."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {
            name: value for name, value in self.cleaned_data.items() if value and name != "horizon"
        }


def _horizon(request) -> int:
    """The days ahead the list shows: a valid choice in the address (then remembered in the
    session), else the one remembered, else HORIZON_DAYS. A value not offered gives the
    default, and the form shows why (issue 17 item 6)."""
    remembered = request.session.get(HORIZON_SESSION_KEY)
    if remembered not in selectors.HORIZON_CHOICES:
        remembered = selectors.HORIZON_DAYS
    asked = request.GET.get("horizon")
    if asked is None or asked == "":
        return remembered
    try:
        days = selectors.horizon_or_error(asked)
    except ValidationFailed:
        return selectors.HORIZON_DAYS
    if days != request.session.get(HORIZON_SESSION_KEY):
        request.session[HORIZON_SESSION_KEY] = days
    return days


@login_required
def watchlist(request):
    user = request.user
    scopes = selectors.scopes_for(user)
    if not scopes:
        raise PermissionDenied(gettext("Din roll har ingen bevakningslista."))
    scope = request.GET.get("scope") or scopes[0]
    if scope not in selectors.SCOPES:
        scope = scopes[0]
    horizon_days = _horizon(request)
    data = None
    if request.GET:
        data = request.GET.copy()
        if not data.get("horizon"):  # a tab or "Rensa filter": the horizon chosen before
            data["horizon"] = str(horizon_days)
    chosen = chosen_client(user, scope, request.GET.get("person"), horizon_days)
    form = WatchlistFilterForm(
        data,
        user=user,
        scope=scope,
        horizon_days=horizon_days,
        clients=chosen,
        initial={"horizon": str(horizon_days)},
    )
    # One page of the grouped list, with every group's count (issue 17 item 5).
    wl = watchlist_page(user, scope, request.GET, horizon_days=horizon_days, **form.filters())
    form.offer_clients(page_clients(wl, chosen))
    return render(
        request,
        "deadlines/watchlist.html",
        {
            "watchlist": wl,
            "paging": wl.paging,
            "form": form,
            "tabs": [(s, SCOPE_TAB_LABELS[s]) for s in scopes],
            "filtered": bool(wl.filters),
        },
    )


@login_required
def due_item_detail(request, pk):
    item = selectors.get_due_item(request.user, pk)
    explanation = item.explanation or {}
    return render(
        request,
        "deadlines/due_item_detail.html",
        {
            "item": item,
            "status": selectors.current_status(item),
            "explanation": explanation,
            "start_label": EVENT_LABELS.get(item.start_event, item.start_event),
            "start_whole_day": item.start_event in WHOLE_DAY_EVENTS,
            "stop_label": EVENT_LABELS.get(explanation.get("stop_event") or "", ""),
        },
    )
