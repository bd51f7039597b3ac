"""Gotland's daily services by frequency, Solna's new client and mapping period (issue 16).

The rule language gets two conditions on an order: how often its most frequent service is
given (`service_frequencies`, R3.6, seed 002 "dagliga insatser verkställs snarast dock senast
inom 3 dagar och övriga insatser verkställs inom aktuell frekvens") and whether the client is
new to the provider (`client_of_provider`, R5.1, seed 003 "skickas till OF senast inom 3
månader vid ny kund"). A profile gets the new client's mapping period
(`mapping_period_months`, seed 003 "kartläggningstid ... klar inom 3 månader") and the service
kinds whose start names the booked staff member (`booked_staff_service_kinds`, R3.6, seed 003
"när en faktisk personal är inbokad för insatsen").

Data, for a database made before this migration (one made from scratch gets all of it from
the fixture when 0002 and 0005 load it):

- Each rule in CHANGED that is still version 1 with its old conditions (the template and the
  municipalities' unchanged copies of it) takes the fixture's conditions as version 2, the
  old form kept as its revision (as `services.update_rule` and 0006 do). A copy a
  municipality changed stays as it is.
- A profile whose rule changed gets the fixture's new rules of that routine (the weekly,
  fortnightly and monthly start rules and the plan shared with the person for Gotland; the
  existing client's plan for Solna), unless it has a rule of that code.
- The Solna template and the profiles copied from it take the fixture's mapping period and
  booked-staff service kinds (new fields: nobody has said otherwise yet).

The reverse drops the fields; the rule rows stay as they are.
"""

from datetime import date, time

import verkstall.deadlines.models
from django.db import migrations, models

GOTLAND, SOLNA = "gotland", "solna-boendestod"
#: rule code -> (its routine in the fixture, its old conditions, the new rules that come with it)
CHANGED = {
    "start-dagliga-insatser": (
        GOTLAND,
        {"service_kinds": ["personal_care"], "service_frequencies": []},
        (
            "start-insatser-varje-vecka",
            "start-insatser-varannan-vecka",
            "start-insatser-varje-manad",
            "genomforandeplan-delgiven",
        ),
    ),
    "start-ovriga-insatser": (
        GOTLAND,
        {
            "service_kinds": [
                "service",
                "cleaning",
                "escort",
                "respite",
                "day_activity",
                "housing_support",
            ],
            "service_frequencies": [],
        },
        (),
    ),
    "genomforandeplan-skickad": (
        SOLNA,
        {
            "name": "Genomförandeplan skickad (ny kund)",
            "client_of_provider": "",
            "amount": 3,
            "unit": "months",
        },
        ("genomforandeplan-skickad-befintlig-kund",),
    ),
}
#: The rule fields this migration adds.
NEW_FIELDS = {"service_frequencies": list, "client_of_provider": str}
#: The fields of a rule that change here.
FIELDS = (
    "name",
    "service_kinds",
    "excluded_service_kinds",
    "service_frequencies",
    "client_of_provider",
    "source_text",
)
NOT_SNAPSHOT = {"id", "profile", "version"}


def _snapshot(rule) -> dict:
    """The rule's fields as they were (the revision the admin shows)."""
    data = {}
    for field in rule._meta.concrete_fields:
        if field.name in NOT_SNAPSHOT:
            continue
        value = getattr(rule, field.attname)
        if isinstance(value, time):
            value = value.strftime("%H:%M")
        elif isinstance(value, date):  # a date or a moment (datetime is a date)
            value = value.isoformat()
        data[field.name] = value
    return data


def _fixture_rules(fixture: dict, slug: str) -> dict:
    [profile] = [p for p in fixture["profiles"] if p["slug"] == slug]
    return {rule["code"]: rule for rule in profile["rules"]}


def _complete_templates(fixture: dict, Rule) -> None:
    """A database made from scratch loaded the fixture's rules (0002, 0005) into a model
    without the new fields: each built-in template's rule, still version 1, takes the
    fixture's value of each new field it has at its default."""
    for profile in fixture["profiles"]:
        routine = {rule["code"]: rule for rule in profile["rules"]}
        for rule in Rule.objects.filter(profile__slug=profile["slug"], version=1):
            data = routine.get(rule.code)
            if data is None:
                continue
            changed = []
            for field, empty in NEW_FIELDS.items():
                value = data.get(field) or empty()
                if getattr(rule, field) == empty() and value != empty():
                    setattr(rule, field, value)
                    changed.append(field)
            if changed:
                rule.save(update_fields=changed)


def forward(apps, schema_editor):
    from verkstall.deadlines.profiles import fixture_data
    from verkstall.deadlines.rule_services import add_rules

    Rule = apps.get_model("deadlines", "Rule")
    RuleRevision = apps.get_model("deadlines", "RuleRevision")
    RuleProfile = apps.get_model("deadlines", "RuleProfile")
    fixture = fixture_data()
    for code, (slug, old, new_codes) in CHANGED.items():
        routine = _fixture_rules(fixture, slug)
        target = routine[code]
        for rule in Rule.objects.filter(code=code, version=1).select_related("profile"):
            if any(getattr(rule, field) != value for field, value in old.items()):
                continue
            RuleRevision.objects.create(rule=rule, version=1, snapshot=_snapshot(rule))
            for field in FIELDS:
                default = "" if field in ("name", "client_of_provider", "source_text") else []
                setattr(rule, field, target.get(field, default))
            rule.version = 2
            rule.save(update_fields=[*FIELDS, "version"])
            taken = set(Rule.objects.filter(profile=rule.profile).values_list("code", flat=True))
            missing = [routine[c] for c in new_codes if c not in taken]
            add_rules(rule.profile, missing, rule_model=Rule)
    _complete_templates(fixture, Rule)
    [solna] = [p for p in fixture["profiles"] if p["slug"] == SOLNA]
    values = {**solna.get("thresholds", {}), **solna.get("lists", {})}
    copies = RuleProfile.objects.filter(sources__startswith=f"kopia av {SOLNA}")
    RuleProfile.objects.filter(slug=SOLNA).update(**values)
    copies.update(**values)


class Migration(migrations.Migration):
    dependencies = [
        ("deadlines", "0010_letter_includes_assessment"),
    ]

    operations = [
        migrations.AddField(
            model_name="rule",
            name="client_of_provider",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "Alla"),
                    ("new", "Bara ny kund hos utföraren"),
                    ("existing", "Bara befintlig kund hos utföraren"),
                ],
                default="",
                max_length=10,
                verbose_name="kund hos utföraren",
            ),
        ),
        migrations.AddField(
            model_name="rule",
            name="service_frequencies",
            field=models.JSONField(
                blank=True, default=list, verbose_name="bara insatser som ges med frekvensen"
            ),
        ),
        migrations.AddField(
            model_name="ruleprofile",
            name="booked_staff_service_kinds",
            field=verkstall.deadlines.models.ServiceKindsField(
                blank=True,
                default=list,
                help_text="För dessa insatsslag anger utföraren vid start vilken personal som är inbokad för insatsen (R3.6: ”när insatsen påbörjas, det vill säga när en faktisk personal är inbokad”). Tomt: starten anger bara datum.",
                verbose_name="insatsslag där starten anger inbokad personal",
            ),
        ),
        migrations.AddField(
            model_name="ruleprofile",
            name="mapping_period_months",
            field=models.PositiveSmallIntegerField(
                default=0,
                help_text="Hur länge utföraren kartlägger behoven tillsammans med en ny kund innan genomförandeplanen skickas och det syns om beslutet stämmer med behoven (R5.1: ”kartläggningstid ... klar inom 3 månader”). 0: rutinen har ingen kartläggningstid.",
                verbose_name="kartläggningstid för ny kund, månader",
            ),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
