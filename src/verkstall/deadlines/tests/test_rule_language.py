"""The rule language's words from published routines, on real dates (SPEC R11.4). Pure.

Each case is one word of the rule language (issue 13 §2) applied from a dated start, with the
due moment worked out by hand on the 2026/2027 calendar and the kind of routine clause it
models. The clauses are typical wordings of Swedish municipalities' home-care routines, not
quotes from any one municipality. The calendar facts used (`on()` asserts every weekday):

- Christmas and New Year: julafton Thu 24 Dec 2026, juldagen Fri 25, annandag jul Sat 26,
  nyårsafton Thu 31, nyårsdagen Fri 1 Jan 2027, trettondedag jul Wed 6 Jan 2027.
- Easter 2026: skärtorsdagen Thu 2 Apr (a weekday), långfredagen Fri 3, påskdagen Sun 5,
  annandag påsk Mon 6. Första maj Fri 1 May. Kristi himmelsfärdsdag Thu 14 May 2026.
- Nationaldagen Sat 6 Jun 2026; midsommarafton Fri 19 Jun, midsommardagen Sat 20.
- Summer time begins Sun 29 Mar 2026 (02:00 -> 03:00, +01:00 -> +02:00) and ends Sun
  25 Oct 2026 (03:00 -> 02:00). Both changes fall on Sundays, which never count as weekday
  or opening hours. Alla helgons dag is Sat 31 Oct 2026.
- January 2027 has 19 weekdays (Mon 4 is the first, Fri 29 the last); May 2026 has 19.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from verkstall.deadlines.calendar import (
    HOUR_UNITS,
    MONTH_UNITS,
    STOCKHOLM,
    Unit,
    compute_due,
    is_weekday,
    non_weekday_reason,
)
from verkstall.deadlines.rules import (
    UNIT_CHOICE_LABELS,
    UNIT_LABELS,
    Event,
    Facts,
    Responsible,
    RuleError,
    RuleSpec,
    Status,
    evaluate,
    explain,
)

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)

LOR, SON = "Lördag", "Söndag"
LANGFREDAG, PASKDAGEN, ANNANDAG_PASK = "Långfredagen", "Påskdagen", "Annandag påsk"
FORSTA_MAJ, KRISTI = "Första maj", "Kristi himmelsfärdsdag"
NATIONALDAGEN, ALLA_HELGON = "Nationaldagen", "Alla helgons dag"
MIDSOMMARAFTON, MIDSOMMARDAGEN = "Midsommarafton", "Midsommardagen"
JULAFTON, JULDAGEN, ANNANDAG_JUL = "Julafton", "Juldagen", "Annandag jul"
NYARSAFTON, NYARSDAGEN, TRETTONDEDAG = "Nyårsafton", "Nyårsdagen", "Trettondedag jul"

OPEN_8_17 = (time(8), time(17))
OPEN_8_16 = (time(8), time(16))


def on(year: int, month: int, day: int, weekday: int) -> date:
    """A date, asserting its day of the week so the test data cannot drift from reality."""
    result = date(year, month, day)
    assert result.weekday() == weekday, f"{result} is a {result:%A}, not weekday {weekday}"
    return result


def at(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), STOCKHOLM)


def spec(**fields) -> RuleSpec:
    """A rule as an administrator might enter it: the words under test, the rest plain."""
    values = {
        "code": "prov",
        "name": "Provregel",
        "start_event": "order.sent",
        "stop_events": ("order.acknowledged",),
        "amount": 1,
        "unit": Unit.WEEKDAYS,
        "responsible": Responsible.PROVIDER,
        "source": "rutin",
    }
    values.update(fields)
    return RuleSpec(**values)


@dataclass(frozen=True)
class Case:
    word: str
    name: str
    clause: str  # the kind of routine clause the rule models (a typical wording)
    rule: dict
    start: datetime
    due: date | datetime  # a date for day and month units, a moment for the hour units
    skipped: tuple[tuple[date, str], ...] = ()
    rolled_from: date | None = None
    counted_from: datetime | None = None
    exclusive_end_of: date | None = None
    due_at: datetime | None = None  # a day-unit rule's due moment, when it has a time of day
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def id(self) -> str:
        return f"{self.word}/{self.name}"


WEEKDAY_HOURS = {"unit": Unit.WEEKDAY_HOURS, "count_from_next_day": False}
OPENING_HOURS = {"unit": Unit.OPENING_HOURS, "count_from_next_day": False}
OPENING = {"opening_hours": OPEN_8_17}
SAME_DAY = {"amount": 0, "unit": Unit.WEEKDAYS, "cutoff_time": time(11), "roll_to_weekday": True}

CASES = [
    # --- Hours counted only on weekdays ---------------------------------------------------
    # R11.4 "Utföraren ska kontakta den enskilde inom 24 timmar räknat på vardagar."
    Case(
        "vardagstimmar",
        "julen",
        "Kontakt inom 24 timmar räknat på vardagar.",
        {"amount": 24, **WEEKDAY_HOURS},
        at(on(2026, 12, 23, WED), 10),
        at(on(2026, 12, 28, MON), 10),  # 14 h on Wednesday, 10 h on Monday
        (
            (on(2026, 12, 24, THU), JULAFTON),
            (on(2026, 12, 25, FRI), JULDAGEN),
            (on(2026, 12, 26, SAT), ANNANDAG_JUL),
            (on(2026, 12, 27, SUN), SON),
        ),
    ),
    # R11.4
    Case(
        "vardagstimmar",
        "nyar",
        "Bekräftelse inom 48 timmar räknat på vardagar.",
        {"amount": 48, **WEEKDAY_HOURS},
        at(on(2026, 12, 30, WED), 12),
        at(on(2027, 1, 5, TUE), 12),  # 12 h Wednesday, 24 h Monday, 12 h Tuesday
        (
            (on(2026, 12, 31, THU), NYARSAFTON),
            (on(2027, 1, 1, FRI), NYARSDAGEN),
            (on(2027, 1, 2, SAT), LOR),
            (on(2027, 1, 3, SUN), SON),
        ),
    ),
    # R11.4
    Case(
        "vardagstimmar",
        "trettondedag",
        "Kontakt inom 24 timmar räknat på vardagar.",
        {"amount": 24, **WEEKDAY_HOURS},
        at(on(2027, 1, 5, TUE), 18),
        at(on(2027, 1, 7, THU), 18),
        ((on(2027, 1, 6, WED), TRETTONDEDAG),),
    ),
    # R11.4
    Case(
        "vardagstimmar",
        "pask",
        "Kontakt inom 24 timmar räknat på vardagar.",
        {"amount": 24, **WEEKDAY_HOURS},
        at(on(2026, 4, 2, THU), 16),
        at(on(2026, 4, 7, TUE), 16),
        (
            (on(2026, 4, 3, FRI), LANGFREDAG),
            (on(2026, 4, 4, SAT), LOR),
            (on(2026, 4, 5, SUN), PASKDAGEN),
            (on(2026, 4, 6, MON), ANNANDAG_PASK),
        ),
    ),
    # R11.4
    Case(
        "vardagstimmar",
        "kristi-himmelsfard",
        "Kontakt inom 24 timmar räknat på vardagar.",
        {"amount": 24, **WEEKDAY_HOURS},
        at(on(2026, 5, 13, WED), 9),
        at(on(2026, 5, 15, FRI), 9),
        ((on(2026, 5, 14, THU), KRISTI),),
    ),
    # R11.4: summer time begins on the Sunday skipped; Monday 20:00 is +02:00.
    Case(
        "vardagstimmar",
        "sommartid",
        "Kontakt inom 24 timmar räknat på vardagar.",
        {"amount": 24, **WEEKDAY_HOURS},
        at(on(2026, 3, 27, FRI), 20),
        at(on(2026, 3, 30, MON), 20),
        ((on(2026, 3, 28, SAT), LOR), (on(2026, 3, 29, SUN), SON)),
    ),
    # R11.4: summer time ends on the Sunday skipped; Monday 12:00 is +01:00.
    Case(
        "vardagstimmar",
        "vintertid",
        "Kontakt inom 24 timmar räknat på vardagar.",
        {"amount": 24, **WEEKDAY_HOURS},
        at(on(2026, 10, 23, FRI), 12),
        at(on(2026, 10, 26, MON), 12),
        ((on(2026, 10, 24, SAT), LOR), (on(2026, 10, 25, SUN), SON)),
    ),
    # R11.4 "... räknat från dagen efter": the clock starts at 00:00 on midsommarafton.
    Case(
        "vardagstimmar",
        "midsommar-dagen-efter",
        "Återkoppling inom 8 timmar räknat på vardagar från dagen efter.",
        {"amount": 8, "unit": Unit.WEEKDAY_HOURS, "count_from_next_day": True},
        at(on(2026, 6, 18, THU), 15),
        at(on(2026, 6, 22, MON), 8),
        (
            (on(2026, 6, 19, FRI), MIDSOMMARAFTON),
            (on(2026, 6, 20, SAT), MIDSOMMARDAGEN),
            (on(2026, 6, 21, SUN), SON),
        ),
        counted_from=at(on(2026, 6, 19, FRI)),
    ),
    # --- Hours counted only inside opening hours ------------------------------------------
    # R11.4 "Ärenden ska hanteras inom 4 timmar inom öppettiden (vardagar 08.00–17.00)."
    Case(
        "oppettimmar",
        "midsommar",
        "Hanteras inom 4 timmar inom öppettiden (08.00–17.00).",
        {"amount": 4, **OPENING_HOURS, **OPENING},
        at(on(2026, 6, 18, THU), 15),
        at(on(2026, 6, 22, MON), 10),  # 2 h Thursday, 2 h Monday
        (
            (on(2026, 6, 19, FRI), MIDSOMMARAFTON),
            (on(2026, 6, 20, SAT), MIDSOMMARDAGEN),
            (on(2026, 6, 21, SUN), SON),
        ),
    ),
    # R11.4
    Case(
        "oppettimmar",
        "julen",
        "Hanteras inom 4 timmar inom öppettiden (08.00–17.00).",
        {"amount": 4, **OPENING_HOURS, **OPENING},
        at(on(2026, 12, 23, WED), 16),
        at(on(2026, 12, 28, MON), 11),
        (
            (on(2026, 12, 24, THU), JULAFTON),
            (on(2026, 12, 25, FRI), JULDAGEN),
            (on(2026, 12, 26, SAT), ANNANDAG_JUL),
            (on(2026, 12, 27, SUN), SON),
        ),
    ),
    # R11.4: before opening the count begins at 08:00; 9 h on Tuesday, 3 h on Thursday.
    Case(
        "oppettimmar",
        "trettondedag",
        "Åtgärdas inom 12 timmar inom öppettiden (08.00–17.00).",
        {"amount": 12, **OPENING_HOURS, **OPENING},
        at(on(2027, 1, 5, TUE), 7),
        at(on(2027, 1, 7, THU), 11),
        ((on(2027, 1, 6, WED), TRETTONDEDAG),),
    ),
    # R11.4: after closing on skärtorsdagen nothing counts until Tuesday 08:00.
    Case(
        "oppettimmar",
        "pask",
        "Kvitteras inom 1 timme inom öppettiden (08.00–17.00).",
        {"amount": 1, **OPENING_HOURS, **OPENING},
        at(on(2026, 4, 2, THU), 18),
        at(on(2026, 4, 7, TUE), 9),
        (
            (on(2026, 4, 3, FRI), LANGFREDAG),
            (on(2026, 4, 4, SAT), LOR),
            (on(2026, 4, 5, SUN), PASKDAGEN),
            (on(2026, 4, 6, MON), ANNANDAG_PASK),
        ),
    ),
    # R11.4
    Case(
        "oppettimmar",
        "kristi-himmelsfard",
        "Hanteras inom 8 timmar inom öppettiden (08.00–17.00).",
        {"amount": 8, **OPENING_HOURS, **OPENING},
        at(on(2026, 5, 13, WED), 13),
        at(on(2026, 5, 15, FRI), 12),
        ((on(2026, 5, 14, THU), KRISTI),),
    ),
    # R11.4: across the start of summer time; Monday 09:00 is +02:00.
    Case(
        "oppettimmar",
        "sommartid",
        "Hanteras inom 2 timmar inom öppettiden (08.00–17.00).",
        {"amount": 2, **OPENING_HOURS, **OPENING},
        at(on(2026, 3, 27, FRI), 16),
        at(on(2026, 3, 30, MON), 9),
        ((on(2026, 3, 28, SAT), LOR), (on(2026, 3, 29, SUN), SON)),
    ),
    # R11.4: across the end of summer time; Monday 08:30 is +01:00.
    Case(
        "oppettimmar",
        "vintertid",
        "Hanteras inom 1 timme inom öppettiden (08.00–17.00).",
        {"amount": 1, **OPENING_HOURS, **OPENING},
        at(on(2026, 10, 23, FRI), 16, 30),
        at(on(2026, 10, 26, MON), 8, 30),
        ((on(2026, 10, 24, SAT), LOR), (on(2026, 10, 25, SUN), SON)),
    ),
    # --- Receipt window: outside the opening hours counts from the next opening -----------
    # R11.4 "Beställning som kommer in efter kl. 16.00 räknas som inkommen nästa vardag."
    Case(
        "mottagningsfonster",
        "efter-stangning-julen",
        "Beställning som kommer in efter kl. 16.00 räknas som inkommen nästa vardag; "
        "kvittens senast nästa vardag.",
        {"amount": 1, "receipt_window": True, "opening_hours": OPEN_8_16},
        at(on(2026, 12, 23, WED), 16, 30),
        on(2026, 12, 29, TUE),
        (
            (on(2026, 12, 24, THU), JULAFTON),
            (on(2026, 12, 25, FRI), JULDAGEN),
            (on(2026, 12, 26, SAT), ANNANDAG_JUL),
            (on(2026, 12, 27, SUN), SON),
        ),
        counted_from=at(on(2026, 12, 28, MON), 8),
    ),
    # R11.4: a fax that arrives on juldagen is received on Monday 28 Dec at 08:00.
    Case(
        "mottagningsfonster",
        "juldagen",
        "Beställning som inkommer en helgdag räknas som inkommen nästa vardag.",
        {"amount": 1, "receipt_window": True, **OPENING},
        at(on(2026, 12, 25, FRI), 10),
        on(2026, 12, 29, TUE),
        (
            (on(2026, 12, 25, FRI), JULDAGEN),
            (on(2026, 12, 26, SAT), ANNANDAG_JUL),
            (on(2026, 12, 27, SUN), SON),
        ),
        counted_from=at(on(2026, 12, 28, MON), 8),
    ),
    # R11.4: received on nyårsafton -> Monday 4 Jan; two weekdays skip trettondedag jul.
    Case(
        "mottagningsfonster",
        "nyarsafton",
        "Beställning som inkommer en helgdag räknas som inkommen nästa vardag; "
        "kvittens inom 2 vardagar.",
        {"amount": 2, "receipt_window": True, **OPENING},
        at(on(2026, 12, 31, THU), 11),
        on(2027, 1, 7, THU),
        (
            (on(2026, 12, 31, THU), NYARSAFTON),
            (on(2027, 1, 1, FRI), NYARSDAGEN),
            (on(2027, 1, 2, SAT), LOR),
            (on(2027, 1, 3, SUN), SON),
            (on(2027, 1, 6, WED), TRETTONDEDAG),
        ),
        counted_from=at(on(2027, 1, 4, MON), 8),
    ),
    # R11.4: before opening the clock starts at the opening the same day.
    Case(
        "mottagningsfonster",
        "fore-oppning",
        "Ärenden som kommer in före kl. 08.00 räknas som inkomna vid öppning.",
        {"amount": 4, **OPENING_HOURS, "receipt_window": True, **OPENING},
        at(on(2027, 1, 5, TUE), 6, 45),
        at(on(2027, 1, 5, TUE), 12),
        counted_from=at(on(2027, 1, 5, TUE), 8),
    ),
    # R11.4: 48 real hours from the next opening after skärtorsdagen's closing.
    Case(
        "mottagningsfonster",
        "pask-timmar",
        "Insatsen påbörjas inom 48 timmar från mottagandet; beställning efter kl. 16.00 "
        "räknas som mottagen nästa vardag.",
        {
            "amount": 48,
            "unit": Unit.HOURS,
            "count_from_next_day": False,
            "receipt_window": True,
            "opening_hours": OPEN_8_16,
        },
        at(on(2026, 4, 2, THU), 17, 30),
        at(on(2026, 4, 9, THU), 8),
        (
            (on(2026, 4, 3, FRI), LANGFREDAG),
            (on(2026, 4, 4, SAT), LOR),
            (on(2026, 4, 5, SUN), PASKDAGEN),
            (on(2026, 4, 6, MON), ANNANDAG_PASK),
        ),
        counted_from=at(on(2026, 4, 7, TUE), 8),
    ),
    # R11.4: received on midsommarafton; seven calendar days from Monday 22 Jun.
    Case(
        "mottagningsfonster",
        "midsommar",
        "Beställning som inkommer en helgdag räknas som inkommen nästa vardag; "
        "påbörjas inom 7 dagar.",
        {"amount": 7, "unit": Unit.CALENDAR_DAYS, "receipt_window": True, **OPENING},
        at(on(2026, 6, 19, FRI), 9),
        on(2026, 6, 29, MON),
        (
            (on(2026, 6, 19, FRI), MIDSOMMARAFTON),
            (on(2026, 6, 20, SAT), MIDSOMMARDAGEN),
            (on(2026, 6, 21, SUN), SON),
        ),
        counted_from=at(on(2026, 6, 22, MON), 8),
    ),
    # R11.4: received over the weekend summer time ends; 24 h from Monday 08:00 (+01:00).
    Case(
        "mottagningsfonster",
        "vintertid",
        "Beställning som inkommer en lördag räknas som inkommen nästa vardag; "
        "påbörjas inom 24 timmar.",
        {
            "amount": 24,
            "unit": Unit.HOURS,
            "count_from_next_day": False,
            "receipt_window": True,
            **OPENING,
        },
        at(on(2026, 10, 24, SAT), 10),
        at(on(2026, 10, 27, TUE), 8),
        ((on(2026, 10, 24, SAT), LOR), (on(2026, 10, 25, SUN), SON)),
        counted_from=at(on(2026, 10, 26, MON), 8),
    ),
    # R11.4: received on Kristi himmelsfärdsdag; 8 weekday hours from Friday 08:00.
    Case(
        "mottagningsfonster",
        "kristi-himmelsfard",
        "Ärende som inkommer en helgdag räknas som inkommet nästa vardag kl. 08.00.",
        {"amount": 8, **WEEKDAY_HOURS, "receipt_window": True, **OPENING},
        at(on(2026, 5, 14, THU), 12),
        at(on(2026, 5, 15, FRI), 16),
        ((on(2026, 5, 14, THU), KRISTI),),
        counted_from=at(on(2026, 5, 15, FRI), 8),
    ),
    # --- Same day with a cut-off ------------------------------------------------------------
    # R11.4 "Kontakt samma dag om beställningen kommer före kl. 11.00, annars nästa vardag."
    Case(
        "brytpunkt",
        "fore-kl-11",
        "Kontakt samma dag om beställningen kommer före kl. 11.00, annars nästa vardag.",
        SAME_DAY,
        at(on(2026, 12, 23, WED), 10, 59),
        on(2026, 12, 23, WED),
    ),
    # R11.4: at 11:00 it counts from julafton, which rolls past Christmas.
    Case(
        "brytpunkt",
        "kl-11-julen",
        "Kontakt samma dag om beställningen kommer före kl. 11.00, annars nästa vardag.",
        SAME_DAY,
        at(on(2026, 12, 23, WED), 11),
        on(2026, 12, 28, MON),
        (
            (on(2026, 12, 24, THU), JULAFTON),
            (on(2026, 12, 25, FRI), JULDAGEN),
            (on(2026, 12, 26, SAT), ANNANDAG_JUL),
            (on(2026, 12, 27, SUN), SON),
        ),
        rolled_from=on(2026, 12, 24, THU),
        counted_from=at(on(2026, 12, 24, THU)),
    ),
    # R11.4
    Case(
        "brytpunkt",
        "nyar",
        "Kontakt samma dag om beställningen kommer före kl. 11.00, annars nästa vardag.",
        SAME_DAY,
        at(on(2026, 12, 30, WED), 14),
        on(2027, 1, 4, MON),
        (
            (on(2026, 12, 31, THU), NYARSAFTON),
            (on(2027, 1, 1, FRI), NYARSDAGEN),
            (on(2027, 1, 2, SAT), LOR),
            (on(2027, 1, 3, SUN), SON),
        ),
        rolled_from=on(2026, 12, 31, THU),
        counted_from=at(on(2026, 12, 31, THU)),
    ),
    # R11.4
    Case(
        "brytpunkt",
        "trettondedag",
        "Kontakt samma dag om beställningen kommer före kl. 11.00, annars nästa vardag.",
        SAME_DAY,
        at(on(2027, 1, 5, TUE), 11, 30),
        on(2027, 1, 7, THU),
        ((on(2027, 1, 6, WED), TRETTONDEDAG),),
        rolled_from=on(2027, 1, 6, WED),
        counted_from=at(on(2027, 1, 6, WED)),
    ),
    # R11.4
    Case(
        "brytpunkt",
        "pask",
        "Kontakt samma dag om beställningen kommer före kl. 11.00, annars nästa vardag.",
        SAME_DAY,
        at(on(2026, 4, 2, THU), 12),
        on(2026, 4, 7, TUE),
        (
            (on(2026, 4, 3, FRI), LANGFREDAG),
            (on(2026, 4, 4, SAT), LOR),
            (on(2026, 4, 5, SUN), PASKDAGEN),
            (on(2026, 4, 6, MON), ANNANDAG_PASK),
        ),
        rolled_from=on(2026, 4, 3, FRI),
        counted_from=at(on(2026, 4, 3, FRI)),
    ),
    # R11.4
    Case(
        "brytpunkt",
        "kristi-himmelsfard",
        "Kontakt samma dag om beställningen kommer före kl. 11.00, annars nästa vardag.",
        SAME_DAY,
        at(on(2026, 5, 13, WED), 16),
        on(2026, 5, 15, FRI),
        ((on(2026, 5, 14, THU), KRISTI),),
        rolled_from=on(2026, 5, 14, THU),
        counted_from=at(on(2026, 5, 14, THU)),
    ),
    # R11.4
    Case(
        "brytpunkt",
        "midsommar",
        "Kontakt samma dag om beställningen kommer före kl. 11.00, annars nästa vardag.",
        SAME_DAY,
        at(on(2026, 6, 18, THU), 11, 15),
        on(2026, 6, 22, MON),
        (
            (on(2026, 6, 19, FRI), MIDSOMMARAFTON),
            (on(2026, 6, 20, SAT), MIDSOMMARDAGEN),
            (on(2026, 6, 21, SUN), SON),
        ),
        rolled_from=on(2026, 6, 19, FRI),
        counted_from=at(on(2026, 6, 19, FRI)),
    ),
    # R11.4: the Friday before summer time begins.
    Case(
        "brytpunkt",
        "sommartid",
        "Kontakt samma dag om beställningen kommer före kl. 11.00, annars nästa vardag.",
        SAME_DAY,
        at(on(2026, 3, 27, FRI), 11),
        on(2026, 3, 30, MON),
        ((on(2026, 3, 28, SAT), LOR), (on(2026, 3, 29, SUN), SON)),
        rolled_from=on(2026, 3, 28, SAT),
        counted_from=at(on(2026, 3, 28, SAT)),
    ),
    # R11.4: a cut-off before a weekday count: after 15:00 Thursday counts from Friday.
    Case(
        "brytpunkt",
        "vintertid-en-vardag",
        "Kvittens inom 1 vardag; beställning som kommer efter kl. 15.00 räknas från nästa dag.",
        {"amount": 1, "unit": Unit.WEEKDAYS, "cutoff_time": time(15)},
        at(on(2026, 10, 22, THU), 15, 30),
        on(2026, 10, 26, MON),
        ((on(2026, 10, 24, SAT), LOR), (on(2026, 10, 25, SUN), SON)),
        counted_from=at(on(2026, 10, 23, FRI)),
    ),
    # --- Hours "räknat från dagen efter" ----------------------------------------------------
    # R11.4 "Insatsen ska påbörjas inom 48 timmar räknat från dagen efter beställningen."
    Case(
        "dag-ett-timmar",
        "julen",
        "Påbörjas inom 48 timmar räknat från dagen efter beställningen.",
        {"amount": 48, "unit": Unit.HOURS, "count_from_next_day": True},
        at(on(2026, 12, 23, WED), 10),
        at(on(2026, 12, 26, SAT)),
        counted_from=at(on(2026, 12, 24, THU)),
    ),
    # R11.4: 48 real hours from Saturday 00:00 (+01:00) end at Monday 01:00 (+02:00).
    Case(
        "dag-ett-timmar",
        "sommartid",
        "Påbörjas inom 48 timmar räknat från dagen efter beställningen.",
        {"amount": 48, "unit": Unit.HOURS, "count_from_next_day": True},
        at(on(2026, 3, 27, FRI), 15),
        at(on(2026, 3, 30, MON), 1),
        counted_from=at(on(2026, 3, 28, SAT)),
    ),
    # R11.4: 48 real hours from Saturday 00:00 (+02:00) end at Sunday 23:00 (+01:00).
    Case(
        "dag-ett-timmar",
        "vintertid",
        "Påbörjas inom 48 timmar räknat från dagen efter beställningen.",
        {"amount": 48, "unit": Unit.HOURS, "count_from_next_day": True},
        at(on(2026, 10, 23, FRI), 15),
        at(on(2026, 10, 25, SUN), 23),
        counted_from=at(on(2026, 10, 24, SAT)),
    ),
    # --- Day one is the day of the event ----------------------------------------------------
    # R11.4 "inom 3 vardagar, beställningsdagen inräknad".
    Case(
        "dag-ett",
        "julen",
        "Kontakt inom 3 vardagar, beställningsdagen inräknad.",
        {"amount": 3, "unit": Unit.WEEKDAYS, "count_from_next_day": False},
        at(on(2026, 12, 23, WED), 9),
        on(2026, 12, 29, TUE),
        (
            (on(2026, 12, 24, THU), JULAFTON),
            (on(2026, 12, 25, FRI), JULDAGEN),
            (on(2026, 12, 26, SAT), ANNANDAG_JUL),
            (on(2026, 12, 27, SUN), SON),
        ),
    ),
    # R11.4: day 7 is trettondedag jul, rolled to Thursday.
    Case(
        "dag-ett",
        "trettondedag",
        "Påbörjas inom 7 dagar, mottagningsdagen inräknad.",
        {
            "amount": 7,
            "unit": Unit.CALENDAR_DAYS,
            "count_from_next_day": False,
            "roll_to_weekday": True,
        },
        at(on(2026, 12, 31, THU), 9),
        on(2027, 1, 7, THU),
        ((on(2027, 1, 6, WED), TRETTONDEDAG),),
        rolled_from=on(2027, 1, 6, WED),
    ),
    # --- Exclusive end ----------------------------------------------------------------------
    # R11.4 "inom 3 dagar, sista dagen ingår inte": done before annandag jul begins.
    Case(
        "sista-dagen-ingar-inte",
        "julen",
        "Inom 3 dagar; den tredje dagen ingår inte.",
        {"amount": 3, "unit": Unit.CALENDAR_DAYS, "end_inclusive": False},
        at(on(2026, 12, 23, WED), 9),
        on(2026, 12, 25, FRI),
        exclusive_end_of=on(2026, 12, 26, SAT),
    ),
    # R11.4: the end day rolls first (Sat 26 -> Mon 28), then the deadline is its start.
    Case(
        "sista-dagen-ingar-inte",
        "julen-flyttad",
        "Inom 3 dagar; den tredje dagen ingår inte; en frist som slutar en helgdag "
        "flyttas till nästa vardag.",
        {
            "amount": 3,
            "unit": Unit.CALENDAR_DAYS,
            "end_inclusive": False,
            "roll_to_weekday": True,
        },
        at(on(2026, 12, 23, WED), 9),
        on(2026, 12, 27, SUN),
        ((on(2026, 12, 26, SAT), ANNANDAG_JUL), (on(2026, 12, 27, SUN), SON)),
        rolled_from=on(2026, 12, 26, SAT),
        exclusive_end_of=on(2026, 12, 28, MON),
    ),
    # R11.4 "Underlaget ska vara inkommet före den 5:e i månaden efter."
    Case(
        "sista-dagen-ingar-inte",
        "fore-den-5e",
        "Underlaget ska vara inkommet före den 5:e i månaden efter.",
        {"amount": 5, "unit": Unit.DAY_OF_FOLLOWING_MONTH, "end_inclusive": False},
        at(on(2026, 12, 17, THU), 9),
        on(2027, 1, 4, MON),
        exclusive_end_of=on(2027, 1, 5, TUE),
    ),
    # R11.4: "före den 6:e" in April 2026: annandag påsk rolls to Tue 7, so before Tuesday.
    Case(
        "sista-dagen-ingar-inte",
        "fore-den-6e-pask",
        "Rapporten lämnas före den 6:e i månaden efter; infaller dagen på en helgdag "
        "flyttas den till nästa vardag.",
        {
            "amount": 6,
            "unit": Unit.DAY_OF_FOLLOWING_MONTH,
            "end_inclusive": False,
            "roll_to_weekday": True,
        },
        at(on(2026, 3, 20, FRI), 9),
        on(2026, 4, 6, MON),
        ((on(2026, 4, 6, MON), ANNANDAG_PASK),),
        rolled_from=on(2026, 4, 6, MON),
        exclusive_end_of=on(2026, 4, 7, TUE),
    ),
    # R11.4: 3 weekdays end Friday 15 May (Kristi himmelsfärd skipped); before Friday.
    Case(
        "sista-dagen-ingar-inte",
        "kristi-himmelsfard",
        "Inom 3 vardagar, sista dagen ingår inte.",
        {"amount": 3, "unit": Unit.WEEKDAYS, "end_inclusive": False},
        at(on(2026, 5, 11, MON), 9),
        on(2026, 5, 14, THU),
        ((on(2026, 5, 14, THU), KRISTI),),
        exclusive_end_of=on(2026, 5, 15, FRI),
    ),
    # R11.4: one week ends on midsommarafton, rolled to Monday, so before Monday.
    Case(
        "sista-dagen-ingar-inte",
        "midsommar",
        "Inom en vecka, sista dagen ingår inte.",
        {
            "amount": 1,
            "unit": Unit.WEEKS,
            "end_inclusive": False,
            "roll_to_weekday": True,
        },
        at(on(2026, 6, 12, FRI), 9),
        on(2026, 6, 21, SUN),
        (
            (on(2026, 6, 19, FRI), MIDSOMMARAFTON),
            (on(2026, 6, 20, SAT), MIDSOMMARDAGEN),
            (on(2026, 6, 21, SUN), SON),
        ),
        rolled_from=on(2026, 6, 19, FRI),
        exclusive_end_of=on(2026, 6, 22, MON),
    ),
    # --- A time of day ----------------------------------------------------------------------
    # R11.4 "Kvittens senast kl. 12.00 nästa vardag."
    Case(
        "klockslag",
        "julen",
        "Kvittens senast kl. 12.00 nästa vardag.",
        {"amount": 1, "unit": Unit.WEEKDAYS, "due_time": time(12)},
        at(on(2026, 12, 23, WED), 15),
        on(2026, 12, 28, MON),
        (
            (on(2026, 12, 24, THU), JULAFTON),
            (on(2026, 12, 25, FRI), JULDAGEN),
            (on(2026, 12, 26, SAT), ANNANDAG_JUL),
            (on(2026, 12, 27, SUN), SON),
        ),
        due_at=at(on(2026, 12, 28, MON), 12),
    ),
    # R11.4: Monday 12:00 after summer time begins is +02:00.
    Case(
        "klockslag",
        "sommartid",
        "Kvittens senast kl. 12.00 nästa vardag.",
        {"amount": 1, "unit": Unit.WEEKDAYS, "due_time": time(12)},
        at(on(2026, 3, 27, FRI), 15),
        on(2026, 3, 30, MON),
        ((on(2026, 3, 28, SAT), LOR), (on(2026, 3, 29, SUN), SON)),
        due_at=at(on(2026, 3, 30, MON), 12),
    ),
    # R11.4: Monday 12:00 after summer time ends is +01:00.
    Case(
        "klockslag",
        "vintertid",
        "Kvittens senast kl. 12.00 nästa vardag.",
        {"amount": 1, "unit": Unit.WEEKDAYS, "due_time": time(12)},
        at(on(2026, 10, 23, FRI), 15),
        on(2026, 10, 26, MON),
        ((on(2026, 10, 24, SAT), LOR), (on(2026, 10, 25, SUN), SON)),
        due_at=at(on(2026, 10, 26, MON), 12),
    ),
    # R11.4: the day before midsommarafton, with the time of day.
    Case(
        "klockslag",
        "midsommar",
        "Återrapportering senast kl. 10.00 nästa vardag.",
        {"amount": 1, "unit": Unit.WEEKDAYS, "due_time": time(10)},
        at(on(2026, 6, 18, THU), 15),
        on(2026, 6, 22, MON),
        (
            (on(2026, 6, 19, FRI), MIDSOMMARAFTON),
            (on(2026, 6, 20, SAT), MIDSOMMARDAGEN),
            (on(2026, 6, 21, SUN), SON),
        ),
        due_at=at(on(2026, 6, 22, MON), 10),
    ),
    # --- Day N of the same month ------------------------------------------------------------
    # R11.4 "Avvikelser under månaden rapporteras senast den 20:e samma månad."
    Case(
        "dag-samma-manad",
        "sondag",
        "Rapporteras senast den 20:e samma månad.",
        {"amount": 20, "unit": Unit.DAY_OF_SAME_MONTH, "roll_to_weekday": True},
        at(on(2026, 12, 1, TUE), 9),
        on(2026, 12, 21, MON),
        ((on(2026, 12, 20, SUN), SON),),
        rolled_from=on(2026, 12, 20, SUN),
    ),
    # R11.4: the 25th of December is juldagen.
    Case(
        "dag-samma-manad",
        "juldagen",
        "Underlaget lämnas senast den 25:e samma månad.",
        {"amount": 25, "unit": Unit.DAY_OF_SAME_MONTH, "roll_to_weekday": True},
        at(on(2026, 12, 3, THU), 9),
        on(2026, 12, 28, MON),
        (
            (on(2026, 12, 25, FRI), JULDAGEN),
            (on(2026, 12, 26, SAT), ANNANDAG_JUL),
            (on(2026, 12, 27, SUN), SON),
        ),
        rolled_from=on(2026, 12, 25, FRI),
    ),
    # R11.4: the 6th of January is trettondedag jul.
    Case(
        "dag-samma-manad",
        "trettondedag",
        "Underlaget lämnas senast den 6:e samma månad.",
        {"amount": 6, "unit": Unit.DAY_OF_SAME_MONTH, "roll_to_weekday": True},
        at(on(2027, 1, 2, SAT), 9),
        on(2027, 1, 7, THU),
        ((on(2027, 1, 6, WED), TRETTONDEDAG),),
        rolled_from=on(2027, 1, 6, WED),
    ),
    # R11.4: "den 31:e" in April is the 30th (clamped), a weekday.
    Case(
        "dag-samma-manad",
        "manadsslut",
        "Rapporteras senast den sista dagen samma månad.",
        {"amount": 31, "unit": Unit.DAY_OF_SAME_MONTH, "roll_to_weekday": True},
        at(on(2026, 4, 2, THU), 9),
        on(2026, 4, 30, THU),
    ),
    # --- The Nth weekday of the following month ---------------------------------------------
    # R11.4 "Tidrapporten lämnas senast 3:e vardagen i månaden efter, kl. 12.00."
    Case(
        "vardag-i-manaden-efter",
        "januari",
        "Tidrapporten lämnas senast 3:e vardagen i månaden efter, kl. 12.00.",
        {"amount": 3, "unit": Unit.WEEKDAY_OF_FOLLOWING_MONTH, "due_time": time(12)},
        at(on(2026, 12, 14, MON), 9),
        on(2027, 1, 7, THU),
        (
            (on(2027, 1, 1, FRI), NYARSDAGEN),
            (on(2027, 1, 2, SAT), LOR),
            (on(2027, 1, 3, SUN), SON),
            (on(2027, 1, 6, WED), TRETTONDEDAG),
        ),
        due_at=at(on(2027, 1, 7, THU), 12),
    ),
    # R11.4: 4th weekday of April 2026 is Wed 8 Apr (Easter skipped).
    Case(
        "vardag-i-manaden-efter",
        "pask",
        "Underlaget lämnas senast 4:e vardagen i månaden efter.",
        {"amount": 4, "unit": Unit.WEEKDAY_OF_FOLLOWING_MONTH},
        at(on(2026, 3, 31, TUE), 9),
        on(2026, 4, 8, WED),
        (
            (on(2026, 4, 3, FRI), LANGFREDAG),
            (on(2026, 4, 4, SAT), LOR),
            (on(2026, 4, 5, SUN), PASKDAGEN),
            (on(2026, 4, 6, MON), ANNANDAG_PASK),
        ),
    ),
    # R11.4: January 2027 has only 19 weekdays; the 23rd clamps to the last, Fri 29 Jan.
    Case(
        "vardag-i-manaden-efter",
        "faerre-vardagar",
        "Senast 23:e vardagen i månaden efter.",
        {"amount": 23, "unit": Unit.WEEKDAY_OF_FOLLOWING_MONTH},
        at(on(2026, 12, 14, MON), 9),
        on(2027, 1, 29, FRI),
        (
            (on(2027, 1, 1, FRI), NYARSDAGEN),
            (on(2027, 1, 2, SAT), LOR),
            (on(2027, 1, 3, SUN), SON),
            (on(2027, 1, 6, WED), TRETTONDEDAG),
            (on(2027, 1, 9, SAT), LOR),
            (on(2027, 1, 10, SUN), SON),
            (on(2027, 1, 16, SAT), LOR),
            (on(2027, 1, 17, SUN), SON),
            (on(2027, 1, 23, SAT), LOR),
            (on(2027, 1, 24, SUN), SON),
        ),
    ),
    # --- The Nth weekday of the same month --------------------------------------------------
    # R11.4 "Genomförandeplanen ska vara klar senast 10:e vardagen i samma månad."
    Case(
        "vardag-samma-manad",
        "maj",
        "Klar senast 10:e vardagen i samma månad.",
        {"amount": 10, "unit": Unit.WEEKDAY_OF_SAME_MONTH},
        at(on(2026, 5, 4, MON), 9),
        on(2026, 5, 18, MON),
        (
            (on(2026, 5, 1, FRI), FORSTA_MAJ),
            (on(2026, 5, 2, SAT), LOR),
            (on(2026, 5, 3, SUN), SON),
            (on(2026, 5, 9, SAT), LOR),
            (on(2026, 5, 10, SUN), SON),
            (on(2026, 5, 14, THU), KRISTI),
            (on(2026, 5, 16, SAT), LOR),
            (on(2026, 5, 17, SUN), SON),
        ),
    ),
    # R11.4: the 15th weekday of June 2026 is after midsommar.
    Case(
        "vardag-samma-manad",
        "midsommar",
        "Klar senast 15:e vardagen i samma månad.",
        {"amount": 15, "unit": Unit.WEEKDAY_OF_SAME_MONTH},
        at(on(2026, 6, 2, TUE), 9),
        on(2026, 6, 22, MON),
        (
            (on(2026, 6, 6, SAT), NATIONALDAGEN),
            (on(2026, 6, 7, SUN), SON),
            (on(2026, 6, 13, SAT), LOR),
            (on(2026, 6, 14, SUN), SON),
            (on(2026, 6, 19, FRI), MIDSOMMARAFTON),
            (on(2026, 6, 20, SAT), MIDSOMMARDAGEN),
            (on(2026, 6, 21, SUN), SON),
        ),
    ),
    # R11.4: the 3rd weekday of April 2026.
    Case(
        "vardag-samma-manad",
        "pask",
        "Senast 3:e vardagen i samma månad.",
        {"amount": 3, "unit": Unit.WEEKDAY_OF_SAME_MONTH},
        at(on(2026, 4, 1, WED), 9),
        on(2026, 4, 7, TUE),
        (
            (on(2026, 4, 3, FRI), LANGFREDAG),
            (on(2026, 4, 4, SAT), LOR),
            (on(2026, 4, 5, SUN), PASKDAGEN),
            (on(2026, 4, 6, MON), ANNANDAG_PASK),
        ),
    ),
    # --- The last (or Nth last) weekday of the same / following month -----------------------
    # R11.4 "Rapporten lämnas senast sista vardagen i samma månad." (31 Dec is nyårsafton)
    Case(
        "sista-vardagen",
        "december",
        "Rapporten lämnas senast sista vardagen i samma månad.",
        {"amount": 1, "unit": Unit.LAST_WEEKDAY_OF_SAME_MONTH},
        at(on(2026, 12, 1, TUE), 9),
        on(2026, 12, 30, WED),
        ((on(2026, 12, 31, THU), NYARSAFTON),),
    ),
    # R11.4 "... senast näst sista vardagen i samma månad."
    Case(
        "sista-vardagen",
        "nast-sista-december",
        "Attesteras senast näst sista vardagen i samma månad.",
        {"amount": 2, "unit": Unit.LAST_WEEKDAY_OF_SAME_MONTH},
        at(on(2026, 12, 1, TUE), 9),
        on(2026, 12, 29, TUE),
        ((on(2026, 12, 31, THU), NYARSAFTON),),
    ),
    # R11.4: the last weekday of January 2027, with the weekend after it skipped.
    Case(
        "sista-vardagen",
        "manaden-efter-januari",
        "Senast sista vardagen i månaden efter.",
        {"amount": 1, "unit": Unit.LAST_WEEKDAY_OF_FOLLOWING_MONTH},
        at(on(2026, 12, 31, THU), 9),
        on(2027, 1, 29, FRI),
        ((on(2027, 1, 30, SAT), LOR), (on(2027, 1, 31, SUN), SON)),
    ),
    # R11.4: October 2026, the month summer time ends: Friday 30 Oct 16:00 is +01:00.
    Case(
        "sista-vardagen",
        "manaden-efter-oktober",
        "Senast sista vardagen i månaden efter, kl. 16.00.",
        {"amount": 1, "unit": Unit.LAST_WEEKDAY_OF_FOLLOWING_MONTH, "due_time": time(16)},
        at(on(2026, 9, 15, TUE), 9),
        on(2026, 10, 30, FRI),
        ((on(2026, 10, 31, SAT), ALLA_HELGON),),
        due_at=at(on(2026, 10, 30, FRI), 16),
    ),
    # R11.4: the 3rd last weekday of April 2026.
    Case(
        "sista-vardagen",
        "tredje-sista-april",
        "Senast tredje sista vardagen i månaden efter.",
        {"amount": 3, "unit": Unit.LAST_WEEKDAY_OF_FOLLOWING_MONTH},
        at(on(2026, 3, 10, TUE), 9),
        on(2026, 4, 28, TUE),
    ),
    # R11.4: the 23rd last weekday of January 2027 clamps to its first, Mon 4 Jan.
    Case(
        "sista-vardagen",
        "faerre-vardagar",
        "Senast 23:e sista vardagen i månaden efter.",
        {"amount": 23, "unit": Unit.LAST_WEEKDAY_OF_FOLLOWING_MONTH},
        at(on(2026, 12, 10, THU), 9),
        on(2027, 1, 4, MON),
        (
            (on(2027, 1, 6, WED), TRETTONDEDAG),
            (on(2027, 1, 9, SAT), LOR),
            (on(2027, 1, 10, SUN), SON),
            (on(2027, 1, 16, SAT), LOR),
            (on(2027, 1, 17, SUN), SON),
            (on(2027, 1, 23, SAT), LOR),
            (on(2027, 1, 24, SUN), SON),
            (on(2027, 1, 30, SAT), LOR),
            (on(2027, 1, 31, SUN), SON),
        ),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_each_word_gives_the_hand_checked_due_moment(case: Case):  # R11.4, R11.2
    rule = spec(**case.rule)
    due = rule.due_from(case.start)
    assert due is not None
    if rule.unit in HOUR_UNITS:
        assert isinstance(case.due, datetime)
        assert due.due_date is None
        assert due.due_at == case.due
        assert due.due_at.utcoffset() == case.due.utcoffset()  # the right side of DST
    else:
        assert due.due_date == case.due
        expected_at = case.due_at or datetime.combine(case.due, time.max, STOCKHOLM)
        assert due.due_at == expected_at
        assert due.due_at.utcoffset() == expected_at.utcoffset()
    assert [(s.day, s.reason) for s in due.skipped] == list(case.skipped)
    assert due.rolled_from == case.rolled_from
    assert due.counted_from == case.counted_from
    assert due.exclusive_end_of == case.exclusive_end_of


def test_the_table_has_dated_cases_for_every_word_across_the_hard_days():  # R11.4
    words = {c.word for c in CASES}
    assert words == {
        "vardagstimmar",
        "oppettimmar",
        "mottagningsfonster",
        "brytpunkt",
        "dag-ett-timmar",
        "dag-ett",
        "sista-dagen-ingar-inte",
        "klockslag",
        "dag-samma-manad",
        "vardag-i-manaden-efter",
        "vardag-samma-manad",
        "sista-vardagen",
    }
    assert {Unit(c.rule["unit"]) for c in CASES if "unit" in c.rule} >= set(Unit) - {
        Unit.WORKING_DAYS,  # counts exactly as WEEKDAYS (test_calendar)
        Unit.MONTHS,  # unchanged, covered by test_rules
    }

    def crossing(day: date) -> set[str]:
        return {c.word for c in CASES if day in {d for d, _ in c.skipped}}

    # Every word that passes over days crosses Christmas or New Year, and the hour words
    # also Easter, Kristi himmelsfärd and midsommar.
    for word in ("vardagstimmar", "oppettimmar", "mottagningsfonster", "brytpunkt"):
        for day in (date(2026, 12, 25), date(2026, 4, 3)):
            assert word in crossing(day), (word, day)
        assert word in crossing(date(2026, 5, 14)) or word in crossing(date(2026, 6, 19))
    assert {"vardagstimmar", "oppettimmar"} <= crossing(date(2027, 1, 6))
    assert {"vardagstimmar", "oppettimmar", "mottagningsfonster"} <= crossing(date(2026, 10, 25))
    assert {"vardagstimmar", "oppettimmar", "brytpunkt", "klockslag"} <= crossing(date(2026, 3, 29))


def test_dst_changes_fall_on_sundays_so_weekday_and_opening_hours_are_whole():  # R11.4
    """The weekday- and opening-hour counts rely on this: no counted day has 23 or 25 hours."""
    for year in range(2020, 2041):
        for month in (3, 10):
            for day_number in range(1, 32):
                day = date(year, month, day_number)
                start = datetime.combine(day, time.min, STOCKHOLM)
                end = datetime.combine(day + timedelta(days=1), time.min, STOCKHOLM)
                if start.utcoffset() != end.utcoffset():
                    assert day.weekday() == SUN and not is_weekday(day), day


# --- The words on their own -----------------------------------------------------------------


def test_weekday_hours_ending_at_midnight_are_due_at_the_end_of_that_day():  # R11.4
    # 24 weekday hours from Wednesday 00:00 are Wednesday itself, not Thursday's holiday.
    due = compute_due(at(on(2026, 5, 13, WED)), 24, Unit.WEEKDAY_HOURS)
    assert due.due_at == at(on(2026, 5, 14, THU)) and due.skipped == ()


def test_opening_hours_ending_at_closing_are_due_at_closing():  # R11.4
    due = compute_due(at(on(2026, 5, 13, WED), 13), 4, Unit.OPENING_HOURS, opening_hours=OPEN_8_17)
    assert due.due_at == at(on(2026, 5, 13, WED), 17) and due.skipped == ()


def test_hour_units_count_from_the_moment_by_default_and_from_the_next_day_if_told():  # R11.4
    start = at(on(2026, 12, 23, WED), 10)
    assert compute_due(start, 48, Unit.HOURS).due_at == at(on(2026, 12, 25, FRI), 10)
    late = compute_due(start, 48, Unit.HOURS, count_from_next_day=True)
    assert late.due_at == at(on(2026, 12, 26, SAT))
    assert late.counted_from == at(on(2026, 12, 24, THU))
    assert late.counted_from_reason == "från dagen efter"
    # "8 timmar inom öppettiden räknat från dagen efter": Thursday is julafton.
    due = compute_due(
        start, 8, Unit.OPENING_HOURS, count_from_next_day=True, opening_hours=OPEN_8_17
    )
    assert due.due_at == at(on(2026, 12, 28, MON), 16)


def test_the_receipt_window_says_why_the_start_moved():  # R11.4
    def reason(start: datetime) -> str:
        due = compute_due(start, 1, Unit.WEEKDAYS, receipt_window=True, opening_hours=OPEN_8_17)
        return due.counted_from_reason

    assert reason(at(on(2026, 12, 23, WED), 17)) == "utanför öppettiden: efter stängning kl. 17.00"
    assert reason(at(on(2026, 12, 25, FRI), 10)) == "utanför öppettiden: Juldagen"
    assert reason(at(on(2026, 12, 26, SAT), 10)) == "utanför öppettiden: Annandag jul"
    assert reason(at(on(2026, 3, 28, SAT), 10)) == "utanför öppettiden: Lördag"
    # Before opening the start moves within its day: for a day unit nothing changes.
    early = compute_due(
        at(on(2026, 12, 23, WED), 7), 1, Unit.WEEKDAYS, receipt_window=True, opening_hours=OPEN_8_17
    )
    assert early.counted_from is None and early.due_date == on(2026, 12, 28, MON)
    # At opening, inside the window: no move at all.
    inside = compute_due(
        at(on(2026, 12, 23, WED), 8),
        4,
        Unit.OPENING_HOURS,
        receipt_window=True,
        opening_hours=OPEN_8_17,
    )
    assert inside.counted_from is None and inside.due_at == at(on(2026, 12, 23, WED), 12)


def test_the_cut_off_is_at_or_after_its_time():  # R11.4
    kwargs = {"cutoff_time": time(11), "roll_to_weekday": True}
    before = compute_due(at(on(2026, 3, 27, FRI), 10, 59), 0, Unit.WEEKDAYS, **kwargs)
    assert before.due_date == on(2026, 3, 27, FRI) and before.counted_from is None
    after = compute_due(at(on(2026, 3, 27, FRI), 11), 0, Unit.WEEKDAYS, **kwargs)
    assert after.due_date == on(2026, 3, 30, MON)
    assert after.counted_from_reason == "inte före kl. 11.00"
    # A whole-day start (midnight) is before any cut-off.
    whole_day = compute_due(on(2026, 3, 27, FRI), 0, Unit.WEEKDAYS, **kwargs)
    assert whole_day.due_date == on(2026, 3, 27, FRI)


def test_a_monthly_cut_off_day_moves_a_late_event_into_the_next_month():  # R11.4
    # A published switch clause: "Anmäl bytet senast den 20:e i månaden för att få din nya
    # utförare senast nästkommande månad" (a request on the 20th gets the new provider by the
    # end of the next month, one on the 21st a month later): the end of the following month,
    # counted from the 1st of the next month for a request after the 20th.
    rule = {"cutoff_day": 20, "roll_to_weekday": False}
    by_20th = compute_due(on(2026, 12, 20, SUN), 31, Unit.DAY_OF_FOLLOWING_MONTH, **rule)
    assert by_20th.due_date == on(2027, 1, 31, SUN) and by_20th.counted_from is None
    after = compute_due(at(on(2026, 12, 21, MON), 9), 31, Unit.DAY_OF_FOLLOWING_MONTH, **rule)
    assert after.due_date == on(2027, 2, 28, SUN)
    assert after.counted_from == at(on(2027, 1, 1, FRI))  # nyårsdagen: a date, not a weekday
    assert after.counted_from_reason == "efter den 20:e i månaden"
    # With the roll, the end of February 2027 (a Sunday) moves to Monday 1 March.
    rolled = compute_due(
        on(2026, 12, 21, MON), 31, Unit.DAY_OF_FOLLOWING_MONTH, cutoff_day=20, roll_to_weekday=True
    )
    assert rolled.due_date == on(2027, 3, 1, MON)
    # Any day unit: 3 weekdays from the 1st of the next month when the event is after the 25th.
    late = compute_due(on(2026, 12, 28, MON), 3, Unit.WEEKDAYS, cutoff_day=25)
    assert late.due_date == on(2027, 1, 7, THU)  # 1 Jan and 6 Jan are holidays: 4, 5, 7 Jan
    text = spec(unit=Unit.DAY_OF_FOLLOWING_MONTH, amount=31, cutoff_day=20).length_text()
    assert text == (
        "senast den 31:a i månaden efter, räknat från nästa månad om händelsen sker efter den 20:e"
    )
    with pytest.raises(RuleError) as refused:
        spec(unit=Unit.HOURS, amount=24, count_from_next_day=False, cutoff_day=20)
    assert refused.value.field == "cutoff_day"
    with pytest.raises(RuleError) as refused:
        spec(cutoff_day=32)
    assert refused.value.field == "cutoff_day"


def test_a_same_month_date_may_lie_before_the_start():  # R11.4
    # "senast den 5:e samma månad" for an event on the 20th: that month's date has passed.
    due = compute_due(at(on(2026, 11, 20, FRI), 9), 5, Unit.DAY_OF_SAME_MONTH)
    assert due.due_date == on(2026, 11, 5, THU)


def test_month_units_ignore_day_one_and_day_of_month_clamps():  # R11.4
    start = at(on(2027, 1, 10, SUN), 9)
    for unit in MONTH_UNITS:
        assert (
            compute_due(start, 3, unit).due_date
            == compute_due(start, 3, unit, count_from_next_day=False).due_date
        )
    feb = compute_due(at(on(2027, 2, 3, WED)), 31, Unit.DAY_OF_SAME_MONTH, roll_to_weekday=True)
    assert feb.rolled_from == on(2027, 2, 28, SUN) and feb.due_date == on(2027, 3, 1, MON)


@pytest.mark.parametrize(
    ("unit", "amount"),
    [
        (Unit.DAY_OF_SAME_MONTH, 0),
        (Unit.DAY_OF_SAME_MONTH, 32),
        (Unit.WEEKDAY_OF_SAME_MONTH, 0),
        (Unit.WEEKDAY_OF_FOLLOWING_MONTH, 24),
        (Unit.LAST_WEEKDAY_OF_SAME_MONTH, 24),
        (Unit.LAST_WEEKDAY_OF_FOLLOWING_MONTH, 0),
    ],
)
def test_compute_due_refuses_a_number_the_month_unit_cannot_take(unit, amount):  # R11.4
    with pytest.raises(ValueError):
        compute_due(at(on(2026, 12, 1, TUE)), amount, unit)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"unit": Unit.OPENING_HOURS},  # no opening hours
        {"unit": Unit.WEEKDAYS, "receipt_window": True},  # no opening hours
        {"unit": Unit.OPENING_HOURS, "opening_hours": (time(17), time(8))},
        {"unit": Unit.HOURS, "due_time": time(12)},
        {"unit": Unit.WEEKDAY_HOURS, "cutoff_time": time(11)},
        {"unit": Unit.HOURS, "end_inclusive": False},
    ],
)
def test_compute_due_refuses_words_it_cannot_give_a_meaning(kwargs):  # R11.4
    kwargs = dict(kwargs)
    unit = kwargs.pop("unit")
    with pytest.raises(ValueError):
        compute_due(at(on(2026, 12, 1, TUE), 9), 4, unit, **kwargs)


# --- Validation: RuleError names the field, in Swedish -----------------------------------------

INVALID = [
    ({"unit": Unit.OPENING_HOURS, "amount": 4}, "opens_at", "kräver öppettider"),
    ({"receipt_window": True}, "opens_at", "kräver öppettider"),
    (
        {"unit": Unit.OPENING_HOURS, "amount": 4, "opening_hours": (time(17), time(8))},
        "closes_at",
        "Stängningstiden måste vara efter öppningstiden",
    ),
    ({"opening_hours": OPEN_8_17}, "opens_at", "Öppettider används bara"),
    ({"unit": Unit.HOURS, "amount": 48, "due_time": time(12)}, "due_time", "timmar"),
    ({"unit": Unit.WEEKDAY_HOURS, "amount": 24, "cutoff_time": time(11)}, "cutoff_time", "timmar"),
    ({"unit": Unit.HOURS, "amount": 48, "end_inclusive": False}, "end_inclusive", "timmar"),
    (
        {"unit": Unit.HOURS, "amount": 48, "roll_to_weekday": True},
        "roll_to_weekday",
        "nästa vardag",
    ),
    ({"unit": Unit.DAY_OF_SAME_MONTH, "amount": 32}, "amount", "Dagen i månaden är 1-31"),
    ({"unit": Unit.WEEKDAY_OF_FOLLOWING_MONTH, "amount": 24}, "amount", "1-23 i månaden"),
    ({"unit": Unit.LAST_WEEKDAY_OF_SAME_MONTH, "amount": 0}, "amount", "(1 = sista)"),
    (
        {"unit": Unit.DAY_OF_FOLLOWING_MONTH, "amount": 5, "count_from_next_day": False},
        "count_from_next_day",
        "Dag ett gäller inte",
    ),
    (
        {"unit": Unit.CALENDAR_DAYS, "amount": 0, "end_inclusive": False},
        "end_inclusive",
        "0 dagar",
    ),
    ({"amount": -1}, "amount", "negativt"),
    ({"amount": None}, "amount", "Antal och enhet hör ihop"),
    ({"unit": None}, "unit", "Antal och enhet hör ihop"),
    ({"amount": None, "unit": None, "due_time": time(12)}, "due_time", "snarast"),
    ({"amount": None, "unit": None, "end_inclusive": False}, "end_inclusive", "snarast"),
    ({"channels": ("post", "brevduva")}, "channels", "Okänd kanal 'brevduva'"),
    (
        {"service_kinds": ("care_home",), "excluded_service_kinds": ("care_home",)},
        "excluded_service_kinds",
        "både ingå och vara undantaget",
    ),
    ({"stop_by": "whenever"}, "stop_by", "registrerades"),
    ({"start_event": "order.teleported"}, "start_event", "Okänd händelse"),
    ({"stop_events": ("order.teleported",)}, "stop_events", "Okänd händelse"),
]


@pytest.mark.parametrize(("fields", "field_name", "words"), INVALID, ids=[i[1] for i in INVALID])
def test_a_rule_the_language_cannot_carry_out_is_refused_by_field_in_swedish(  # R11.4
    fields, field_name, words
):
    with pytest.raises(RuleError) as refused:
        spec(**fields)
    assert refused.value.field == field_name
    assert words in refused.value.message
    assert str(refused.value).startswith("prov: ")  # the rule's code first, as always
    assert isinstance(refused.value, ValueError)  # existing callers catch ValueError


def test_every_combination_of_the_words_that_means_something_is_accepted():  # R11.4
    spec(unit=Unit.OPENING_HOURS, amount=4, opening_hours=OPEN_8_17, receipt_window=True)
    spec(unit=Unit.HOURS, amount=48, receipt_window=True, opening_hours=OPEN_8_16)
    spec(amount=0, cutoff_time=time(11), roll_to_weekday=True, due_time=time(16))
    spec(amount=3, end_inclusive=False, due_time=time(12), count_from_next_day=False)
    spec(unit=Unit.LAST_WEEKDAY_OF_SAME_MONTH, amount=23, due_time=time(12), cutoff_time=time(9))
    spec(
        amount=None,
        unit=None,
        excluded_service_kinds=("care_home", "short_term_stay"),
        first_order_only=True,
        daily_only=True,
        channels=("post", "fax"),
    )


# --- length_text: every unit and word in Swedish ---------------------------------------------

LENGTHS = [
    ({"unit": Unit.HOURS, "amount": 48, "count_from_next_day": False}, "48 timmar"),
    ({"unit": Unit.HOURS, "amount": 48}, "48 timmar räknat från dagen efter"),
    (
        {"unit": Unit.WEEKDAY_HOURS, "amount": 24, "count_from_next_day": False},
        "24 timmar räknat på vardagar",
    ),
    (
        {"unit": Unit.OPENING_HOURS, "amount": 4, "count_from_next_day": False, **OPENING},
        "4 timmar inom öppettiden (08.00–17.00)",
    ),
    (
        {"unit": Unit.OPENING_HOURS, "amount": 1, **OPENING},
        ("1 timme inom öppettiden (08.00–17.00) från dagen efter"),
    ),
    ({"unit": Unit.CALENDAR_DAYS, "amount": 10}, "10 dagar"),
    ({"unit": Unit.WEEKDAYS, "amount": 1}, "1 vardag"),
    ({"unit": Unit.WORKING_DAYS, "amount": 15}, "15 arbetsdagar"),
    ({"unit": Unit.WEEKS, "amount": 3}, "3 veckor"),
    ({"unit": Unit.MONTHS, "amount": 1}, "1 månad"),
    ({"unit": Unit.DAY_OF_FOLLOWING_MONTH, "amount": 5}, "senast den 5:e i månaden efter"),
    ({"unit": Unit.DAY_OF_SAME_MONTH, "amount": 5}, "senast den 5:e samma månad"),
    ({"unit": Unit.DAY_OF_SAME_MONTH, "amount": 1}, "senast den 1:a samma månad"),
    (
        {"unit": Unit.WEEKDAY_OF_FOLLOWING_MONTH, "amount": 3},
        "senast 3:e vardagen i månaden efter",
    ),
    ({"unit": Unit.WEEKDAY_OF_SAME_MONTH, "amount": 2}, "senast 2:a vardagen i samma månad"),
    (
        {"unit": Unit.LAST_WEEKDAY_OF_SAME_MONTH, "amount": 1},
        "senast sista vardagen i samma månad",
    ),
    (
        {"unit": Unit.LAST_WEEKDAY_OF_FOLLOWING_MONTH, "amount": 2},
        "senast näst sista vardagen i månaden efter",
    ),
    (
        {"unit": Unit.LAST_WEEKDAY_OF_FOLLOWING_MONTH, "amount": 3},
        "senast 3:e sista vardagen i månaden efter",
    ),
    (
        {"unit": Unit.WEEKDAY_OF_FOLLOWING_MONTH, "amount": 3, "due_time": time(12)},
        "senast 3:e vardagen i månaden efter kl. 12.00",
    ),
    ({"amount": 1, "due_time": time(12)}, "1 vardag, senast kl. 12.00"),
    (
        {"unit": Unit.CALENDAR_DAYS, "amount": 3, "end_inclusive": False},
        "3 dagar (sista dagen ingår inte)",
    ),
    (
        {"unit": Unit.CALENDAR_DAYS, "amount": 7, "count_from_next_day": False},
        "7 dagar (händelsens dag är dag 1)",
    ),
    (SAME_DAY, "samma vardag om händelsen sker före kl. 11.00, annars nästa vardag"),
    (
        {"amount": 1, "cutoff_time": time(15)},
        "1 vardag, räknat från nästa dag om händelsen sker kl. 15.00 eller senare",
    ),
    (
        {"amount": 1, "receipt_window": True, "opening_hours": OPEN_8_16},
        "1 vardag, utanför öppettiden (08.00–16.00) räknat från nästa öppning",
    ),
    ({"amount": None, "unit": None}, "snarast (ingen tidsgräns i rutinen)"),
]


@pytest.mark.parametrize(("fields", "text"), LENGTHS, ids=[t for _, t in LENGTHS])
def test_length_text_says_every_unit_and_word_in_swedish(fields, text):  # R11.4
    assert spec(**fields).length_text() == text


def test_every_unit_has_swedish_labels():  # R11.4, issue 13 §6 (no raw codes)
    assert set(UNIT_LABELS) == set(Unit) == set(UNIT_CHOICE_LABELS)
    for unit in Unit:
        assert "_" not in UNIT_CHOICE_LABELS[unit] and "_" not in " ".join(UNIT_LABELS[unit])


# --- explain: a sentence for each word that applied -------------------------------------------


def explained(rule: RuleSpec, start: datetime) -> dict:
    return explain(rule, Event(rule.start_event, start, start), rule.due_from(start), None, None)


def test_the_explanation_says_where_the_count_started_and_why():  # R11.4, R11.2
    rule = spec(amount=1, receipt_window=True, opening_hours=OPEN_8_16)
    result = explained(rule, at(on(2026, 12, 23, WED), 16, 30))
    assert (
        "Räknas från 2026-12-28 08:00 (utanför öppettiden: efter stängning kl. 16.00)."
        in result["text"]
    )
    assert result["counted_from"] == at(on(2026, 12, 28, MON), 8).isoformat()
    assert result["counted_from_reason"] == "utanför öppettiden: efter stängning kl. 16.00"
    assert result["receipt_window"] is True and result["opening_hours"] == ["08:00", "16:00"]
    assert result["text"].endswith("Senast 2026-12-29.")

    cut = explained(spec(**SAME_DAY), at(on(2026, 12, 23, WED), 11))
    assert "Räknas från 2026-12-24 (inte före kl. 11.00)." in cut["text"]
    assert cut["cutoff_time"] == "11:00"


def test_the_explanation_states_the_roll_policy_of_every_day_and_month_rule():  # R11.4
    rolled = explained(
        spec(unit=Unit.CALENDAR_DAYS, amount=3, roll_to_weekday=True), at(on(2026, 12, 23, WED))
    )
    assert (
        "Slutar fristen på en dag som inte är vardag flyttas den till nästa vardag."
        in rolled["text"]
    )
    assert "Flyttad från 2026-12-26 till närmaste vardag." in rolled["text"]
    kept = explained(spec(unit=Unit.CALENDAR_DAYS, amount=3), at(on(2026, 12, 23, WED)))
    assert "Fristen flyttas inte om den slutar på en dag som inte är vardag." in kept["text"]
    assert kept["text"].endswith("Senast 2026-12-26.")
    month = explained(spec(unit=Unit.DAY_OF_SAME_MONTH, amount=26), at(date(2026, 12, 1)))
    assert "Fristen flyttas inte" in month["text"]  # annandag jul, a Saturday, stays
    # A rule counted in weekdays always ends on one: no roll policy to state.
    weekday = explained(spec(unit=Unit.LAST_WEEKDAY_OF_SAME_MONTH, amount=1), at(date(2026, 12, 1)))
    assert "flyttas" not in weekday["text"]
    same_day = explained(
        spec(amount=0, cutoff_time=time(11), roll_to_weekday=True), at(on(2026, 12, 26, SAT), 9)
    )
    assert "flyttas den till nästa vardag" in same_day["text"]  # 0 weekdays from a Saturday
    hours = explained(
        spec(unit=Unit.HOURS, amount=48, count_from_next_day=False), at(on(2026, 12, 23, WED), 10)
    )
    assert "flyttas" not in hours["text"] and hours["text"].endswith("Senast 2026-12-25 10:00.")
    # "48 timmar räknat från dagen efter": due as 26 Dec begins, and said so.
    next_day = explained(spec(unit=Unit.HOURS, amount=48), at(on(2026, 12, 23, WED), 10))
    assert "Räknas från 2026-12-24 (från dagen efter)." in next_day["text"]
    assert next_day["text"].endswith("Senast 2026-12-26 00:00.")


def test_the_explanation_says_an_exclusive_end_and_a_time_of_day():  # R11.4
    result = explained(
        spec(unit=Unit.DAY_OF_FOLLOWING_MONTH, amount=5, end_inclusive=False),
        at(on(2026, 12, 17, THU), 9),
    )
    assert "Sista dagen ingår inte: fristen går ut när 2027-01-05 börjar." in result["text"]
    assert result["text"].endswith("Senast 2027-01-04.")
    assert result["end_inclusive"] is False and result["exclusive_end_of"] == "2027-01-05"
    assert "(sista dagen ingår inte)" in result["length"]

    timed = explained(
        spec(unit=Unit.WEEKDAY_OF_FOLLOWING_MONTH, amount=3, due_time=time(12)),
        at(on(2026, 12, 14, MON), 9),
    )
    assert timed["text"].endswith("Senast 2027-01-07 kl. 12.00.")
    assert timed["due_time"] == "12:00"
    assert timed["due_at"] == at(on(2027, 1, 7, THU), 12).isoformat()


def test_the_explanation_says_the_conditions():  # R11.4
    rule = spec(
        excluded_service_kinds=("care_home", "short_term_stay"),
        first_order_only=True,
        daily_only=True,
        channels=("post", "fax"),
    )
    result = explained(rule, at(on(2026, 3, 2, MON), 9))
    assert (
        "Gäller inte för vård- och omsorgsboende, korttidsboende; bara för en ny brukares "
        "första beställning; bara för insatser som ges dagligen; bara för beställningar som "
        "skickats per post eller per fax." in result["text"]
    )
    assert result["excluded_service_kinds"] == ["care_home", "short_term_stay"]
    assert result["channels"] == ["post", "fax"]
    plain = explained(spec(), at(on(2026, 3, 2, MON), 9))
    assert "Gäller" not in plain["text"]


def test_evaluate_judges_a_time_of_day_deadline_by_the_minute():  # R11.4
    rule = spec(amount=1, due_time=time(12))
    sent = at(on(2026, 12, 23, WED), 15)
    on_time = at(on(2026, 12, 28, MON), 12)
    late = on_time + timedelta(minutes=1)
    for stop, status in ((on_time, Status.MET_ON_TIME), (late, Status.MET_LATE)):
        events = [Event("order.sent", sent, sent), Event("order.acknowledged", stop, stop)]
        [cycle] = evaluate(rule, events, late)
        assert cycle.status == status
    [open_item] = evaluate(rule, [Event("order.sent", sent, sent)], late)
    assert open_item.status == Status.OVERDUE


# --- Conditions: RuleSpec.applies(Facts) ------------------------------------------------------


def test_excluded_service_kinds_and_types_leave_those_orders_out():  # R11.4, seed 002
    rule = spec(excluded_service_kinds=("care_home", "short_term_stay"))
    assert rule.applies(Facts(kinds=frozenset({"personal_care"})))
    assert not rule.applies(Facts(kinds=frozenset({"short_term_stay"})))
    assert not rule.applies(Facts(kinds=frozenset({"personal_care", "care_home"})))
    by_type = spec(service_kinds=("cleaning",), excluded_service_types=("hemtjanst-stad",))
    assert by_type.applies(Facts(kinds=frozenset({"cleaning"}), types=frozenset({"stad-extra"})))
    assert not by_type.applies(
        Facts(kinds=frozenset({"cleaning"}), types=frozenset({"hemtjanst-stad"}))
    )
    assert not by_type.applies(Facts(kinds=frozenset({"personal_care"})))  # not included


def test_first_order_only_applies_to_a_new_clients_first_order():  # R11.4
    rule = spec(first_order_only=True)
    assert rule.applies(Facts(first_order=True))
    assert not rule.applies(Facts(first_order=False))
    assert not rule.applies(Facts(first_order=None))  # a decision is no order
    assert spec().applies(Facts(first_order=False))


def test_daily_only_applies_to_services_given_every_day():  # R11.4
    rule = spec(daily_only=True)
    assert rule.applies(Facts(daily=True))
    assert not rule.applies(Facts(daily=False))


def test_channels_apply_to_orders_that_went_that_way():  # R11.4 "per post eller fax"
    rule = spec(channels=("post", "fax"))
    assert rule.applies(Facts(channel="post")) and rule.applies(Facts(channel="fax"))
    assert not rule.applies(Facts(channel="system"))
    assert not rule.applies(Facts(channel=""))  # a decision went nowhere
    assert spec().applies(Facts(channel="email"))


def test_every_condition_must_hold():  # R11.4
    rule = spec(
        service_kinds=("personal_care",), first_order_only=True, daily_only=True, channels=("fax",)
    )
    good = Facts(kinds=frozenset({"personal_care"}), first_order=True, daily=True, channel="fax")
    assert rule.applies(good)
    for change in (
        {"kinds": frozenset({"cleaning"})},
        {"first_order": False},
        {"daily": False},
        {"channel": "post"},
    ):
        assert not rule.applies(dataclasses.replace(good, **change)), change


# --- Properties of the new units --------------------------------------------------------------

moments = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2090, 12, 31),
    timezones=st.just(STOCKHOLM),
    allow_imaginary=False,
)


def _counted_hours(start: datetime, end: datetime, hours: tuple[time, time] | None) -> timedelta:
    """The weekday (or opening) time between two moments, counted day by day."""
    total = timedelta()
    day = start.astimezone(STOCKHOLM).date()
    while datetime.combine(day, time.min, STOCKHOLM) < end:
        if is_weekday(day):
            opens, closes = hours or (time.min, None)
            low = datetime.combine(day, opens, STOCKHOLM)
            high = (
                datetime.combine(day, closes, STOCKHOLM)
                if closes
                else datetime.combine(day + timedelta(days=1), time.min, STOCKHOLM)
            )
            low, high = max(low, start), min(high, end)
            if low < high:
                total += high.astimezone(UTC) - low.astimezone(UTC)
        day += timedelta(days=1)
    return total


@given(moments, st.integers(0, 500))
def test_weekday_hours_are_exactly_the_weekday_time_elapsed(start, amount):  # R11.4
    due = compute_due(start, amount, Unit.WEEKDAY_HOURS)
    assert _counted_hours(start, due.due_at, None) == timedelta(hours=amount)
    assert all(non_weekday_reason(s.day) == s.reason for s in due.skipped)


@given(moments, st.integers(1, 200))
def test_opening_hours_are_exactly_the_open_time_elapsed_and_end_inside_it(start, amount):  # R11.4
    due = compute_due(start, amount, Unit.OPENING_HOURS, opening_hours=OPEN_8_17)
    assert _counted_hours(start, due.due_at, OPEN_8_17) == timedelta(hours=amount)
    local = due.due_at.astimezone(STOCKHOLM)
    assert is_weekday(local.date()) and time(8) < local.time() <= time(17)


@given(moments, st.sampled_from(sorted(MONTH_UNITS)), st.data())
def test_a_month_unit_lands_in_its_month_and_weekday_units_on_weekdays(start, unit, data):  # R11.4
    day_of_month = unit in (Unit.DAY_OF_FOLLOWING_MONTH, Unit.DAY_OF_SAME_MONTH)
    amount = data.draw(st.integers(1, 31 if day_of_month else 23))
    due = compute_due(start, amount, unit)
    month = start.year * 12 + start.month + (1 if "following" in unit.value else 0)
    assert due.due_date.year * 12 + due.due_date.month == month
    if not day_of_month:
        assert is_weekday(due.due_date)
