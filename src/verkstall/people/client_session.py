"""What the client screens keep in the user's session (issue 17 item 5), no table of its own:
the clients the user opened last, and the text of the current client search.

The search text is kept here, not in the address: a search is posted (it may be a
personnummer, which never stands in a URL, a browser's history or a proxy's log) and its
results page, with its paging and sorting links, reads it back from the session. The opened
clients are ids only; whoever shows them asks the scope again (people.selectors.recent_persons).
Pure: `session` is anything dict-like (Django's session).
"""

from __future__ import annotations

RECENT_KEY = "recent_clients"
SEARCH_KEY = "client_search"
RECENT_SIZE = 8
# A search text longer than this is cut: no name or number is longer.
MAX_SEARCH_LENGTH = 200


def remember_opened(session, person_id: int) -> None:
    """The client `person_id` was opened: first in the list, once, at most RECENT_SIZE kept."""
    ids = recent_ids(session)
    if ids[:1] == [person_id]:
        return  # already first: no change, so the session is not written again
    ids = [pk for pk in ids if pk != person_id]
    session[RECENT_KEY] = [person_id, *ids][:RECENT_SIZE]


def recent_ids(session) -> list[int]:
    """The ids of the clients opened last, the most recent first."""
    value = session.get(RECENT_KEY) or []
    return [pk for pk in value if isinstance(pk, int) and not isinstance(pk, bool)][:RECENT_SIZE]


def remember_search(session, text: str) -> str:
    """Keep the posted search text (cleared when it is empty); returns what was kept."""
    text = (text or "").strip()[:MAX_SEARCH_LENGTH]
    if text:
        session[SEARCH_KEY] = text
    else:
        session.pop(SEARCH_KEY, None)
    return text


def current_search(session) -> str:
    value = session.get(SEARCH_KEY)
    return value if isinstance(value, str) else ""
