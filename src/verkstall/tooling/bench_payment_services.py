"""Prices for the benchmark's payment basis (SPEC R9.4): the generated municipality has none,
so the benchmark gives it a price list through the payments services, as its LOV administrator
would: every service type its granted services use, per granted hour where the scope is hours
a month, per month in force otherwise, with a price change in the middle of the measured month
for the first of them (so the basis has two lines per order of that type). Made once."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from django.db import transaction

from verkstall.access.models import User
from verkstall.access.roles import Role
from verkstall.decisions.models import GrantedService
from verkstall.payments import price_services
from verkstall.payments.basis_types import Period
from verkstall.payments.models import Price

FROM = date(2000, 1, 1)


@transaction.atomic
def ensure_prices(muni, period: Period) -> int:
    """The price list of the generated municipality; how many prices were made now."""
    if Price.objects.filter(municipality=muni).exists():
        return 0
    admin, _ = User.objects.get_or_create(
        username=f"bench-lovadmin-{muni.code}",
        defaults={"role": Role.LOV_ADMIN.value, "municipality": muni},
    )
    units = Counter(
        GrantedService.objects.filter(municipality=muni).values_list(
            "service_type__code", "scope_unit"
        )
    )
    codes = sorted({code for code, _unit in units})
    made = 0
    change = period.first + timedelta(days=14)
    for index, code in enumerate(codes):
        total = sum(n for (c, _u), n in units.items() if c == code)
        hours = units[(code, "hours_per_month")] * 2 >= total
        unit = "granted_hour" if hours else "month"
        amount = "400.00" if hours else "3100.00"
        first = price_services.add_price(
            admin, service_type=code, unit=unit, amount=amount, valid_from=FROM
        )
        made += 1
        if index == 0:
            price_services.end_price(admin, first, valid_to=change - timedelta(days=1))
            price_services.add_price(
                admin, service_type=code, unit=unit, amount="412.50", valid_from=change
            )
            made += 1
    return made
