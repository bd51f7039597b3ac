"""The no-choice rotation (ickeval, turvalsprincipen; SPEC R2.4). Pure: no Django import.

When a client does not choose a provider, the providers in the no-choice alternative of the
client's area take turns in alphabetical order, one rotation per area and service kind
(service, omvårdnad, städ ...) [seed 002 "Om brukaren avstår från att välja utförare",
seed 004 "Icke val"]. This module decides whose turn it is; `rotation_services` locks the
rotation's row, asks `assign`, and stores the outcome.

The rules, in the order they are applied:

1. Order. Providers are ordered by `swedish_key` of their name: Swedish collation (a-z, then
   å, ä, ö; v and w are different letters; é sorts as e, ü as y; case does not matter), with
   ties broken by the full name.
2. The cursor. `cursor_key` is the collation key of the provider that had the last regular
   turn ("" before the first assignment). The next regular turn goes to the first provider
   whose key comes *after* the cursor, going round to the start of the alphabet after the
   last one. The cursor is a place in the alphabet, not a provider id, so a provider that
   joins simply takes its alphabetical place (right after the cursor means next), and a
   provider that leaves (or had the last turn and then left) does not break the order.
3. The capacity cap. A provider at its capacity cap (it takes no new clients) is passed over
   and KEEPS its turn: it goes on the `owed` list and the turn moves on to the next provider
   in the order. A provider is owed at most one turn: passing it again while it is still at
   its cap does not add a second one (a provider long at its cap would otherwise, when
   freed, take a run of assignments in a row, which is not a rotation).
4. Owed turns first. Before the cursor moves on, the owed providers are served, in the order
   they were passed over: the first one that is below its cap now gets the assignment and
   leaves the list; the cursor does not move (the regular turns are not used up).
   Owed providers still at their cap are passed over again and stay owed.
5. Leavers. A provider on `owed` that is no longer in the no-choice alternative is dropped.
6. Everyone at the cap. If no provider can take the assignment, nobody gets it, the state is
   unchanged, and the outcome carries a refusal that names who was passed over and why.

Over many assignments with nobody at a cap, every provider gets one turn per round; a
provider passed over is paid back with the first assignment after it is freed
(tests/test_rotation.py checks these with hypothesis).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

# Swedish letters after z. Their stand-ins are the three characters after "z" in ASCII, so
# that plain string comparison of the keys is Swedish order.
_AFTER_Z = {"å": "{", "ä": "|", "ö": "}"}
# Letters that Swedish sorts as another letter (SAOL; the Swedish collation of ICU/CLDR).
_SORTS_AS = {
    "ü": "y",
    "ű": "y",
    "ÿ": "y",
    "æ": "ä",
    "ø": "ö",
    "œ": "ö",
    "ő": "ö",
    "đ": "d",
    "ð": "d",
    "ł": "l",
    "þ": "th",
}
# Between words in the primary key: below every letter and digit, so "Ek Omsorg" < "Ekbacken".
_WORD_BREAK = "!"
# Between the primary key and the tie-breaking full name: below the word break, so that a name
# that is a prefix of another sorts first ("Ek" < "Ek Omsorg").
_TIE_BREAK = " "

# The width of RotationState.cursor_key. A key is cut to it, so that the stored cursor and a
# provider's key always compare alike; only two names that agree in their first hundred or so
# characters could then share a key.
MAX_KEY_LENGTH = 200

REASON_TURN = "Näst på tur i turordningen (bokstavsordning)."
REASON_OWED = (
    "Hade en tur till godo: passerades tidigare när den hade nått sitt kapacitetstak "
    "och behåller sin plats i turordningen."
)
PASSED_AT_CAP = "Har nått sitt kapacitetstak (tar inte emot nya brukare)"
PASSED_STILL_OWED = "har redan en tur till godo"


def _primary_letter(ch: str) -> str:
    """The primary sort letter(s) of one case-folded character ("" for punctuation)."""
    if ch in _AFTER_Z:
        return _AFTER_Z[ch]
    if ch in _SORTS_AS:
        return _AFTER_Z.get(_SORTS_AS[ch], _SORTS_AS[ch])
    # Other accented letters sort as their base letter: é -> e, à -> a, ñ -> n.
    # (The name was NFC-normalised first, so a decomposed "a" + ring is already "å".)
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return "".join(c for c in base.casefold() if c.isalnum())


def swedish_key(name: str) -> str:
    """The collation key of a provider name: compare keys as plain strings for Swedish order.

    Swedish alphabet (a-z, then å, ä, ö; v and w distinct; é as e, ü as y, æ as ä, ø as ö),
    case-insensitive, punctuation ignored, word by word; equal names under these rules are
    ordered by the full name, so two different names never get the same key (up to
    MAX_KEY_LENGTH characters).
    """
    name = unicodedata.normalize("NFC", name or "").strip()
    words = []
    for word in name.casefold().split():
        letters = "".join(_primary_letter(ch) for ch in word)
        if letters:
            words.append(letters)
    return (_WORD_BREAK.join(words) + _TIE_BREAK + name)[:MAX_KEY_LENGTH]


class Candidate(NamedTuple):
    """A provider in the no-choice alternative of one area and service kind."""

    provider_id: int
    name: str
    at_cap: bool
    cap_reason: str = ""


class PassedOver(NamedTuple):
    provider_id: int
    name: str
    reason: str


@dataclass(frozen=True)
class Outcome:
    """What `assign` decided. `chosen` is None when nobody can take it (see `refusal`)."""

    chosen: Candidate | None
    reason: str
    cursor_key: str
    owed: list[int]
    passed_over: list[PassedOver] = field(default_factory=list)
    refusal: str = ""
    from_owed: bool = False


def _candidates(candidates: Iterable[Sequence]) -> list[Candidate]:
    """Normalise to Candidate in rotation order (key, then id so that the order is total)."""
    result = [Candidate(*c) for c in candidates]
    return sorted(result, key=lambda c: (swedish_key(c.name), c.provider_id))


def turn_order(candidates: Iterable[Sequence], cursor_key: str) -> list[Candidate]:
    """The providers in the order of their regular turns, the next one first."""
    ordered = _candidates(candidates)
    after = [c for c in ordered if swedish_key(c.name) > (cursor_key or "")]
    before = [c for c in ordered if swedish_key(c.name) <= (cursor_key or "")]
    return after + before


def _cap_reason(c: Candidate) -> str:
    return f"{PASSED_AT_CAP}: {c.cap_reason}" if c.cap_reason else f"{PASSED_AT_CAP}."


def assign(candidates: Iterable[Sequence], cursor_key: str, owed: Iterable[int] | None) -> Outcome:
    """Whose turn it is: see the module docstring for the rules.

    `candidates` are (provider_id, name, at_cap[, cap_reason]) for the providers in the
    no-choice alternative of one area and service kind; `cursor_key` and `owed` are the
    rotation's stored state. Returns the chosen provider with the reason, the new state and
    who was passed over and why (for the case journal).
    """
    ordered = _candidates(candidates)
    by_id = {c.provider_id: c for c in ordered}
    cursor_key = cursor_key or ""
    # Leavers are dropped; each provider is owed at most one turn.
    still_owed: list[int] = []
    for pid in owed or []:
        if pid in by_id and pid not in still_owed:
            still_owed.append(pid)

    if not ordered:
        return Outcome(
            chosen=None,
            reason="",
            cursor_key=cursor_key,
            owed=still_owed,
            refusal="Det finns ingen utförare i ickevalsalternativet för området och insatsen.",
        )

    passed: list[PassedOver] = []
    # 4. Owed turns first, in the order the providers were passed over.
    for pid in still_owed:
        c = by_id[pid]
        if c.at_cap:
            passed.append(
                PassedOver(pid, c.name, f"{_cap_reason(c).rstrip('.')}; {PASSED_STILL_OWED}.")
            )
            continue
        return Outcome(
            chosen=c,
            reason=REASON_OWED,
            cursor_key=cursor_key,
            owed=[p for p in still_owed if p != pid],
            passed_over=passed,
            from_owed=True,
        )

    # 2-3. The regular turn, from the cursor, once round.
    new_owed = list(still_owed)
    for c in turn_order(ordered, cursor_key):
        if c.at_cap:
            if c.provider_id not in still_owed:  # already listed above when owed
                passed.append(PassedOver(c.provider_id, c.name, _cap_reason(c)))
            if c.provider_id not in new_owed:
                new_owed.append(c.provider_id)
            continue
        reason = REASON_TURN
        if passed:
            names = ", ".join(p.name for p in passed)
            reason = f"{REASON_TURN[:-1]}, efter att {names} passerats (kapacitetstak)."
        return Outcome(
            chosen=c,
            reason=reason,
            cursor_key=swedish_key(c.name),
            owed=new_owed,
            passed_over=passed,
        )

    # 6. Everyone is at the cap: nobody gets it and nothing changes.
    names = "; ".join(f"{p.name} ({p.reason.rstrip('.')})" for p in passed)
    return Outcome(
        chosen=None,
        reason="",
        cursor_key=cursor_key,
        owed=still_owed,
        passed_over=passed,
        refusal=(
            "Ingen utförare i ickevalsalternativet kan ta emot nya brukare just nu, så "
            f"uppdraget kan inte tilldelas enligt turordningen. Passerade: {names}."
        ),
    )
