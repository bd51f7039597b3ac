"""A fifth municipality's published routine, encoded through the admin's forms alone and its
dated cases run through `python -m verkstall due` (SPEC R11.4, R11.5; issue 13 acceptance).

The routine is not among the seeds: the published home-care promises of a Swedish municipality
("Att få service- och omvårdnadsinsats": the provider contacts the client within two weekdays,
service starts within three weeks of the decision, the implementation plan within 14 days of
it, followed up once a year), with another municipality's published switch rule ("anmäl bytet
senast den 20:e i månaden för att få din nya utförare senast nästkommande månad"). A new
municipality's LOV administrator makes an empty profile of their own, adds each rule on the
rule page, removes nothing by hand in the database, and tries the dates with `due`.

What the language cannot say of this routine (kept as a test, so that it is known, not
forgotten): "kontaktperson senast inom fem dagar från start" needs an event the system does
not record (a contact person named); "från det datum som ditt bistånd börjar gälla" counts
from the decision's first day of validity, not from the decision or the order, and is encoded
here from the order's receipt, the nearest event the system records.
"""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from verkstall.access.roles import Role
from verkstall.deadlines.event_sources import rule_reachability
from verkstall.deadlines.models import Rule, RuleProfile
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db

SLUG = "femte-rutin"

RULES = [
    {
        "code": "kontakt-inom-2-vardagar",
        "name": "Utföraren kontaktar den enskilde",
        "subject": "order",
        "start_event": "order.received",
        "stop_events": ["order.acknowledged"],
        "amount": 2,
        "unit": "weekdays",
        "responsible": "provider",
        "source": "Att få service- och omvårdnadsinsats",
        "source_text": "Utföraren kontaktar dig inom två vardagar från det datum som ditt "
        "bistånd börjar gälla.",
    },
    {
        "code": "service-inom-3-veckor",
        "name": "Serviceinsatsen startar",
        "subject": "decision",
        "start_event": "decision.granted",
        "stop_events": ["order.started"],
        "amount": 3,
        "unit": "weeks",
        "service_kinds": ["service", "cleaning"],
        "responsible": "officer",
        "source": "Att få service- och omvårdnadsinsats",
        "source_text": "Serviceinsatsen startar inom tre veckor från det att du har beviljats "
        "bistånd inom hemtjänst.",
    },
    {
        "code": "genomforandeplan-14-dagar",
        "name": "Genomförandeplan upprättad",
        "subject": "decision",
        "start_event": "decision.granted",
        "stop_events": ["plan.sent"],
        "amount": 14,
        "unit": "calendar_days",
        "responsible": "officer",
        "source": "Att få service- och omvårdnadsinsats",
        "source_text": "Det sker inom 14 dagar från det att du har fått din hemtjänst beviljad.",
    },
    {
        "code": "genomforandeplan-uppfoljning",
        "name": "Genomförandeplanen följs upp",
        "subject": "order",
        "start_event": "plan.sent",
        "stop_events": ["plan.reviewed"],
        "amount": 12,
        "unit": "months",
        "repeats": True,
        "responsible": "provider",
        "source": "Att få service- och omvårdnadsinsats",
        "source_text": "Uppföljning av genomförandeplanen sker en gång per år.",
    },
    {
        "code": "byte-senast-nastkommande-manad",
        "name": "Ny utförare vid byte",
        "subject": "order",
        "start_event": "switch.requested",
        "stop_events": ["switch.completed"],
        "amount": 31,
        "unit": "day_of_following_month",
        "cutoff_day": 20,
        "responsible": "officer",
        "source": "Byte av utförare",
        "source_text": "Kom ihåg att anmäla ditt byte senast den 20:e i månaden för att få din "
        "nya hemtjänstutförare senast nästkommande månad.",
    },
]


def _form(rule: dict, profile: RuleProfile) -> dict:
    """The rule page's POST, as the browser sends it: unchecked boxes absent, each choice of
    a multiple choice once; "roll_to_weekday" left unchecked (the routine does not say a
    deadline moves off a holiday)."""
    data = {"profile": profile.pk}
    for key, value in rule.items():
        if isinstance(value, bool):
            if value:
                data[key] = "on"
        else:
            data[key] = value
    data.setdefault("count_from_next_day", "on")
    data.setdefault("end_inclusive", "on")
    data.setdefault("stop_by", "occurred")
    data.update(
        {
            "revisions-TOTAL_FORMS": "0",
            "revisions-INITIAL_FORMS": "0",
            "revisions-MIN_NUM_FORMS": "0",
            "revisions-MAX_NUM_FORMS": "1000",
        }
    )
    return data


def _due(rule: str, start: str) -> dict:
    out = StringIO()
    call_command("due", SLUG, rule, start, stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def encoded(client):
    """The routine, entered by the new municipality's LOV administrator in the admin."""
    muni = build.municipality(name="Femte kommunen")
    lov = build.user(Role.LOV_ADMIN, muni, username="lov-femte")
    lov.is_staff = True
    lov.save()
    client.force_login(lov)
    national = RuleProfile.objects.get(slug="nationell")
    response = client.post(
        reverse("admin:deadlines_ruleprofile_add"),
        {
            "slug": SLUG,
            "name": "Femte kommunen – hemtjänst",
            "sources": "Att få service- och omvårdnadsinsats; Byte av utförare",
            "includes": [national.pk],
            "temporary_change_days": 5,
            "absence_register_days": 14,
            "long_absence_days": 30,
            "switch_notice_days": 14,
            "switch_contact_weekdays": 3,
            "fee_hours_per_month": 7,
            "discharge_liability_days": 3,
            "queue_declines_allowed": 2,
            "month_registration_day": 5,
            "absence_payment_days": 0,
            "payment_correction_months": 12,
            "mapping_period_months": 0,
            "absence_payment_reasons": ["hospital", "short_term_stay"],
            "rules-TOTAL_FORMS": "0",
            "rules-INITIAL_FORMS": "0",
            "rules-MIN_NUM_FORMS": "0",
            "rules-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    profile = RuleProfile.objects.get(slug=SLUG)
    assert profile.owner == muni  # a LOV administrator's new profile is their own (R11.3)
    for rule in RULES:
        response = client.post(reverse("admin:deadlines_rule_add"), _form(rule, profile))
        assert response.status_code == 302, response.context["adminform"].form.errors
    return profile


def test_the_routine_is_encoded_through_the_admin_alone(encoded):  # R11.4, R11.3
    rules = {r.code: r for r in Rule.objects.filter(profile=encoded)}
    assert set(rules) == {r["code"] for r in RULES}
    assert all(r.version == 1 and not r.roll_to_weekday for r in rules.values())
    assert rules["byte-senast-nastkommande-manad"].cutoff_day == 20
    # The IVO rule comes with the national library, by reference.
    listed = StringIO()
    call_command("due", "--list", SLUG, stdout=listed)
    assert "ivo-ej-verkstallt" in listed.getvalue()


def test_its_dated_cases_through_due(encoded):  # R11.4, R11.2
    # Received Wednesday 23 December 2026 at 16:00: julafton, juldagen, annandag jul (a
    # Saturday) and Sunday are no weekdays; the two weekdays are Mon 28 and Tue 29 December.
    contact = _due("kontakt-inom-2-vardagar", "2026-12-23T16:00")
    assert contact["due_date"] == "2026-12-29"
    assert [s["reason"] for s in contact["skipped"]] == [
        "Julafton",
        "Juldagen",
        "Annandag jul",
        "Söndag",
    ]
    # Granted Monday 21 December 2026: three weeks is Monday 11 January 2027.
    assert _due("service-inom-3-veckor", "2026-12-21")["due_date"] == "2027-01-11"
    # 14 days from Tuesday 22 December 2026 is Tuesday 5 January 2027 (the eve of Epiphany).
    assert _due("genomforandeplan-14-dagar", "2026-12-22")["due_date"] == "2027-01-05"
    # Not moved off a holiday: granted Saturday 19 December 2026 ends on Saturday 2 January.
    plan = _due("genomforandeplan-14-dagar", "2026-12-19")
    assert plan["due_date"] == "2027-01-02" and plan["rolled_from"] is None
    assert "flyttas inte" in plan["explanation"]
    # A plan sent Friday 26 June 2026 (after midsommar) is followed up by 26 June 2027.
    assert _due("genomforandeplan-uppfoljning", "2026-06-26")["due_date"] == "2027-06-26"
    # The switch: asked on the 20th, by the end of the next month; on the 21st, a month later.
    assert _due("byte-senast-nastkommande-manad", "2026-12-20")["due_date"] == "2027-01-31"
    late = _due("byte-senast-nastkommande-manad", "2026-12-21T10:00")
    assert late["due_date"] == "2027-02-28"
    assert "efter den 20:e i månaden" in late["explanation"]


def test_every_rule_of_the_routine_can_start_and_be_met(encoded):  # R11.4, issue 13 §4
    for rule in Rule.objects.filter(profile=encoded):
        found = rule_reachability(rule)
        assert found.starts and found.stops, (rule.code, found.problem)


def test_a_never_used_rule_is_removed_and_a_used_one_stays(client, encoded):  # R11.3
    rule = Rule.objects.get(profile=encoded, code="genomforandeplan-uppfoljning")
    url = reverse("admin:deadlines_rule_delete", args=[rule.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Rule.objects.filter(pk=rule.pk).exists()
    # A template's rule is read, never removed, by a municipality (403).
    template = Rule.objects.get(profile__slug="gotland", code="start-dagliga-insatser")
    url = reverse("admin:deadlines_rule_delete", args=[template.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Rule.objects.filter(pk=template.pk).exists()
