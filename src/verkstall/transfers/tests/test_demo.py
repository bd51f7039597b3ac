"""The demo shows the IUB request (SPEC R1.3) and the transfer at 65 (R1.4); a second run adds
nothing."""

from __future__ import annotations

import pytest

from verkstall.access.models import User
from verkstall.decisions import iub_selectors
from verkstall.tooling import demo
from verkstall.transfers import selectors

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_open_iub_request_and_a_client_turning_65(settings, tmp_path):
    """R1.3: Gotland's officer has an open request; R1.4: Solna's socialpsykiatri officer has a
    client with housing support turning 65, to hand over to the elderly care."""
    settings.DATA_DIR = tmp_path
    demo.seed()
    gotland = User.objects.get(username="handlaggare.gotland")
    requests = list(iub_selectors.open_iub_requests(gotland))
    assert [r.person.last_name for r in requests] == ["Iubsson"]
    assert requests[0].person.relatives.filter(relation="son").exists()
    psychiatry = User.objects.get(username="handlaggare.psykiatri")
    route, due = selectors.due_for_transfer(psychiatry)
    assert route.to_unit.name == "Omvårdnadsförvaltningen, myndighet"
    assert [c.person.last_name for c in due] == ["Sextiofemsson"]
    assert due[0].days_left == 30 and due[0].orders[0].state == "started"
    demo.seed()
    assert len(list(iub_selectors.open_iub_requests(gotland))) == 1
    assert len(selectors.due_for_transfer(psychiatry)[1]) == 1
