"""The no-choice rotation's rules (SPEC R2.4), pure: no Django, no database.

Examples first (Swedish order, Scenario 2 of SCENARIOS.md), then hypothesis properties over
long runs of assignments: fair turns, nobody at the cap assigned, owed turns paid back.
"""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verkstall.providers.rotation import (
    MAX_KEY_LENGTH,
    Candidate,
    assign,
    swedish_key,
    turn_order,
)

# --- Swedish collation ------------------------------------------------------------------------


def swedish_sorted(names):
    return sorted(names, key=swedish_key)


def test_swedish_alphabet_puts_a_ring_a_umlaut_o_umlaut_after_z():  # R2.4 [002]
    names = ["Ödets Omsorg", "Ängens Omsorg", "Åkerns Vård", "Zeta Omsorg", "Björkens Hemtjänst"]
    assert swedish_sorted(names) == [
        "Björkens Hemtjänst",
        "Zeta Omsorg",
        "Åkerns Vård",
        "Ängens Omsorg",
        "Ödets Omsorg",
    ]


def test_v_and_w_are_different_letters():  # R2.4
    # If v and w were one letter (the old rule) "Wa" would come before "Vz".
    assert swedish_sorted(["Wallins Omsorg", "Vz Omsorg", "Vallins Omsorg"]) == [
        "Vallins Omsorg",
        "Vz Omsorg",
        "Wallins Omsorg",
    ]


def test_accented_letters_sort_as_their_swedish_letter():  # R2.4
    assert swedish_key("Éns").split(" ")[0] == swedish_key("Ens").split(" ")[0]
    # ü is y in Swedish: after x, before z; æ is ä and ø is ö.
    assert swedish_sorted(["Zorro", "Über", "Xylo", "Ybar", "Yngve"]) == [
        "Xylo",
        "Ybar",
        "Über",
        "Yngve",
        "Zorro",
    ]
    assert swedish_sorted(["Øst", "Ære", "Åby"]) == ["Åby", "Ære", "Øst"]


def test_case_does_not_matter_and_ties_are_broken_by_the_full_name():  # R2.4
    assert swedish_sorted(["ängens omsorg", "Björkens", "Ängens Omsorg"]) == [
        "Björkens",
        "Ängens Omsorg",
        "ängens omsorg",
    ]
    assert swedish_key("Ängens Omsorg") != swedish_key("ängens omsorg")
    assert swedish_sorted(["Cafe Omsorg", "Café Omsorg"]) == ["Cafe Omsorg", "Café Omsorg"]


def test_words_are_compared_one_by_one_and_punctuation_is_ignored():  # R2.4
    assert swedish_sorted(["Ekbacken", "Ek Omsorg", "Ek"]) == ["Ek", "Ek Omsorg", "Ekbacken"]
    assert swedish_sorted(["Städ & Service HB", "Städ-Tjänst"]) == [
        "Städ & Service HB",
        "Städ-Tjänst",
    ]


def test_decomposed_unicode_sorts_like_composed():  # R2.4
    decomposed = "A\u030angens"  # A + combining ring above = Å
    assert swedish_key(decomposed) == swedish_key("Ångens")


def test_keys_fit_the_stored_cursor_and_keep_their_order():  # R2.4
    long_a, long_b = "Å" + "x" * 159, "B" + "y" * 159  # Provider.name is at most 160
    assert len(swedish_key(long_a)) == MAX_KEY_LENGTH == len(swedish_key(long_b))
    assert swedish_key(long_b) < swedish_key(long_a)
    out = assign([(1, long_a, False), (2, long_b, False)], swedish_key(long_b), [])
    assert out.chosen.provider_id == 1


names = st.text(
    alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyzåäöéüÅÄÖÉÜ ABCVW-&.")),
    min_size=1,
    max_size=24,
).filter(lambda s: s.strip())


@given(st.lists(names, min_size=2, max_size=8, unique=True))
def test_different_names_never_share_a_key(names_):  # R2.4: the cursor identifies a place
    names_ = list({n.strip(): None for n in names_})
    keys = [swedish_key(n) for n in names_]
    assert len(set(keys)) == len(keys)


@given(names, names)
def test_order_ignores_case_at_the_first_level(a, b):  # R2.4
    base_a, base_b = swedish_key(a).split(" ")[0], swedish_key(b).split(" ")[0]
    assert swedish_key(a.upper()).split(" ")[0] == swedish_key(a.lower()).split(" ")[0]
    if base_a < base_b:
        assert swedish_key(a) < swedish_key(b)


# --- the rotation, examples -------------------------------------------------------------------

BJ, CE, AN = 1, 2, 3
BJORKENS = (BJ, "Björkens Hemtjänst", False)
CEDERNS = (CE, "Cederns Omsorg", False)
ANGENS = (AN, "Ängens Omsorg", False)


def at_cap(c, reason=""):
    return Candidate(c[0], c[1], True, reason)


def test_first_assignment_goes_to_the_first_in_alphabetical_order():  # R2.4 [002]
    out = assign([ANGENS, BJORKENS], "", [])
    assert out.chosen.provider_id == BJ
    assert out.cursor_key == swedish_key("Björkens Hemtjänst")
    assert out.owed == [] and out.passed_over == []


def test_scenario_2_provider_at_cap_is_passed_over_and_keeps_its_turn():  # R2.4, story 2
    cursor = swedish_key("Björkens Hemtjänst")  # Björkens had the last turn: Ängens is next
    out = assign([BJORKENS, at_cap(ANGENS, "Kapacitetstak nått")], cursor, [])
    assert out.chosen.provider_id == BJ
    assert [(p.provider_id, p.name) for p in out.passed_over] == [(AN, "Ängens Omsorg")]
    assert "kapacitetstak" in out.passed_over[0].reason.lower()
    assert "Kapacitetstak nått" in out.passed_over[0].reason
    assert "Ängens Omsorg passerats" in out.reason
    assert out.owed == [AN]
    # Freed: Ängens gets the next one, and the regular turn does not move.
    freed = assign([BJORKENS, ANGENS], out.cursor_key, out.owed)
    assert freed.chosen.provider_id == AN and freed.from_owed
    assert freed.owed == [] and freed.cursor_key == out.cursor_key
    assert "till godo" in freed.reason


def test_provider_that_joins_takes_its_alphabetical_place():  # R2.4
    cursor = swedish_key("Björkens Hemtjänst")
    out = assign([BJORKENS, CEDERNS, ANGENS], cursor, [])
    assert out.chosen.provider_id == CE
    assert assign([BJORKENS, CEDERNS, ANGENS], out.cursor_key, []).chosen.provider_id == AN


def test_provider_that_leaves_is_dropped_from_owed_and_the_turn_goes_on():  # R2.4
    cursor = swedish_key("Cederns Omsorg")  # Cederns had the last turn and then left
    out = assign([BJORKENS, ANGENS], cursor, [CE])
    assert out.chosen.provider_id == AN and out.owed == []


def test_owed_providers_are_served_in_the_order_they_were_passed_over():  # R2.4
    out = assign([BJORKENS, CEDERNS, ANGENS], "", [AN, CE])
    assert out.chosen.provider_id == AN and out.owed == [CE]
    out = assign([BJORKENS, CEDERNS, at_cap(ANGENS)], "", [AN, CE])
    assert out.chosen.provider_id == CE and out.owed == [AN]
    assert [p.provider_id for p in out.passed_over] == [AN]


def test_a_provider_is_owed_at_most_one_turn():  # R2.4
    cands = [BJORKENS, at_cap(ANGENS)]
    state = ("", [])
    for _ in range(5):
        out = assign(cands, *state)
        state = (out.cursor_key, out.owed)
        assert out.chosen.provider_id == BJ
    assert state[1] == [AN]
    assert [p.provider_id for p in out.passed_over] == [AN]  # listed once per assignment


def test_everyone_at_cap_is_a_clear_refusal_and_changes_nothing():  # R2.4
    cursor = swedish_key("Björkens Hemtjänst")
    out = assign([at_cap(BJORKENS, "Fullt"), at_cap(ANGENS)], cursor, [BJ])
    assert out.chosen is None
    assert out.cursor_key == cursor and out.owed == [BJ]
    assert "Ingen utförare" in out.refusal and "Björkens Hemtjänst" in out.refusal
    assert {p.provider_id for p in out.passed_over} == {BJ, AN}


def test_no_providers_at_all_is_a_refusal():  # R2.4
    out = assign([], "", [])
    assert out.chosen is None and "ingen utförare" in out.refusal.lower()


def test_turn_order_starts_after_the_cursor_and_goes_round():  # R2.4
    order = turn_order([ANGENS, CEDERNS, BJORKENS], swedish_key("Cederns Omsorg"))
    assert [c.provider_id for c in order] == [AN, BJ, CE]


def test_input_order_does_not_matter():  # R2.4
    a = assign([ANGENS, CEDERNS, BJORKENS], swedish_key("Björkens Hemtjänst"), [])
    b = assign([BJORKENS, ANGENS, CEDERNS], swedish_key("Björkens Hemtjänst"), [])
    assert a == b


# --- the rotation, properties -----------------------------------------------------------------

provider_names = st.lists(names, min_size=1, max_size=7, unique_by=lambda n: swedish_key(n))


def _providers(names_):
    return [(i + 1, n, False) for i, n in enumerate(names_)]


def _run(cands_per_step, cursor="", owed=None):
    """Assign once per step; each step's candidates may differ (caps, joins, leaves)."""
    owed = list(owed or [])
    outcomes = []
    for cands in cands_per_step:
        out = assign(cands, cursor, owed)
        if out.chosen is not None:
            cursor, owed = out.cursor_key, out.owed
        outcomes.append((cands, out))
    return outcomes


@settings(max_examples=200, deadline=None)
@given(provider_names, st.integers(1, 60), st.integers(0, 10))
def test_with_nobody_at_cap_everyone_gets_a_turn_within_one_round(names_, n, start):  # R2.4
    providers = _providers(names_)
    start_cursor = swedish_key(sorted(names_, key=swedish_key)[start % len(names_)])
    chosen = [out.chosen.provider_id for _, out in _run([providers] * n, start_cursor)]
    counts = Counter(chosen)
    assert max(counts.values()) - min(counts.get(p[0], 0) for p in providers) <= 1
    # Every window of one round holds every provider once.
    k = len(providers)
    for i in range(len(chosen) - k + 1):
        assert sorted(chosen[i : i + k]) == sorted(p[0] for p in providers)
    # And the round is in Swedish alphabetical order.
    first_round = chosen[:k]
    by_name = {p[0]: p[1] for p in providers}
    if len(first_round) == k:
        i = first_round.index(min(first_round, key=lambda pid: swedish_key(by_name[pid])))
        assert [swedish_key(by_name[p]) for p in first_round[i:] + first_round[:i]] == sorted(
            swedish_key(n) for n in names_
        )


caps = st.lists(st.booleans(), min_size=7, max_size=7)


def _capped(providers, cap_steps):
    """One list of candidates per step, with that step's caps."""
    return [[(p, n, cap[i]) for i, (p, n, _) in enumerate(providers)] for cap in cap_steps]


@settings(max_examples=200, deadline=None)
@given(provider_names, st.lists(caps, min_size=1, max_size=40))
def test_a_provider_at_cap_never_gets_an_assignment(names_, cap_steps):  # R2.4
    steps = _capped(_providers(names_), cap_steps)
    for cands, out in _run(steps):
        if out.chosen is None:
            assert all(c[2] for c in cands) and out.refusal
        else:
            assert not out.chosen.at_cap
            assert dict((c[0], c[2]) for c in cands)[out.chosen.provider_id] is False


@settings(max_examples=200, deadline=None)
@given(provider_names, st.lists(caps, min_size=1, max_size=40), st.data())
def test_a_provider_passed_over_gets_the_next_assignment_after_it_is_freed(
    names_, cap_steps, data
):  # R2.4
    """Whatever happened before: once a passed-over provider is the only owed one that can
    take an assignment, it gets the very next one."""
    providers = _providers(names_)
    steps = _capped(providers, cap_steps)
    outcomes = _run(steps)
    cursor, owed = "", []
    for _cands, out in outcomes:
        if out.chosen is not None:
            cursor, owed = out.cursor_key, out.owed
    if not owed:
        return
    freed = data.draw(st.sampled_from(owed))
    # Free that one; the others owed stay at the cap, the rest is anything.
    nxt = []
    for pid, name, _ in providers:
        at = data.draw(st.booleans()) if pid not in owed else pid != freed
        nxt.append((pid, name, at))
    out = assign(nxt, cursor, owed)
    assert out.chosen.provider_id == freed
    assert freed not in out.owed and out.cursor_key == cursor


@settings(max_examples=200, deadline=None)
@given(provider_names, st.lists(caps, min_size=1, max_size=40))
def test_passed_over_providers_go_on_owed_and_owed_is_served_first(names_, cap_steps):  # R2.4
    providers = _providers(names_)
    steps = _capped(providers, cap_steps)
    cursor, owed = "", []
    for cands in steps:
        out = assign(cands, cursor, owed)
        free = {c[0] for c in cands if not c[2]}
        owed_free = [p for p in owed if p in free]
        if out.chosen is None:
            assert not free
            continue
        if owed_free:  # the first owed provider that can take it gets it
            assert out.chosen.provider_id == owed_free[0] and out.from_owed
        for p in out.passed_over:
            assert p.provider_id in out.owed  # passed over at the cap: keeps its turn
        assert len(out.owed) == len(set(out.owed))
        cursor, owed = out.cursor_key, out.owed


@settings(max_examples=100, deadline=None)
@given(provider_names, names, st.integers(0, 20))
def test_a_provider_that_joins_gets_its_turn_within_one_round(names_, newcomer, n):  # R2.4
    providers = _providers(names_)
    if any(swedish_key(newcomer) == swedish_key(p[1]) for p in providers):
        return
    outcomes = _run([providers] * n)
    cursor = outcomes[-1][1].cursor_key if outcomes else ""
    joined = [*providers, (99, newcomer, False)]
    chosen = [out.chosen.provider_id for _, out in _run([joined] * len(joined), cursor)]
    assert 99 in chosen


@pytest.mark.parametrize("cursor", ["", "zzz", "{{{"])
def test_any_cursor_is_a_place_in_the_alphabet(cursor):  # R2.4
    assert assign([BJORKENS, ANGENS], cursor, []).chosen is not None
