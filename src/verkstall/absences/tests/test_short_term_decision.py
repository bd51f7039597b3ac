"""A short-term stay decision registers absence on the client's started orders (R7.1)."""

from datetime import timedelta

from verkstall.absences.models import Absence
from verkstall.core import clock
from verkstall.decisions.services import record_decision
from verkstall.journal.models import CaseJournalEntry


def _short_term(world, person, start, end):
    return record_decision(
        world.officer,
        person=person,
        decided_on=clock.today(),
        services=[
            {
                "service_type": "korttidsboende",
                "scope_amount": "1",
                "scope_unit": "place",
                "valid_from": start,
                "valid_to": end,
            }
        ],
    )


def test_short_term_stay_decision_registers_absence_on_every_started_order(world):  # R7.1
    order_a = world.order(state="started")
    person = order_a.person
    order_b = world.order(
        provider=world.provider_b, state="started", decision=world.decision(person)
    )
    start = clock.today() + timedelta(days=3)
    _short_term(world, person, start, start + timedelta(days=6))
    for order in (order_a, order_b):
        absence = Absence.objects.get(order=order)
        assert (absence.reason, absence.from_date, absence.to_date) == (
            "short_term_stay",
            start,
            start + timedelta(days=6),
        )


def test_short_term_stay_without_a_started_order_keeps_the_decision_and_says_why(world):  # R7.1
    person = world.person()
    start = clock.today() + timedelta(days=3)
    decision = _short_term(world, person, start, start + timedelta(days=6))
    assert decision.pk
    assert not Absence.objects.exists()
    note = CaseJournalEntry.objects.get(person=person, title="Frånvaro vid korttidsvistelse")
    assert "registrerades inte automatiskt" in note.text
