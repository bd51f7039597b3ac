"""The payment basis' arithmetic, without the database (SPEC R9.4, R9.2, R3.2, R3.8)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from verkstall.payments import exports
from verkstall.payments.adjustments import adjustments
from verkstall.payments.basis import month_lines, total
from verkstall.payments.basis_types import (
    FLAG_NO_PRICE,
    FLAG_OUTSIDE,
    FLAG_REASSESS,
    FLAG_UNIT,
    AbsenceIn,
    ChangeIn,
    LineKind,
    MonthData,
    OrderIn,
    PerformedIn,
    Period,
    PriceIn,
    PriceUnit,
    Rules,
    ServiceIn,
    registration_deadline,
)

MARCH = Period(2027, 3)  # 31 days
HOME_CARE, RESPITE = 1, 2


def service(pk=10, type_id=HOME_CARE, scope="31", unit="hours_per_month", **kw) -> ServiceIn:
    values = {
        "id": pk,
        "service_type_id": type_id,
        "service_name": "Hemtjänst" if type_id == HOME_CARE else "Avlösning",
        "scope_amount": Decimal(scope),
        "scope_unit": unit,
        "valid_from": date(2027, 1, 1),
        "valid_to": None,
    }
    values.update(kw)
    return ServiceIn(**values)


def order(pk=100, services=None, start=date(2027, 1, 1), end=None, **kw) -> OrderIn:
    return OrderIn(
        id=pk,
        provider_id=kw.pop("provider_id", 7),
        person_id=kw.pop("person_id", 70),
        start_date=start,
        end_date=end,
        services=tuple(services or [service()]),
        **kw,
    )


def price(pk=1, type_id=HOME_CARE, unit=PriceUnit.GRANTED_HOUR, amount="400", **kw) -> PriceIn:
    values = {"valid_from": date(2027, 1, 1), "valid_to": None}
    values.update(kw)
    return PriceIn(pk, type_id, unit, Decimal(amount), **values)


def lines_of(*orders, prices=(), **kw):
    return month_lines(MARCH, MonthData(orders=tuple(orders), prices=tuple(prices), **kw))


def test_a_whole_month_of_granted_hours_pays_the_scope():  # R9.4
    (line,) = lines_of(order(), prices=[price()])
    assert (line.kind, line.days, line.quantity, line.amount) == (
        "granted",
        31,
        Decimal("31.00"),
        Decimal("12400.00"),
    )
    assert line.services == (10,) and line.order_id == 100 and line.flag == ""


def test_hours_a_month_are_paid_pro_rata_per_day_from_the_start():  # R9.4
    (line,) = lines_of(order(start=date(2027, 3, 17)), prices=[price()])
    assert line.days == 15
    assert line.quantity == Decimal("15.00")  # 31 h/month x 15/31
    assert line.amount == Decimal("6000.00")


def test_a_hospital_stay_reduces_the_payment_by_the_profile_rule():  # R9.4, R7.1
    stay = AbsenceIn(5, 100, "hospital", date(2027, 3, 1), date(2027, 3, 10))
    (line,) = lines_of(order(), prices=[price()], absences=(stay,))
    assert (line.days, line.absence_days, line.absences) == (21, 10, (5,))
    assert line.amount == Decimal("8400.00")
    # The profile pays the first 3 days of each absence.
    rules = Rules(absence_reasons=frozenset({"hospital"}), absence_paid_days=3)
    (line,) = lines_of(order(), prices=[price()], absences=(stay,), rules=rules)
    assert (line.days, line.absence_days) == (24, 7)
    # A reason the profile does not name reduces nothing.
    other = AbsenceIn(6, 100, "own_choice", date(2027, 3, 1), date(2027, 3, 10))
    (line,) = lines_of(order(), prices=[price()], absences=(other,))
    assert (line.days, line.absence_days, line.absences) == (31, 0, ())


def test_an_absence_begun_last_month_counts_its_paid_days_from_its_first_day():  # R9.4
    stay = AbsenceIn(5, 100, "hospital", date(2027, 2, 25), None)
    rules = Rules(absence_reasons=frozenset({"hospital"}), absence_paid_days=10)
    (line,) = lines_of(order(), prices=[price()], absences=(stay,), rules=rules)
    assert (line.days, line.absence_days) == (6, 25)  # paid Feb 25 - Mar 6


def test_a_price_change_mid_month_gives_a_line_per_price():  # R9.4
    old = price(1, valid_to=date(2027, 3, 15))
    new = price(2, amount="500", valid_from=date(2027, 3, 16))
    first, second = lines_of(order(), prices=[old, new])
    assert (first.price_id, first.days, first.amount) == (1, 15, Decimal("6000.00"))
    assert (second.price_id, second.days, second.amount) == (2, 16, Decimal("8000.00"))


def test_days_without_a_price_are_said_not_paid():  # R9.4
    (line,) = lines_of(order(), prices=[price(valid_from=date(2027, 3, 21))])[1:]
    first = lines_of(order(), prices=[price(valid_from=date(2027, 3, 21))])[0]
    assert first.flag == FLAG_NO_PRICE and first.amount == 0 and first.days == 20
    assert line.days == 11 and line.amount == Decimal("4400.00")


def test_per_day_and_per_month_prices():  # R9.4
    per_day = price(unit=PriceUnit.DAY, amount="150")
    (line,) = lines_of(order(start=date(2027, 3, 22)), prices=[per_day])
    assert (line.quantity, line.amount) == (Decimal("10.00"), Decimal("1500.00"))
    per_month = price(unit=PriceUnit.MONTH, amount="3100")
    (line,) = lines_of(order(start=date(2027, 3, 22)), prices=[per_month])
    assert line.amount == Decimal("1000.00") and line.quantity == Decimal("0.3226")


def test_visits_cannot_be_priced_per_granted_hour_and_say_so():  # R9.4
    visits = service(unit="visits_per_day", scope="2")
    (line,) = lines_of(order(services=[visits]), prices=[price()])
    assert line.flag == FLAG_UNIT and line.amount == 0
    assert "besök per dag" in line.note


def test_a_superseded_order_ends_the_day_before_its_successor():  # R3.10, R2.6
    old = order(100, next_start=date(2027, 3, 16), end=date(2027, 3, 31))
    new = order(101, start=date(2027, 3, 16), provider_id=8)
    a, b = lines_of(old, new, prices=[price()])
    assert (a.order_id, a.days, b.order_id, b.days) == (100, 15, 101, 16)
    assert a.amount + b.amount == Decimal("12400.00")  # never two orders for one day


def test_performed_time_is_paid_per_performed_hour():  # R9.2
    respite = service(11, RESPITE, scope="10")
    entries = (
        PerformedIn(1, 100, 11, date(2027, 3, 2), Decimal("3")),
        PerformedIn(2, 100, 11, date(2027, 3, 9), Decimal("2.5")),
    )
    hourly = price(3, RESPITE, PriceUnit.PERFORMED_HOUR, "380")
    (line,) = lines_of(order(services=[respite]), prices=[hourly], performed=entries)
    assert (line.kind, line.quantity, line.amount) == (
        "performed",
        Decimal("5.50"),
        Decimal("2090.00"),
    )
    assert line.performed == (1, 2) and line.days == 2


def test_performed_time_outside_the_order_is_not_paid():  # R9.2
    respite = service(11, RESPITE, scope="10")
    entry = PerformedIn(1, 100, 11, date(2027, 3, 2), Decimal("3"))
    hourly = price(3, RESPITE, PriceUnit.PERFORMED_HOUR, "380")
    (line,) = lines_of(
        order(services=[respite], start=date(2027, 3, 5)), prices=[hourly], performed=(entry,)
    )
    assert line.flag == FLAG_OUTSIDE and line.amount == 0


def test_exceeded_time_of_an_acute_oral_order_is_paid_in_the_acute_period():  # R3.2
    acute = order(start=date(2027, 3, 12), acute_oral_on=date(2027, 3, 10))
    entries = (
        PerformedIn(1, 100, 10, date(2027, 3, 10), Decimal("4"), kind="exceeded"),
        PerformedIn(2, 100, 10, date(2027, 3, 11), Decimal("2"), kind="exceeded"),
    )
    granted, exceeded = lines_of(acute, prices=[price()], performed=entries)
    assert granted.kind == LineKind.GRANTED and granted.days == 20
    assert (exceeded.kind, exceeded.quantity, exceeded.amount) == (
        "exceeded",
        Decimal("6.00"),
        Decimal("2400.00"),
    )


def test_the_five_day_rule_is_a_zero_line_and_a_longer_change_is_flagged():  # R3.8
    five = ChangeIn(1, 100, "increase", date(2027, 3, 3), date(2027, 3, 7), 5, False, 900)
    six = ChangeIn(2, 100, "increase", date(2027, 3, 20), date(2027, 3, 25), 6, True, 901)
    lines = lines_of(order(), prices=[price()], changes=(five, six))
    granted = [ln for ln in lines if ln.kind == LineKind.GRANTED]
    changes = [ln for ln in lines if ln.kind == LineKind.TEMPORARY_CHANGE]
    assert granted[0].amount == Decimal("12400.00")  # no extra for either
    assert [(c.changes, c.amount, c.flag) for c in changes] == [
        ((1,), 0, ""),
        ((2,), 0, FLAG_REASSESS),
    ]
    assert "ryms i befintlig ersättning" in changes[0].note
    assert 901 in changes[1].events


def test_adjustments_are_now_minus_paid_per_key():  # R9.4
    paid = lines_of(order(start=date(2027, 3, 1)), prices=[price()])
    now = lines_of(order(start=date(2027, 3, 11)), prices=[price()])
    (adj,) = adjustments(now, paid)
    assert adj.adjustment and adj.concerns == "2027-03"
    assert adj.amount == Decimal("-4000.00") and adj.days == -10
    assert adjustments(paid, paid) == []


def test_registration_deadline_is_the_day_of_the_next_month():  # R9.1
    assert registration_deadline(Period(2027, 12), 5) == date(2028, 1, 5)
    assert registration_deadline(Period(2027, 1), 40) == date(2027, 2, 28)


def test_periods():
    assert Period.parse("2027-03") == MARCH and MARCH.next() == Period(2027, 4)
    assert Period(2027, 1).previous() == Period(2026, 12)
    assert MARCH.minus(15) == Period(2025, 12)


def _rows(lines):
    return [
        exports.Row(ln, "Omsorg AB", "hemtjanst", "Hemtjänst", "19400101-1234", "=Bo")
        for ln in lines
    ]


def test_exports_are_the_same_bytes_from_the_same_lines():  # R9.4
    lines = lines_of(order(), prices=[price()])
    assert exports.csv_bytes(MARCH, _rows(lines)) == exports.csv_bytes(MARCH, _rows(lines))
    first = exports.xlsx_bytes(MARCH, _rows(lines))
    assert first == exports.xlsx_bytes(MARCH, _rows(lines))
    text = exports.csv_bytes(MARCH, _rows(lines)).decode("utf-8-sig")
    assert "12400,00" in text and "'=Bo" in text  # decimal comma; no formula
    # ...nor in the workbook: the name is a string cell there too.
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(first)).active
    name = next(c for c in sheet[2] if c.value == "=Bo")
    assert name.data_type == "s"
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


@given(
    start=st.integers(1, 31),
    away=st.integers(0, 40),
    paid_days=st.integers(0, 10),
    change_on=st.integers(2, 30),
)
def test_every_day_is_paid_once_and_absence_never_adds(start, away, paid_days, change_on):  # R9.4
    first = date(2027, 3, start)
    stay = AbsenceIn(5, 100, "hospital", date(2027, 3, 1), None) if away > 31 else None
    absences = (stay,) if stay else ()
    rules = Rules(frozenset({"hospital"}), paid_days)
    old = price(1, valid_to=date(2027, 3, change_on - 1))
    new = price(2, amount="401", valid_from=date(2027, 3, change_on))
    lines = lines_of(order(start=first), prices=[old, new], absences=absences, rules=rules)
    days = sum(ln.days + ln.absence_days for ln in lines)
    assert days == 31 - start + 1
    without = lines_of(order(start=first), prices=[old, new], rules=rules)
    assert total(lines) <= total(without)
