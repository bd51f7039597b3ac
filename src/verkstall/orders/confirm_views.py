"""What the confirmation page says before an order is sent, ended or cancelled (issue 17 item
3; the page and its flow: core/confirm_views.py). Each text says in plain Swedish what will
happen: to whom and by which channel the order goes and that the provider's deadlines start
(R3.1, R3.3), the end date and reason and who is told (R3.9), the reason of a cancellation and
that it cannot be undone."""

from __future__ import annotations

from django.utils.translation import gettext as _

from verkstall.core import clock
from verkstall.core.confirm_views import Confirmation
from verkstall.core.dates import day_text
from verkstall.core.errors import PermissionDenied, ValidationFailed
from verkstall.people.protection_services import require_oral_briefing
from verkstall.providers.models import Channel

from . import services
from .end_services import ALARM_END_NOTE, check_end_date, end_is_told, has_alarm
from .forms import ON_BEHALF_CHOICES
from .models import EndReason, Order
from .selectors import actions_for
from .states import ACTION_LABELS, Action, State

#: The order actions that ask first: what cannot be undone on one click.
CONFIRMED_ACTIONS = frozenset({Action.SEND, Action.END, Action.CANCEL})


def precheck(user, order: Order, action: Action, data: dict) -> None:
    """Refuse, before anyone is asked to confirm, what the service would refuse anyway (a
    DomainError), with the service's own checks: the state table; who may take the action (the
    services' policies, as selectors.actions_for applies them); for a send, the oral briefing
    of a protected client's provider (R10.1); for an end, the end date and the channel of a
    reply registered on a provider's behalf (R3.3, R3.9). The form's own checks came first."""
    services.check_state(order, action)
    if action not in actions_for(user, order):
        raise PermissionDenied(
            _("Du kan inte %(action)s den här beställningen.") % {"action": ACTION_LABELS[action]}
        )
    if action == Action.SEND:
        require_oral_briefing(order)
    elif action == Action.END:
        errors: dict[str, str] = {}
        services.acting(user, order, data.get("channel") or "", errors, "avsluta insatsen")
        check_end_date(order, data.get("end_date"), errors)
        if errors:
            raise ValidationFailed(errors)


def order_confirmation(user, order: Order, action: Action, data: dict) -> Confirmation:
    """The confirmation of `action` on `order` with the form's cleaned `data`."""
    return {
        Action.SEND: _send,
        Action.END: _end,
        Action.CANCEL: _cancel,
    }[action](user, order, data)


def _provider_text(order: Order) -> str:
    unit = order.provider_unit
    return f"{order.provider.name}, {unit.name}" if unit else order.provider.name


def _common_facts(order: Order) -> list[tuple[str, object]]:
    return [
        (_("Klient"), order.person.full_name),
        (_("Beställning"), f"#{order.pk}"),
        (_("Utförare"), _provider_text(order)),
    ]


def _how_it_goes(order: Order) -> str:
    provider = order.provider
    if provider.is_connected or provider.channel == Channel.SYSTEM:
        return _(
            "Beställningen skickas till %(provider)s i systemet; utföraren får ett meddelande "
            "om att den finns att hämta."
        ) % {"provider": _provider_text(order)}
    if provider.channel == Channel.EMAIL:
        return _(
            "%(provider)s är inte ansluten till systemet: beställningen skickas som PDF med "
            "e-post, och avgiftshandläggarna får veta att den gått iväg."
        ) % {"provider": _provider_text(order)}
    if provider.channel == Channel.PERSONAL:
        return _(
            "%(provider)s är inte ansluten till systemet: du lämnar över den utskrivna "
            "beställningen vid personlig kontakt, och avgiftshandläggarna får veta att den "
            "gått iväg."
        ) % {"provider": _provider_text(order)}
    return _(
        "%(provider)s är inte ansluten till systemet: du skriver ut beställningen och skickar "
        "den per %(channel)s, och avgiftshandläggarna får veta att den gått iväg."
    ) % {"provider": _provider_text(order), "channel": provider.get_channel_display().lower()}


def _send(user, order: Order, data: dict) -> Confirmation:
    today = day_text(clock.today())
    return Confirmation(
        doing=_("skickar beställning #%(pk)s") % {"pk": order.pk},
        facts=[
            *_common_facts(order),
            (_("Kanal"), order.provider.get_channel_display()),
            (_("Insatser"), [str(s) for s in order.services.all()]),
            (_("Dateras"), today),
        ],
        consequences=[
            _how_it_goes(order),
            _(
                "Utförarens tidsfrister börjar löpa: kvittens och start räknas från att "
                "beställningen skickas eller kommer fram, enligt kommunens rutin."
            ),
            _(
                "Beställningen dateras i dag (%(today)s). En skickad beställning kan inte tas "
                "tillbaka, bara makuleras med en anledning."
            )
            % {"today": today},
        ],
    )


def _end(user, order: Order, data: dict) -> Confirmation:
    end = day_text(data["end_date"])
    reason = data.get("end_reason") or ""
    channel = data.get("channel") or ""
    facts = [
        *_common_facts(order),
        (_("Slutdatum"), end),
        (_("Orsak till avslut"), EndReason(reason).label if reason else ""),
        (_("Avslutsanteckning"), data.get("note") or ""),
    ]
    if channel:
        facts.append((_("Svaret kom via"), dict(ON_BEHALF_CHOICES).get(channel, channel)))
    consequences = [_("Insatsen avslutas med slutdatum %(end)s.") % {"end": end}]
    _on_behalf, _channel, by_officer = services.acting(user, order, channel, {}, "avsluta")
    if not end_is_told(user, by_officer=by_officer):
        consequences.append(
            _("Avslutet registreras för %(provider)s räkning; ingen får något meddelande.")
            % {"provider": order.provider.name}
        )
    elif by_officer:
        consequences.append(
            _("%(provider)s får ett meddelande om avslutet.") % {"provider": order.provider.name}
        )
    else:
        consequences.append(_("Handläggaren får ett meddelande om avslutet."))
    if services.officer_of_unit(user, order):
        consequences.append(
            _(
                "Slutdatumet förs in i beslutet för beställningens insatser (utom de som "
                "fortsätter på en annan beställning)."
            )
        )
    if has_alarm(order):
        consequences.append(ALARM_END_NOTE)
    consequences.append(
        _(
            "Ett avslut kan inte ångras. Ett felaktigt slutdatum kan korrigeras i efterhand, "
            "med skäl."
        )
    )
    return Confirmation(
        doing=_("avslutar beställning #%(pk)s") % {"pk": order.pk},
        facts=facts,
        consequences=consequences,
        danger=True,
    )


def _cancel(user, order: Order, data: dict) -> Confirmation:
    if order.state == State.DRAFT:
        where = _("Utkastet har inte skickats och går aldrig till utföraren.")
    else:
        where = _(
            "%(provider)s har fått beställningen och ser att den är makulerad; tidsfristerna "
            "för kvittens och start stängs."
        ) % {"provider": order.provider.name}
    return Confirmation(
        doing=_("makulerar beställning #%(pk)s") % {"pk": order.pk},
        facts=[
            *_common_facts(order),
            (_("Status"), order.get_state_display()),
            (_("Anledning"), data["reason"]),
        ],
        consequences=[
            _(
                "Beställningen makuleras. Det går inte att ångra; behövs insatsen ändå görs en "
                "ny beställning."
            ),
            where,
            _("Anledningen sparas i beställningens historik."),
        ],
        danger=True,
    )
