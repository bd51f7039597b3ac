"""Clocks that the routine counts from receipt count from it (R3.5, issue 16 item 4).

Seed 003 (Solna, boendestöd): the order goes "per post eller via fax"; the provider confirms
"att beställningen har mottagits senast dagen efter, att den kommit utföraren tillhanda",
reports the start "senast 14 dagar efter att beställningen mottagits", and "om boendestödet
inte har påbörjats inom en månad från att beställningen mottagits" the officer is contacted.
Seed 004: the provider answers "senast nästkommande dag att beställning ... har mottagits",
and "Serviceinsatser ska påbörjas inom sju dagar efter mottagande av beställning". Those
rules start on "order.received" instead of "order.sent". For an order sent in the system,
by e-mail or handed over in person the receipt is the sending (deadlines/facts.py), so
nothing moves; by post or fax the clocks start on the arrival date the officer registers
(orders/receipt_services.py). So that they do start, the two routines get an officer's rule
"ankomstdag-registrerad": an order sent by post or fax has its arrival registered within 3
weekdays (the product's reminder; no seed words it, its source says so).

Seed 004's 48 hours for personal care ("påbörja dessa snarast, dock senast inom 48 timmar")
names no starting point and stays counted from the sending.

Data, as 0011 does: each rule in CHANGED that is still version 1 and starts on "order.sent"
(the template and the municipalities' unchanged copies) takes "order.received" as version 2,
its old form kept as its revision; a copy a municipality changed stays as it is. A profile
whose rule changed gets the fixture's "ankomstdag-registrerad" unless it has a rule of that
code (a database made from scratch got it from the fixture in 0002 and 0005, without its
channels, which it takes here). The due items of running orders follow at the next recompute (`recompute_due`); the
reverse leaves the rules as they are.
"""

from importlib import import_module

from django.db import migrations

previous = import_module("verkstall.deadlines.migrations.0011_routine_frequency_new_client")

SOLNA, KUNDVAL_004 = "solna-boendestod", "kundval-004"
#: rule code -> its routine in the fixture
CHANGED = {
    "kvittens-dagen-efter": SOLNA,
    "start-rapporterad": SOLNA,
    "ej-paborjad-kontakt-utforare": SOLNA,
    "ej-paborjad-kontakt-handlaggare": SOLNA,
    "kvittens-nasta-dag": KUNDVAL_004,
    "start-service-7-dagar": KUNDVAL_004,
}
ARRIVAL_RULE = "ankomstdag-registrerad"
SENT, RECEIVED = "order.sent", "order.received"


def forward(apps, schema_editor):
    from verkstall.deadlines.profiles import fixture_data
    from verkstall.deadlines.rule_services import add_rules

    Rule = apps.get_model("deadlines", "Rule")
    RuleRevision = apps.get_model("deadlines", "RuleRevision")
    fixture = fixture_data()
    changed_profiles = {}
    for code, slug in CHANGED.items():
        rules = Rule.objects.filter(code=code, version=1, start_event=SENT)
        for rule in rules.select_related("profile"):
            RuleRevision.objects.create(rule=rule, version=1, snapshot=previous._snapshot(rule))
            rule.start_event = RECEIVED
            rule.version = 2
            rule.save(update_fields=["start_event", "version"])
            changed_profiles[rule.profile_id] = (rule.profile, slug)
    for profile, slug in changed_profiles.values():
        if Rule.objects.filter(profile=profile, code=ARRIVAL_RULE).exists():
            continue
        arrival = previous._fixture_rules(fixture, slug)[ARRIVAL_RULE]
        add_rules(profile, [arrival], rule_model=Rule)
    # A database made from scratch loaded the arrival rule in 0002 and 0005, into a model
    # without `channels` (0004): the rule, still version 1, takes the fixture's channels.
    for rule in Rule.objects.filter(code=ARRIVAL_RULE, version=1).select_related("profile"):
        slug = rule.profile.slug
        if rule.channels or slug not in (SOLNA, KUNDVAL_004):
            continue
        rule.channels = previous._fixture_rules(fixture, slug)[ARRIVAL_RULE]["channels"]
        rule.save(update_fields=["channels"])


class Migration(migrations.Migration):
    dependencies = [
        ("deadlines", "0011_routine_frequency_new_client"),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
