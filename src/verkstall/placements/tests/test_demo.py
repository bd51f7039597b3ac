"""The demo's placement unit has real work waiting (SPEC R8.1, R8.2, R8.3, issue 14 §6)."""

from __future__ import annotations

import pytest

from verkstall.access.models import User
from verkstall.deadlines.models import DueItem
from verkstall.placements import selectors
from verkstall.tooling import demo

pytestmark = pytest.mark.django_db


def test_placering_has_an_urgent_placement_and_ordinary_entries_waiting(settings, tmp_path):
    # R8.1 R8.3
    settings.DATA_DIR = tmp_path
    demo.seed()
    placering = User.objects.get(username="placering")
    care = selectors.queue_by_home(placering, care_homes=True)
    day = selectors.queue_by_home(placering, care_homes=False)
    assert len(care) == 2 and len(day) == 1
    rows = care[0].rows
    assert rows[0].entry.urgent and rows[0].entry.liability_from is not None
    assert [r.entry.urgent for r in rows[1:]] == [False, False]
    assert sorted(r.days for r in rows[1:]) == [12, 34]
    item = DueItem.objects.get(decision=rows[0].entry.decision, rule__code="betalningsansvar")
    assert item.responsible == "placement_unit" and item.status == "open"
    # A second run adds nothing.
    demo.seed()
    assert selectors.entries_for(placering).count() == 4


def test_placering_has_a_temporary_stay_from_another_municipality_waiting(settings, tmp_path):
    # R8.4
    from verkstall.placements import stay_selectors

    settings.DATA_DIR = tmp_path
    demo.seed()
    placering = User.objects.get(username="placering")
    pending = list(stay_selectors.pending_intakes(placering))
    assert [(i.full_name, i.home_municipality) for i in pending] == [
        ("Signe Lindqvist", "Uppsala (0380)")
    ]
    demo.seed()
    assert stay_selectors.intakes_for(placering).count() == 1
