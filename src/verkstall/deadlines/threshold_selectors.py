"""The thresholds a municipality's routine words in its own way, read from its rule profile
(SPEC R11.4, issue 13 §3), instead of constants in the code:

- `temporary_change_days` (R3.8): a temporary change of up to so many days fits in the
  current payment (orders.change_services);
- `absence_register_days` (R7.1): absence longer than so many days is registered (explained
  to the provider on the absence form);
- `long_absence_days` (R7.2): absence longer than so many consecutive days is flagged and
  reported to the officer (absences.services);
- `switch_notice_days`, `switch_contact_weekdays` (R2.6): the notice of a provider switch
  and the new provider's contact, when the profile has no rule for them
  (orders.switch_services);
- `fee_hours_per_month` (R9.3): the fee officer is told of changes to services under so many
  hours a month (fees.services);
- `discharge_liability_days` (R8.1): when the municipality's payment liability begins after
  the hospital's notice, when the profile has no rule for it (placements.services);
- `queue_declines_allowed` (R8.2): after so many declined offers a client leaves the queue
  (placements.services);
- `month_registration_day` (R9.1): the month's starts, reassessments and absences are
  registered by this day of the next month; the month is closed for payment after it
  (payments.services);
- `absence_payment_days` and the list `absence_payment_reasons` (R9.4): absence of those
  reasons reduces the provider's payment after so many days of each absence
  (payments.basis, `payment_rules_for`);
- `letter_includes_assessment` (seed 002, a yes-or-no practice, `routine_settings`): the
  decision letter carries the assessment (decisions.documents);
- `payment_correction_months` (R9.4): a correction that changes a closed month becomes an
  adjustment in the next open month, for closed months at most so many months back
  (payments.selectors);
- `mapping_period_months` (R5.1, seed 003) and the list `booked_staff_service_kinds` (R3.6,
  seed 003): a new client's mapping period, and the services whose start names the booked
  staff member (routine_selectors).

A municipality whose profile slug names no profile gets the SPEC's values (the model's
defaults, `models.THRESHOLDS`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Subquery
from django.utils import timezone

from verkstall.access.models import Municipality

from .models import PROFILE_FLAGS, THRESHOLDS, RuleProfile, default_absence_payment_reasons

DEFAULTS: dict[str, int] = {name: default for name, (default, _spec) in THRESHOLDS.items()}


def _profile_values(municipality, defaults: dict, *extra: str) -> dict:
    """The thresholds and the `extra` fields of a municipality's rule profile over `defaults`,
    in one query: a Municipality (its `rule_profile` slug is read from the instance) or a
    municipality id (the slug is read in the same query)."""
    if hasattr(municipality, "rule_profile"):
        slug = municipality.rule_profile
    else:
        slug = Subquery(Municipality.objects.filter(pk=municipality).values("rule_profile")[:1])
    row = RuleProfile.objects.filter(slug=slug).values(*THRESHOLDS, *extra).first()
    return {**defaults, **(row or {})}


def profile_values(municipality, defaults: dict, *extra: str) -> dict:
    """The thresholds and the profile fields `extra` of a municipality's rule profile over
    `defaults`, in one query (`_profile_values`): for the other readers of the profile's
    values (routine_selectors)."""
    return _profile_values(municipality, defaults, *extra)


def thresholds_for(municipality) -> dict[str, int]:
    """The thresholds of a municipality's rule profile, in one query: a Municipality (its
    `rule_profile` slug is read from the instance) or a municipality id (the slug is read in
    the same query)."""
    return _profile_values(municipality, DEFAULTS)


def payment_rules_for(municipality) -> dict:
    """`thresholds_for` and the absence reasons that reduce the payment (R9.4,
    `absence_payment_reasons`), in one query."""
    defaults = {**DEFAULTS, "absence_payment_reasons": default_absence_payment_reasons()}
    return _profile_values(municipality, defaults, "absence_payment_reasons")


def routine_settings(municipality) -> dict:
    """Hook ROUTINE_SETTINGS (core/hooks.py): `thresholds_for` and the routine's yes-or-no
    practices (models.PROFILE_FLAGS, e.g. `letter_includes_assessment`: the decision letter
    carries the assessment, seed 002), in one query. A municipality whose profile slug names
    no profile: the SPEC's values and every practice off."""
    defaults = {**DEFAULTS, **dict.fromkeys(PROFILE_FLAGS, False)}
    return _profile_values(municipality, defaults, *PROFILE_FLAGS)


def date_by_rule_or_threshold(municipality, rule, moment: datetime, name: str) -> date:
    """The day the profile's `rule` counts to from `moment` (R11.4: the municipality's own
    wording), else the moment's day plus the profile's threshold `name` in calendar days: the
    end of a switch's notice (R2.6), the start of the payment liability (R8.1)."""
    if rule is not None:
        due = rule.spec().due_from(moment)
        if due is not None and due.due_date is not None:
            return due.due_date
    return timezone.localdate(moment) + timedelta(days=threshold(municipality, name))


def threshold(municipality, name: str) -> int:
    """One threshold of a municipality's profile (`thresholds_for`)."""
    if name not in THRESHOLDS:
        raise KeyError(name)
    return thresholds_for(municipality)[name]


def thresholds_by_municipality(municipality_ids) -> dict[int, dict[str, int]]:
    """The thresholds of several municipalities (a daily job over all of them), in two
    queries: id -> thresholds."""
    slugs = dict(
        Municipality.objects.filter(pk__in=set(municipality_ids)).values_list("pk", "rule_profile")
    )
    rows = {
        row.pop("slug"): row
        for row in RuleProfile.objects.filter(slug__in=set(slugs.values())).values(
            "slug", *THRESHOLDS
        )
    }
    return {pk: {**DEFAULTS, **rows.get(slug, {})} for pk, slug in slugs.items()}
