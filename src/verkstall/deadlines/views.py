"""Screens for watchlists (*bevakning*, SPEC R11): the list for the user's scope with its
filters and counts, and one due item that explains itself (R11.2)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from verkstall.core.errors import PermissionDenied
from verkstall.decisions.selectors import service_types

from . import selectors
from .rules import EVENT_LABELS

SCOPE_TAB_LABELS = {
    selectors.MINE: _("Mina bevakningar"),
    selectors.UNIT: _("Enhetens bevakningar"),
    selectors.PROVIDER: _("Hela utföraren"),
    selectors.PROVIDER_UNIT: _("Min enhet"),
    selectors.ROLE: _("Min funktion"),
}

ALL = [("", _("Alla"))]

# Events that are dates, stored as the start of their day: shown without a time of day.
WHOLE_DAY_EVENTS = frozenset({"decision.granted", "order.started", "order.ended"})


class WatchlistFilterForm(forms.Form):
    """The filters of a watchlist (regel, insats, klient, ansvarig). All optional."""

    rule = forms.ChoiceField(label=_("Regel"), required=False)
    service_type = forms.ChoiceField(label=_("Insats"), required=False)
    person = forms.ChoiceField(label=_("Klient"), required=False)
    responsible_user = forms.ChoiceField(label=_("Ansvarig handläggare"), required=False)

    def __init__(self, *args, user, scope, **kwargs):
        super().__init__(*args, **kwargs)
        choices = selectors.filter_choices(user, scope)
        self.fields["rule"].choices = ALL + choices["rules"]
        self.fields["service_type"].choices = ALL + [(t.code, t.name) for t in service_types()]
        self.fields["person"].choices = ALL + selectors.person_choices(user, scope)
        if choices["officers"]:
            self.fields["responsible_user"].choices = ALL + choices["officers"]
        else:
            del self.fields["responsible_user"]

    def filters(self) -> dict:
        """The valid, non-empty filters; a stale choice is shown as an error and ignored."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


@login_required
def watchlist(request):
    user = request.user
    scopes = selectors.scopes_for(user)
    if not scopes:
        raise PermissionDenied(gettext("Din roll har ingen bevakningslista."))
    scope = request.GET.get("scope") or scopes[0]
    if scope not in selectors.SCOPES:
        scope = scopes[0]
    form = WatchlistFilterForm(request.GET or None, user=user, scope=scope)
    wl = selectors.watchlist(user, scope, **form.filters())
    return render(
        request,
        "deadlines/watchlist.html",
        {
            "watchlist": wl,
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
