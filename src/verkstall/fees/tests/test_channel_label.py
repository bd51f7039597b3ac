"""The fee officer's inbox names the channel a notice registered on a provider's behalf came by
in Swedish, never its stored code (issue 17 item 9: "raw codes shown on screens")."""

from __future__ import annotations

from django.urls import reverse

from verkstall.core.clock import travel_to
from verkstall.fees import services

from .conftest import MON_23_MAR, at, client_for


def test_the_inbox_shows_the_channel_in_swedish(w):  # R9.3, R3.3
    w.started(provider=w.angen)  # registered by the officer for Ängens Omsorg, by phone
    with travel_to(at(MON_23_MAR, 12)):
        assert services.collect_fee_notices(municipality=w.muni) == 1
    page = client_for(w.fee_officer).get(reverse("fee-notice-inbox")).content.decode()
    assert "(för Ängens Omsorg, telefon)" in page
    assert "phone" not in page
