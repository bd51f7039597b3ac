"""The month and its registration deadline (SPEC R9.1, seed 002): pure date arithmetic, no
Django, tested without the database.

"Handläggaren och utföraren ska snarast möjligt dock senast den 5:e nästkommande månad ha
registrerat ... omprövning, verkställighetsdatum och frånvaro" (§Verkställighetsdatum/
ersättning). The day (5) is the municipality's rule profile's `month_registration_day`; the
days before it on which a reminder goes out are the municipality's month settings
(months.models.MonthSettings). Neither is a constant here.
"""

from __future__ import annotations

from datetime import date

from verkstall.payments.basis_types import Period, registration_deadline

MONTH_NAMES = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)

#: How many days before the deadline a reminder may go out at most.
MAX_REMINDER_DAYS = 27


class Month(Period):
    """A calendar month as the month screen names it: the payment basis's month
    (payments.basis_types.Period, whose `label` "2026-11" is its key in a link or a form),
    with its Swedish name."""

    @property
    def name(self) -> str:
        """ "november 2026": the month as the screen and the mail say it."""
        return f"{MONTH_NAMES[self.month - 1]} {self.year}"


def deadline(month: Month, day: int) -> date:
    """The last day to register the month's data: day `day` of the following month, as the
    month close counts it (payments.basis_types.registration_deadline)."""
    return registration_deadline(month, day)


def deadline_text(month: Month, day: int) -> str:
    """ "senast den 5 december": the deadline as the month screen and the mail say it."""
    due = deadline(month, day)
    return f"senast den {due.day} {MONTH_NAMES[due.month - 1]}"


def default_month(today: date, day: int) -> Month:
    """The month a screen opens on: the previous month until its deadline (the 5th) has
    passed, then the current one."""
    current = Month.of(today)
    return current.previous() if today <= deadline(current.previous(), day) else current


def days_left(today: date, month: Month, day: int) -> int:
    """Days from `today` to the month's deadline: 0 on the day, negative once it has passed."""
    return (deadline(month, day) - today).days


def is_late(today: date, month: Month, day: int) -> bool:
    """Whatever is still missing for the month after its deadline is late."""
    return today > deadline(month, day)


def reminder_months(today: date, day: int, days_before: list[int]) -> list[Month]:
    """The months whose reminder goes out today: those whose deadline is one of `days_before`
    days ahead (0: on the deadline day itself)."""
    wanted = set(days_before)
    candidates = (Month.of(today).previous(), Month.of(today))
    return [m for m in candidates if (deadline(m, day) - today).days in wanted]


def parse_days_before(text: str) -> list[int]:
    """ "3, 1" -> [3, 1]: distinct whole days from 0 to MAX_REMINDER_DAYS, largest first; an
    empty text is no reminder. ValueError (with a Swedish message) for anything else."""
    days = set()
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or int(part) > MAX_REMINDER_DAYS:
            raise ValueError(
                f"”{part}” är inte ett antal dagar mellan 0 och {MAX_REMINDER_DAYS}; skriv "
                "t.ex. 3, 1."
            )
        days.add(int(part))
    return sorted(days, reverse=True)


def days_text(days: list[int]) -> str:
    """[3, 1] -> "3, 1"."""
    return ", ".join(str(d) for d in days)


def month_choices(today: date, back: int = 12) -> list[Month]:
    """The months a screen offers: the current one and `back` before it, newest first."""
    months = [Month.of(today)]
    for _ in range(back):
        months.append(months[-1].previous())
    return months
