"""No empty 405 after a form's errors (issue 17 item 2): an action that only takes POST shows
its errors at its own URL; a later GET of that URL (a reload, the history, the address bar)
goes to the page that has the form (core/middleware.py)."""

from __future__ import annotations

import pytest
from django.http import HttpResponseNotAllowed
from django.urls import reverse

from verkstall.core.middleware import FormPageMiddleware, form_page, page_for

pytestmark = pytest.mark.django_db


def test_a_reload_after_a_refused_action_goes_to_the_order_page(world, client):  # R3.3
    order = world.order(provider=world.provider_a, state="acknowledged")
    client.force_login(world.staff_a)
    url = reverse("order-action", args=[order.pk, "start"])
    refused = client.post(url, {})
    assert refused.status_code == 400
    assert "data-error-summary" in refused.content.decode()
    again = client.get(url)
    assert again.status_code == 302
    assert again["Location"] == reverse("order-detail", args=[order.pk])
    assert client.get(again["Location"]).status_code == 200


def test_a_declared_form_page_wins_over_the_page_above(world, client):  # R10.1
    """The oral briefing's form is on the order page, not under /clients/."""
    order = world.order(provider=world.provider_a, state="sent")
    client.force_login(world.officer)
    response = client.get(reverse("oral-briefing-create", args=[order.pk]))
    assert response["Location"] == reverse("order-detail", args=[order.pk])


def test_the_redirect_is_the_same_whatever_the_id(world, client):  # Actors: no existence leak
    """Another organisation's user, or an id that does not exist: the same redirect, and the
    page it names refuses as it always does."""
    order = world.order(provider=world.provider_a, state="acknowledged")
    client.force_login(world.staff_b)
    theirs = client.get(reverse("order-action", args=[order.pk, "start"]))
    missing = client.get(reverse("order-action", args=[order.pk + 1000, "start"]))
    assert theirs.status_code == missing.status_code == 302
    assert theirs["Location"] == reverse("order-detail", args=[order.pk])
    assert client.get(theirs["Location"]).status_code == 404


def test_a_post_only_page_with_nothing_above_it_goes_to_the_start_page(world, client):
    client.force_login(world.officer)
    response = client.get(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_the_api_and_the_admin_keep_their_405(rf):  # the API answers in JSON, not pages
    middleware = FormPageMiddleware(lambda request: HttpResponseNotAllowed(["POST"]))
    for path, status in (("/api/orders/1/acknowledge/", 405), ("/admin/logout/", 405)):
        request = rf.get(path)
        request.resolver_match = object()
        assert middleware(request).status_code == status
    request = rf.get("/orders/1/acknowledge/")
    request.resolver_match = None  # not a route of ours: nothing to send it to
    assert middleware(request).status_code == 405


def test_form_page_reverses_with_the_views_own_arguments(rf, world):
    @form_page("order-detail", pk="order_pk")
    def view(request, order_pk):
        raise AssertionError("not called")

    request = rf.get("/clients/orders/7/oral-briefing/")
    request.resolver_match = type("Match", (), {"func": view, "kwargs": {"order_pk": 7}})()
    assert page_for(request) == reverse("order-detail", args=[7])
