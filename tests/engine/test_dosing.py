from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviews.engine.dosing import (
    Maintenance,
    Quantity,
    Regimen,
    add_months,
    authorized_quantity,
    dose_dates,
    regimen_differences,
)

KESIMPTA = {
    "dose_amount": "20",
    "dose_unit": "mg",
    "route": "subcutaneous",
    "loading_weeks": [0, 1, 2],
    "maintenance": {"every": 1, "unit": "calendar_month", "start_week": 4},
}
MONTHLY = Regimen.from_dict(KESIMPTA)
EVERY_4_WEEKS = replace(MONTHLY, maintenance=Maintenance(every=4, unit="week", start_week=4))
START = date(2026, 1, 5)


def mg(amount: int) -> Quantity:
    return Quantity(doses=amount // 20, total_amount=Decimal(amount), unit="mg")


# ---- the Kesimpta figures ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("regimen", "phase", "expected"),
    [
        (MONTHLY, "initial", mg(300)),  # 3 loading + 12 monthly
        (EVERY_4_WEEKS, "initial", mg(320)),  # 3 loading + 13 four-weekly
        (MONTHLY, "continuation", mg(240)),
        (EVERY_4_WEEKS, "continuation", mg(280)),  # days 0, 28, ..., 364
    ],
)
def test_kesimpta_quantities_for_a_year(regimen, phase, expected):
    assert authorized_quantity(regimen, start=START, days=365, phase=phase) == expected


def test_kesimpta_initial_dates_calendar_month():
    dates = dose_dates(MONTHLY, start=START, days=365, phase="initial")
    assert dates[:4] == [date(2026, 1, 5), date(2026, 1, 12), date(2026, 1, 19), date(2026, 2, 2)]
    assert dates[-1] == date(2027, 1, 2)  # the period ends 2027-01-04


def test_four_weekly_continuation_lands_on_the_last_day():
    dates = dose_dates(EVERY_4_WEEKS, start=START, days=365, phase="continuation")
    assert [(d - START).days for d in dates] == list(range(0, 365, 28))
    assert dates[-1] == START + timedelta(days=364)
    # One day shorter and the last dose falls outside the period.
    assert len(dose_dates(EVERY_4_WEEKS, start=START, days=364, phase="continuation")) == 13


def test_month_end_start_clamps_each_month_from_the_first_date():
    dates = dose_dates(MONTHLY, start=date(2026, 1, 31), days=365, phase="continuation")
    assert dates == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),  # not 28 March: each step is taken from 31 January
        date(2026, 4, 30),
        date(2026, 5, 31),
        date(2026, 6, 30),
        date(2026, 7, 31),
        date(2026, 8, 31),
        date(2026, 9, 30),
        date(2026, 10, 31),
        date(2026, 11, 30),
        date(2026, 12, 31),
    ]


def test_leap_year_february():
    dates = dose_dates(MONTHLY, start=date(2028, 1, 31), days=366, phase="continuation")
    assert dates[1] == date(2028, 2, 29)
    assert len(dates) == 12  # 2028-01-31 .. 2028-12-31; the period ends 2029-01-30
    initial = authorized_quantity(MONTHLY, start=date(2028, 1, 3), days=366, phase="initial")
    assert initial == mg(300)
    continuation = authorized_quantity(
        EVERY_4_WEEKS, start=date(2028, 1, 3), days=366, phase="continuation"
    )
    assert continuation == mg(280)  # days 0..364; day 392 is beyond day 365


def test_initial_from_month_end_maintenance_starts_four_weeks_later():
    dates = dose_dates(MONTHLY, start=date(2027, 12, 31), days=365, phase="initial")
    assert dates[:5] == [
        date(2027, 12, 31),
        date(2028, 1, 7),
        date(2028, 1, 14),
        date(2028, 1, 28),
        date(2028, 2, 28),
    ]


# ---- edges ---------------------------------------------------------------------------------


def test_period_is_days_long_inclusive_of_start():
    daily = Regimen(Decimal(1), "tablet", "oral", maintenance=Maintenance(1, "day"))
    assert len(dose_dates(daily, start=START, days=30, phase="continuation")) == 30
    assert dose_dates(daily, start=START, days=0, phase="continuation") == []
    assert dose_dates(daily, start=START, days=1, phase="initial") == [START]


def test_loading_only_and_overlapping_doses():
    loading_only = Regimen(Decimal(300), "mg", "intravenous", loading_weeks=(0, 2))
    assert dose_dates(loading_only, start=START, days=365, phase="initial") == [
        START,
        START + timedelta(weeks=2),
    ]
    assert dose_dates(loading_only, start=START, days=365, phase="continuation") == []
    overlap = replace(loading_only, maintenance=Maintenance(2, "week", start_week=2))
    dates = dose_dates(overlap, start=START, days=29, phase="initial")
    assert dates == [START + timedelta(weeks=w) for w in (0, 2, 4)]


def test_loading_doses_beyond_the_period_are_not_counted():
    assert len(dose_dates(MONTHLY, start=START, days=8, phase="initial")) == 2


def test_bad_phase_or_days():
    with pytest.raises(ValueError, match="phase"):
        dose_dates(MONTHLY, start=START, days=365, phase="extended")
    with pytest.raises(ValueError, match="days"):
        dose_dates(MONTHLY, start=START, days=-1, phase="initial")


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    st.integers(min_value=0, max_value=800),
    st.sampled_from(["initial", "continuation"]),
    st.sampled_from([MONTHLY, EVERY_4_WEEKS]),
)
def test_dates_are_sorted_distinct_and_inside_the_period(start, days, phase, regimen):
    dates = dose_dates(regimen, start=start, days=days, phase=phase)
    assert dates == sorted(set(dates))
    assert all(start <= d < start + timedelta(days=days) for d in dates)
    longer = dose_dates(regimen, start=start, days=days + 31, phase=phase)
    assert longer[: len(dates)] == dates


@given(st.dates(max_value=date(9000, 1, 1)), st.integers(min_value=0, max_value=1200))
def test_add_months_keeps_the_day_or_clamps_to_month_end(start, months):
    moved = add_months(start, months)
    assert (moved.year - start.year) * 12 + moved.month - start.month == months
    assert moved.day == start.day or (moved.day < start.day and (moved + timedelta(1)).day == 1)


# ---- reading and writing -------------------------------------------------------------------


def test_from_dict_reads_the_policy_regimen():
    regimen = Regimen.from_dict(KESIMPTA)
    assert regimen == Regimen(
        dose_amount=Decimal("20"),
        dose_unit="mg",
        route="subcutaneous",
        loading_weeks=(0, 1, 2),
        maintenance=Maintenance(every=1, unit="calendar_month", start_week=4),
    )


def test_to_dict_is_the_inverse():
    assert MONTHLY.to_dict() == KESIMPTA
    assert Regimen.from_dict(EVERY_4_WEEKS.to_dict()) == EVERY_4_WEEKS
    bare = Regimen.from_dict({"dose_amount": "0.5", "dose_unit": "mg", "route": "oral"})
    assert bare.to_dict() == {
        "dose_amount": "0.5",
        "dose_unit": "mg",
        "route": "oral",
        "loading_weeks": [],
    }


def test_amounts_may_be_numbers():
    assert Regimen.from_dict({**KESIMPTA, "dose_amount": 20}).dose_amount == Decimal(20)
    assert Regimen.from_dict({**KESIMPTA, "dose_amount": 0.1}).dose_amount == Decimal("0.1")


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"dose_amount": "twenty"}, "dose_amount must be a number"),
        ({"dose_amount": "0"}, "positive"),
        ({"dose_amount": "-5"}, "positive"),
        ({"dose_amount": "Infinity"}, "positive"),
        ({"dose_amount": True}, "dose_amount must be a number"),
        ({"dose_amount": None}, "dose_amount must be a number"),
        ({"dose_unit": ""}, "dose_unit must be a non-empty string"),
        ({"route": None}, "route must be a non-empty string"),
        ({"loading_weeks": "0,1,2"}, "loading_weeks must be a list"),
        ({"loading_weeks": [0, 2, 1]}, "distinct and ascending"),
        ({"loading_weeks": [0, 0]}, "distinct and ascending"),
        ({"loading_weeks": [-1]}, "at least 0"),
        ({"maintenance": {"every": 0, "unit": "week"}}, "maintenance.every must be at least 1"),
        ({"maintenance": {"every": True, "unit": "week"}}, "maintenance.every must be a whole"),
        ({"maintenance": {"every": 1, "unit": "month"}}, "maintenance.unit must be one of"),
        ({"maintenance": {"every": 1, "unit": "week", "start": 4}}, "unknown key(s): start"),
        ({"maintenance": "monthly"}, "maintenance must be a mapping"),
        ({"frequency": "monthly"}, "regimen has unknown key(s): frequency"),
    ],
)
def test_from_dict_rejects_bad_data(change, fragment):
    with pytest.raises(ValueError) as error:
        Regimen.from_dict({**KESIMPTA, **change})
    assert fragment in str(error.value)


def test_from_dict_requires_a_mapping():
    with pytest.raises(ValueError, match="regimen must be a mapping"):
        Regimen.from_dict(["20 mg"])  # type: ignore[arg-type]


# ---- differences ---------------------------------------------------------------------------


def test_matching_regimens_have_no_differences():
    same = replace(MONTHLY, dose_amount=Decimal("20.0"), dose_unit="MG", route="Subcutaneous")
    assert regimen_differences(same, MONTHLY) == []


def test_each_difference_is_named():
    requested = Regimen(
        dose_amount=Decimal(40),
        dose_unit="mg",
        route="intravenous",
        loading_weeks=(0,),
        maintenance=Maintenance(every=2, unit="week", start_week=2),
    )
    assert regimen_differences(requested, MONTHLY) == [
        "Requested 40 mg per dose; the policy allows 20 mg.",
        "Requested intravenous administration; the policy allows subcutaneous.",
        "Requested loading doses at week 0; the policy allows loading doses at weeks 0, 1 and 2.",
        "Requested maintenance doses every 2 weeks; the policy allows every calendar month.",
        "Requested maintenance from week 2; the policy allows from week 4.",
    ]


def test_four_weeks_is_not_a_calendar_month():
    assert regimen_differences(EVERY_4_WEEKS, MONTHLY) == [
        "Requested maintenance doses every 4 weeks; the policy allows every calendar month."
    ]


def test_missing_loading_or_maintenance():
    requested = replace(MONTHLY, loading_weeks=(), maintenance=None)
    assert regimen_differences(requested, MONTHLY) == [
        "Requested no loading doses; the policy allows loading doses at weeks 0, 1 and 2.",
        "Requested no maintenance doses; "
        "the policy allows maintenance doses every calendar month from week 4.",
    ]
    assert regimen_differences(MONTHLY, requested)[1] == (
        "Requested maintenance doses every calendar month from week 4; "
        "the policy allows no maintenance doses."
    )


def test_a_different_unit_is_a_dose_difference():
    assert regimen_differences(replace(MONTHLY, dose_unit="mL"), MONTHLY) == [
        "Requested 20 mL per dose; the policy allows 20 mg."
    ]
