"""Every rule of every built-in profile, on real dates (SPEC R11.1, R11.2). Pure: no database.

Each case below is one rule from one dated start, with the due date worked out by hand on the
2026/2027 calendar and the seed it comes from. The facts used (checked against a printed
calendar; `on()` asserts each weekday so the table cannot drift from reality):

- 2026: 31 Jan and 28 Feb are Saturdays; Easter: långfredagen Fri 3 Apr, påskdagen Sun 5 Apr,
  annandag påsk Mon 6 Apr; Kristi himmelsfärdsdag Thu 14 May; midsommarafton Fri 19 Jun,
  midsommardagen Sat 20 Jun; Sat 5 Dec; julafton Thu 24 Dec, juldagen Fri 25, annandag jul
  Sat 26, nyårsafton Thu 31 Dec.
- 2027: nyårsdagen Fri 1 Jan, trettondedag jul Wed 6 Jan, Sun 28 Feb.
- Summer time begins Sun 29 Mar 2026 at 02:00 (the clock jumps to 03:00).

A "weekday" (vardag) is Monday to Friday except public holidays and midsommar-, jul- and
nyårsafton. Calendar-unit rules roll a due date on a non-weekday forward to the next weekday
unless the rule says not to (lag 1930:173; profiles.rule_from_dict).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from verkstall.deadlines.calendar import STOCKHOLM, Unit, is_weekday
from verkstall.deadlines.profiles import BUILTIN, builtin_profiles
from verkstall.deadlines.rules import EVENT_LABELS, Event, RuleSpec, Status, evaluate

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
SEEDS = Path("/work/shared/seeds")


def on(year: int, month: int, day: int, weekday: int) -> date:
    """A date, asserting its day of the week so the test data cannot drift from reality."""
    result = date(year, month, day)
    assert result.weekday() == weekday, f"{result} is a {result:%A}, not weekday {weekday}"
    return result


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), STOCKHOLM)


def rules_by_key() -> dict[tuple[str, str], RuleSpec]:
    return {
        (slug, rule.code): rule
        for slug, profile in builtin_profiles().items()
        for _, rule in profile.rules
    }


def subjects_by_key() -> dict[tuple[str, str], str]:
    return {
        (slug, rule.code): subject
        for slug, profile in builtin_profiles().items()
        for subject, rule in profile.rules
    }


# Reasons as the calendar writes them (holidays package, Swedish names).
LOR, SON = "Lördag", "Söndag"
LANGFREDAG, PASKDAGEN, ANNANDAG_PASK = "Långfredagen", "Påskdagen", "Annandag påsk"
KRISTI = "Kristi himmelsfärdsdag"
MIDSOMMARAFTON, MIDSOMMARDAGEN = "Midsommarafton", "Midsommardagen"
JULAFTON, JULDAGEN, ANNANDAG_JUL = "Julafton", "Juldagen", "Annandag jul"
NYARSAFTON, NYARSDAGEN, TRETTONDEDAG = "Nyårsafton", "Nyårsdagen", "Trettondedag jul"


@dataclass(frozen=True)
class Case:
    profile: str
    rule: str
    name: str
    start: date | datetime
    due: date | datetime | None  # a date for whole-day rules, a moment for hours, None: snarast
    skipped: tuple[tuple[date, str], ...] = ()
    rolled_from: date | None = None

    @property
    def id(self) -> str:
        return f"{self.profile}/{self.rule}/{self.name}"


SHV, GOT, SOL, KUN = BUILTIN  # stockholm-hv, gotland, solna-boendestod, kundval-004

CASES = [
    # --- stockholm-hv (seeds 000/001) --------------------------------------------------------
    # 001 §Genomförande: the written order must follow an acute oral one "snarast".
    Case(SHV, "skriftlig-bestallning", "akut-fredag", at(on(2026, 11, 20, FRI), 15), None),
    # 001 §Genomförande: "senast inom tre vardagar ... bekräfta ... att uppdraget påbörjats".
    Case(
        SHV,
        "kvittens-och-start",
        "helg",
        on(2026, 3, 6, FRI),
        on(2026, 3, 11, WED),
        ((on(2026, 3, 7, SAT), LOR), (on(2026, 3, 8, SUN), SON)),
    ),
    # 001 §Genomförande; SCENARIOS 1: sent Monday, due Thursday.
    Case(SHV, "kvittens-och-start", "scenario-1", on(2026, 11, 23, MON), on(2026, 11, 26, THU)),
    # 001 §Genomförande
    Case(
        SHV,
        "kvittens-och-start",
        "julen",
        on(2026, 12, 23, WED),
        on(2026, 12, 30, WED),
        (
            (on(2026, 12, 24, THU), JULAFTON),
            (on(2026, 12, 25, FRI), JULDAGEN),
            (on(2026, 12, 26, SAT), ANNANDAG_JUL),
            (on(2026, 12, 27, SUN), SON),
        ),
    ),
    # 001 §Genomförande
    Case(
        SHV,
        "kvittens-och-start",
        "nyar",
        on(2026, 12, 30, WED),
        on(2027, 1, 7, THU),
        (
            (on(2026, 12, 31, THU), NYARSAFTON),
            (on(2027, 1, 1, FRI), NYARSDAGEN),
            (on(2027, 1, 2, SAT), LOR),
            (on(2027, 1, 3, SUN), SON),
            (on(2027, 1, 6, WED), TRETTONDEDAG),
        ),
    ),
    # 001 §Genomförandeplan: "inom 15 arbetsdagar från det att uppdraget påbörjats";
    # SCENARIOS 1: started Friday 20 Nov -> Friday 11 Dec.
    Case(
        SHV,
        "genomforandeplan-skickad",
        "scenario-1",
        on(2026, 11, 20, FRI),
        on(2026, 12, 11, FRI),
        (
            (on(2026, 11, 21, SAT), LOR),
            (on(2026, 11, 22, SUN), SON),
            (on(2026, 11, 28, SAT), LOR),
            (on(2026, 11, 29, SUN), SON),
            (on(2026, 12, 5, SAT), LOR),
            (on(2026, 12, 6, SUN), SON),
        ),
    ),
    # 001 §Genomförandeplan
    Case(
        SHV,
        "genomforandeplan-skickad",
        "pask",
        on(2026, 3, 30, MON),
        on(2026, 4, 22, WED),
        (
            (on(2026, 4, 3, FRI), LANGFREDAG),
            (on(2026, 4, 4, SAT), LOR),
            (on(2026, 4, 5, SUN), PASKDAGEN),
            (on(2026, 4, 6, MON), ANNANDAG_PASK),
            (on(2026, 4, 11, SAT), LOR),
            (on(2026, 4, 12, SUN), SON),
            (on(2026, 4, 18, SAT), LOR),
            (on(2026, 4, 19, SUN), SON),
        ),
    ),
    # 001 §Genomförandeplan: julafton to trettondedag jul in one count.
    Case(
        SHV,
        "genomforandeplan-skickad",
        "julen",
        on(2026, 12, 14, MON),
        on(2027, 1, 11, MON),
        (
            (on(2026, 12, 19, SAT), LOR),
            (on(2026, 12, 20, SUN), SON),
            (on(2026, 12, 24, THU), JULAFTON),
            (on(2026, 12, 25, FRI), JULDAGEN),
            (on(2026, 12, 26, SAT), ANNANDAG_JUL),
            (on(2026, 12, 27, SUN), SON),
            (on(2026, 12, 31, THU), NYARSAFTON),
            (on(2027, 1, 1, FRI), NYARSDAGEN),
            (on(2027, 1, 2, SAT), LOR),
            (on(2027, 1, 3, SUN), SON),
            (on(2027, 1, 6, WED), TRETTONDEDAG),
            (on(2027, 1, 9, SAT), LOR),
            (on(2027, 1, 10, SUN), SON),
        ),
    ),
    # 001 §Genomförandeplan: sorted in the document store, shown on the watchlist (no length).
    Case(SHV, "genomforandeplan-mottagen", "snarast", on(2026, 12, 11, FRI), None),
    # 001 §Skyndsam placering; lag 2017:612: three calendar days, never rolled.
    Case(SHV, "betalningsansvar", "julen", on(2026, 12, 23, WED), on(2026, 12, 26, SAT)),
    # 001 §Skyndsam placering
    Case(SHV, "betalningsansvar", "midsommar", on(2026, 6, 17, WED), on(2026, 6, 20, SAT)),
    # SPEC R9.5: three months from the decision, clamped to February's end, not rolled.
    Case(SHV, "ivo-ej-verkstallt", "manadsslut", on(2026, 11, 30, MON), on(2027, 2, 28, SUN)),
    # SPEC R9.5
    Case(SHV, "ivo-ej-verkstallt", "december", on(2026, 12, 22, TUE), on(2027, 3, 22, MON)),
    # --- gotland (seed 002) ------------------------------------------------------------------
    # 002 §Verkställighet: "dagliga insatser verkställs snarast dock senast inom 3 dagar".
    Case(
        GOT,
        "start-dagliga-insatser",
        "julen",
        on(2026, 12, 22, TUE),
        on(2026, 12, 28, MON),
        (
            (on(2026, 12, 25, FRI), JULDAGEN),
            (on(2026, 12, 26, SAT), ANNANDAG_JUL),
            (on(2026, 12, 27, SUN), SON),
        ),
        rolled_from=on(2026, 12, 25, FRI),
    ),
    # 002 §Verkställighet
    Case(
        GOT,
        "start-dagliga-insatser",
        "pask",
        on(2026, 4, 1, WED),
        on(2026, 4, 7, TUE),
        (
            (on(2026, 4, 4, SAT), LOR),
            (on(2026, 4, 5, SUN), PASKDAGEN),
            (on(2026, 4, 6, MON), ANNANDAG_PASK),
        ),
        rolled_from=on(2026, 4, 4, SAT),
    ),
    # 002 §Verkställighet: "övriga insatser verkställs inom aktuell frekvens": a weekly
    # service within a week (R3.6); midsommarafton rolls it to Monday.
    Case(
        GOT,
        "start-insatser-varje-vecka",
        "midsommar",
        on(2026, 6, 12, FRI),
        on(2026, 6, 22, MON),
        (
            (on(2026, 6, 19, FRI), MIDSOMMARAFTON),
            (on(2026, 6, 20, SAT), MIDSOMMARDAGEN),
            (on(2026, 6, 21, SUN), SON),
        ),
        rolled_from=on(2026, 6, 19, FRI),
    ),
    # 002 §Verkställighet: a service every other week within two weeks (R3.6).
    Case(
        GOT,
        "start-insatser-varannan-vecka",
        "december",
        on(2026, 12, 16, WED),
        on(2026, 12, 30, WED),
    ),
    # 002 §Verkställighet: a monthly service within a month, clamped to February's end (a
    # Saturday) and rolled to Monday (R3.6).
    Case(
        GOT,
        "start-insatser-varje-manad",
        "februari",
        on(2026, 1, 31, SAT),
        on(2026, 3, 2, MON),
        ((on(2026, 2, 28, SAT), LOR), (on(2026, 3, 1, SUN), SON)),
        rolled_from=on(2026, 2, 28, SAT),
    ),
    # 002 §Verkställighet: a service whose decision does not say how often has no frequency to
    # be started within: "snarast" (R3.6).
    Case(GOT, "start-ovriga-insatser", "snarast", on(2026, 3, 2, MON), None),
    # 002 §Verkställighet: "Beställning av matdistribution görs snarast dock inom 3 vardagar".
    Case(
        GOT,
        "matdistribution-bestalld",
        "kristi-himmelsfard",
        on(2026, 5, 12, TUE),
        on(2026, 5, 18, MON),
        (
            (on(2026, 5, 14, THU), KRISTI),
            (on(2026, 5, 16, SAT), LOR),
            (on(2026, 5, 17, SUN), SON),
        ),
    ),
    # 002 §Utförare av trygghetslarm: ordered from HMC "snarast dock inom 3 vardagar".
    Case(
        GOT,
        "larm-bestallt-hmc",
        "midsommar",
        on(2026, 6, 17, WED),
        on(2026, 6, 23, TUE),
        (
            (on(2026, 6, 19, FRI), MIDSOMMARAFTON),
            (on(2026, 6, 20, SAT), MIDSOMMARDAGEN),
            (on(2026, 6, 21, SUN), SON),
        ),
    ),
    # 002 §Utförare av trygghetslarm: HMC installs "inom 3 vardagar från beställning".
    Case(
        GOT,
        "larm-installerat",
        "nyar",
        on(2026, 12, 31, THU),
        on(2027, 1, 7, THU),
        (
            (on(2027, 1, 1, FRI), NYARSDAGEN),
            (on(2027, 1, 2, SAT), LOR),
            (on(2027, 1, 3, SUN), SON),
            (on(2027, 1, 6, WED), TRETTONDEDAG),
        ),
    ),
    # 002 §Verkställighetsdatum/ersättning: "senast den 5:e nästkommande månad"; from
    # December into January of the next year.
    Case(
        GOT,
        "verkstallighetsdatum-registrerat",
        "december",
        on(2026, 12, 15, TUE),
        on(2027, 1, 5, TUE),
    ),
    # 002 §Verkställighetsdatum/ersättning: the 5th is a Saturday and rolls to Monday.
    Case(
        GOT,
        "verkstallighetsdatum-registrerat",
        "femte-ar-lordag",
        on(2026, 11, 20, FRI),
        on(2026, 12, 7, MON),
        ((on(2026, 12, 5, SAT), LOR), (on(2026, 12, 6, SUN), SON)),
        rolled_from=on(2026, 12, 5, SAT),
    ),
    # 002 §Verkställighetsdatum/ersättning: absence registered by the 5th; 5 Apr is Easter.
    Case(
        GOT,
        "franvaro-registrerad",
        "pask",
        on(2026, 3, 20, FRI),
        on(2026, 4, 7, TUE),
        ((on(2026, 4, 5, SUN), PASKDAGEN), (on(2026, 4, 6, MON), ANNANDAG_PASK)),
        rolled_from=on(2026, 4, 5, SUN),
    ),
    # 002 §Genomförandeplan: "inleder ... inom 3 veckor från verkställighetsdatum".
    Case(
        GOT,
        "genomforandeplan-paborjad",
        "midsommar",
        on(2026, 5, 29, FRI),
        on(2026, 6, 22, MON),
        (
            (on(2026, 6, 19, FRI), MIDSOMMARAFTON),
            (on(2026, 6, 20, SAT), MIDSOMMARDAGEN),
            (on(2026, 6, 21, SUN), SON),
        ),
        rolled_from=on(2026, 6, 19, FRI),
    ),
    # 002 §Genomförandeplan: "slutförd inom 6 veckor från verkställighetsdatum".
    Case(
        GOT,
        "genomforandeplan-klar",
        "julen",
        on(2026, 11, 13, FRI),
        on(2026, 12, 28, MON),
        (
            (on(2026, 12, 25, FRI), JULDAGEN),
            (on(2026, 12, 26, SAT), ANNANDAG_JUL),
            (on(2026, 12, 27, SUN), SON),
        ),
        rolled_from=on(2026, 12, 25, FRI),
    ),
    # 002 §Genomförandeplan
    Case(
        GOT,
        "genomforandeplan-klar",
        "pask",
        on(2026, 2, 23, MON),
        on(2026, 4, 7, TUE),
        ((on(2026, 4, 6, MON), ANNANDAG_PASK),),
        rolled_from=on(2026, 4, 6, MON),
    ),
    # 002 §Genomförandeplan: "Upprättad genomförandeplan delges den enskilde" (no length, R5.2).
    Case(GOT, "genomforandeplan-delgiven", "snarast", on(2026, 3, 2, MON), None),
    # 002 §Genomförandeplan: for IUB "i första kontakten" — the same day, even julafton.
    Case(GOT, "genomforandeplan-iub", "julafton", on(2026, 12, 24, THU), on(2026, 12, 24, THU)),
    # 002 §Genomförandeplan: "följas upp minst en gång per år".
    Case(
        GOT,
        "genomforandeplan-arlig",
        "nyarsafton",
        on(2025, 12, 31, WED),
        on(2027, 1, 4, MON),
        (
            (on(2026, 12, 31, THU), NYARSAFTON),
            (on(2027, 1, 1, FRI), NYARSDAGEN),
            (on(2027, 1, 2, SAT), LOR),
            (on(2027, 1, 3, SUN), SON),
        ),
        rolled_from=on(2026, 12, 31, THU),
    ),
    # 002 §Social dokumentation av genomförande: "minst en gång per halvår".
    Case(
        GOT,
        "social-dokumentation-sammanfattning",
        "langfredag",
        on(2025, 10, 3, FRI),
        on(2026, 4, 7, TUE),
        (
            (on(2026, 4, 3, FRI), LANGFREDAG),
            (on(2026, 4, 4, SAT), LOR),
            (on(2026, 4, 5, SUN), PASKDAGEN),
            (on(2026, 4, 6, MON), ANNANDAG_PASK),
        ),
        rolled_from=on(2026, 4, 3, FRI),
    ),
    # 002 §Uppföljning: "enklare uppföljning efter en månad"; 31 Jan + 1 month is 28 Feb,
    # a Saturday, rolled to Monday 2 March.
    Case(
        GOT,
        "uppfoljning-en-manad",
        "manadsslut",
        on(2026, 1, 31, SAT),
        on(2026, 3, 2, MON),
        ((on(2026, 2, 28, SAT), LOR), (on(2026, 3, 1, SUN), SON)),
        rolled_from=on(2026, 2, 28, SAT),
    ),
    # 002 §Uppföljning
    Case(
        GOT,
        "uppfoljning-en-manad",
        "kristi-himmelsfard",
        on(2026, 4, 14, TUE),
        on(2026, 5, 15, FRI),
        ((on(2026, 5, 14, THU), KRISTI),),
        rolled_from=on(2026, 5, 14, THU),
    ),
    # 002 §Uppföljning: "Årliga uppföljningar genomförs i samtliga beslut".
    Case(
        GOT,
        "uppfoljning-arlig",
        "julafton",
        on(2025, 12, 24, WED),
        on(2026, 12, 28, MON),
        (
            (on(2026, 12, 24, THU), JULAFTON),
            (on(2026, 12, 25, FRI), JULDAGEN),
            (on(2026, 12, 26, SAT), ANNANDAG_JUL),
            (on(2026, 12, 27, SUN), SON),
        ),
        rolled_from=on(2026, 12, 24, THU),
    ),
    # 002 §Uppföljning: IUB "ny förfrågan ska genomföras vartannat år".
    Case(
        GOT,
        "iub-ny-forfragan",
        "kristi-himmelsfard",
        on(2024, 5, 14, TUE),
        on(2026, 5, 15, FRI),
        ((on(2026, 5, 14, THU), KRISTI),),
        rolled_from=on(2026, 5, 14, THU),
    ),
    # 002 §Uppföljning: "Utföraren meddelar skyndsamt tillbaka aktuell situation".
    Case(GOT, "uppfoljning-svar", "snarast", on(2026, 3, 2, MON), None),
    # 002 §Byte av utförare: "14 dagars uppsägningstid", a plain count, never rolled.
    Case(GOT, "byte-uppsagningstid", "nyarsafton", on(2026, 12, 17, THU), on(2026, 12, 31, THU)),
    # 002 §Byte av utförare
    Case(GOT, "byte-uppsagningstid", "annandag-pask", on(2026, 3, 23, MON), on(2026, 4, 6, MON)),
    # 002 §Byte av utförare: "Ny utförare tar kontakt ... inom 3 vardagar"; from skärtorsdagen.
    Case(
        GOT,
        "byte-kontakt",
        "pask",
        on(2026, 4, 2, THU),
        on(2026, 4, 9, THU),
        (
            (on(2026, 4, 3, FRI), LANGFREDAG),
            (on(2026, 4, 4, SAT), LOR),
            (on(2026, 4, 5, SUN), PASKDAGEN),
            (on(2026, 4, 6, MON), ANNANDAG_PASK),
        ),
    ),
    # 002 §Utskrivningsklara: "Utföraren kvitterar sina brukare" (no length).
    Case(GOT, "in-utskrivning-kvitterad", "snarast", at(on(2026, 6, 19, FRI), 9), None),
    # SPEC R9.5
    Case(GOT, "ivo-ej-verkstallt", "kvartal", on(2026, 9, 30, WED), on(2026, 12, 30, WED)),
    # --- solna-boendestod (seed 003) ---------------------------------------------------------
    # 003: "Den enskilde väljer utförare inom 2 månader"; 31 Dec + 2 months = 28 Feb, a Sunday,
    # not rolled.
    Case(SOL, "val-av-utforare", "manadsslut", on(2026, 12, 31, THU), on(2027, 2, 28, SUN)),
    # 003 "kommit utföraren tillhanda" (R3.5): an order sent by post or fax has its arrival
    # registered within 3 weekdays, so that the clocks counted from receipt start.
    Case(
        SOL,
        "ankomstdag-registrerad",
        "helg",
        on(2026, 3, 6, FRI),
        on(2026, 3, 11, WED),
        ((on(2026, 3, 7, SAT), LOR), (on(2026, 3, 8, SUN), SON)),
    ),
    # 003: "bekräftar att beställningen har mottagits senast dagen efter".
    Case(
        SOL,
        "kvittens-dagen-efter",
        "helg",
        on(2026, 3, 6, FRI),
        on(2026, 3, 9, MON),
        ((on(2026, 3, 7, SAT), LOR), (on(2026, 3, 8, SUN), SON)),
        rolled_from=on(2026, 3, 7, SAT),
    ),
    # 003
    Case(
        SOL,
        "kvittens-dagen-efter",
        "julafton",
        on(2026, 12, 23, WED),
        on(2026, 12, 28, MON),
        (
            (on(2026, 12, 24, THU), JULAFTON),
            (on(2026, 12, 25, FRI), JULDAGEN),
            (on(2026, 12, 26, SAT), ANNANDAG_JUL),
            (on(2026, 12, 27, SUN), SON),
        ),
        rolled_from=on(2026, 12, 24, THU),
    ),
    # 003
    Case(
        SOL,
        "kvittens-dagen-efter",
        "kristi-himmelsfard",
        on(2026, 5, 13, WED),
        on(2026, 5, 15, FRI),
        ((on(2026, 5, 14, THU), KRISTI),),
        rolled_from=on(2026, 5, 14, THU),
    ),
    # 003: start reported "senast 14 dagar efter att beställningen mottagits".
    Case(
        SOL,
        "start-rapporterad",
        "langfredag",
        on(2026, 3, 20, FRI),
        on(2026, 4, 7, TUE),
        (
            (on(2026, 4, 3, FRI), LANGFREDAG),
            (on(2026, 4, 4, SAT), LOR),
            (on(2026, 4, 5, SUN), PASKDAGEN),
            (on(2026, 4, 6, MON), ANNANDAG_PASK),
        ),
        rolled_from=on(2026, 4, 3, FRI),
    ),
    # 003: "inte har påbörjats inom en månad från att beställningen mottagits".
    Case(
        SOL,
        "ej-paborjad-kontakt-utforare",
        "julafton",
        on(2026, 11, 24, TUE),
        on(2026, 12, 28, MON),
        (
            (on(2026, 12, 24, THU), JULAFTON),
            (on(2026, 12, 25, FRI), JULDAGEN),
            (on(2026, 12, 26, SAT), ANNANDAG_JUL),
            (on(2026, 12, 27, SUN), SON),
        ),
        rolled_from=on(2026, 12, 24, THU),
    ),
    # 003 (Ansvarig: utförare och handläggare)
    Case(
        SOL,
        "ej-paborjad-kontakt-handlaggare",
        "midsommarafton",
        on(2026, 5, 19, TUE),
        on(2026, 6, 22, MON),
        (
            (on(2026, 6, 19, FRI), MIDSOMMARAFTON),
            (on(2026, 6, 20, SAT), MIDSOMMARDAGEN),
            (on(2026, 6, 21, SUN), SON),
        ),
        rolled_from=on(2026, 6, 19, FRI),
    ),
    # 003: "Upprättandet av en genomförandeplan påbörjas inom 14 dagar".
    Case(
        SOL,
        "genomforandeplan-paborjad",
        "kristi-himmelsfard",
        on(2026, 4, 30, THU),
        on(2026, 5, 15, FRI),
        ((on(2026, 5, 14, THU), KRISTI),),
        rolled_from=on(2026, 5, 14, THU),
    ),
    # 003: "skickas till OF senast inom 3 månader vid ny kund".
    Case(
        SOL,
        "genomforandeplan-skickad",
        "trettondedag",
        on(2026, 10, 6, TUE),
        on(2027, 1, 7, THU),
        ((on(2027, 1, 6, WED), TRETTONDEDAG),),
        rolled_from=on(2027, 1, 6, WED),
    ),
    # 003: the 3 months are "vid ny kund"; a client the provider already has sends it with no
    # number in the routine (R5.1).
    Case(SOL, "genomforandeplan-skickad-befintlig-kund", "snarast", on(2026, 3, 2, MON), None),
    # 003: "Handläggaren bekräftar att genomförandeplanen mottagits via mail" (no length).
    Case(SOL, "genomforandeplan-bekraftad", "snarast", on(2026, 3, 2, MON), None),
    # 003: "Uppföljningen genomförs inom 3 månader från det att genomförandeplanen inkommit".
    Case(
        SOL,
        "uppfoljning",
        "midsommarafton",
        on(2026, 3, 19, THU),
        on(2026, 6, 22, MON),
        (
            (on(2026, 6, 19, FRI), MIDSOMMARAFTON),
            (on(2026, 6, 20, SAT), MIDSOMMARDAGEN),
            (on(2026, 6, 21, SUN), SON),
        ),
        rolled_from=on(2026, 6, 19, FRI),
    ),
    # 003: absence of "mer än 30 dagar sammanhängande" is reported (no length).
    Case(SOL, "franvaro-over-30-dagar", "snarast", on(2026, 3, 2, MON), None),
    # SPEC R9.5: 5 Jan + 3 months is påskdagen; the IVO date is not rolled.
    Case(SOL, "ivo-ej-verkstallt", "pask", on(2026, 1, 5, MON), on(2026, 4, 5, SUN)),
    # --- kundval-004 (seed 004) --------------------------------------------------------------
    # 004 §Bekräftelse angående mottagande av uppdrag (R3.5): the arrival of an order sent by
    # fax registered within 3 weekdays, over Easter.
    Case(
        KUN,
        "ankomstdag-registrerad",
        "pask",
        on(2026, 4, 1, WED),
        on(2026, 4, 8, WED),
        (
            (on(2026, 4, 3, FRI), LANGFREDAG),
            (on(2026, 4, 4, SAT), LOR),
            (on(2026, 4, 5, SUN), PASKDAGEN),
            (on(2026, 4, 6, MON), ANNANDAG_PASK),
        ),
    ),
    # 004 §Bekräftelse angående mottagande av uppdrag: "senast nästkommande dag".
    Case(
        KUN,
        "kvittens-nasta-dag",
        "nyarsafton",
        on(2026, 12, 31, THU),
        on(2027, 1, 4, MON),
        (
            (on(2027, 1, 1, FRI), NYARSDAGEN),
            (on(2027, 1, 2, SAT), LOR),
            (on(2027, 1, 3, SUN), SON),
        ),
        rolled_from=on(2027, 1, 1, FRI),
    ),
    # 004 §Bekräftelse angående mottagande av uppdrag
    Case(
        KUN,
        "kvittens-nasta-dag",
        "midsommar",
        on(2026, 6, 18, THU),
        on(2026, 6, 22, MON),
        (
            (on(2026, 6, 19, FRI), MIDSOMMARAFTON),
            (on(2026, 6, 20, SAT), MIDSOMMARDAGEN),
            (on(2026, 6, 21, SUN), SON),
        ),
        rolled_from=on(2026, 6, 19, FRI),
    ),
    # 004 §Start av insats: "senast inom 48 timmar" — real hours, holidays count.
    Case(
        KUN,
        "start-omvardnad-48h",
        "julen",
        at(on(2026, 12, 23, WED), 10),
        at(on(2026, 12, 25, FRI), 10),
    ),
    # 004 §Start av insats: across the start of summer time, 48 real hours end at 13:00.
    Case(
        KUN,
        "start-omvardnad-48h",
        "sommartid",
        at(on(2026, 3, 27, FRI), 12),
        at(on(2026, 3, 29, SUN), 13),
    ),
    # 004 §Start av insats: "påbörjas inom sju dagar efter mottagande av beställning".
    Case(
        KUN,
        "start-service-7-dagar",
        "trettondedag",
        on(2026, 12, 30, WED),
        on(2027, 1, 7, THU),
        ((on(2027, 1, 6, WED), TRETTONDEDAG),),
        rolled_from=on(2027, 1, 6, WED),
    ),
    # 004 §Start av insats
    Case(
        KUN,
        "start-service-7-dagar",
        "kristi-himmelsfard",
        on(2026, 5, 7, THU),
        on(2026, 5, 15, FRI),
        ((on(2026, 5, 14, THU), KRISTI),),
        rolled_from=on(2026, 5, 14, THU),
    ),
    # SPEC R9.5
    Case(KUN, "ivo-ej-verkstallt", "kvartal", on(2026, 3, 5, THU), on(2026, 6, 5, FRI)),
    # SPEC R9.3 (national): a fee notice is handled as soon as possible; 002 gives no number.
    *[Case(p, "avgiftsmeddelande", "snarast", on(2026, 3, 2, MON), None) for p in BUILTIN],
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule_falls_due_on_the_hand_checked_day(case: Case):  # R11.1, R11.2
    rule = rules_by_key()[(case.profile, case.rule)]
    due = rule.due_from(case.start)
    if case.due is None:
        assert rule.amount is None and due is None
        return
    assert due is not None
    if isinstance(case.due, datetime):  # an hours rule: a moment, not a day
        assert due.due_date is None
        assert due.due_at == case.due
        assert due.due_at.utcoffset() == case.due.utcoffset()
        return
    assert due.due_date == case.due
    assert due.due_at == datetime.combine(case.due, time.max, STOCKHOLM)
    assert [(s.day, s.reason) for s in due.skipped] == list(case.skipped)
    assert due.rolled_from == case.rolled_from


def test_the_table_has_a_case_for_every_built_in_rule():  # R11.1
    covered = {(c.profile, c.rule) for c in CASES}
    assert covered == set(rules_by_key())
    assert len(covered) == 52
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))


def _days_between(case: Case) -> set[date]:
    """Every day from the start to the due date of a dated case."""
    first = case.start.date() if isinstance(case.start, datetime) else case.start
    last = case.due.date() if isinstance(case.due, datetime) else case.due
    return {first + timedelta(days=n) for n in range((last - first).days + 1)}


def _skipping(day: date) -> list[str]:
    return [c.id for c in CASES if day in {d for d, _ in c.skipped}]


def test_the_cases_cross_every_hard_part_of_the_calendar():  # R11.2
    """The table is only worth something if it crosses the days that make counting hard."""
    assert any(reason in (LOR, SON) for c in CASES for _, reason in c.skipped)  # a weekend
    assert _skipping(date(2026, 4, 3)) and _skipping(date(2026, 4, 6))  # Easter 2026
    assert set(_skipping(date(2026, 4, 3))) & set(_skipping(date(2026, 4, 6)))
    assert _skipping(date(2026, 5, 14))  # Kristi himmelsfärd
    assert _skipping(date(2026, 6, 19))  # midsommarafton
    # Julafton to trettondedag jul in one count.
    assert set(_skipping(date(2026, 12, 24))) & set(_skipping(date(2027, 1, 6)))
    # A month end: 31 January plus one month.
    rules = rules_by_key()
    assert any(
        c.start == date(2026, 1, 31)
        and rules[(c.profile, c.rule)].unit == Unit.MONTHS
        and rules[(c.profile, c.rule)].amount == 1
        and c.rolled_from == date(2026, 2, 28)
        for c in CASES
    )
    # The 5th of the next month, from December.
    assert any(
        rules[(c.profile, c.rule)].unit == Unit.DAY_OF_FOLLOWING_MONTH
        and c.start.month == 12
        and c.due == date(c.start.year + 1, 1, 5)
        for c in CASES
    )
    # Some rule is not rolled although it ends on a holiday.
    assert any(
        c.due is not None
        and not isinstance(c.due, datetime)
        and not is_weekday(c.due)
        and len(_days_between(c)) > 1
        for c in CASES
    )


# --- The fixture itself ------------------------------------------------------------------

SEED_OF_PROFILE = {
    "stockholm-hv": ("000", "001"),
    "gotland": ("002",),
    "solna-boendestod": ("003",),
    "kundval-004": ("004",),
}
NATIONAL = "ivo-ej-verkstallt"
#: The national library's rules (R11.3) and the SPEC id each carries out.
NATIONAL_RULES = {NATIONAL: "R9.5", "avgiftsmeddelande": "R9.3"}

# Sentences of a rule's source_text that are deliberately not quoted from its seed.
NOT_QUOTED = {
    # The law's default (lag 2017:612), named in the rule's source, SPEC R8.1.
    ("stockholm-hv", "betalningsansvar"): "Utan annan överenskommelse",
    # The seed lists both parties as responsible; the note says so.
    ("solna-boendestod", "ej-paborjad-kontakt-handlaggare"): "(Ansvarig:",
    # The seed's "omdömning" is a slip for "omprövning" (SPEC R9.1 "reassessments").
    ("gotland", "verkstallighetsdatum-registrerat"): "ha registrerat in i verksamhetssystemet",
}


def _normalised(text: str) -> str:
    """Quotes and dashes of one kind, and no white space at all: the seeds are PDF text, with
    words broken across lines ("ickevals alternativ")."""
    text = re.sub(r"<[^>]+>", " ", text)
    text = text.replace("”", '"').replace("“", '"').replace("–", "-")
    return re.sub(r"\s+", "", text)


def _seed_text(number: str) -> str:
    (path,) = SEEDS.glob(f"{number}_*.txt")
    return _normalised(path.read_text(encoding="utf-8"))


def test_every_rule_has_known_events_a_named_seed_and_a_subject():  # R11.1
    for slug, profile in builtin_profiles().items():
        for subject, rule in profile.rules:
            key = f"{slug}/{rule.code}"
            assert rule.start_event in EVENT_LABELS, key
            assert rule.stop_events and set(rule.stop_events) <= set(EVENT_LABELS), key
            assert subject in ("order", "decision"), key
            assert rule.source_text, key
            if rule.code in NATIONAL_RULES:
                assert NATIONAL_RULES[rule.code] in rule.source, key
            else:
                assert any(rule.source.startswith(n) for n in SEED_OF_PROFILE[slug]), key


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seeds are not on this machine")
def test_every_rules_source_text_quotes_its_seed():  # R11.1 "which event starts it ..."
    checked = 0
    for slug, profile in builtin_profiles().items():
        seed = " ".join(_seed_text(n) for n in SEED_OF_PROFILE[slug])
        for _, rule in profile.rules:
            if rule.code in NATIONAL_RULES:
                continue
            for fragment in rule.source_text.split("…"):
                for sentence in re.split(r"(?<=\.) ", fragment):
                    skip = NOT_QUOTED.get((slug, rule.code))
                    if skip and skip in sentence:
                        continue
                    quoted = _normalised(sentence).strip(".,")
                    if quoted:
                        assert quoted in seed, f"{slug}/{rule.code}: {sentence!r}"
                        checked += 1
    assert checked >= 37  # every rule but the national one quotes at least one sentence


def test_the_national_ivo_rule_is_in_every_profile_and_the_same_everywhere():  # R9.5
    found = {}
    for slug, profile in builtin_profiles().items():
        rules = {rule.code: (subject, rule) for subject, rule in profile.rules}
        assert NATIONAL in rules, slug
        found[slug] = rules[NATIONAL]
    assert set(found) == set(BUILTIN)
    first_subject, first = found[BUILTIN[0]]
    for subject, rule in found.values():
        assert subject == "decision" == first_subject
        assert rule == first
        assert (rule.start_event, rule.stop_events) == ("decision.granted", ("order.started",))
        assert (rule.amount, rule.unit, rule.roll_to_weekday) == (3, Unit.MONTHS, False)


def test_the_kundval_acknowledgement_leaves_out_cleaning_and_elderly_day_care():  # 004, R3.5
    rule = rules_by_key()[(KUN, "kvittens-nasta-dag")]
    assert rule.applies_to(["personal_care"], ["hemtjanst-omvardnad"])
    assert rule.applies_to(["day_activity"], ["dagverksamhet-sol"])
    assert rule.applies_to(["daily_activity_lss"], ["daglig-verksamhet-lss"])
    # "förutom städ"; "inte att förväxlas med dagverksamhet inom ÄO".
    assert not rule.applies_to(["cleaning"], ["hemtjanst-stad"])
    assert not rule.applies_to(["day_activity"], ["dagverksamhet"])


def test_gotlands_other_services_include_housing_support():  # 002 "samtliga ... SoL", R3.6
    rule = rules_by_key()[(GOT, "start-ovriga-insatser")]
    assert rule.applies_to(["housing_support"], ["boendestod"])
    assert not rule.applies_to(["care_home"], ["vard-och-omsorgsboende"])  # "bortsett från"


# --- "Snarast" rules ---------------------------------------------------------------------

SNARAST = sorted(k for k, r in rules_by_key().items() if r.amount is None)


def test_the_snarast_rules_are_the_ones_the_seeds_give_no_number():  # R11.1
    assert (
        sorted(
            [
                (SHV, "genomforandeplan-mottagen"),
                (SHV, "skriftlig-bestallning"),
                (GOT, "genomforandeplan-delgiven"),
                (GOT, "in-utskrivning-kvitterad"),
                (GOT, "start-ovriga-insatser"),
                (GOT, "uppfoljning-svar"),
                (SOL, "franvaro-over-30-dagar"),
                (SOL, "genomforandeplan-bekraftad"),
                (SOL, "genomforandeplan-skickad-befintlig-kund"),
                *[(p, "avgiftsmeddelande") for p in BUILTIN],  # R9.3, national
            ]
        )
        == SNARAST
    )


@pytest.mark.parametrize("key", SNARAST, ids=["/".join(k) for k in SNARAST])
def test_a_snarast_rule_gives_an_open_item_with_no_date(key):  # R3.2 "snarast"
    rule = rules_by_key()[key]
    start = at(date(2026, 11, 20), 15)
    [ev] = evaluate(rule, [Event(rule.start_event, start, start)], start + timedelta(days=400))
    assert ev.status == Status.OPEN  # never overdue, however long it waits
    assert ev.due is None and ev.due_at is None
    assert ev.explanation["due_date"] is None and ev.explanation["due_at"] is None
    assert "snarast" in ev.explanation["length"]
    assert "Senast" not in ev.explanation["text"]


# --- Every rule through evaluate: on time, late, open and overdue -------------------------

ALL_RULES = sorted(rules_by_key())
# Rules stopped by their own start event, judged by when it was registered (R9.1): the item
# exists only once the event is registered, so it is never open.
SELF_STOPPED = {k for k, r in rules_by_key().items() if r.start_event in r.stop_events}


def _events(rule: RuleSpec, start: datetime, stop_occurred=None, stop_recorded=None):
    if rule.start_event in rule.stop_events:  # the start is its own registration
        return [Event(rule.start_event, start, stop_recorded or start)]
    events = [Event(rule.start_event, start, start)]
    if stop_occurred is not None:
        events.append(Event(rule.stop_events[0], stop_occurred, stop_recorded or stop_occurred))
    return events


@pytest.mark.parametrize("key", ALL_RULES, ids=["/".join(k) for k in ALL_RULES])
def test_every_rule_is_met_on_time_met_late_open_and_overdue(key):  # R11.1
    rule = rules_by_key()[key]
    start = at(date(2026, 3, 2), 9)  # a Monday morning
    due = rule.due_from(start)
    deadline = due.due_at if due else None
    long_after = start + timedelta(days=1200)

    # Met on time: the stop comes at the last moment it still counts.
    on_time = deadline if deadline else start + timedelta(days=30)
    [ev] = evaluate(rule, _events(rule, start, on_time, on_time), long_after)[:1]
    assert ev.status == Status.MET_ON_TIME
    assert ev.stop_at == on_time

    # Met late: one second after the deadline (a snarast rule cannot be late).
    late = (deadline or start + timedelta(days=365)) + timedelta(seconds=1)
    [ev] = evaluate(rule, _events(rule, start, late, late), long_after)[:1]
    assert ev.status == (Status.MET_LATE if deadline else Status.MET_ON_TIME)

    if key in SELF_STOPPED:
        # Registered is met: there is no open state to see.
        assert all(ev.stop is not None for ev in evaluate(rule, _events(rule, start), start))
        return
    # Open until the deadline has passed, overdue after (a snarast rule stays open).
    [ev] = evaluate(rule, _events(rule, start), deadline or long_after)
    assert ev.status == Status.OPEN and ev.stop is None
    just_after = (deadline or long_after) + timedelta(seconds=1)
    [ev] = evaluate(rule, _events(rule, start), just_after)
    assert ev.status == (Status.OVERDUE if deadline else Status.OPEN)


def test_a_registration_rule_is_judged_by_when_the_date_was_registered():  # R9.1, 002
    rule = rules_by_key()[(GOT, "verkstallighetsdatum-registrerat")]
    started = at(date(2026, 11, 20), 0)
    by_the_fifth = at(date(2026, 12, 7), 16)  # 5 Dec is a Saturday: Monday the 7th counts
    [ev] = evaluate(rule, [Event("order.started", started, by_the_fifth)], by_the_fifth)
    assert ev.status == Status.MET_ON_TIME and ev.stop_at == by_the_fifth
    too_late = at(date(2026, 12, 8), 8)
    [ev] = evaluate(rule, [Event("order.started", started, too_late)], too_late)
    assert ev.status == Status.MET_LATE
    assert "registrerades 2026-12-08 08:00" in ev.explanation["text"]


def test_a_stop_recorded_late_is_judged_by_when_it_happened_and_says_both():  # R11.2
    rule = rules_by_key()[(SHV, "kvittens-och-start")]
    sent = at(date(2026, 11, 23), 10)  # Monday; due Thursday 26 Nov
    started = at(date(2026, 11, 24), 0)  # began Tuesday ...
    recorded = at(date(2026, 11, 30), 9)  # ... registered the Monday after
    events = [Event("order.sent", sent, sent), Event("order.started", started, recorded)]
    [ev] = evaluate(rule, events, recorded)
    assert ev.status == Status.MET_ON_TIME
    assert ev.stop_at == started
    assert ev.explanation["stop_occurred_at"] == started.isoformat()
    assert ev.explanation["stop_recorded_at"] == recorded.isoformat()
    assert "Registrerades 2026-11-30 09:00; bedöms efter när det hände." in ev.explanation["text"]


def test_a_start_recorded_late_counts_from_when_it_happened():  # R11.1, SCENARIOS 1
    rule = rules_by_key()[(SHV, "genomforandeplan-skickad")]
    started = at(date(2026, 11, 20), 0)
    recorded = at(date(2026, 11, 24), 10)
    [ev] = evaluate(rule, [Event("order.started", started, recorded)], recorded)
    assert ev.due.due_date == date(2026, 12, 11)
    assert "Registrerades 2026-11-24 10:00; räknas från när det hände." in ev.explanation["text"]


# --- Repeating rules -----------------------------------------------------------------------


def test_a_periodic_rule_starts_its_next_year_at_each_review():  # 002 §Genomförandeplan, R5.3
    rule = rules_by_key()[(GOT, "genomforandeplan-arlig")]
    sent = at(date(2026, 3, 2), 10)
    reviewed = at(date(2027, 2, 1), 10)
    events = [Event("plan.sent", sent, sent), Event("plan.reviewed", reviewed, reviewed)]
    first, second = evaluate(rule, events, reviewed)
    assert first.status == Status.MET_ON_TIME and first.due.due_date == date(2027, 3, 2)
    assert second.start.kind == "plan.reviewed" and second.status == Status.OPEN
    assert second.due.due_date == date(2028, 2, 1)


def test_an_acknowledgement_rule_starts_a_cycle_per_notice_not_per_acknowledgement():  # 002, R7.3
    rule = rules_by_key()[(GOT, "in-utskrivning-kvitterad")]
    assert rule.repeats
    t = at(date(2026, 3, 2), 10)
    events = [
        Event("hospital_notice.received", t, t),
        Event("hospital_notice.acknowledged", t + timedelta(hours=1), t + timedelta(hours=1)),
    ]
    cycles = evaluate(rule, events, t + timedelta(days=3))
    assert [(c.start.kind, c.status) for c in cycles] == [
        ("hospital_notice.received", Status.MET_ON_TIME)
    ]
    second_notice = t + timedelta(days=2)
    events.append(Event("hospital_notice.received", second_notice, second_notice))
    cycles = evaluate(rule, events, t + timedelta(days=3))
    assert [(c.cycle, c.start.occurred_at, c.status) for c in cycles] == [
        (0, t, Status.MET_ON_TIME),
        (1, second_notice, Status.OPEN),
    ]


def test_a_repeating_registration_rule_gives_one_cycle_per_event():  # 002, R9.1
    rule = dataclasses.replace(
        rules_by_key()[(GOT, "franvaro-registrerad")], repeats=True
    )  # as a municipality might set it in the admin
    march = at(date(2026, 3, 10), 0)
    may = at(date(2026, 5, 20), 0)
    events = [
        Event("absence.began", march, at(date(2026, 3, 12), 9)),
        Event("absence.began", may, at(date(2026, 6, 8), 9)),  # after the 5th of June
    ]
    cycles = evaluate(rule, events, at(date(2026, 7, 1), 9))
    assert [(c.start.occurred_at, c.status) for c in cycles] == [
        (march, Status.MET_ON_TIME),
        (may, Status.MET_LATE),
    ]
