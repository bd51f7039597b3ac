"""The calendar feed's iCalendar writer (deadlines/ical.py, issue 17 item 7): RFC 5545 line
folding at 75 octets, CRLF line ends, TEXT escaping, all-day events. Pure: no database."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from verkstall.deadlines.ical import CRLF, MAX_OCTETS, Event, calendar, escape_text, fold

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def unfold(text: str) -> str:
    """RFC 5545 3.1: a CRLF followed by one space is removed."""
    return text.replace(CRLF + " ", "")


def physical_lines(text: str) -> list[str]:
    assert text.endswith(CRLF)
    return text[: -len(CRLF)].split(CRLF)


# --- escaping ----------------------------------------------------------------------------------


def test_text_escapes_backslash_semicolon_and_comma():
    assert escape_text(r"a,b;c\d") == r"a\,b\;c\\d"


def test_a_backslash_is_escaped_before_what_it_escapes():
    # "\," typed by someone is a backslash and a comma: both escaped, not read as an escape.
    assert escape_text("\\,") == "\\\\\\,"


def test_every_kind_of_line_break_becomes_backslash_n():
    assert escape_text("ett\r\ntvå\rtre\nfyra") == r"ett\ntvå\ntre\nfyra"


def test_a_colon_and_a_dash_are_left_as_they_are():
    assert escape_text("Kvittens: 3 vardagar – E.T. #12") == "Kvittens: 3 vardagar – E.T. #12"


# --- folding -----------------------------------------------------------------------------------


def test_a_line_of_75_octets_is_not_folded_and_one_of_76_is():
    assert fold("x" * 75) == "x" * 75
    assert fold("x" * 76) == "x" * 75 + CRLF + " x"


def test_a_long_line_folds_into_lines_of_at_most_75_octets_with_a_leading_space():
    line = "SUMMARY:" + "abcdefghij" * 30
    folded = fold(line)
    parts = folded.split(CRLF)
    assert len(parts) == 5
    assert len(parts[0].encode()) == MAX_OCTETS
    assert all(part.startswith(" ") for part in parts[1:])
    assert all(len(part.encode()) <= MAX_OCTETS for part in parts)
    assert unfold(folded) == line


def test_folding_counts_octets_and_never_splits_a_character():
    line = "SUMMARY:" + "åäö€" * 40  # 2, 2, 2 and 3 octets each
    folded = fold(line)
    parts = folded.split(CRLF)
    assert all(len(part.encode("utf-8")) <= MAX_OCTETS for part in parts)
    # Counted in characters, the first line would be far longer than 75 octets allow.
    assert len(parts[0]) < MAX_OCTETS
    assert unfold(folded) == line


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400))
def test_any_text_folds_into_short_valid_lines_and_unfolds_to_itself(text):
    line = "SUMMARY:" + escape_text(text)
    folded = fold(line)
    for part in folded.split(CRLF):
        assert len(part.encode("utf-8")) <= MAX_OCTETS
    assert unfold(folded) == line


# --- the calendar ------------------------------------------------------------------------------

STAMP = datetime(2026, 3, 10, 9, 30, tzinfo=STOCKHOLM)


def test_a_calendar_of_all_day_events_with_crlf_line_ends():
    text = calendar(
        [Event(uid="bevakning-7@verkstall", day=date(2026, 3, 12), summary="Kvittens – E.T. #3")],
        stamp=STAMP,
        name="Mina bevakningar",
    )
    assert "\n" not in text.replace(CRLF, "")  # no bare LF
    assert "\r" not in text.replace(CRLF, "")  # no bare CR
    lines = physical_lines(text)
    assert lines[0] == "BEGIN:VCALENDAR"
    assert lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines
    assert "X-WR-CALNAME:Mina bevakningar" in lines
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == 1
    assert "UID:bevakning-7@verkstall" in lines
    assert "DTSTART;VALUE=DATE:20260312" in lines
    assert "DTEND;VALUE=DATE:20260313" in lines
    assert "DTSTAMP:20260310T083000Z" in lines  # 09:30 in Stockholm (CET) is 08:30 UTC
    assert "SUMMARY:Kvittens – E.T. #3" in lines


def test_the_last_event_of_a_year_ends_on_new_years_day():
    text = calendar([Event(uid="u", day=date(2026, 12, 31), summary="s")], stamp=STAMP, name="n")
    assert "DTEND;VALUE=DATE:20270101" in physical_lines(text)


def test_an_event_summary_is_escaped_and_folded_in_the_calendar():
    summary = "Genomförandeplan skickad, senast 15 arbetsdagar; ny; kund\\" * 3
    text = calendar([Event(uid="u", day=date(2026, 3, 12), summary=summary)], stamp=STAMP, name="n")
    lines = physical_lines(text)
    assert all(len(line.encode()) <= MAX_OCTETS for line in lines)
    unfolded = unfold(text).split(CRLF)
    assert "SUMMARY:" + escape_text(summary) in unfolded
    assert r"skickad\, senast 15 arbetsdagar\; ny\; kund\\" in unfold(text)


def test_an_empty_calendar_is_still_a_calendar():
    lines = physical_lines(calendar([], stamp=STAMP, name="n"))
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "BEGIN:VEVENT" not in lines


def test_the_calendar_name_is_escaped():
    text = calendar([], stamp=STAMP, name="Verkställ, mina; bevakningar")
    assert r"X-WR-CALNAME:Verkställ\, mina\; bevakningar" in physical_lines(text)
