"""The new order's form, as `views.order_create` shows it (issue 17 item 4; SPEC R2.1, R2.2,
R2.4, R3.1): the right provider without hunting.

- The provider starts as the one the link names (the choice, rotation and proximity screens
  link here with it), else the client's registered choice or the rotation's assignment
  (providers.offer_selectors.decision_choice), and the form says where it came from.
- The unit list offers only the chosen provider's units. When the provider changes, htmx asks
  this screen for the unit list again (`unit_list`: the list alone, swapped in place); without
  JavaScript the form's "Visa enheterna" button posts the form back as typed, with the new
  provider's units and nothing created (`OrderForm.SHOW_UNITS`). The server checks the unit
  against the provider either way (the form's choices, then services.create_order).
- A provider at its capacity cap is marked in the list and explained before anything is sent.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from verkstall.providers.offer_selectors import caps_for_decision, decision_choice
from verkstall.providers.selectors import providers_for

from .forms import OrderForm, order_form_initial

#: The element htmx swaps when the provider changes (the unit list's id).
UNIT_LIST = "id_provider_unit"


def order_form(request, decision) -> OrderForm:
    """The order form for the decision: bound to a POST that creates the order; unbound, with
    what was typed, for the no-JS "show units" post and for a GET."""
    choice = decision_choice(decision)
    initial = {
        "provider": request.GET.get("provider", "") or (choice.provider_id if choice else ""),
        "provider_unit": request.GET.get("provider_unit", ""),
    }
    data = request.POST if request.method == "POST" else None
    if data is not None and OrderForm.SHOW_UNITS in data:
        initial, data = order_form_initial(data), None
    note = ""
    if choice is not None:
        note = _("Registrerat för klienten %(day)s – %(kind)s: %(name)s.") % {
            "kind": choice.get_kind_display(),
            "day": timezone.localdate(choice.registered_at).isoformat(),
            "name": choice.provider.name,
        }
    return OrderForm(
        data,
        providers=providers_for(request.user),
        decision=decision,
        caps=caps_for_decision(decision),
        note=note,
        units_url=request.path,
        initial=initial,
    )


def unit_list(request, form: OrderForm) -> HttpResponse | None:
    """htmx's request for the unit list of the provider chosen: the list alone; None for any
    other request."""
    htmx = getattr(request, "htmx", None)
    if request.method == "GET" and htmx and htmx.target == UNIT_LIST:
        return HttpResponse(str(form["provider_unit"]))
    return None
