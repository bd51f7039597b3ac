"""The demo's fee officer `avgift` (Stockholm) has fee notices waiting in its inbox and on its
watchlist (SPEC R9.3); a second run adds none."""

from __future__ import annotations

import pytest

from verkstall.access.models import User
from verkstall.deadlines import selectors as watchlists
from verkstall.fees import selectors, services
from verkstall.tooling import demo

pytestmark = pytest.mark.django_db


def test_the_demo_fee_officer_has_notices_waiting(settings, tmp_path):  # R9.3
    settings.DATA_DIR = tmp_path
    demo.seed()
    avgift = User.objects.get(username="avgift")
    waiting = list(selectors.inbox(avgift))
    kinds = {n.kind for n in waiting}
    assert {"absence", "temporary_change", "ended", "provider_report"} <= kinds
    assert {n.person.last_name for n in waiting} >= {"Bergkvist", "Nyberg", "Lindholm", "Åström"}
    faxed = [n for n in waiting if n.person.last_name == "Åström" and n.kind == "started"]
    assert faxed and faxed[0].reported_by == avgift and faxed[0].channel == "fax"  # R3.3
    assert selectors.inbox(avgift, handled=True).count() == 1
    listed = watchlists.watchlist(avgift)
    assert {i.rule.code for i in listed.items} == {"avgiftsmeddelande"}
    assert len(listed.items) == len(waiting)
    demo.seed()
    assert services.collect_fee_notices(municipality=avgift.municipality) == 0
    assert selectors.inbox(avgift).count() == len(waiting)
