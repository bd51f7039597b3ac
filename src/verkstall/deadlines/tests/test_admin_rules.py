"""The admin's rule and profile pages (SPEC R11.3, R11.4, R11.5; issue 13 §4-§6): fully in Swedish
with the routine's words beside each rule, whether a rule can fire, "Prova regeln" answering
as `python -m verkstall due`, and export, import, copy and assign, scoped like every page (a
LOV administrator of another municipality gets 404, a template is read-only)."""

from __future__ import annotations

import json
import re
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from verkstall.access.roles import Role
from verkstall.deadlines import services
from verkstall.deadlines.models import Rule, RuleProfile
from verkstall.deadlines.profile_io import FORMAT, export_profile
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db


def _staff(user, *, superuser=False):
    user.is_staff = True
    user.is_superuser = superuser
    user.save()
    return user


def _own_copy(muni, source: str) -> RuleProfile:
    """`source` copied into a profile `muni` owns and works by (R11.3)."""
    copy = services.copy_profile(
        None, source=RuleProfile.objects.get(slug=source), slug=f"{muni.code}-{source}", owner=muni
    )
    services.assign_profile(None, municipality=muni, profile=copy)
    return copy


@pytest.fixture
def own(world):
    return _own_copy(world.muni, "gotland")


@pytest.fixture
def lov(world):
    return _staff(build.user(Role.LOV_ADMIN, world.muni, username="lov-a"))


@pytest.fixture
def other():
    """Another municipality with a profile of its own."""
    muni = build.municipality(name="Grannkommun")
    return _own_copy(muni, "stockholm-hv")


@pytest.fixture
def system():
    return _staff(build.user(Role.SYSTEM_ADMIN, None, username="system"), superuser=True)


def _rule(profile: RuleProfile, code: str) -> Rule:
    return Rule.objects.get(profile=profile, code=code)


def _url(name: str, *args) -> str:
    return reverse(f"admin:deadlines_{name}", args=args)


def _text(response) -> str:
    return response.content.decode()


def _change_data(rule: Rule, **overrides) -> dict:
    """The POST of a rule's change page with its current values, as a browser sends it."""
    values = {**rule.as_dict(), **overrides}
    data = {}
    for key, value in values.items():
        if isinstance(value, bool):
            if value:
                data[key] = "on"
        elif isinstance(value, list):
            data[key] = list(value)
        elif value is not None:
            data[key] = value
    data.update(
        {
            "revisions-TOTAL_FORMS": "0",
            "revisions-INITIAL_FORMS": "0",
            "revisions-MIN_NUM_FORMS": "0",
            "revisions-MAX_NUM_FORMS": "1000",
        }
    )
    return data


# --- §6: the rule page in Swedish ------------------------------------------------------------


def test_the_rule_page_is_in_swedish_with_the_routines_words(client, lov, own):  # R11.4, R11.5
    rule = _rule(own, "start-dagliga-insatser")
    client.force_login(lov)
    page = _text(client.get(_url("rule_change", rule.pk)))
    for heading in ("Regel", "Frist", "Räknas från", "Klar när", "Gäller", "Rutinens text"):
        assert f">{heading}<" in page, heading
    for label in (
        "Dag ett är dagen efter händelsen",
        "Sista dagen ingår",
        "Flyttas till nästa vardag",
        "Senast klockan",
        "Räknas från nästa öppning",
        "Samma dag om före klockan",
        "Utom insatsslag",
        "Bara ny brukares första beställning",
        "Bara insatser som ges dagligen",
        "Bara beställningar som gått via",
    ):
        assert label in page, label
    # Help with the routine's own examples; the units by their Swedish names, never raw codes.
    for example in ("24 timmar räknat på vardagar", "senast kl. 12.00", "före kl. 11"):
        assert example in page, example
    assert ">dagar (kalenderdagar)<" in page and ">calendar_days<" not in page
    assert ">timmar räknat på vardagar<" in page
    assert "Vård- och omsorgsboende" in page  # the service kinds as choices
    # The routine's quoted text at the top of the timing, and no English field names.
    assert f"<q>{rule.source_text}</q>" in page
    assert page.index(rule.source_text) < page.index('name="amount"')
    for english in ("Updated at", "Profile:", "Snapshot", "Changed at"):
        assert english not in page, english


def test_a_change_goes_through_update_rule_and_raises_the_version(client, lov, own):  # R11.1
    rule = _rule(own, "start-dagliga-insatser")
    client.force_login(lov)
    url = _url("rule_change", rule.pk)
    response = client.post(url, _change_data(rule, due_time="12:00", end_inclusive=False))
    assert response.status_code == 302, response.context["adminform"].form.errors
    rule.refresh_from_db()
    assert (rule.version, rule.as_dict()["due_time"], rule.end_inclusive) == (2, "12:00", False)
    assert rule.revisions.get().snapshot["due_time"] is None


def test_a_rule_error_goes_to_its_field_in_swedish(client, lov, own):  # R11.4
    rule = _rule(own, "byte-kontakt")
    client.force_login(lov)
    url = _url("rule_change", rule.pk)
    response = client.post(url, _change_data(rule, unit="hours", amount=24, due_time="12:00"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "due_time" in errors and "klockslag" in errors["due_time"][0]
    assert not errors["due_time"][0].startswith(rule.code)
    response = client.post(url, _change_data(rule, receipt_window=True))
    errors = response.context["adminform"].form.errors
    assert "opens_at" in errors and "öppettider" in errors["opens_at"][0]
    rule.refresh_from_db()
    assert rule.version == 1


def test_a_new_rule_is_made_through_add_rules(client, lov, own):  # R11.1, R11.4
    client.force_login(lov)
    data = _change_data(
        Rule(
            profile=own,
            code="ny-kontakt",
            name="Kontakt med ny brukare",
            start_event="order.received",
            stop_events=["order.acknowledged"],
            amount=24,
            unit="weekday_hours",
            count_from_next_day=False,
            responsible="provider",
            source="Rutin 7.2",
            source_text="Utföraren tar kontakt inom 24 timmar räknat på vardagar.",
            first_order_only=True,
            channels=["post", "fax"],
        )
    )
    data["profile"] = own.pk
    response = client.post(_url("rule_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    made = _rule(own, "ny-kontakt")
    assert (made.version, made.unit, made.first_order_only) == (1, "weekday_hours", True)
    assert made.channels == ["post", "fax"]


def test_a_template_is_read_only_and_shown_in_swedish(client, lov):  # R11.3
    rule = Rule.objects.get(profile__slug="gotland", code="start-dagliga-insatser")
    client.force_login(lov)
    page = client.get(_url("rule_change", rule.pk))
    assert page.status_code == 200
    body = _text(page)
    assert 'name="amount"' not in body
    assert "Beställningen skickades" in body and "Vård- och omsorgsboende" in body
    assert client.post(_url("rule_change", rule.pk), _change_data(rule)).status_code == 403
    profile = RuleProfile.objects.get(slug="gotland")
    page = client.get(_url("ruleprofile_change", profile.pk))
    assert page.status_code == 200 and 'name="long_absence_days"' not in _text(page)


def test_another_municipalitys_rule_and_profile_are_not_found(client, lov, other):  # R11.3
    rule = Rule.objects.filter(profile=other).first()
    client.force_login(lov)
    for url in (
        _url("rule_change", rule.pk),
        _url("rule_try", rule.pk) + "?day=2026-12-22",
        _url("ruleprofile_change", other.pk),
        _url("ruleprofile_export", other.pk),
        _url("ruleprofile_copy", other.pk),
        _url("ruleprofile_assign", other.pk),
    ):
        response = client.get(url)
        assert response.status_code in (302, 404), url
        assert other.name not in _text(response) and rule.name not in _text(response)
    assert client.post(_url("ruleprofile_copy", other.pk)).status_code == 404
    assert RuleProfile.objects.filter(sources__contains=other.slug).count() == 0


# --- §4: rules that can never fire -----------------------------------------------------------


def _break_alarm_rules(own) -> None:
    """Every Gotland rule can fire since issue 14 (R4.1): make two that cannot, with an event
    only a decision's clocks see."""
    Rule.objects.filter(profile=own, code="larm-bestallt-hmc").update(
        stop_events=["choice.registered"]
    )
    Rule.objects.filter(profile=own, code="larm-installerat").update(
        start_event="choice.registered", stop_events=["choice.registered"]
    )


def test_the_rule_list_says_whether_each_rule_can_start_and_be_met(client, lov, own):  # R11.4
    client.force_login(lov)
    _break_alarm_rules(own)
    page = _text(client.get(_url("rule_changelist"), {"profile__id__exact": own.pk}))
    assert "Kan starta / kan bli klar" in page
    assert "Ja / Nej – ”Val av utförare registrerades” räknas bara för beslutets frister" in page
    assert "Nej / Nej – ”Val av utförare registrerades” räknas bara" in page  # never starts
    assert "Ja / Ja" in page
    # The routine's words, as a column, and the profile filter titled in Swedish.
    assert "Utföraren ansvarar för att dagliga insatser" in page
    assert "regelprofil" in page.lower() and ">calendar_days<" not in page


def test_a_rule_that_can_never_be_met_warns_on_its_page(client, lov, own):  # R11.4
    client.force_login(lov)
    _break_alarm_rules(own)
    page = _text(client.get(_url("rule_change", _rule(own, "larm-bestallt-hmc").pk)))
    assert 'id="rule-reachability"' in page
    assert "Klockan kan starta men aldrig bli klar" in page
    assert "Startar: Handläggaren skickar beställningen." in page
    fine = _text(client.get(_url("rule_change", _rule(own, "byte-kontakt").pk)))
    assert 'id="rule-reachability"' not in fine


def test_the_profile_page_quotes_the_routine_beside_each_rule(client, lov, own):  # R11.5
    client.force_login(lov)
    page = _text(client.get(_url("ruleprofile_change", own.pk)))
    rule = _rule(own, "start-dagliga-insatser")
    assert rule.source_text[:60] in page
    assert "Ja / Ja" in page and "/ Nej" not in page  # R4.1: the alarm rules can be met
    assert "Gränsvärden i rutinen" in page
    assert "ivo-ej-verkstallt" in page  # the included library's rules are listed


# --- §5: "Prova regeln" ----------------------------------------------------------------------


def _due(*args) -> dict:
    out = StringIO()
    call_command("due", *args, stdout=out)
    return json.loads(out.getvalue())


def test_the_try_panel_answers_as_the_due_command(client, lov, own):  # R11.2, R11.5
    rule = _rule(own, "start-dagliga-insatser")
    client.force_login(lov)
    page = _text(client.get(_url("rule_change", rule.pk)))
    assert 'id="prova-regeln"' in page and _url("rule_try", rule.pk) in page
    response = client.get(_url("rule_try", rule.pk), {"day": "2026-12-22", "clock": "16:30"})
    assert response.status_code == 200
    expected = _due(own.slug, rule.code, "2026-12-22T16:30")
    assert response.context["result"]["explanation"] == expected["explanation"]
    body = _text(response)
    assert expected["explanation"] in body
    assert expected["due_date"] in response.context["due_text"]
    # POST works too, and a service type the rule applies to.
    response = client.post(
        _url("rule_try", rule.pk), {"day": "2026-12-22", "service": "hemtjanst-omvardnad"}
    )
    assert response.status_code == 200 and response.context["result"] is not None


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"day": "2026-02-30"}, "day", "ange ett datum"),
        ({"day": "i morgon"}, "day", "ange ett datum"),
        ({"day": "2026-12-22", "clock": "25:00"}, "day", "ange ett datum"),
        ({"day": "1850-03-02"}, "day", "kalendern"),
        ({"day": ""}, "day", "Ogiltig starttidpunkt: ingen angiven"),
        ({"day": "2026-12-22", "service": "trolleri"}, "service", "Okänd insatstyp"),
        ({"day": "2026-12-22", "service": "trygghetslarm"}, "service", "gäller inte"),
    ],
)
def test_bad_input_to_the_try_panel_is_a_swedish_error_not_a_500(
    client, lov, own, params, field, words
):  # R11.5
    client.force_login(lov)
    response = client.get(_url("rule_try", _rule(own, "start-dagliga-insatser").pk), params)
    assert response.status_code == 200
    assert response.context["result"] is None
    assert any(words in e for e in response.context["form"].errors[field])


def test_the_try_panel_reads_a_template_rule_for_whoever_may_read_it(client, lov):  # R11.5
    rule = Rule.objects.get(profile__slug="gotland", code="larm-installerat")
    client.force_login(lov)
    response = client.get(_url("rule_try", rule.pk), {"start": "2026-12-31"})
    assert response.status_code == 200
    assert (
        response.context["result"]["due_date"]
        == _due("gotland", rule.code, "2026-12-31")["due_date"]
    )
    officer = _staff(build.user(Role.OFFICER, lov.municipality, unit=build.unit(lov.municipality)))
    client.force_login(officer)
    assert client.get(_url("rule_try", rule.pk), {"start": "2026-12-31"}).status_code in (
        302,
        403,
        404,
    )


# --- The profile page: thresholds, owner, includes ------------------------------------------


def _profile_data(profile: RuleProfile, **overrides) -> dict:
    data = {
        "name": profile.name,
        "sources": profile.sources,
        "includes": [p.pk for p in profile.includes.all()],
        **profile.thresholds(),
        "rules-TOTAL_FORMS": "0",
        "rules-INITIAL_FORMS": "0",
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_the_lov_administrator_changes_thresholds_through_update_profile(
    client, lov, own
):  # R11.4, R11.3
    client.force_login(lov)
    url = _url("ruleprofile_change", own.pk)
    page = client.get(url)
    form = page.context["adminform"].form
    assert "owner" not in form.fields and "is_library" not in form.fields  # read-only
    assert {p.slug for p in form.fields["includes"].queryset} == {"nationell"}
    response = client.post(url, _profile_data(own, long_absence_days=21))
    assert response.status_code == 302, response.context["adminform"].form.errors
    own.refresh_from_db()
    assert own.long_absence_days == 21
    response = client.post(url, _profile_data(own, long_absence_days=0))
    assert response.status_code == 200
    assert "long_absence_days" in response.context["adminform"].form.errors
    own.refresh_from_db()
    assert own.long_absence_days == 21


def test_the_system_administrator_sets_owner_and_library(client, system, own):  # R11.3
    client.force_login(system)
    form = client.get(_url("ruleprofile_add")).context["adminform"].form
    assert "owner" in form.fields and "is_library" in form.fields
    # On a change, as soon as update_profile writes them.
    form = client.get(_url("ruleprofile_change", own.pk)).context["adminform"].form
    writable = {"owner", "is_library"} <= set(services.PROFILE_FIELDS)
    assert ("owner" in form.fields) == writable == ("is_library" in form.fields)


# --- Export, import, copy, assign ------------------------------------------------------------


def test_export_downloads_the_profile_as_json(client, lov, own):  # R11.5
    client.force_login(lov)
    page = _text(client.get(_url("ruleprofile_change", own.pk)))
    assert _url("ruleprofile_export", own.pk) in page and "Exportera" in page
    response = client.get(_url("ruleprofile_export", own.pk))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{own.slug}.json"'
    assert json.loads(response.content) == export_profile(own)
    template = RuleProfile.objects.get(slug="kundval-004")  # a template: readable, exportable
    assert client.get(_url("ruleprofile_export", template.pk)).status_code == 200


def _upload(document, name="profil.json") -> SimpleUploadedFile:
    raw = document if isinstance(document, bytes) else json.dumps(document).encode()
    return SimpleUploadedFile(name, raw, content_type="application/json")


def test_import_page_makes_a_profile_of_the_administrators_municipality(
    client, world, lov, own
):  # R11.5, R11.3
    client.force_login(lov)
    page = _text(client.get(_url("ruleprofile_changelist")))
    assert "Importera regelprofil" in page
    document = export_profile(own)
    response = client.post(
        _url("ruleprofile_import"), {"file": _upload(document), "slug": "importerad"}
    )
    assert response.status_code == 302
    made = RuleProfile.objects.get(slug="importerad")
    assert made.owner == world.muni and made.rules.count() == own.rules.count()
    assert response["Location"] == _url("ruleprofile_change", made.pk)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"{ inte json", "inte giltig JSON: rad 1"),
        (b"\xff\xfe\x00", "UTF-8"),
        (b" " * (1024 * 1024 + 1), "större än 1 MB"),
        (json.dumps({"format": "verkstall-rule-profile/1"}).encode(), "format: Okänt format"),
    ],
)
def test_a_bad_import_file_is_a_clear_error_and_nothing_is_made(client, lov, raw, words):
    client.force_login(lov)  # R11.5
    before = RuleProfile.objects.count()
    response = client.post(_url("ruleprofile_import"), {"file": _upload(raw)})
    assert response.status_code == 200
    assert any(words in e for e in response.context["errors"]), response.context["errors"]
    assert RuleProfile.objects.count() == before


def test_import_errors_are_listed_by_their_path(client, lov, own):  # R11.5
    document = export_profile(own)
    document["profile"]["rules"][3]["unit"] = "dygn"
    document["profile"]["rules"][3]["stop_events"].append("order.teleported")
    document["profile"]["thresholds"]["long_absence_days"] = -1
    client.force_login(lov)
    response = client.post(
        _url("ruleprofile_import"), {"file": _upload(document), "slug": "ny-profil"}
    )
    assert response.status_code == 200
    errors = response.context["errors"]
    stop = len(document["profile"]["rules"][3]["stop_events"]) - 1
    for path in ("rules[3].unit", f"rules[3].stop_events[{stop}]", "profile.thresholds."):
        assert any(e.startswith(path) for e in errors), (path, errors)
    assert 'id="form-errors"' in _text(response) and "Inget ändrades" in _text(response)
    assert not RuleProfile.objects.filter(slug="ny-profil").exists()


def test_only_lov_and_system_administrators_import(client, world):  # R11.3
    officer = _staff(build.user(Role.OFFICER, world.muni, unit=world.unit))
    client.force_login(officer)
    assert client.get(_url("ruleprofile_import")).status_code in (302, 403)


def test_copy_to_own_municipality(client, world, lov):  # R11.3
    template = RuleProfile.objects.get(slug="solna-boendestod")
    client.force_login(lov)
    page = _text(client.get(_url("ruleprofile_change", template.pk)))
    assert "Kopiera till egen kommun" in page and "Tilldela kommun" not in page
    response = client.post(_url("ruleprofile_copy", template.pk), {"slug": "var-solna"})
    assert response.status_code == 302
    copy = RuleProfile.objects.get(slug="var-solna")
    assert copy.owner == world.muni and copy.rules.count() == template.rules.count()
    # A slug taken is named at its field, and nothing is made.
    response = client.post(_url("ruleprofile_copy", template.pk), {"slug": "var-solna"})
    assert response.status_code == 200 and "slug" in response.context["form"].errors


def test_assign_is_the_system_administrators(client, world, lov, system, own):  # R11.3
    template = RuleProfile.objects.get(slug="kundval-004")
    client.force_login(lov)
    assert client.get(_url("ruleprofile_assign", template.pk)).status_code == 403
    client.force_login(system)
    assert "Tilldela kommun" in _text(client.get(_url("ruleprofile_change", template.pk)))
    response = client.post(_url("ruleprofile_assign", template.pk), {"municipality": world.muni.pk})
    assert response.status_code == 302
    world.muni.refresh_from_db()
    assert world.muni.rule_profile == "kundval-004"
    # Another municipality's own profile cannot be assigned: named, not a 500.
    response = client.post(
        _url("ruleprofile_assign", own.pk),
        {"municipality": build.municipality(name="Tredje kommunen").pk},
    )
    assert response.status_code == 200 and response.context["form"].errors


def test_no_page_of_these_shows_an_english_admin_word_of_ours(client, lov, own):  # R11.4
    client.force_login(lov)
    rule = _rule(own, "start-dagliga-insatser")
    for url in (
        _url("rule_changelist"),
        _url("rule_change", rule.pk),
        _url("ruleprofile_changelist"),
        _url("ruleprofile_change", own.pk),
        _url("ruleprofile_import"),
        _url("ruleprofile_copy", own.pk),
    ):
        body = _text(client.get(url))
        for word in ("calendar_days", "weekday_hours", "Rule profile", "Updated at"):
            assert not re.search(rf">\s*{word}\s*<", body), (url, word)
    assert FORMAT == "verkstall-rule-profile/2"


def test_due_items_are_shown_in_swedish_to_the_system_administrator(client, world, system):
    from verkstall.deadlines.models import DueItem  # R11.2, §6

    world.order(state="sent")
    item = DueItem.objects.filter(municipality=world.muni, start_event="order.sent").first()
    client.force_login(system)
    listing = _text(client.get(_url("dueitem_changelist")))
    page = _text(client.get(_url("dueitem_change", item.pk)))
    for words in ("Förfaller", "Regelns version", "Starthändelse", "Förklaring"):
        assert words in page, words
    assert "Beställningen skickades" in page  # the start event by its name
    for english in ("Rule version", "Subject key", "Due at", "Started at"):
        assert english not in page and english not in listing, english
    assert "Efter regelprofil" in listing or "regelprofil" in listing.lower()
