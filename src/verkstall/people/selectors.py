"""Reads of clients, scoped to what the user may see (verkstall.access.scoping)."""

from __future__ import annotations

import unicodedata

from django.db.models import F, Q, QuerySet

from verkstall.access.scoping import order_scope
from verkstall.core.errors import NotFound
from verkstall.core.order_states import WITH_PROVIDER
from verkstall.core.paging import Sorting
from verkstall.core.personal_number import search_digits

from .models import OralBriefing, Person, PersonChange, ProtectedDataAccess, ProtectionRequest
from .presentation import PLACEHOLDER, ShownChange, ShownPerson, change_is_protected_kind
from .scoping import person_scope


def persons_for(user) -> QuerySet[Person]:
    return (
        Person.objects.filter(person_scope(user))
        .select_related("area", "unit")
        .order_by("last_name", "first_name", "id")
    )


def search_persons(user, query: str) -> QuerySet[Person]:
    """Search by name or by (part of) personnummer, within the user's scope. The text is
    normalised as every personnummer is (core.personal_number): a number in fullwidth digits
    finds the same client as in ASCII."""
    qs = persons_for(user)
    query = unicodedata.normalize("NFKC", query or "").strip()
    if not query:
        return qs
    digits = search_digits(query)
    if digits:
        if len(digits) == 10:
            return qs.filter(personal_number__endswith=digits)
        return qs.filter(personal_number__contains=digits)
    condition = Q()
    for word in query.split():
        condition &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    return qs.filter(condition)


# The client list's columns (issue 17 item 5): the name by default. The personnummer sorts by
# birth date (its first eight digits; a samordningsnummer's day is the day plus 60, so it
# comes after the month's birth numbers).
PERSON_SORTING = Sorting(
    columns={
        "name": (F("last_name"), F("first_name")),
        "born": (F("personal_number"),),
        "unit": (F("unit__name"),),
    },
    default="name",
)


def recent_persons(user, ids) -> list[Person]:
    """The clients of `ids` (the ones the user opened last, most recent first) that the user
    may still see now: the scope is asked again, so a client moved to another unit is gone.
    One query."""
    ids = [pk for pk in ids if isinstance(pk, int)]
    found = {p.pk: p for p in persons_for(user).filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]


def get_person(user, pk) -> Person:
    try:
        return persons_for(user).prefetch_related("relatives").get(pk=pk)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise NotFound("Klienten finns inte eller så saknar du behörighet.") from None


def holds_order_now(user, person: Person) -> bool:
    """Does the provider user's provider hold an order for the client that is still with it
    (sent, acknowledged or started: core.order_states.WITH_PROVIDER)? Writing the client's
    contact data and relatives asks this (R1.1, seed 002 "ansvaret är gemensamt"): a provider
    that only held an order (ended, withdrawn, switched away) still reads the client and its
    history through its orders, but no longer keeps the client's data. Orders sit above
    people: read through the client's reverse relation `orders`."""
    if getattr(user, "provider_id", None) is None:
        return False
    # orders.Order, as the provider sees them (access.scoping), still with it.
    return person.orders.filter(order_scope(user), state__in=WITH_PROVIDER).exists()


def person_number_registered(municipality_id: int, personal_number: str) -> bool:
    """Set-up code (demo data, imports) asks whether a number is already registered."""
    return Person.objects.filter(
        municipality_id=municipality_id, personal_number=personal_number
    ).exists()


# --- Protected identity (SPEC R10.1, R10.5) -------------------------------------------------


def may_see_protected(user, person: Person) -> bool:
    """May `user` see this client's address, postal code, city, whereabouts, phone,
    coordinates and relatives? The one place that decides it (R10.5).

    A client without protected personal data: yes (the ordinary scoping already decided
    that the user may see the client at all). A protected client: only the named staff with
    an active grant (ProtectedDataAccess), whatever their role; not even the client's other
    officers. `user=None` is a document or e-mail that leaves the system: never.
    The answer is kept on the person instance for the rest of the request."""
    if not person.is_protected:
        return True
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    cache = person.__dict__.setdefault("_protected_access", {})
    if user.pk not in cache:
        cache[user.pk] = ProtectedDataAccess.objects.filter(
            person_id=person.pk, user_id=user.pk, revoked_at__isnull=True
        ).exists()
    return cache[user.pk]


# The request header that carries a client search in the API, so that a personnummer never
# stands in an address or a server log (issue 11); the access log notices it too.
SEARCH_HEADER = "X-Search-Query"


def noncanonical_numbers():
    """(client id, municipality code) of every client whose stored personnummer is not twelve
    ASCII digits (for the operators' check; never the numbers themselves)."""
    return (
        Person.objects.exclude(personal_number__regex=r"^[0-9]{12}$")
        .order_by("municipality__code", "pk")
        .values_list("pk", "municipality__code")
    )


def area_name_for(user, person: Person, area) -> str:
    """The name of the client's home-care area as `user` may see it: the placeholder for a
    protected client and a reader who is not named staff (issue 11). `user=None` is a
    document or letter that leaves the system: never for a protected client."""
    if area is None:
        return ""
    return area.name if may_see_protected(user, person) else str(PLACEHOLDER)


def listed_person(person: Person) -> ShownPerson:
    """A client as a list row, a report, a document, an e-mail or an export shows it, whoever
    produces it: a protected client's address, area and contact data never appear, not even
    to the named staff (README "Protected identity"); they open the client to see them
    (R10.5)."""
    return ShownPerson(person, visible=not person.is_protected)


def shown_person(user, person: Person) -> ShownPerson:
    """The client as `user` may see it: protected fields replaced by the placeholder."""
    return ShownPerson(person, visible=may_see_protected(user, person))


def protected_access_grants(user, person: Person) -> QuerySet[ProtectedDataAccess]:
    """The named staff of a client (active grants first), for the client's officers."""
    from verkstall.access.policies import require_officer_of_unit

    require_officer_of_unit(user, person.unit_id, "se vem som har behörighet")
    return (
        ProtectedDataAccess.objects.filter(person=person)
        .select_related(
            "user", "user__provider", "user__unit", "user__municipality", "granted_by", "revoked_by"
        )
        .order_by("revoked_at", "granted_at", "id")
    )


def protection_requests(user, person: Person) -> QuerySet[ProtectionRequest]:
    """A client's requests to open protected data up (four eyes, issue 11), pending first,
    for the client's officers."""
    from verkstall.access.policies import require_officer_of_unit

    require_officer_of_unit(user, person.unit_id, "se begäranden om skyddade uppgifter")
    return (
        ProtectionRequest.objects.filter(person=person)
        .select_related(
            "user",
            "user__provider",
            "user__unit",
            "user__municipality",
            "requested_by",
            "decided_by",
        )
        .order_by(F("decided_at").desc(nulls_first=True), "-requested_at", "-id")
    )


def pending_protection_requests(person: Person) -> QuerySet[ProtectionRequest]:
    """The client's requests that wait for a second officer (for demo data and commands; the
    screens read `protection_requests`, which checks the reader)."""
    return ProtectionRequest.objects.filter(person=person, decided_at__isnull=True).order_by("id")


def grantable_users(user, person: Person):
    """Who the officer may name: users of the municipality who may see the client at all
    (officers of the client's unit, fee officers, staff of a provider that holds or held an
    order for the client, and the unit managers of a provider that was briefed orally about
    the client), without an active grant already."""
    from verkstall.access.models import User
    from verkstall.access.roles import PROVIDER_ROLES, Role

    sent = person.orders.filter(sent_at__isnull=False).values("provider_id")  # orders.Order
    briefed = OralBriefing.objects.filter(person=person).values("provider_id")
    active = ProtectedDataAccess.objects.filter(person=person, revoked_at__isnull=True).values(
        "user_id"
    )
    return (
        User.objects.filter(municipality_id=person.municipality_id, is_active=True)
        .filter(
            Q(role=Role.OFFICER.value, unit_id=person.unit_id)
            | Q(role=Role.FEE_OFFICER.value)
            | Q(role__in=[r.value for r in PROVIDER_ROLES], provider_id__in=sent)
            | Q(role=Role.PROVIDER_MANAGER.value, provider_id__in=briefed)
        )
        .exclude(pk__in=active)
        .select_related("provider", "unit")
        .order_by("last_name", "first_name", "username")
    )


def oral_briefings_for_order(order) -> QuerySet[OralBriefing]:
    """The briefings recorded on an order (the caller has read the order through its
    selector)."""
    return OralBriefing.objects.filter(order=order).select_related(
        "provider", "told_user", "recorded_by"
    )


def briefing_covers(order) -> bool:
    """Is there an oral briefing that lets this order go out (R10.1)? One recorded on the
    order itself for its provider, on the order it supersedes (a new version of the same
    assignment to the same provider, R3.10), or on the order being switched from, naming the
    new provider (R2.6: the switch creates and sends the new order in one step)."""
    order_ids = {order.pk}
    if getattr(order, "supersedes_id", None):
        order_ids.add(order.supersedes_id)
    # The switches (orders.ProviderSwitch, through reverse relations: orders sits above
    # people) of this client to this provider, done into this order or not done yet.
    to_here = {"person_id": order.person_id, "new_provider_id": order.provider_id}
    order_ids.update(order.switched_to.filter(**to_here).values_list("old_order_id", flat=True))
    order_ids.update(
        order.person.orders.filter(
            switches_from__person_id=order.person_id,
            switches_from__new_provider_id=order.provider_id,
            switches_from__new_order__isnull=True,
        ).values_list("pk", flat=True)
    )
    return OralBriefing.objects.filter(
        person_id=order.person_id, provider_id=order.provider_id, order_id__in=order_ids
    ).exists()


def briefing_providers(order) -> list:
    """The providers whose manager the officer may record as told on this order: the order's
    own, and the new provider of an open switch from it."""
    providers = [order.provider]
    open_switches = order.switches_from.filter(completed_at__isnull=True)  # orders.ProviderSwitch
    for switch in open_switches.select_related("new_provider"):
        if switch.new_provider not in providers:
            providers.append(switch.new_provider)
    return providers


def provider_managers(provider):
    """The provider's unit managers with a user account, for the briefing form."""
    from verkstall.access.models import User
    from verkstall.access.roles import Role

    return User.objects.filter(
        provider=provider, role=Role.PROVIDER_MANAGER.value, is_active=True
    ).order_by("last_name", "first_name", "username")


# --- The history of a client's data (SPEC R1.1) ----------------------------------------------


def person_changes(user, person: Person) -> QuerySet[PersonChange]:
    """The changes of a client's data, newest first, for whoever may see the client (its
    officers, the fee officer, the providers that hold or held an order for it: the client's
    own scope). Show them through `shown_changes`, which hides protected values (R10.5)."""
    return (
        PersonChange.objects.filter(person_id=person.pk, person__in=persons_for(user))
        .select_related("changed_by")
        .order_by("-changed_at", "-id")
    )


def change_visible(user, person: Person, change: PersonChange) -> bool:
    """May `user` read this change's values and reason (R10.5)? A change of a name always; of
    a protected field (address, phone, whereabouts, area, position, relatives):
    - of a client protected now: only the named staff (`may_see_protected`);
    - made while the client was protected, the marking removed since (its grants are then
      revoked): only the officers of the client's unit, who keep the case; never a provider
      or the fee officer;
    - otherwise: whoever may see the client."""
    if not change_is_protected_kind(change):
        return True
    if person.is_protected:
        return may_see_protected(user, person)
    if change.protected:
        return getattr(user, "is_officer", False) and user.unit_id == person.unit_id
    return True


def shown_changes(user, person: Person, changes) -> list[ShownChange]:
    """The changes as `user` may read them (R10.5)."""
    return [ShownChange(c, visible=change_visible(user, person, c)) for c in changes]


def get_relative(person: Person, pk):
    """One of the client's relatives (the caller has read the client through its selector)."""
    try:
        return person.relatives.get(pk=pk)
    except (ValueError, TypeError, person.relatives.model.DoesNotExist):
        raise NotFound("Den anhörige finns inte.") from None


def area_choices(person_or_user) -> QuerySet:
    """The home-care areas of the municipality (providers.Area), through the municipality's
    reverse relation `areas`: providers sits above people."""
    from verkstall.access.models import Municipality

    municipality = Municipality.objects.get(pk=person_or_user.municipality_id)
    return municipality.areas.order_by("name")
