"""How an order's events are told on screen (issue 17 item 10): the channel a reply came in by,
in Swedish, and the note on an event the municipality registered on a provider's behalf."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from verkstall.orders.models import ReplyChannel

register = template.Library()


@register.filter
def channel_label(code: str) -> str:
    """A reply channel's Swedish name ("fax" -> "Fax", "phone" -> "Telefon"); the stored value
    itself if it is not one of the channels, "" for none."""
    if not code:
        return ""
    try:
        return ReplyChannel(code).label
    except ValueError:
        return code


@register.simple_tag
def on_behalf_note(event) -> str:
    """ "registrerat för utförarens räkning (Faxomsorg HB), via fax" for an event registered on
    behalf of a provider not connected (R3.3); without "via" when no channel was recorded; ""
    for the provider's own event."""
    provider = getattr(event, "on_behalf_of", None)
    if provider is None:
        return ""
    channel = channel_label(getattr(event, "channel", ""))
    if channel and event.channel != ReplyChannel.SYSTEM:
        return _("registrerat för utförarens räkning (%(name)s), via %(channel)s") % {
            "name": provider.name,
            "channel": channel.lower(),
        }
    return _("registrerat för utförarens räkning (%(name)s)") % {"name": provider.name}
