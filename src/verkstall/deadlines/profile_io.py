"""A rule profile as a file: export and import (SPEC R11.5), schema `verkstall-rule-profile/2`.

The schema is documented in docs/rule-profiles.md. In short:

    {"format": "verkstall-rule-profile/2",
     "profile": {"slug", "name", "sources", "includes": [library slugs],
                 "thresholds": {<models.THRESHOLDS>: int},
                 "absence_payment_reasons": [absence reason codes],
                 "flags": {<models.PROFILE_FLAGS>: true or false},
                 "booked_staff_service_kinds": [service kind codes],
                 "rules": [<Rule.as_dict()>, ...]}}

An import checks the whole document before it writes anything and names every error by its
path in the document ("format", "profile.slug", "rules[3].unit", "rules[3].stop_events[1]",
"profile.thresholds.long_absence_days"; rules are counted from 0), in Swedish, all of them at
once (`ValidationFailed`). It then creates a NEW profile in one transaction: an import never
overwrites a profile, and a slug already taken is an error. The new profile is owned by the
LOV administrator's municipality (the system administrator gives an owner or none), is never
a national library, and its rules start at version 1 (`services.add_rules`).

Only `/2` is read: the built-in fixture's older form (with its "spec" ids) is not an import
format.
"""

from __future__ import annotations

from django.db import transaction

from verkstall.core.errors import NotFound, ValidationFailed
from verkstall.decisions.selectors import service_types

from . import services
from .models import PROFILE_FLAGS, THRESHOLDS, Rule, RuleProfile
from .profile_selectors import get_profile, rules_of
from .rule_services import SLUG

FORMAT = "verkstall-rule-profile/2"
DOCUMENT_KEYS = ("format", "profile")
PROFILE_KEYS = (
    "slug",
    "name",
    "sources",
    "includes",
    "thresholds",
    "absence_payment_reasons",
    "flags",
    "booked_staff_service_kinds",
    "rules",
)
RULE_KEYS = tuple(Rule().as_dict())
REQUIRED_RULE_KEYS = ("code", "name", "start_event", "stop_events", "responsible", "source")
MAX_RULES = 1000

_field = RuleProfile._meta.get_field
SLUG_LENGTH = _field("slug").max_length
NAME_LENGTH = _field("name").max_length
SOURCES_LENGTH = _field("sources").max_length


# --- Export --------------------------------------------------------------------------------


def export_profile(profile: RuleProfile) -> dict:
    """The profile as a `verkstall-rule-profile/2` document: its own rules (an included
    library is named, not copied), its thresholds and the libraries it includes."""
    return {
        "format": FORMAT,
        "profile": {
            "slug": profile.slug,
            "name": profile.name,
            "sources": profile.sources,
            "includes": sorted(library.slug for library in profile.includes.all()),
            "thresholds": profile.thresholds(),
            "absence_payment_reasons": list(profile.absence_payment_reasons),
            "flags": {name: getattr(profile, name) for name in PROFILE_FLAGS},
            "booked_staff_service_kinds": list(profile.booked_staff_service_kinds),
            "rules": [rule.as_dict() for rule in rules_of(profile)],
        },
    }


# --- Checking a document -------------------------------------------------------------------


def taken(slug: str) -> str:
    return (
        f"Det finns redan en regelprofil med koden {slug}; en import skriver aldrig över en "
        "befintlig profil. Välj en annan kod."
    )


class Errors:
    """Swedish messages by path, in the order found."""

    def __init__(self):
        self.found: dict[str, list[str]] = {}

    def add(self, path: str, message: str) -> None:
        self.found.setdefault(path, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.found)


def _text(errors: Errors, path: str, value, *, required: bool, length: int | None) -> None:
    if not isinstance(value, str):
        errors.add(path, "Ska vara en text.")
    elif required and not value.strip():
        errors.add(path, "Får inte vara tom.")
    elif length is not None and len(value) > length:
        errors.add(path, f"Får vara högst {length} tecken.")


def _slug(errors: Errors, path: str, value, length: int) -> bool:
    if not isinstance(value, str) or not value:
        errors.add(path, "Ange en kod (bokstäver a–z, siffror, bindestreck, understreck).")
    elif not SLUG.fullmatch(value):
        errors.add(
            path, "Koden får bara innehålla bokstäver a–z, siffror, bindestreck och understreck."
        )
    elif len(value) > length:
        errors.add(path, f"Koden får vara högst {length} tecken.")
    else:
        return True
    return False


def _unknown_keys(errors: Errors, prefix: str, data: dict, allowed) -> None:
    for key in data:
        if key not in allowed:
            errors.add(f"{prefix}{key}", "Okänt fält.")


def check_rule_data(errors: Errors, path: str, data, *, type_codes: set[str]) -> bool:
    """One rule of a document; True if it has no error. What only a file can get wrong is
    checked here (a rule that is not an object, keys not known, keys left out); the form of
    each field and the rule as the engine reads it by `services.check_rule`, whose paths
    ("unit", "stop_events[1]") are named under `path`."""
    if not isinstance(data, dict):
        errors.add(path, "En regel ska vara ett objekt med fält.")
        return False
    before = len(errors.found)
    _unknown_keys(errors, f"{path}.", data, RULE_KEYS)
    missing = [key for key in REQUIRED_RULE_KEYS if key not in data]
    for key in missing:
        errors.add(f"{path}.{key}", "Saknas.")
    try:
        services.check_rule(data, type_codes=type_codes)
    except ValidationFailed as exc:
        for field, messages in exc.errors.items():
            if field in missing:  # named once, as left out
                continue
            for message in messages:
                errors.add(path if field == "rule" else f"{path}.{field}", message)
    return len(errors.found) == before


def check_document(data, *, slug: str = "") -> dict:
    """The profile of a document, checked (ValidationFailed with every error by its path).
    `slug`: the profile's code instead of the document's. Returns the values to create it
    from: slug, name, sources, libraries (profiles), thresholds, rules (dicts)."""
    errors = Errors()
    if not isinstance(data, dict):
        raise ValidationFailed(
            {"format": f'Filen ska vara ett JSON-objekt med "format": "{FORMAT}" och "profile".'}
        )
    _unknown_keys(errors, "", data, DOCUMENT_KEYS)
    if data.get("format") != FORMAT:
        found = data.get("format")
        errors.add(
            "format",
            f"Okänt format {found!r}; bara {FORMAT!r} kan importeras."
            if "format" in data
            else f'Saknas: ange "format": "{FORMAT}".',
        )
    profile = data.get("profile")
    if not isinstance(profile, dict):
        errors.add("profile", "Saknas eller är inte ett objekt med profilens fält.")
        raise ValidationFailed(errors.found)
    _unknown_keys(errors, "profile.", profile, PROFILE_KEYS)

    slug = slug or profile.get("slug", "")
    if _slug(errors, "profile.slug", slug, SLUG_LENGTH) and get_profile(slug) is not None:
        errors.add("profile.slug", taken(slug))
    if "name" not in profile:
        errors.add("profile.name", "Saknas.")
    else:
        _text(errors, "profile.name", profile["name"], required=True, length=NAME_LENGTH)
    sources = profile.get("sources", "")
    _text(errors, "profile.sources", sources, required=False, length=SOURCES_LENGTH)

    libraries = []
    includes = profile.get("includes", [])
    if not isinstance(includes, list):
        errors.add("profile.includes", "Ska vara en lista av nationella biblioteks koder.")
        includes = []
    for index, library_slug in enumerate(includes):
        library = get_profile(library_slug) if isinstance(library_slug, str) else None
        if library is None or not library.is_library:
            errors.add(
                f"profile.includes[{index}]",
                f"{library_slug!r} är inget nationellt bibliotek i detta system.",
            )
        else:
            libraries.append(library)

    thresholds = {}
    given = profile.get("thresholds", {})
    if not isinstance(given, dict):
        errors.add("profile.thresholds", "Ska vara ett objekt med gränsvärden.")
        given = {}
    for name, value in given.items():
        path = f"profile.thresholds.{name}"
        if name not in THRESHOLDS:
            errors.add(path, "Okänt gränsvärde.")
            continue
        low, high = services.THRESHOLD_LIMITS[name]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors.add(path, f"Ska vara ett heltal från {low} till {high}.")
        else:
            thresholds[name] = value

    reasons = None  # not in the document: the default (a file from before R9.4)
    if "absence_payment_reasons" in profile:
        reasons, error = services.absence_reasons(profile["absence_payment_reasons"])
        if error:
            errors.add("profile.absence_payment_reasons", error)

    flags = {}  # not in the document: every practice off (a file from before issue 16)
    given = profile.get("flags", {})
    if not isinstance(given, dict):
        errors.add("profile.flags", "Ska vara ett objekt med ja/nej-värden.")
        given = {}
    for name, value in given.items():
        if name not in PROFILE_FLAGS:
            errors.add(f"profile.flags.{name}", "Okänd inställning.")
        elif not isinstance(value, bool):
            errors.add(f"profile.flags.{name}", "Ska vara true eller false.")
        else:
            flags[name] = value

    booked_staff = None  # not in the document: none (a file from before issue 16)
    if "booked_staff_service_kinds" in profile:
        booked_staff, error = services.service_kinds(profile["booked_staff_service_kinds"])
        if error:
            errors.add("profile.booked_staff_service_kinds", error)

    rules = profile.get("rules")
    if not isinstance(rules, list):
        errors.add("profile.rules", "Saknas eller är inte en lista av regler.")
        rules = []
    elif len(rules) > MAX_RULES:
        errors.add("profile.rules", f"Högst {MAX_RULES} regler.")
        rules = []
    type_codes = set(service_types().values_list("code", flat=True))
    codes: dict[str, int] = {}
    for index, rule in enumerate(rules):
        path = f"rules[{index}]"
        if check_rule_data(errors, path, rule, type_codes=type_codes):
            first = codes.setdefault(rule["code"], index)
            if first != index:
                errors.add(f"{path}.code", f"Koden {rule['code']} finns redan i rules[{first}].")
    if errors:
        raise ValidationFailed(errors.found)
    return {
        "slug": slug,
        "name": profile["name"].strip(),
        "sources": sources.strip(),
        "libraries": libraries,
        "thresholds": thresholds,
        "absence_payment_reasons": reasons,
        "flags": flags,
        "booked_staff_service_kinds": booked_staff,
        "rules": rules,
    }


# --- Import --------------------------------------------------------------------------------


@transaction.atomic
def import_profile(actor, data, *, slug: str = "", owner=None) -> RuleProfile:
    """A new profile from a `verkstall-rule-profile/2` document, all of it or nothing.
    `slug` replaces the document's code; `owner`: see `services.new_profile_owner`."""
    owner = services.new_profile_owner(actor, owner, verb="importerar")
    values = check_document(data, slug=slug)
    try:
        profile = services.create_profile(
            actor,
            slug=values["slug"],
            name=values["name"],
            sources=values["sources"],
            owner=owner,
            includes=values["libraries"],
            thresholds=values["thresholds"],
            absence_payment_reasons=values["absence_payment_reasons"],
            flags=values["flags"],
            booked_staff_service_kinds=values["booked_staff_service_kinds"],
            verb="importerar",
        )
    except ValidationFailed as exc:  # the code taken since it was checked: named as in a file
        raise ValidationFailed(
            {f"profile.{field}": messages for field, messages in exc.errors.items()}
        ) from None
    services.add_rules(profile, values["rules"])
    return profile


def profile_for(slug: str) -> RuleProfile:
    """The profile with this code (for the export command), or NotFound in Swedish."""
    profile = get_profile(slug)
    if profile is None:
        raise NotFound(f"Ingen regelprofil har koden {slug!r}.")
    return profile
