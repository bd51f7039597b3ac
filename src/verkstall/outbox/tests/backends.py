"""Mail backends for tests: a server that is down, and one that comes back (issue 18)."""

from __future__ import annotations

import smtplib

from django.core.mail.backends import locmem
from django.core.mail.backends.base import BaseEmailBackend


class DownBackend(BaseEmailBackend):
    """Nobody listens: the connection is refused."""

    calls = 0

    def open(self):
        type(self).calls += 1
        raise ConnectionRefusedError(111, "Connection refused")

    def send_messages(self, messages):
        type(self).calls += 1
        raise ConnectionRefusedError(111, "Connection refused")


class SwitchableBackend(locmem.EmailBackend):
    """locmem's outbox while `up`; while down, the server drops every message."""

    up = False

    def send_messages(self, messages):
        if not type(self).up:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


class RefusingBackend(locmem.EmailBackend):
    """Connects, but reports no message as sent."""

    def send_messages(self, messages):
        return 0
