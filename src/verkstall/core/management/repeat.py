"""The loop of the commands that run as services with `--every SECONDS` (deliver_mail,
deliver_webhooks): once without it; with it, again and again, and a database that goes away
(a restart of PostgreSQL) is waited out instead of ending the service (issue 18 item 1)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.db import Error as DatabaseFault
from django.db import close_old_connections, connections

logger = logging.getLogger("verkstall.repeat")


def run(once: Callable[[], None], *, every: float, name: str) -> None:
    """Call `once()`; with `every` > 0, call it again every `every` seconds until stopped."""
    while True:
        if not every:
            once()
            return
        close_old_connections()
        try:
            once()
        except DatabaseFault as exc:
            logger.warning(
                "%s: the database is unreachable (%s); trying again", name, exc.__class__
            )
            connections.close_all()
        time.sleep(every)
