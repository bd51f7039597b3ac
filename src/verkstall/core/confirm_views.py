"""One confirmation step before an action that cannot be undone (issue 17 item 3; GOV.UK's
"check your answers"): send, end and cancel an order, assign a provider by rotation.

The screen's button posts its form as before. A POST without the explicit confirmation field
does not act: it renders a page "Kontrollera innan du ..." that says in plain Swedish what will
happen, with "Bekräfta" (the same POST with the field, which acts) and "Tillbaka" (the same POST
marked back, which shows the form again with what was typed). So a double-click on the screen's
button or a replayed form without the field never acts; only the confirmed POST does.

The view says what happens (`Confirmation`); `confirm_first` is the one flow and
`core/confirm.html` the one page, used by every action that asks first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

#: The field the performing POST carries (Bekräfta), and its value.
CONFIRM_FIELD = "confirmed"
CONFIRM_VALUE = "yes"
#: The field of "Tillbaka": back to the form with what was typed.
BACK_FIELD = "back"
_CONTROL_FIELDS = frozenset({CONFIRM_FIELD, BACK_FIELD, "csrfmiddlewaretoken"})


@dataclass(frozen=True)
class Confirmation:
    """What the confirmation page says.

    `doing`: what the user is about to do, completing "Kontrollera innan du ..." (the page's
    heading and title, so name the object: "skickar beställning #12"). `facts`: the summary
    list, (term, value) with a value that is a text or a list of lines. `consequences`: what
    happens when the user confirms, one sentence each. `hidden`: fields the confirmed POST
    carries besides what was typed (a value the view checks again when it acts). `danger`:
    Bekräfta is drawn as a destructive button. `notice`: a warning above the facts.
    """

    doing: str
    facts: Sequence[tuple[str, object]]
    consequences: Sequence[str]
    hidden: dict[str, str] = field(default_factory=dict)
    danger: bool = False
    notice: str = ""


def is_confirmed(request) -> bool:
    """Does this POST carry the explicit confirmation (Bekräfta)?"""
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == CONFIRM_VALUE


def is_going_back(request) -> bool:
    """Was "Tillbaka" pressed on the confirmation page?"""
    return request.method == "POST" and BACK_FIELD in request.POST and not is_confirmed(request)


def typed_values(request, skip: Iterable[str] = ()) -> list[tuple[str, str]]:
    """What the user typed in the form that was posted, as (name, value) pairs in order (a
    field with several values gives several pairs), without the page's own control fields."""
    leave_out = _CONTROL_FIELDS | set(skip)
    return [
        (name, value)
        for name, values in request.POST.lists()
        if name not in leave_out
        for value in values
    ]


def _lines(value) -> list[str]:
    if value is None or value == "":
        return ["–"]
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value] or ["–"]
    return [str(value)]


def render_confirmation(request, confirmation: Confirmation, *, status: int = 200) -> HttpResponse:
    """The page "Kontrollera innan du ...": an <h1> and a title of its own, the facts as a
    summary list (<dl>), what will happen, and a form that posts what was typed back to the
    same address with "Bekräfta" or "Tillbaka" (both real buttons)."""
    hidden = typed_values(request, skip=confirmation.hidden) + list(confirmation.hidden.items())
    heading = _("Kontrollera innan du %(doing)s") % {"doing": confirmation.doing}
    return render(
        request,
        "core/confirm.html",
        {
            "heading": heading,
            "facts": [(term, _lines(value)) for term, value in confirmation.facts],
            "consequences": confirmation.consequences,
            "hidden": hidden,
            "action_url": request.path,
            "danger": confirmation.danger,
            "notice": confirmation.notice,
            "confirm_field": CONFIRM_FIELD,
            "confirm_value": CONFIRM_VALUE,
            "back_field": BACK_FIELD,
        },
        status=status,
    )


def confirm_first(
    request,
    *,
    confirmation: Callable[[], Confirmation | HttpResponse],
    back: Callable[[], HttpResponse],
) -> HttpResponse | None:
    """The step before an action that asks first: None when the POST is confirmed (the view
    acts now); `back()` when "Tillbaka" was pressed; otherwise the confirmation page of
    `confirmation()`, or the response it gives instead (the form's errors, a refusal: an action
    that cannot be done is refused before anyone is asked to confirm it)."""
    if is_confirmed(request):
        return None
    if is_going_back(request):
        return back()
    answer = confirmation()
    if isinstance(answer, HttpResponse):
        return answer
    return render_confirmation(request, answer)
