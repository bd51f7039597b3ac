"""The Django admin is scoped like every screen (issue 11 "Medium: admin", SPEC "Actors",
R10.4, R11.3).

The walk takes every model registered in `admin.site` and, as the LOV administrator of
municipality A while municipality B holds one object of each (with unique canary strings in
every name), requests B's objects on their change, delete and history pages (and posts to
them): never a 200, nothing changes, and no answer names anything of B. A's own pages (the
index, every changelist with its filters, every add form with its drop-downs, the change page
of each of A's objects, every autocomplete answer) contain no canary either. A model the LOV
administrator may use for which B has no object here fails the walk, so a new admin cannot be
skipped silently; B's own administrator reaching each object shows the objects are real.

`unscoped_admins` is checked on the real site (every admin uses `ScopedAdminMixin`) and on a
site with an admin registered without it, so the check is known to bite.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.forms.models import model_to_dict
from django.urls import NoReverseMatch, reverse

from verkstall.access.admin import ScopedAdminMixin, ScopedInlineMixin, unscoped_admins
from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.core.errors import NotFound, PermissionDenied, ValidationFailed
from verkstall.deadlines import services as deadline_services
from verkstall.deadlines.models import DueItem, Rule, RuleProfile, RuleRevision
from verkstall.providers import services as provider_services
from verkstall.providers.models import Area, Contract, Provider, ProviderUnit
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db

CARE = "hemtjanst-omvardnad"
CANARY = re.compile(r"kanarie", re.IGNORECASE)


def _staff(user, *, superuser=False):
    user.is_staff = True
    user.is_superuser = superuser
    user.save()
    return user


class OtherMunicipality:
    """Municipality B: one object of every model the admin shows, each named with a canary."""

    def __init__(self):
        from verkstall.decisions.services import record_decision
        from verkstall.orders import services as orders
        from verkstall.people.services import register_person

        today = clock.today()
        self.muni = build.municipality(name="Kanariekommun", profile="gotland")
        self.unit = build.unit(self.muni, "Kanarieenheten")
        self.area = build.area(self.muni, "Kanarieområdet")
        self.provider = build.provider(self.muni, "Kanarieomsorg AB")
        self.provider_unit = build.provider_unit(self.provider, "Kanarieboendet")
        self.officer = build.user(Role.OFFICER, self.muni, unit=self.unit)
        self.lov_admin = _staff(build.user(Role.LOV_ADMIN, self.muni))
        self.lov_admin.last_name = "Kanarieadministratör"
        self.lov_admin.save()
        self.contract = provider_services.create_contract(
            self.lov_admin,
            provider=self.provider,
            service_type=CARE,
            area=self.area,
            valid_from=today - timedelta(days=30),
            accepts_new_clients=False,
            capacity_reason="Kanarietaket",
        )
        # B's own profile (R11.3): its copy of the Gotland template, owned by B and assigned
        # by the system administrator; its name and a rule's name are canaries.
        self.system = _staff(
            build.user(Role.SYSTEM_ADMIN, None, username="system-b"), superuser=True
        )
        self.profile = deadline_services.copy_profile(
            self.lov_admin, source=RuleProfile.objects.get(slug="gotland"), name="Kanarieprofilen"
        )
        deadline_services.assign_profile(self.system, municipality=self.muni, profile=self.profile)
        assert self.profile.owner == self.muni
        first = Rule.objects.filter(profile=self.profile).order_by("id").first()
        Rule.objects.filter(pk=first.pk).update(name="Kanarieregeln")
        self.rule = Rule.objects.get(pk=first.pk)
        person = register_person(
            self.officer,
            personal_number=build.test_number(),
            first_name="Kanarie",
            last_name="Kanariesson",
            street_address="Kanariegatan 1",
            area=self.area.pk,
        )
        decision = record_decision(
            self.officer,
            person=person,
            decided_on=today - timedelta(days=3),
            services=[
                {"service_type": CARE, "scope_amount": "10", "scope_unit": "hours_per_month"}
            ],
        )
        order = orders.create_order(self.officer, decision=decision, provider=self.provider)
        orders.send_order(self.officer, order)
        self.due_item = DueItem.objects.filter(municipality=self.muni).first()
        assert self.due_item is not None

    def objects(self) -> dict:
        return {
            Area: self.area,
            Provider: self.provider,
            ProviderUnit: self.provider_unit,
            Contract: self.contract,
            RuleProfile: self.profile,
            Rule: self.rule,
            DueItem: self.due_item,
        }


@pytest.fixture
def a_admin(world):
    return _staff(build.user(Role.LOV_ADMIN, world.muni, username="lov-a"))


@pytest.fixture
def b(world):
    return OtherMunicipality()


@pytest.fixture
def a_objects(world, a_admin, b):
    """A's own rows of every model, B's administrator in the history of A's rule (as could
    happen before profiles were scoped), and A's due items."""
    provider_unit = build.provider_unit(world.provider_a, "Västerboendet")
    contract = provider_services.create_contract(
        a_admin,
        provider=world.provider_a,
        service_type=CARE,
        area=world.area,
        valid_from=clock.today() - timedelta(days=30),
    )
    profile = RuleProfile.objects.get(slug=world.muni.rule_profile)
    rule = Rule.objects.filter(profile=profile).order_by("id").first()
    RuleRevision.objects.create(
        rule=rule, version=rule.version, snapshot=rule.as_dict(), changed_by=b.lov_admin
    )
    world.order(state="sent")
    return {
        Area: world.area,
        Provider: world.provider_a,
        ProviderUnit: provider_unit,
        Contract: contract,
        RuleProfile: profile,
        Rule: rule,
        DueItem: DueItem.objects.filter(municipality=world.muni).first(),
    }


def _url(model, view: str, *args) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def _body(response) -> str:
    return response.content.decode(errors="replace")


def _no_canary(response, where: str) -> None:
    found = CANARY.findall(_body(response))
    assert not found, f"{where}: another municipality's data ({sorted(set(found))}) shown"


def _refused(client, url: str, where: str, method="get", data=None) -> None:
    """Refused without a 200, and nothing of B in the answer nor where it redirects to."""
    response = getattr(client, method)(url, data or {})
    assert response.status_code in (302, 403, 404), f"{where}: {response.status_code}"
    _no_canary(response, where)
    if response.status_code == 302:
        _no_canary(client.get(response["Location"]), f"{where} -> {response['Location']}")


# What a LOV administrator works with in the admin (SPEC "Actors"); due items are about
# clients and are the system administrator's only.
LOV_MODELS = {Area, Provider, ProviderUnit, Contract, RuleProfile, Rule}


def _lov_admin_may_use(model_admin) -> bool:
    return isinstance(model_admin, ScopedAdminMixin) and Role.LOV_ADMIN in model_admin.admin_roles


# --- The mixin is on every admin ------------------------------------------------------------


def test_every_registered_admin_is_scoped():  # issue 11, Actors
    assert unscoped_admins(admin.site) == []


def test_an_admin_registered_without_the_mixin_is_found():  # issue 11: the check bites, Actors
    site = admin.AdminSite(name="probe")

    class Plain(admin.ModelAdmin):
        pass

    class Bypass(ScopedAdminMixin, admin.ModelAdmin):
        def has_view_permission(self, request, obj=None):
            return True

    class PlainInline(admin.TabularInline):
        model = ProviderUnit

    class WithPlainInline(ScopedAdminMixin, admin.ModelAdmin):
        inlines = [PlainInline]

    class ScopedInline(ScopedInlineMixin, admin.TabularInline):
        model = ProviderUnit

    class Scoped(ScopedAdminMixin, admin.ModelAdmin):
        inlines = [ScopedInline]

    site.register(Area, Plain)
    site.register(Contract, Bypass)
    site.register(Provider, WithPlainInline)
    site.register(RuleProfile, Scoped)
    found = unscoped_admins(site)
    assert len(found) == 3, found
    assert any("providers.area" in f and "no ScopedAdminMixin" in f for f in found)
    assert any("providers.contract" in f and "has_view_permission" in f for f in found)
    assert any("PlainInline" in f for f in found)


# --- The walk -------------------------------------------------------------------------------


def test_a_lov_administrator_sees_nothing_of_another_municipality_in_the_admin(
    client, world, a_admin, b, a_objects
):  # issue 11, Actors, R11.3
    b_objects = b.objects()
    registry = admin.site._registry
    missing = [
        model._meta.label
        for model, model_admin in registry.items()
        if _lov_admin_may_use(model_admin) and model not in b_objects
    ]
    assert missing == [], f"plant an object of B for {missing} in OtherMunicipality"

    # B's objects are real: B's own administrator (or, for due items, the system
    # administrator) reaches each, and the page names its canary.
    system = _staff(build.user(Role.SYSTEM_ADMIN, None, username="system"), superuser=True)
    for model, obj in b_objects.items():
        client.force_login(system if model is DueItem else b.lov_admin)
        page = client.get(_url(model, "change", obj.pk))
        assert page.status_code == 200, model
        if model is not DueItem:  # shown by ids only
            assert CANARY.search(_body(page)), model

    client.force_login(a_admin)
    _no_canary(client.get(reverse("admin:index")), "admin index")
    for app_label in {model._meta.app_label for model in registry}:
        try:
            url = reverse("admin:app_list", args=[app_label])
        except NoReverseMatch:
            continue
        response = client.get(url)
        assert response.status_code in (200, 403, 404)
        _no_canary(response, url)

    for model in registry:
        name = model._meta.label
        changelist = client.get(_url(model, "changelist"))
        assert changelist.status_code == (200 if model in LOV_MODELS else 403), name
        _no_canary(changelist, f"{name} changelist")
        _no_canary(client.get(_url(model, "add")), f"{name} add form")

        obj = b_objects.get(model)
        if obj is None:
            continue  # the superuser's alone: the changelist above was refused
        before = model_to_dict(obj)
        for view in ("change", "delete", "history"):
            _refused(client, _url(model, view, obj.pk), f"{name} {view} of B")
        _refused(client, _url(model, "change", obj.pk), f"{name} change of B (POST)", "post")
        _refused(
            client, _url(model, "delete", obj.pk), f"{name} delete of B", "post", {"post": "yes"}
        )
        ct = ContentType.objects.get_for_model(model)
        _refused(client, reverse("admin:view_on_site", args=[ct.pk, obj.pk]), f"{name} r/")
        assert model_to_dict(model._default_manager.get(pk=obj.pk)) == before, name

        mine = a_objects[model]
        page = client.get(_url(model, "change", mine.pk))
        assert page.status_code == (200 if model in LOV_MODELS else 403), name
        _no_canary(page, f"{name} change page of A's own")
    assert {m for m, a in registry.items() if _lov_admin_may_use(a)} == LOV_MODELS

    # Autocomplete answers come from the related model's admin: scoped too.
    for model in registry:
        for field in model._meta.get_fields():
            if not (field.is_relation and field.concrete and field.related_model in registry):
                continue
            opts = model._meta
            response = client.get(
                reverse("admin:autocomplete"),
                {
                    "app_label": opts.app_label,
                    "model_name": opts.model_name,
                    "field_name": field.name,
                },
            )
            _no_canary(response, f"autocomplete {opts.label}.{field.name}")


def test_the_drop_downs_list_the_administrators_own_municipality(
    client, world, a_admin, b, a_objects
):  # issue 11: the walk's pages are not empty by accident, Actors, R11.3
    client.force_login(a_admin)
    page = _body(client.get(_url(Contract, "add")))
    assert world.provider_a.name in page and world.area.name in page
    assert b.provider.name not in page and b.area.name not in page
    rules = _body(client.get(_url(Rule, "changelist")))
    # A reads the templates' rules (Gotland's too, whose codes B's copy shares), not B's.
    assert a_objects[Rule].code in rules and b.rule.name not in rules
    # The filter on the profile lists A's profile only (a plain filter lists every profile).
    assert a_objects[RuleProfile].name in rules and "Kanarieprofilen" not in rules
    revisions = _body(client.get(_url(Rule, "change", a_objects[Rule].pk)))
    assert "(utanför kommunen)" in revisions  # B's administrator is not named


# --- Profiles: one's own is changed, a template only read, another's not found (R11.3) ---------


def _own_copy(admin_user, slug: str) -> RuleProfile:
    """The LOV administrator's municipality's own copy of the template `slug`, assigned to it
    by the system administrator (R11.3)."""
    system = _staff(build.user(Role.SYSTEM_ADMIN, None), superuser=True)
    profile = deadline_services.copy_profile(admin_user, source=RuleProfile.objects.get(slug=slug))
    deadline_services.assign_profile(system, municipality=admin_user.municipality, profile=profile)
    return profile


def test_a_lov_administrator_cannot_change_another_municipalitys_rule(a_admin, b):  # R11.3
    with pytest.raises(NotFound):  # 404: not even confirmed to exist
        deadline_services.update_rule(a_admin, b.rule, amount=4)
    b.rule.refresh_from_db()
    assert b.rule.version == 1
    assert deadline_services.update_rule(b.lov_admin, b.rule, amount=4).version == 2


def test_a_template_is_read_only_for_lov_administrators(client, world, a_admin):  # R11.3
    rule = Rule.objects.get(profile__slug=world.muni.rule_profile, code="kvittens-och-start")
    assert rule.profile.owner is None  # world's municipality works by the built-in template
    client.force_login(a_admin)
    url = _url(Rule, "change", rule.pk)
    page = client.get(url)
    assert page.status_code == 200  # read ...
    assert 'name="amount"' not in _body(page)  # ... not changed
    assert client.post(url, {"amount": "9"}).status_code == 403
    assert client.get(_url(Rule, "add")).status_code == 403  # no profile of its own to add to
    profile_url = _url(RuleProfile, "change", rule.profile_id)
    assert client.get(profile_url).status_code == 200
    assert client.post(profile_url, {"name": "Ändrad"}).status_code == 403
    with pytest.raises(PermissionDenied):
        deadline_services.update_rule(a_admin, rule, amount=9)
    with pytest.raises(PermissionDenied):
        deadline_services.update_profile(a_admin, rule.profile, name="Ändrad")
    rule.refresh_from_db()
    assert rule.amount == 3 and rule.profile.name != "Ändrad"
    system = _staff(build.user(Role.SYSTEM_ADMIN, None, username="system"), superuser=True)
    assert deadline_services.update_rule(system, rule, amount=9).amount == 9


def test_the_national_library_is_read_by_every_lov_administrator_and_changed_by_none(
    client, a_admin, b
):  # R11.3: `nationell` is included by reference, changed by the system administrator
    library = RuleProfile.objects.get(slug="nationell")
    ivo = Rule.objects.get(profile=library, code="ivo-ej-verkstallt")
    for user in (a_admin, b.lov_admin):
        client.force_login(user)
        assert client.get(_url(Rule, "change", ivo.pk)).status_code == 200
        assert client.post(_url(Rule, "change", ivo.pk), {"amount": "1"}).status_code == 403
        with pytest.raises(PermissionDenied):
            deadline_services.update_rule(user, ivo, amount=1)
    ivo.refresh_from_db()
    assert (ivo.amount, ivo.version) == (3, 1)


def test_another_municipalitys_profile_and_rule_are_not_found_in_the_admin(
    client, a_admin, b
):  # R11.3, issue 13 acceptance: 404, never a 200 or a redirect
    client.force_login(a_admin)
    for model, obj in ((RuleProfile, b.profile), (Rule, b.rule)):
        before = model_to_dict(obj)
        for view in ("change", "history", "delete"):
            response = client.get(_url(model, view, obj.pk))
            assert response.status_code == 404, (model, view, response.status_code)
            _no_canary(response, f"{model.__name__} {view}")
        assert client.post(_url(model, "change", obj.pk), {"name": "x"}).status_code == 404
        assert client.post(_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 404
        assert model_to_dict(model._default_manager.get(pk=obj.pk)) == before
    # ... the same answer as for an id that does not exist: nothing confirms B's are there.
    missing = RuleProfile.objects.order_by("-pk").first().pk + 1000
    assert client.get(_url(RuleProfile, "change", missing)).status_code == 404


def test_every_profile_and_rule_is_read_only_by_whom_the_owner_allows(
    client, world, a_admin, b
):  # R11.3, property over every profile and rule in the database (the admin is not in the
    # IDOR walk of tests/test_idor.py: this is that walk for rule profiles and rules)
    mine = _own_copy(a_admin, world.muni.rule_profile)
    users = {"a": a_admin, "b": b.lov_admin}
    owners = {"a": world.muni.pk, "b": b.muni.pk}
    rows = [(RuleProfile, p.pk, p.owner_id) for p in RuleProfile.objects.all()] + [
        (Rule, r.pk, r.profile.owner_id) for r in Rule.objects.select_related("profile")
    ]
    assert {owner for _, _, owner in rows} == {None, world.muni.pk, b.muni.pk}
    assert mine.owner_id == world.muni.pk
    for side, user in users.items():
        client.force_login(user)
        for model, pk, owner in rows:
            change = client.get(_url(model, "change", pk))
            if owner is None or owner == owners[side]:
                assert change.status_code == 200, (side, model, pk)
                continue
            assert change.status_code == 404, (side, model, pk, change.status_code)
            for view in ("history", "delete"):
                assert client.get(_url(model, view, pk)).status_code == 404, (side, view, pk)


def test_the_profile_services_refuse_another_municipalitys_profile(world, a_admin, b):  # R11.3
    system = _staff(build.user(Role.SYSTEM_ADMIN, None, username="system"), superuser=True)
    template = RuleProfile.objects.get(slug="stockholm-hv")
    with pytest.raises(NotFound):
        deadline_services.copy_profile(a_admin, source=b.profile)
    with pytest.raises(NotFound):
        deadline_services.update_profile(a_admin, b.profile, long_absence_days=10)
    with pytest.raises(PermissionDenied):  # only the system administrator assigns
        deadline_services.assign_profile(a_admin, municipality=world.muni, profile=template)
    with pytest.raises(ValidationFailed) as refused:  # B's own is not A's to work by
        deadline_services.assign_profile(system, municipality=world.muni, profile=b.profile)
    assert "profile" in refused.value.errors
    with pytest.raises(PermissionDenied):  # a copy goes to the administrator's own
        deadline_services.copy_profile(a_admin, source=template, owner=b.muni)
    b.profile.refresh_from_db()
    assert b.profile.long_absence_days == 30 and b.profile.name == "Kanarieprofilen"
    world.muni.refresh_from_db()
    assert world.muni.rule_profile == "stockholm-hv"
    assert not RuleProfile.objects.filter(owner=b.muni).exclude(pk=b.profile.pk).exists()


def test_a_lov_administrator_adds_rules_only_to_their_own_profile(client, world, a_admin, b):
    mine = _own_copy(a_admin, world.muni.rule_profile)  # R11.3
    client.force_login(a_admin)
    page = client.get(_url(Rule, "add"))
    assert page.status_code == 200
    choices = {str(p) for p in page.context["adminform"].form.fields["profile"].queryset}
    assert choices == {str(mine)}
    # A new, empty profile is the LOV administrator's own municipality's, whatever the form
    # says: the owner is not even a field for them (services.create_profile, R11.3).
    page = client.get(_url(RuleProfile, "add"))
    assert page.status_code == 200
    assert "owner" not in page.context["adminform"].form.fields
    data = {
        "slug": "a-egen",
        "name": "A:s egen rutin",
        "owner": b.muni.pk,
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
    }
    assert client.post(_url(RuleProfile, "add"), data).status_code == 302
    assert RuleProfile.objects.get(slug="a-egen").owner_id == world.muni.pk
