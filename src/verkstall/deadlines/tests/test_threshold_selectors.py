"""The thresholds of a municipality's routine come from its rule profile (SPEC R11.4, issue 13
§3): the 5-day rule of a temporary change (R3.8), the 14- and 30-day absence thresholds (R7.1,
R7.2), the switch's notice and contact (R2.6) and the fee officer's hours (R9.3). What each
does with its number is tested where it is used (orders/tests/test_thresholds.py,
absences/tests/test_thresholds.py)."""

from __future__ import annotations

import pytest

from verkstall.deadlines.models import THRESHOLDS, RuleProfile
from verkstall.deadlines.threshold_selectors import (
    DEFAULTS,
    threshold,
    thresholds_by_municipality,
    thresholds_for,
)
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db

SPEC_VALUES = {
    "temporary_change_days": 5,  # R3.8
    "absence_register_days": 14,  # R7.1
    "long_absence_days": 30,  # R7.2
    "switch_notice_days": 14,  # R2.6
    "switch_contact_weekdays": 3,  # R2.6
    "fee_hours_per_month": 7,  # R9.3
    "discharge_liability_days": 3,  # R8.1 (lag 2017:612)
    "queue_declines_allowed": 2,  # R8.2
    "month_registration_day": 5,  # R9.1
    "absence_payment_days": 0,  # R9.4
    "payment_correction_months": 12,  # R9.4
    "mapping_period_months": 0,  # R5.1: none unless the routine has one (seed 003)
}
OWN = {
    "temporary_change_days": 3,
    "absence_register_days": 10,
    "long_absence_days": 21,
    "switch_notice_days": 30,
    "switch_contact_weekdays": 5,
    "fee_hours_per_month": 10,
    "discharge_liability_days": 5,
    "queue_declines_allowed": 1,
    "month_registration_day": 3,
    "absence_payment_days": 2,
    "payment_correction_months": 6,
    "mapping_period_months": 2,
}


@pytest.fixture
def own(db):
    RuleProfile.objects.create(slug="egen-rutin", name="Egen rutin", **OWN)
    return build.municipality(profile="egen-rutin")


def test_the_defaults_are_the_specs_values():  # R11.4 R3.8 R7.1 R7.2 R2.6 R9.3
    assert set(THRESHOLDS) == set(SPEC_VALUES)
    assert DEFAULTS == SPEC_VALUES


def test_a_built_in_profile_has_the_specs_values(db):  # R11.4
    assert thresholds_for(build.municipality(profile="gotland")) == SPEC_VALUES


def test_a_municipality_gets_its_own_profiles_thresholds(own, django_assert_num_queries):
    # R11.4: one query, from the municipality or from its id.
    with django_assert_num_queries(1):
        assert thresholds_for(own) == OWN
    with django_assert_num_queries(1):
        assert thresholds_for(own.pk) == OWN
    assert threshold(own.pk, "long_absence_days") == 21


def test_the_fee_officers_hours_are_the_profiles(own):  # R9.3 R11.4
    # No feature uses the 7 hours yet (issue 15 will); the profile provides them.
    assert threshold(own, "fee_hours_per_month") == 10
    assert threshold(build.municipality(), "fee_hours_per_month") == 7


def test_a_profile_slug_with_no_profile_gives_the_defaults(db):  # R11.4
    nowhere = build.municipality(profile="finns-inte")
    assert thresholds_for(nowhere) == SPEC_VALUES
    assert thresholds_for(nowhere.pk) == SPEC_VALUES


def test_an_unknown_threshold_is_refused(own):  # R11.4
    with pytest.raises(KeyError):
        threshold(own, "antal_dagar")


def test_several_municipalities_at_once(own, django_assert_num_queries):  # R11.4
    other = build.municipality(profile="stockholm-hv")
    with django_assert_num_queries(2):
        found = thresholds_by_municipality([own.pk, other.pk])
    assert found == {own.pk: OWN, other.pk: SPEC_VALUES}
