"""A provider's own system taking its orders from Verkställ, with a client generated from the
schema (README "A provider's own system"; issue 20).

It reads the event feed from a cursor, acknowledges every order that was sent to the provider
and registers its start today. Each write carries an Idempotency-Key made of the order and the
step, so a run that is cut off and started again does each step once. It prints one line of
JSON: the cursor to start from next time and what it did.

    VERKSTALL_URL=https://verkstall.example.se VERKSTALL_TOKEN=<API key> \
        python provider_integration.py [cursor]
"""

from __future__ import annotations

import datetime
import json
import os
import sys

from verkstall_api_client import AuthenticatedClient
from verkstall_api_client.api.events import events_list
from verkstall_api_client.api.orders import orders_acknowledge, orders_start
from verkstall_api_client.models import StartRequest
from verkstall_api_client.types import UNSET


def new_orders(client: AuthenticatedClient, cursor: str | None) -> tuple[list[int], str | None]:
    """The orders sent to us since `cursor`, in the order they were sent, and the new cursor."""
    sent: list[int] = []
    while True:
        response = events_list.sync_detailed(client=client, after=cursor or UNSET, limit=100)
        if response.status_code != 200:
            sys.exit(f"feed: HTTP {response.status_code.value}: {response.content!r}")
        page = response.parsed
        sent += [event.order for event in page.results if event.kind.value == "sent"]
        cursor = page.cursor or cursor
        if not page.more:
            return sent, cursor


def take(client: AuthenticatedClient, order: int, today: datetime.date) -> str:
    """Acknowledge the order and register its start; the answer's state."""
    acknowledged = orders_acknowledge.sync_detailed(
        order, client=client, idempotency_key=f"ack-{order}"
    )
    if acknowledged.status_code not in (200, 409):  # 409: acknowledged already, by a person
        sys.exit(f"acknowledge {order}: HTTP {acknowledged.status_code.value}")
    started = orders_start.sync_detailed(
        order,
        client=client,
        body=StartRequest(start_date=today),
        idempotency_key=f"start-{order}",
    )
    if started.status_code != 200:
        sys.exit(f"start {order}: HTTP {started.status_code.value}: {started.content!r}")
    return started.parsed.state.value


def main() -> None:
    client = AuthenticatedClient(
        base_url=os.environ["VERKSTALL_URL"], token=os.environ["VERKSTALL_TOKEN"], prefix="Token"
    )
    cursor = sys.argv[1] if len(sys.argv) > 1 else None
    orders, cursor = new_orders(client, cursor)
    today = datetime.date.today()
    states = {order: take(client, order, today) for order in orders}
    print(json.dumps({"cursor": cursor, "orders": orders, "states": states}))


if __name__ == "__main__":
    main()
