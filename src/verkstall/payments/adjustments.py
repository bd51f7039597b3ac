"""Adjustments of closed months (SPEC R9.4): a closed month is never changed; what its
recomputation gives now, minus what was paid for it (the lines of every close concerning it),
becomes adjustment lines in the next open month, marked with the month they concern. Pure
Python, no Django."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace

from .basis import number_text
from .basis_types import ZERO, Line


def adjustments(recomputed: Iterable[Line], paid: Iterable[Line]) -> list[Line]:
    """Adjustment lines for closed months (R9.4): per line key, what the recomputation gives
    now minus what was paid (every close's lines concerning that month). Lines whose amount and
    quantity are unchanged give nothing."""
    now: dict[tuple, list[Line]] = defaultdict(list)
    before: dict[tuple, list[Line]] = defaultdict(list)
    for line in recomputed:
        now[line.key].append(line)
    for line in paid:
        before[line.key].append(line)
    result = []
    for key in sorted(set(now) | set(before), key=lambda k: tuple(str(v) for v in k)):
        new, old = now.get(key, []), before.get(key, [])
        amount = sum((x.amount for x in new), ZERO) - sum((x.amount for x in old), ZERO)
        quantity = sum((x.quantity for x in new), ZERO) - sum((x.quantity for x in old), ZERO)
        if not amount and not quantity:
            continue
        base = (new or old)[0]
        days = sum(x.days for x in new) - sum(x.days for x in old)
        absence_days = sum(x.absence_days for x in new) - sum(x.absence_days for x in old)
        paid_amount = sum((x.amount for x in old), ZERO)
        now_amount = sum((x.amount for x in new), ZERO)
        note = (
            f"Justering för {base.concerns}: {number_text(now_amount)} kr enligt dagens uppgifter, "
            f"{number_text(paid_amount)} kr utbetalt."
        )
        if new:
            note += " " + " ".join(x.note for x in new)
        result.append(
            replace(
                base,
                days=days,
                absence_days=absence_days,
                quantity=quantity,
                amount=amount,
                note=note,
                flag=new[0].flag if new else "",
                adjustment=True,
                services=_union(x.services for x in new + old),
                events=_union(x.events for x in new + old),
                absences=_union(x.absences for x in new + old),
                changes=_union(x.changes for x in new + old),
                performed=_union(x.performed for x in new + old),
            )
        )
    return sorted(result, key=lambda line: line.sort_key)


def _union(groups: Iterable[tuple[int, ...]]) -> tuple[int, ...]:
    return tuple(sorted({i for group in groups for i in group}))
