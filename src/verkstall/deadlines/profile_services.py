"""Writes of rule profiles as a whole: copy, assign, change (SPEC R11.3, R11.4).

Who may write (R11.3, profile_selectors): a profile with an owner is changed by that
municipality's LOV administrator; a profile without one (a built-in template, a national
library) by the system administrator only. Another municipality's profile is not found (404);
a template or library is read but not changed (403). `actor=None` is the system itself
(migrations, set-up commands, tests) and may do everything. `services` re-exports these.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction

from verkstall.access.models import Municipality
from verkstall.access.roles import Role
from verkstall.core.errors import NotFound, PermissionDenied, ValidationFailed
from verkstall.decisions.catalogue import ServiceKind

from .models import (
    ABSENCE_REASON_CHOICES,
    PROFILE_FLAGS,
    THRESHOLD_MINIMUM,
    THRESHOLDS,
    RuleProfile,
    default_absence_payment_reasons,
)
from .profile_selectors import is_system_admin, may_change_profile, may_read_profile, rules_of
from .rule_services import add_rules

PROFILE_FIELDS = (
    "name",
    "sources",
    "includes",
    *THRESHOLDS,
    "absence_payment_reasons",
    "booked_staff_service_kinds",
    *PROFILE_FLAGS,
)
THRESHOLD_LIMITS = {
    name: (THRESHOLD_MINIMUM.get(name, 1), 744 if name.endswith("_hours_per_month") else 365)
    for name in THRESHOLDS
}
# A day of the next month that every month has (R9.1: "den 5:e nästkommande månad").
THRESHOLD_LIMITS["month_registration_day"] = (1, 28)
# A mapping period of up to two years (seed 003: "klar inom 3 månader"); 0: none.
THRESHOLD_LIMITS["mapping_period_months"] = (0, 24)
ABSENCE_REASONS = tuple(code for code, _label in ABSENCE_REASON_CHOICES)
SLUG_LENGTH = RuleProfile._meta.get_field("slug").max_length
NAME_LENGTH = RuleProfile._meta.get_field("name").max_length
SOURCES_LENGTH = RuleProfile._meta.get_field("sources").max_length

# --- Who may write -------------------------------------------------------------------------


def require_change(actor, profile: RuleProfile) -> None:
    """Refuse unless `actor` may change `profile` (R11.3): 403 for a role that changes no
    profile and for a profile the actor reads but may not change (a template, a library),
    404 for another municipality's profile (its existence is not confirmed)."""
    if actor is None:
        return
    if not (is_system_admin(actor) or actor.role_enum == Role.LOV_ADMIN):
        raise PermissionDenied(
            "Endast LOV-administratör eller systemadministratör kan ändra regelprofiler."
        )
    if not may_read_profile(actor, profile):
        raise NotFound("Regelprofilen finns inte.")
    if not may_change_profile(actor, profile):
        raise PermissionDenied(
            "Profilen är en inbyggd mall eller ett nationellt bibliotek som bara "
            "systemadministratören ändrar. Kopiera den för att få en egen profil att ändra."
        )


# --- Profiles ------------------------------------------------------------------------------


def _slug_error(slug: str) -> str | None:
    try:
        validate_slug(slug)
    except DjangoValidationError:
        return "Koden får bara innehålla bokstäver a–z, siffror, bindestreck och understreck."
    if len(slug) > SLUG_LENGTH:
        return f"Koden får vara högst {SLUG_LENGTH} tecken."
    if RuleProfile.objects.filter(slug=slug).exists():
        return f"Koden {slug} används redan av en annan regelprofil."
    return None


def _free_slug(base: str) -> str:
    """`base`, or `base-2`, `base-3` ..., whichever no profile has, within the slug length."""
    base = base[:SLUG_LENGTH]
    slug, n = base, 1
    while RuleProfile.objects.filter(slug=slug).exists():
        n += 1
        suffix = f"-{n}"
        slug = base[: SLUG_LENGTH - len(suffix)] + suffix
    return slug


def new_profile_owner(actor, owner, *, verb: str = "skapar"):
    """Who will own a new profile (R11.3): the LOV administrator's own municipality (they may
    name it or leave it out), or the system administrator's choice (`owner`, None for a
    template); `actor` None is the system itself."""
    if actor is None or is_system_admin(actor):
        if owner is not None and not isinstance(owner, Municipality):
            raise ValidationFailed({"owner": "Ange en kommun, eller ingen för en ny mall."})
        return owner
    if actor.role_enum != Role.LOV_ADMIN or actor.municipality_id is None:
        raise PermissionDenied(
            f"Endast LOV-administratör eller systemadministratör {verb} regelprofiler."
        )
    if owner is not None and getattr(owner, "pk", None) != actor.municipality_id:
        raise PermissionDenied(f"En LOV-administratör {verb} bara profiler för sin egen kommun.")
    return actor.municipality


@transaction.atomic
def create_profile(
    actor,
    *,
    slug: str,
    name: str,
    sources: str = "",
    owner=None,
    includes=(),
    thresholds: dict | None = None,
    absence_payment_reasons=None,
    flags: dict | None = None,
    booked_staff_service_kinds=None,
    verb: str = "skapar",
) -> RuleProfile:
    """A new profile, empty of rules of its own (R11.3): owned by the LOV administrator's
    municipality, or as the system administrator says (`new_profile_owner`). It includes
    `includes` (national libraries only); thresholds not given take the SPEC's values. Copy,
    import and the admin's "add" all make profiles here."""
    owner = new_profile_owner(actor, owner, verb=verb)
    errors = {}
    error = _slug_error(slug)
    if error:
        errors["slug"] = error
    name = (name or "").strip()
    if not name:
        errors["name"] = "Ange profilens namn."
    elif len(name) > NAME_LENGTH:
        errors["name"] = f"Namnet får vara högst {NAME_LENGTH} tecken."
    values, threshold_errors = _threshold_errors(dict(thresholds or {}))
    errors.update(threshold_errors)
    if absence_payment_reasons is not None:
        _put_absence_reasons(absence_payment_reasons, values, errors)
    _put_flags(flags or {}, values, errors)
    if booked_staff_service_kinds is not None:
        _put_service_kinds(booked_staff_service_kinds, values, errors)
    libraries, library_error = _libraries(None, includes)
    if library_error:
        errors["includes"] = library_error
    if errors:
        raise ValidationFailed(errors)
    try:
        with transaction.atomic():
            profile = RuleProfile.objects.create(
                slug=slug,
                name=name,
                sources=(sources or "")[:SOURCES_LENGTH],
                owner=owner,
                is_library=False,
                **values,
            )
    except IntegrityError:  # taken since it was checked
        taken = f"Koden {slug} används redan av en annan regelprofil."
        raise ValidationFailed({"slug": taken}) from None
    profile.includes.set(libraries)
    return profile


@transaction.atomic
def copy_profile(actor, *, source: RuleProfile, slug: str = "", name: str = "", owner=None):
    """A new profile copied from `source`, as a municipality's starting point (R11.3).

    A LOV administrator copies any profile they may read (a template, a library, their own)
    into a profile their municipality owns; `owner` is theirs or left out. The system
    administrator gives `owner` (a municipality) or None (a new template). The copy has the
    source's own rules (every field, version 1), thresholds and included libraries (their
    rules stay by reference); it is never a library itself. `slug` defaults to
    "<kommunkod>-<source>" ("kopia-<source>" for a template), made unique; a slug given and
    taken is refused. `sources` says which profile it is a copy of."""
    source = RuleProfile.objects.filter(pk=source.pk).first()
    owner = new_profile_owner(actor, owner, verb="kopierar")
    if source is None or (actor is not None and not may_read_profile(actor, source)):
        raise NotFound("Regelprofilen finns inte.")
    if slug:
        error = _slug_error(slug)
        if error:
            raise ValidationFailed({"slug": error})
    else:
        slug = _free_slug(f"{owner.code}-{source.slug}" if owner else f"kopia-{source.slug}")
    name = name.strip()
    if len(name) > NAME_LENGTH:
        raise ValidationFailed({"name": f"Namnet får vara högst {NAME_LENGTH} tecken."})
    default = f"{source.name} ({owner.name})" if owner else f"Kopia av {source.name}"
    sources = f"kopia av {source.slug}" + (f"; {source.sources}" if source.sources else "")
    copy = create_profile(
        actor,
        slug=slug,
        name=name or default[:NAME_LENGTH],
        sources=sources,
        owner=owner,
        includes=[] if source.is_library else list(source.includes.all()),
        thresholds=source.thresholds(),
        absence_payment_reasons=source.absence_payment_reasons,
        flags={name: getattr(source, name) for name in PROFILE_FLAGS},
        booked_staff_service_kinds=source.booked_staff_service_kinds,
        verb="kopierar",
    )
    add_rules(copy, [rule.as_dict() for rule in rules_of(source)])
    return copy


@transaction.atomic
def assign_profile(actor, *, municipality, profile: RuleProfile) -> None:
    """Make `profile` the one `municipality` works by (R11.3): the system administrator only.
    The profile is a template (no owner, not a library) or the municipality's own.

    Nothing is recomputed here: each open due item follows the new profile at its subject's
    next event (the engine recomputes an order's items in the transaction of each event);
    items already met keep the rule they were judged by."""
    if actor is not None and not is_system_admin(actor):
        raise PermissionDenied("Endast systemadministratören bestämmer en kommuns regelprofil.")
    profile = RuleProfile.objects.filter(pk=profile.pk).first()
    if profile is None:
        raise ValidationFailed({"profile": "Regelprofilen finns inte."})
    if profile.is_library:
        raise ValidationFailed(
            {
                "profile": "Ett nationellt bibliotek inkluderas i andra profiler och används "
                "inte ensamt av en kommun."
            }
        )
    if profile.owner_id not in (None, municipality.pk):
        raise ValidationFailed({"profile": "Profilen ägs av en annan kommun."})
    Municipality.objects.filter(pk=municipality.pk).update(rule_profile=profile.slug)
    municipality.rule_profile = profile.slug


def _threshold_errors(changes: dict) -> tuple[dict, dict]:
    """The thresholds of `changes` as integers, and the Swedish error of each bad one."""
    values, errors = {}, {}
    for name in THRESHOLDS:
        if name not in changes:
            continue
        low, high = THRESHOLD_LIMITS[name]
        what = "timmar" if name.endswith("_hours_per_month") else "dagar"
        if name.endswith("_months"):
            what = "månader"
        value = changes[name]
        try:
            if isinstance(value, bool) or value is None:
                raise ValueError
            number = int(str(value).strip())
        except ValueError:
            number = None
        if number is None or not low <= number <= high:
            errors[name] = f"Ange ett heltal från {low} till {high} ({what})."
        else:
            values[name] = number
    return values, errors


def absence_reasons(value) -> tuple[list[str], str | None]:
    """The absence reasons that reduce the payment (R9.4) as stored: known codes, each once,
    in the order of ABSENCE_REASON_CHOICES; or the Swedish error. None is the default."""
    if value is None:
        return default_absence_payment_reasons(), None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple | set) or not all(isinstance(v, str) for v in value):
        return [], "Ange en lista av frånvaroorsaker."
    unknown = sorted(set(value) - set(ABSENCE_REASONS))
    if unknown:
        allowed = ", ".join(ABSENCE_REASONS)
        return [], f"Okänd frånvaroorsak: {', '.join(unknown)}. Tillåtna är {allowed}."
    return [code for code in ABSENCE_REASONS if code in set(value)], None


def _put_absence_reasons(value, values: dict, errors: dict) -> None:
    """`absence_reasons(value)` into the values to write, or its error into `errors`."""
    reasons, error = absence_reasons(value)
    if error:
        errors["absence_payment_reasons"] = error
    else:
        values["absence_payment_reasons"] = reasons


def service_kinds(value) -> tuple[list[str], str | None]:
    """The service kinds whose start names the booked staff member (R3.6, seed 003) as
    stored: known kind codes, each once, in the catalogue's order; or the Swedish error.
    None is none."""
    if value is None:
        return [], None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple | set) or not all(isinstance(v, str) for v in value):
        return [], "Ange en lista av insatsslag."
    known = [kind.value for kind in ServiceKind]
    unknown = sorted(set(value) - set(known))
    if unknown:
        return [], f"Okänt insatsslag: {', '.join(unknown)}. Tillåtna är {', '.join(known)}."
    return [code for code in known if code in set(value)], None


def _put_service_kinds(value, values: dict, errors: dict) -> None:
    """`service_kinds(value)` into the values to write, or its error into `errors`."""
    kinds, error = service_kinds(value)
    if error:
        errors["booked_staff_service_kinds"] = error
    else:
        values["booked_staff_service_kinds"] = kinds


def _put_flags(changes: dict, values: dict, errors: dict) -> None:
    """The routine's yes-or-no practices of `changes` (models.PROFILE_FLAGS) into the values to
    write, or each one's error into `errors`."""
    for name in PROFILE_FLAGS:
        if name not in changes:
            continue
        if isinstance(changes[name], bool):
            values[name] = changes[name]
        else:
            errors[name] = "Ange ja eller nej (true eller false)."


def _libraries(profile: RuleProfile, includes) -> tuple[list[RuleProfile], str | None]:
    """The library profiles `includes` names (profiles or slugs), or the Swedish error."""
    if includes is None:
        includes = []
    if isinstance(includes, str):
        includes = [includes]
    slugs = [p.slug if isinstance(p, RuleProfile) else str(p) for p in includes]
    if slugs and profile is not None and profile.is_library:
        return [], "Ett nationellt bibliotek inkluderar inga andra profiler."
    found = {p.slug: p for p in RuleProfile.objects.filter(slug__in=slugs)}
    bad = [s for s in slugs if s not in found or not found[s].is_library]
    if bad:
        return [], "Bara nationella bibliotek kan inkluderas: " + ", ".join(sorted(bad)) + "."
    return [found[s] for s in dict.fromkeys(slugs)], None


@transaction.atomic
def update_profile(actor, profile: RuleProfile, **changes) -> RuleProfile:
    """Change a profile's name, sources, thresholds (SPEC R11.4: days 1–365, the fee
    officer's hours 1–744) or included libraries (library profiles only), as who may change
    the profile (R11.3, `require_change`). Every bad field is named, in Swedish."""
    profile = RuleProfile.objects.select_for_update().filter(pk=profile.pk).first()
    if profile is None:
        raise NotFound("Regelprofilen finns inte.")
    require_change(actor, profile)
    errors: dict[str, str] = {f: "Okänt fält." for f in sorted(set(changes) - set(PROFILE_FIELDS))}
    values, threshold_errors = _threshold_errors(changes)
    errors.update(threshold_errors)
    if "absence_payment_reasons" in changes:
        _put_absence_reasons(changes["absence_payment_reasons"], values, errors)
    _put_flags(changes, values, errors)
    if "booked_staff_service_kinds" in changes:
        _put_service_kinds(changes["booked_staff_service_kinds"], values, errors)
    if "name" in changes:
        values["name"] = str(changes["name"] or "").strip()
        if not values["name"]:
            errors["name"] = "Ange ett namn."
        elif len(values["name"]) > NAME_LENGTH:
            errors["name"] = f"Namnet får vara högst {NAME_LENGTH} tecken."
    if "sources" in changes:
        values["sources"] = str(changes["sources"] or "").strip()
        if len(values["sources"]) > SOURCES_LENGTH:
            errors["sources"] = f"Källan får vara högst {SOURCES_LENGTH} tecken."
    libraries = None
    if "includes" in changes:
        libraries, error = _libraries(profile, changes["includes"])
        if error:
            errors["includes"] = error
    if errors:
        raise ValidationFailed(errors)
    for field, value in values.items():
        setattr(profile, field, value)
    profile.save()
    if libraries is not None:
        profile.includes.set(libraries)
    return profile
