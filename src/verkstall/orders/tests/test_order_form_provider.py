"""The right provider without hunting (issue 17 item 4; SPEC R2.1, R2.2, R2.4, R2.6, R3.1).

The order form starts from the client's registered choice or the rotation's assignment, offers
only the chosen provider's units (the list follows the provider through htmx, or without
JavaScript through a button that creates nothing), and marks a provider at its capacity cap
before anything is sent; the switch's new-provider list marks it the same way, with the same
code (providers/offer_selectors.py). Bengt on Gotland (test_switch.py): Björkens Hemtjänst has
his order; Ängens Omsorg and Fårö Hemtjänst HB (not connected) are contracted in Visby,
Cederns Omsorg is not.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from verkstall.core import clock
from verkstall.core.clock import travel_to
from verkstall.core.errors import ValidationFailed
from verkstall.orders import switch_services
from verkstall.orders.models import Order
from verkstall.orders.tests.test_switch import THU_5_MAR, Gotland, at
from verkstall.providers import choice_services, offer_selectors, rotation_services
from verkstall.providers.selectors import takeover_problem
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db

MARK = "(taket nått)"


@pytest.fixture
def g(db):
    g = Gotland()
    g.nord = build.provider_unit(g.angens, "Ängen Nord")
    g.syd = build.provider_unit(g.angens, "Ängen Syd")
    g.stugan = build.provider_unit(g.bjorkens, "Björken Stugan")
    return g


def _form_page(client, g, query=None, **headers):
    client.force_login(g.officer)
    url = reverse("order-create", args=[g.decision.pk])
    response = client.get(url, query or {}, **headers)
    assert response.status_code == 200
    return response


def _units(form) -> dict:
    return dict(form.fields["provider_unit"].choices)


def _care(g):
    return g.decision.services.get(service_type__code="hemtjanst-omvardnad")


def test_the_form_starts_from_the_clients_choice_with_its_units_only(g, client):
    # R2.2, issue 17 item 4
    choice_services.register_choice(
        g.officer,
        granted_service=_care(g),
        provider=g.angens,
        form_received_on=clock.today(),
    )
    form = _form_page(client, g).context["form"]
    assert str(form.initial["provider"]) == str(g.angens.pk)
    assert _units(form) == {"": "–", g.nord.pk: "Ängen Nord", g.syd.pk: "Ängen Syd"}
    assert "Val av utförare LOV: Ängens Omsorg." in form.fields["provider"].help_text
    # A link that names another provider wins (the proximity and choice screens).
    form = _form_page(client, g, {"provider": g.bjorkens.pk}).context["form"]
    assert _units(form) == {"": "–", g.stugan.pk: "Björken Stugan"}


def test_the_form_starts_from_the_rotations_provider(g, client):  # R2.4, issue 17 item 4
    assignment = rotation_services.assign_by_rotation(g.officer, granted_service=_care(g))
    form = _form_page(client, g).context["form"]
    assert str(form.initial["provider"]) == str(assignment.provider_id)
    note = form.fields["provider"].help_text
    assert f"Ickeval, tilldelad enligt turordning: {assignment.provider.name}." in note


def test_without_a_provider_the_units_wait_for_one_and_follow_it_through_htmx(g, client):
    # issue 17 item 4: the unit list is filled in on the server, for the provider chosen
    response = _form_page(client, g)
    form = response.context["form"]
    assert form.initial["provider"] == ""
    assert _units(form) == {"": "Välj utförare först"}
    html = response.content.decode()
    assert 'hx-get="/decisions/' in html and 'hx-target="#id_provider_unit"' in html
    # htmx asks again when the provider changes: the unit list alone, the provider's only.
    partial = _form_page(
        client,
        g,
        {"provider": g.angens.pk},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="id_provider_unit",
    )
    body = partial.content.decode()
    assert body.startswith("<select") and 'id="id_provider_unit"' in body
    assert "Ängen Nord" in body and "Ängen Syd" in body and "Björken Stugan" not in body
    # A provider without units, or one that is not a provider, is never an error.
    for value in (g.faro.pk, "abc", "999999"):
        partial = _form_page(
            client,
            g,
            {"provider": value},
            HTTP_HX_REQUEST="true",
            HTTP_HX_TARGET="id_provider_unit",
        )
        assert "Björken Stugan" not in partial.content.decode()


def test_a_unit_of_another_provider_is_refused_and_nothing_is_created(g, client):
    client.force_login(g.officer)
    before = Order.objects.count()
    url = reverse("order-create", args=[g.decision.pk])
    response = client.post(
        url,
        {
            "provider": g.angens.pk,
            "provider_unit": g.stugan.pk,
            "services": [s.pk for s in g.decision.services.all()],
        },
    )
    assert response.status_code == 200 and Order.objects.count() == before
    assert response.context["form"].errors["provider_unit"]


def test_without_javascript_a_button_shows_the_units_and_keeps_what_was_typed(g, client):
    # issue 17 item 4: the no-JS fallback posts the form back, creates nothing, shows no errors
    client.force_login(g.officer)
    before = Order.objects.count()
    url = reverse("order-create", args=[g.decision.pk])
    assert 'name="show_units"' in client.get(url).content.decode()
    care = _care(g)
    response = client.post(
        url,
        {
            "provider": g.angens.pk,
            "services": [care.pk],
            "instructions": "Ring på två gånger.",
            "show_units": "1",
        },
    )
    assert response.status_code == 200 and Order.objects.count() == before
    form = response.context["form"]
    assert not form.is_bound
    assert _units(form) == {"": "–", g.nord.pk: "Ängen Nord", g.syd.pk: "Ängen Syd"}
    html = response.content.decode()
    assert "Ring på två gånger." in html and 'class="errorlist' not in html
    assert form.initial["services"] == [str(care.pk)]
    # ...and the form sent again with a unit creates the order.
    response = client.post(
        url, {"provider": g.angens.pk, "provider_unit": g.nord.pk, "services": [care.pk]}
    )
    assert response.status_code == 302
    assert Order.objects.latest("pk").provider_unit == g.nord


def test_a_provider_at_its_cap_is_marked_before_the_order_is_sent(g, client):
    # R2.1, issue 17 item 4
    until = clock.today() + timedelta(days=20)
    g.cap(g.angens, reason="Fullt i Visby")
    for line in g.contracts.values():
        if line.provider_id == g.angens.pk:
            line.capacity_until = until
            line.save()
    form = _form_page(client, g).context["form"]
    labels = dict(form.fields["provider"].choices)
    assert labels[g.angens.pk] == f"Ängens Omsorg {MARK}"
    assert labels[g.bjorkens.pk] == "Björkens Hemtjänst"
    assert labels[g.faro.pk] == "Fårö Hemtjänst HB (Fax)"
    assert labels[g.cederns.pk] == "Cederns Omsorg"  # no contract here: nothing to mark
    help_text = form.fields["provider"].help_text
    assert help_text.startswith("Taket nått: utföraren tar inte emot nya brukare")
    assert (
        "Ängens Omsorg: Hemtjänst – personlig omvårdnad, Hemtjänst – serviceinsatser" in help_text
    )
    assert f"till och med {until.isoformat()}" in help_text
    assert "Fullt i Visby" in help_text and "Björkens" not in help_text
    g.cap(g.faro)
    form = _form_page(client, g).context["form"]
    assert dict(form.fields["provider"].choices)[g.faro.pk] == "Fårö Hemtjänst HB (Fax, taket nått)"


def test_the_switch_marks_the_same_providers_the_same_way_and_refuses_them(g, client):
    # R2.6, issue 17 item 4: the marking before, the refusal after, agree
    g.cap(g.angens)
    client.force_login(g.officer)
    with travel_to(at(THU_5_MAR)):
        response = client.get(reverse("switch-request", args=[g.order.pk]))
    assert response.status_code == 200
    form = response.context["form"]
    labels = dict(form.fields["new_provider"].choices)
    assert g.bjorkens.pk not in labels  # the current provider
    caps = offer_selectors.caps_for_order(g.order)
    assert labels == {
        "": "–",
        **dict(offer_selectors.provider_choices([g.angens, g.cederns, g.faro], caps)),
    }
    assert labels[g.angens.pk] == f"Ängens Omsorg {MARK}"
    assert form.fields["new_provider"].help_text == offer_selectors.caps_explanation(
        caps, [g.angens, g.cederns, g.faro]
    )
    assert MARK in response.content.decode() and "Taket nått:" in response.content.decode()
    for provider in (g.angens, g.faro):
        refused = takeover_problem(
            g.officer, g.order, provider, returning=False, today=clock.today()
        )
        assert (refused is not None and "inte emot nya brukare" in refused) == (provider.pk in caps)
    with travel_to(at(THU_5_MAR)), pytest.raises(ValidationFailed):
        switch_services.request_switch(
            g.officer, order=g.order, new_provider=g.angens, requested_on=THU_5_MAR
        )


def test_one_marking_for_both_lists(g):  # issue 17 item 4
    g.cap(g.angens)
    caps = offer_selectors.caps_for_decision(g.decision)
    assert set(caps) == {g.angens.pk} == set(offer_selectors.caps_for_order(g.order))
    cap = caps[g.angens.pk]
    assert cap.service_names == ("Hemtjänst – personlig omvårdnad", "Hemtjänst – serviceinsatser")
    assert offer_selectors.provider_label(g.angens, cap) == f"Ängens Omsorg {MARK}"
    assert offer_selectors.provider_label(g.angens) == "Ängens Omsorg"
    # No area, or no LOV service (the safety alarm): nothing to mark.
    types = [s.service_type_id for s in g.decision.services.all()]
    assert (
        offer_selectors.caps_for(municipality_id=g.muni.pk, area_id=None, service_type_ids=types)
        == {}
    )
    alarm = [s.service_type_id for s in g.decision.services.filter(service_type__lov=False)]
    assert (
        alarm
        and offer_selectors.caps_for(
            municipality_id=g.muni.pk, area_id=g.area.pk, service_type_ids=alarm
        )
        == {}
    )
