"""Profiles owned by a municipality and the national library profile (SPEC R11.3, issue 13).

- Create the library profile `nationell` with the IVO rule (R9.5) and make the four built-ins
  include it.
- Each profile's copy of `ivo-ej-verkstallt` that is still version 1 and times like the library
  rule gives its due items (and revisions) to the library rule and goes; a copy the
  municipality changed stays and overrides the library's (the profile includes the library
  either way).
- Gotland's rules still at version 1 get the service kinds its routine excludes (seed 002:
  "bortsett från bostad med särskilt stöd, återhämtningsplats och korttidsplats").
- Rules counted in hours count from the start moment (`count_from_next_day` had no effect on
  them before; it now means "from the next day").
- A profile that is no built-in and used by exactly one municipality becomes its own.

The reverse is a no-op: the rows stay as they are (the fields go with 0004's reverse).
"""

from django.db import migrations

IVO = "ivo-ej-verkstallt"


def forward(apps, schema_editor):
    from verkstall.deadlines.profiles import BUILTIN, LIBRARY, fixture_profiles
    from verkstall.deadlines.services import TIMING_FIELDS, sync_builtin_profiles

    RuleProfile = apps.get_model("deadlines", "RuleProfile")
    Rule = apps.get_model("deadlines", "Rule")
    RuleRevision = apps.get_model("deadlines", "RuleRevision")
    DueItem = apps.get_model("deadlines", "DueItem")
    Municipality = apps.get_model("access", "Municipality")

    sync_builtin_profiles(RuleProfile, Rule)
    library = RuleProfile.objects.get(slug=LIBRARY)
    for profile in RuleProfile.objects.filter(slug__in=BUILTIN):
        profile.includes.add(library)

    national = Rule.objects.filter(profile=library, code=IVO).first()
    if national is not None:
        # The timing fields this historical model has (later migrations add more).
        known = {f.name for f in Rule._meta.concrete_fields}
        fields = [f for f in TIMING_FIELDS if f in known]
        timing = [getattr(national, f) for f in fields]
        for copy in Rule.objects.filter(code=IVO).exclude(profile=library):
            copy.profile.includes.add(library)
            if copy.version != 1 or [getattr(copy, f) for f in fields] != timing:
                continue  # changed by the municipality: stays, overriding the library's
            items = DueItem.objects.filter(rule=copy)
            taken = DueItem.objects.filter(
                rule=national,
                subject_key__in=items.values("subject_key"),
            ).values_list("subject_key", "cycle")
            if set(taken) & set(items.values_list("subject_key", "cycle")):
                continue  # the same decision's item in both: keep the copy and its items
            items.update(rule=national)
            RuleRevision.objects.filter(rule=copy).update(rule=national)
            copy.delete()

    excluded = {
        spec.code: spec.excluded_service_kinds for _, spec in fixture_profiles()["gotland"].rules
    }
    for rule in Rule.objects.filter(profile__slug="gotland", version=1, code__in=excluded):
        if not rule.excluded_service_kinds and excluded[rule.code]:
            rule.excluded_service_kinds = list(excluded[rule.code])
            rule.save(update_fields=["excluded_service_kinds"])

    Rule.objects.filter(unit="hours").update(count_from_next_day=False)

    for profile in RuleProfile.objects.filter(owner__isnull=True, is_library=False).exclude(
        slug__in=BUILTIN
    ):
        users = list(Municipality.objects.filter(rule_profile=profile.slug)[:2])
        if len(users) == 1:
            profile.owner = users[0]
            profile.save(update_fields=["owner"])


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0003_apitoken"),
        ("deadlines", "0004_rule_language_v2"),
    ]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
