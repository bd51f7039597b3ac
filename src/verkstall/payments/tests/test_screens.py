"""The payments screens (SPEC R9.2, R9.4, R9.1): the order's time page from the order, the time
changed and removed, the basis with its close, the prices page."""

from __future__ import annotations

from datetime import date

from verkstall.core.clock import travel_to
from verkstall.payments import services
from verkstall.payments.models import MonthClose, PerformedTime

from .conftest import RESPITE, at, granted


def test_the_order_leads_to_its_time_which_is_changed_and_removed(pw, client):  # R9.2
    order = pw.order(services=[granted(RESPITE, "10")])
    client.force_login(pw.staff_a)
    with travel_to(at(date(2026, 3, 20))):
        detail = client.get(f"/orders/{order.pk}/").content.decode()
        assert f"/payments/orders/{order.pk}/time/" in detail
        entry = services.register_performed_time(
            pw.staff_a,
            order=order,
            granted_service=order.services.get(),
            day="2026-03-02",
            hours="2",
        )
        form = client.get(f"/payments/time/{entry.pk}/change/")
        assert form.status_code == 200
        changed = client.post(
            f"/payments/time/{entry.pk}/change/", {"day": "2026-03-03", "hours": "3,5"}
        )
        assert changed.status_code == 302
        entry.refresh_from_db()
        assert (entry.day, str(entry.hours), entry.changed_by) == (
            date(2026, 3, 3),
            "3.50",
            pw.staff_a,
        )
        bad = client.post(f"/payments/time/{entry.pk}/change/", {"day": "2026-03-03", "hours": "x"})
        assert bad.status_code == 400 and "Ange ett tal" in bad.content.decode()
        assert client.post(f"/payments/time/{entry.pk}/remove/").status_code == 302
        assert not PerformedTime.objects.filter(pk=entry.pk).exists()


def test_the_lov_administrator_closes_the_month_on_the_basis_page(pw, client):  # R9.1, R9.4
    pw.order()
    client.force_login(pw.lov)
    with travel_to(at(date(2026, 3, 4))):
        page = client.get("/payments/basis/?period=2026-02").content.decode()
        assert "Stäng 2026-02" in page and "senast 2026-03-05" in page
        refused = client.post("/payments/months/close/", {"period": "2026-02"}, follow=True)
        assert "Ange skäl" in refused.content.decode()
        assert not MonthClose.objects.exists()
        client.post("/payments/months/close/", {"period": "2026-02", "reason": "Bokslut"})
        close = MonthClose.objects.get()
        assert close.early and close.line_count == 1
        page = client.get("/payments/basis/?period=2026-02").content.decode()
        assert "Månaden är stängd" in page and "Stäng 2026-02" not in page
    client.force_login(pw.manager_a)
    with travel_to(at(date(2026, 3, 4))):
        assert client.post("/payments/months/close/", {"period": "2026-03"}).status_code == 403


def test_the_prices_page(pw, client):  # R9.4
    client.force_login(pw.lov)
    page = client.get("/payments/prices/").content.decode()
    assert "Hemtjänst – personlig omvårdnad" in page and "400,00 kr" in page
    assert "Nytt pris" in page
    client.force_login(pw.staff_a)
    assert client.get("/payments/prices/").status_code == 403
