"""The demo (tooling/demo_payments.py): Stockholm's prices and a respite order with performed
time, so that last month's payment basis has lines for the LOV administrator `lovadmin`, the
fee officer `avgift` and Omsorg Väst AB's unit manager `enhetschef` (SPEC R9.2, R9.4)."""

from __future__ import annotations

import pytest
from django.test import Client

from verkstall.access.models import User
from verkstall.core import clock
from verkstall.payments.basis_types import Period
from verkstall.payments.models import PerformedTime, Price
from verkstall.tooling import demo

pytestmark = pytest.mark.django_db


def test_the_demo_has_prices_and_a_basis_for_last_month(settings, tmp_path):  # R9.4, R9.2
    settings.DATA_DIR = tmp_path
    demo.seed()
    prices, performed = Price.objects.count(), PerformedTime.objects.count()
    assert prices >= 6 and performed >= 1
    demo.seed()  # a second run adds nothing
    assert (Price.objects.count(), PerformedTime.objects.count()) == (prices, performed)
    last = Period.of(clock.today()).previous().label
    for username in ("lovadmin", "avgift", "enhetschef"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        page = client.get(f"/payments/basis/?period={last}")
        assert page.status_code == 200
        text = page.content.decode()
        assert "Omsorg Väst AB" in text and "Avlösning" in text, username
