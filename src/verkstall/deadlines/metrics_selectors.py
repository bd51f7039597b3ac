"""Reads for the metrics scrape (verkstall/monitoring.py, issue 18 item 3): how many due items
are overdue now, per municipality and responsible party, as figures only (SPEC R11).

One grouped COUNT over the open items whose due moment has passed. "Overdue" is the
watchlists' own rule (watchlist_selectors: open, `due_at` before now; an item "snarast" has no
due moment and is never overdue). The partial index `due_open_by_role` (municipality,
responsible, due_at) WHERE status = 'open' holds exactly the columns asked, so the count reads
the index, not the due items' rows, and closed history never enters it (bench/WATCHLISTS.md).
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count

from verkstall.access.models import Municipality

from .models import DueItem
from .rules import Status


def overdue_counts(now: datetime) -> list[tuple[str, str, int]]:
    """(municipality code, responsible party, number overdue) for every pair with any."""
    rows = (
        DueItem.objects.filter(status=Status.OPEN.value, due_at__lt=now)
        .values("municipality_id", "responsible")
        .annotate(n=Count("*"))  # COUNT(*): the index alone answers
        .order_by()
    )
    counts = [(r["municipality_id"], r["responsible"], r["n"]) for r in rows]
    if not counts:
        return []
    codes = dict(
        Municipality.objects.filter(pk__in={c[0] for c in counts}).values_list("pk", "code")
    )
    return sorted((codes.get(muni, str(muni)), party, n) for muni, party, n in counts)
