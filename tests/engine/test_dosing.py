from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviews.engine.dosing import (
    Dose,
    Phase,
    Quantity,
    Regimen,
    Schedule,
    add_months,
    amount_for_doses,
    authorized_quantity,
    continuation_form,
    dose_dates,
    regimen_differences,
)

KESIMPTA = {
    "phases": [
        {
            "name": "Loading",
            "dose": {"amount": "20", "unit": "mg"},
            "route": "subcutaneous",
            "schedule": {"at": [0, 1, 2], "unit": "week"},
            "initial_only": True,
        },
        {
            "name": "Maintenance",
            "dose": {"amount": "20", "unit": "mg"},
            "route": "subcutaneous",
            "schedule": {"every": 1, "unit": "calendar_month", "start": 4, "start_unit": "week"},
        },
    ]
}
MONTHLY = Regimen.from_dict(KESIMPTA)


def _with_maintenance(regimen: Regimen, schedule: Schedule) -> Regimen:
    return replace(
        regimen, phases=(regimen.phases[0], replace(regimen.phases[1], schedule=schedule))
    )


EVERY_4_WEEKS = _with_maintenance(
    MONTHLY, Schedule(unit="week", every=4, start=4, start_unit="week")
)
START = date(2026, 1, 5)

# The infusion the old one-dose format could not write: 300 mg on days 0 and 14, then 600 mg
# every 6 calendar months from week 24.
INFUSION = {
    "phases": [
        {
            "name": "Loading",
            "dose": {"amount": "300", "unit": "mg"},
            "route": "intravenous",
            "schedule": {"at": [0, 14], "unit": "day"},
            "initial_only": True,
        },
        {
            "name": "Maintenance",
            "dose": {"amount": "600", "unit": "mg"},
            "route": "intravenous",
            "schedule": {"every": 6, "unit": "calendar_month", "start": 24, "start_unit": "week"},
        },
    ],
    "dose_range": {"min": "300", "max": "600", "unit": "mg"},
    # A first year on the initial path: 300 + 300 + 600 (day 168) + 600 (6 months on) mg.
    "quantity_limit": {"amount": "1800", "unit": "mg", "per_days": 365},
}


def mg(amount: int) -> Quantity:
    return Quantity(doses=amount // 20, total_amount=Decimal(amount), unit="mg")


def simple(amount: str, dose_unit: str, route: str, **schedule) -> Regimen:
    return Regimen(
        phases=(
            Phase(
                dose=Dose(dose_unit, amount=Decimal(amount)),
                route=route,
                schedule=Schedule(**schedule),
            ),
        )
    )


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
    daily = simple("1", "tablet", "oral", unit="day", every=1)
    assert len(dose_dates(daily, start=START, days=30, phase="continuation")) == 30
    assert dose_dates(daily, start=START, days=0, phase="continuation") == []
    assert dose_dates(daily, start=START, days=1, phase="initial") == [START]


def test_loading_only_and_overlapping_doses():
    loading = Phase(
        dose=Dose("mg", amount=Decimal(300)),
        route="intravenous",
        schedule=Schedule(unit="week", at=(0, 2)),
        initial_only=True,
    )
    loading_only = Regimen(phases=(loading,))
    assert dose_dates(loading_only, start=START, days=365, phase="initial") == [
        START,
        START + timedelta(weeks=2),
    ]
    assert dose_dates(loading_only, start=START, days=365, phase="continuation") == []
    assert authorized_quantity(loading_only, start=START, days=365, phase="continuation") == (
        Quantity(doses=0, total_amount=Decimal(0), unit="mg")
    )
    # Two phases on one day are two doses: each phase's dose is given.
    maintenance = replace(
        loading, schedule=Schedule(unit="week", every=2, start=2, start_unit="week")
    )
    overlap = Regimen(phases=(loading, maintenance))
    dates = dose_dates(overlap, start=START, days=29, phase="initial")
    assert dates == [START + timedelta(weeks=w) for w in (0, 2, 2, 4)]


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
    assert dates == sorted(set(dates))  # Kesimpta's phases never fall on one day
    assert all(start <= d < start + timedelta(days=days) for d in dates)
    longer = dose_dates(regimen, start=start, days=days + 31, phase=phase)
    assert longer[: len(dates)] == dates


@given(st.dates(max_value=date(9000, 1, 1)), st.integers(min_value=0, max_value=1200))
def test_add_months_keeps_the_day_or_clamps_to_month_end(start, months):
    moved = add_months(start, months)
    assert (moved.year - start.year) * 12 + moved.month - start.month == months
    assert moved.day == start.day or (moved.day < start.day and (moved + timedelta(1)).day == 1)


# ---- schedules of each kind -----------------------------------------------------------------


def test_a_series_in_days_and_in_weeks():
    days = simple("1", "mg", "oral", unit="day", at=(0, 3, 10))
    assert [(d - START).days for d in dose_dates(days, start=START, days=30, phase="initial")] == [
        0,
        3,
        10,
    ]
    weeks = simple("1", "mg", "oral", unit="week", at=(1, 5))
    assert [(d - START).days for d in dose_dates(weeks, start=START, days=36, phase="initial")] == [
        7,
        35,
    ]
    # A series that is not initial_only is given on a continuation too, from day 0.
    assert len(dose_dates(weeks, start=START, days=36, phase="continuation")) == 2


def test_a_repeating_schedule_in_days_weeks_and_calendar_months_with_a_start():
    every_10_days = simple("1", "mg", "oral", unit="day", every=10, start=5)
    assert [
        (d - START).days for d in dose_dates(every_10_days, start=START, days=30, phase="initial")
    ] == [
        5,
        15,
        25,
    ]
    every_2_weeks = simple("1", "mg", "oral", unit="week", every=2, start=1, start_unit="week")
    assert [
        (d - START).days for d in dose_dates(every_2_weeks, start=START, days=36, phase="initial")
    ] == [
        7,
        21,
        35,
    ]
    quarterly = simple("1", "mg", "oral", unit="calendar_month", every=3)
    assert dose_dates(quarterly, start=date(2026, 11, 30), days=365, phase="initial") == [
        date(2026, 11, 30),
        date(2027, 2, 28),  # clamped to the month's end
        date(2027, 5, 30),  # counted from 30 November, not from 28 February
        date(2027, 8, 30),
    ]


def test_a_continuation_drops_initial_only_phases_and_the_start_offset():
    continuation = continuation_form(MONTHLY)
    assert continuation is not None
    assert [p.name for p in continuation.phases] == ["Maintenance"]
    assert continuation.phases[0].schedule == Schedule(unit="calendar_month", every=1)
    loading_only = replace(MONTHLY, phases=MONTHLY.phases[:1])
    assert continuation_form(loading_only) is None


# ---- per-kg doses ------------------------------------------------------------------------------

PER_KG = Regimen.from_dict(
    {
        "phases": [
            {
                "dose": {"per_kg": "5", "unit": "mg", "max": "400"},
                "route": "intravenous",
                "schedule": {"every": 8, "unit": "week"},
            }
        ]
    }
)


def test_per_kg_dose_with_weight_and_its_max():
    # Days 0, 56, ..., 336: 7 doses in a year.
    light = authorized_quantity(
        PER_KG, start=START, days=365, phase="initial", weight_kg=Decimal(60)
    )
    assert light == Quantity(doses=7, total_amount=Decimal(2100), unit="mg")  # 7 x 300 mg
    heavy = authorized_quantity(
        PER_KG, start=START, days=365, phase="initial", weight_kg=Decimal(100)
    )
    assert heavy == Quantity(doses=7, total_amount=Decimal(2800), unit="mg")  # 7 x 400 mg (max)


def test_a_request_in_mg_per_kg_matches_a_per_kg_rule():
    requested = simple("5", "mg/kg", "intravenous", unit="week", every=8)
    assert regimen_differences(requested, PER_KG) == []
    other = simple("6", "mg/kg", "intravenous", unit="week", every=8)
    assert regimen_differences(other, PER_KG) == [
        "Phase 1: requested 6 mg/kg per dose; the policy allows 5 mg/kg (at most 400 mg)."
    ]


def test_per_kg_dose_without_weight_is_unknown_never_guessed():
    quantity = authorized_quantity(PER_KG, start=START, days=365, phase="initial")
    assert (quantity.doses, quantity.total_amount) == (7, None)
    assert "weight is not known" in quantity.unknown
    assert amount_for_doses(PER_KG, 2, phase="initial") is None


# ---- the infusion ------------------------------------------------------------------------------


def test_the_infusion_initial_and_continuation_quantities():
    regimen = Regimen.from_dict(INFUSION)
    start = date(2026, 1, 1)
    # Initial, 6 months (181 days, 2026-01-01..2026-06-30): 300 mg on day 0 (1 Jan) and day 14
    # (15 Jan), then 600 mg from week 24 = day 168 (18 Jun); the next, 18 Dec, is outside.
    # 300 + 300 + 600 = 1200 mg in 3 doses.
    initial = authorized_quantity(regimen, start=start, days=181, phase="initial")
    assert initial == Quantity(doses=3, total_amount=Decimal(1200), unit="mg")
    assert dose_dates(regimen, start=start, days=181, phase="initial") == [
        date(2026, 1, 1),
        date(2026, 1, 15),
        date(2026, 6, 18),
    ]
    # Continuation, 1 year (365 days, 2026-01-01..2026-12-31): no loading; 600 mg from day 0
    # every 6 calendar months: 1 Jan and 1 Jul (1 Jan 2027 is outside). 2 x 600 = 1200 mg.
    continuation = authorized_quantity(regimen, start=start, days=365, phase="continuation")
    assert continuation == Quantity(doses=2, total_amount=Decimal(1200), unit="mg")
    # The first doses in date order, as a physician's "N doses" is read.
    assert amount_for_doses(regimen, 2, phase="initial") == Decimal(600)
    assert amount_for_doses(regimen, 3, phase="initial") == Decimal(1200)
    assert amount_for_doses(regimen, 1, phase="continuation") == Decimal(600)


def test_a_600_mg_continuation_matches_the_infusion_rule():
    rule = Regimen.from_dict(INFUSION)
    requested = Regimen.from_dict(
        {
            "phases": [
                {
                    "dose": {"amount": "600", "unit": "mg"},
                    "route": "intravenous",
                    "schedule": {"every": 6, "unit": "calendar_month"},
                }
            ]
        }
    )
    assert regimen_differences(requested, rule, phase="continuation") == []
    # The same request on an initial path misses the loading phase.
    assert regimen_differences(requested, rule, phase="initial") == [
        "Loading: requested 600 mg per dose; the policy allows 300 mg.",
        "Loading: requested doses every 6 calendar months; the policy allows at days 0 and 14.",
        "The policy's maintenance (600 mg intravenous every 6 calendar months from week 24) is "
        "missing from the request.",
    ]
    assert regimen_differences(rule, rule, phase="initial") == []


def test_dose_range_and_quantity_limit_differences():
    rule = Regimen.from_dict(INFUSION)
    requested = Regimen.from_dict(
        {
            "phases": [
                {
                    "dose": {"amount": "1200", "unit": "mg"},
                    "route": "intravenous",
                    "schedule": {"every": 6, "unit": "calendar_month"},
                }
            ]
        }
    )
    assert regimen_differences(requested, rule, phase="continuation") == [
        "Maintenance: requested 1200 mg per dose; the policy allows 600 mg.",
        "Phase 1: 1200 mg per dose is outside the policy's dose range (300 to 600 mg).",
        "Requested 2400 mg in 365 days; the policy's limit is 1800 mg.",
    ]


# ---- reading and writing -------------------------------------------------------------------


def test_from_dict_reads_the_policy_regimen():
    assert (
        Regimen(
            phases=(
                Phase(
                    name="Loading",
                    dose=Dose("mg", amount=Decimal(20)),
                    route="subcutaneous",
                    schedule=Schedule(unit="week", at=(0, 1, 2)),
                    initial_only=True,
                ),
                Phase(
                    name="Maintenance",
                    dose=Dose("mg", amount=Decimal(20)),
                    route="subcutaneous",
                    schedule=Schedule(unit="calendar_month", every=1, start=4, start_unit="week"),
                ),
            )
        )
        == MONTHLY
    )


def test_to_dict_is_the_inverse():
    assert MONTHLY.to_dict() == KESIMPTA
    assert Regimen.from_dict(INFUSION).to_dict() == INFUSION
    assert Regimen.from_dict(PER_KG.to_dict()) == PER_KG
    assert Regimen.from_dict(EVERY_4_WEEKS.to_dict()) == EVERY_4_WEEKS


def test_amounts_may_be_numbers():
    regimen = simple("1", "mg", "oral", unit="day", every=1).to_dict()
    regimen["phases"][0]["dose"]["amount"] = 0.1
    assert Regimen.from_dict(regimen).phases[0].dose.amount == Decimal("0.1")


def _phase(**change):
    phase = {**KESIMPTA["phases"][1], **change}
    return {"phases": [phase]}


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (_phase(dose={"amount": "twenty", "unit": "mg"}), "phases[0].dose.amount must be a number"),
        (_phase(dose={"amount": "0", "unit": "mg"}), "positive"),
        (_phase(dose={"amount": "Infinity", "unit": "mg"}), "positive"),
        (_phase(dose={"amount": True, "unit": "mg"}), "amount must be a number"),
        (_phase(dose={"unit": "mg"}), "needs either amount or per_kg"),
        (
            _phase(dose={"amount": "1", "per_kg": "1", "unit": "mg"}),
            "needs either amount or per_kg",
        ),
        (_phase(dose={"amount": "1", "max": "2", "unit": "mg"}), "max applies only to a per_kg"),
        (_phase(dose={"amount": "1", "unit": ""}), "dose.unit must be a non-empty string"),
        (_phase(route=None), "phases[0].route must be a non-empty string"),
        (_phase(initial_only="yes"), "initial_only must be true or false"),
        (_phase(schedule={"at": "0,1,2", "unit": "week"}), "at must be a list"),
        (_phase(schedule={"at": [0, 2, 1], "unit": "week"}), "distinct and ascending"),
        (_phase(schedule={"at": [0, 0], "unit": "week"}), "distinct and ascending"),
        (_phase(schedule={"at": [-1], "unit": "week"}), "at least 0"),
        (
            _phase(schedule={"at": [0], "unit": "calendar_month"}),
            "unit of a series must be day or week",
        ),
        (_phase(schedule={"at": [0], "unit": "day", "start": 1}), "a series has no start"),
        (_phase(schedule={"every": 0, "unit": "week"}), "schedule.every must be at least 1"),
        (_phase(schedule={"every": True, "unit": "week"}), "every must be a whole number"),
        (_phase(schedule={"every": 1, "unit": "month"}), "schedule.unit must be one of"),
        (
            _phase(schedule={"every": 1, "unit": "week", "start_unit": "month"}),
            "start_unit must be",
        ),
        (_phase(schedule={"every": 1, "unit": "week", "from": 4}), "unknown key(s): from"),
        (_phase(schedule={"unit": "week"}), "needs either at (a series of offsets) or every"),
        (_phase(schedule={"every": 1000, "unit": "week"}), "at most ten years"),
        (_phase(schedule="monthly"), "schedule must be a mapping"),
        ({"phases": []}, "phases must be a list of one or more"),
        (
            {
                "phases": [
                    KESIMPTA["phases"][0],
                    _phase(dose={"amount": "1", "unit": "mL"})["phases"][0],
                ]
            },
            "share one dose unit",
        ),
        ({**KESIMPTA, "dose_range": {"unit": "mg"}}, "dose_range needs min, max or both"),
        ({**KESIMPTA, "dose_range": {"min": "5", "max": "1", "unit": "mg"}}, "min is more than"),
        (
            {**KESIMPTA, "dose_range": {"max": "1", "unit": "mL"}},
            "dose_range.unit must be the phases'",
        ),
        ({**KESIMPTA, "quantity_limit": {"amount": "1", "unit": "mg"}}, "per_days must be a whole"),
        ({**KESIMPTA, "frequency": "monthly"}, "regimen has unknown key(s): frequency"),
        ({"dose_amount": "20", "dose_unit": "mg", "route": "oral"}, "unknown key(s): dose_amount"),
    ],
)
def test_from_dict_rejects_bad_data(data, fragment):
    with pytest.raises(ValueError) as error:
        Regimen.from_dict(data)
    assert fragment in str(error.value)


def test_from_dict_requires_a_mapping():
    with pytest.raises(ValueError, match="regimen must be a mapping"):
        Regimen.from_dict(["20 mg"])  # type: ignore[arg-type]


# ---- differences ---------------------------------------------------------------------------


def test_matching_regimens_have_no_differences():
    same = Regimen.from_dict(KESIMPTA)
    phases = tuple(
        replace(p, dose=replace(p.dose, amount=Decimal("20.0"), unit="MG"), route="Subcutaneous")
        for p in same.phases
    )
    assert regimen_differences(replace(same, phases=phases), MONTHLY) == []


def test_each_difference_is_named():
    requested = Regimen(
        phases=(
            Phase(
                name="Loading",
                dose=Dose("mg", amount=Decimal(40)),
                route="intravenous",
                schedule=Schedule(unit="week", at=(0,)),
                initial_only=True,
            ),
            Phase(
                dose=Dose("mg", amount=Decimal(20)),
                route="subcutaneous",
                schedule=Schedule(unit="week", every=2, start=2, start_unit="week"),
            ),
        )
    )
    assert regimen_differences(requested, MONTHLY) == [
        "Loading: requested 40 mg per dose; the policy allows 20 mg.",
        "Loading: requested intravenous administration; the policy allows subcutaneous.",
        "Loading: requested doses at week 0; the policy allows at weeks 0, 1 and 2.",
        "Maintenance: requested doses every 2 weeks from week 2; "
        "the policy allows every calendar month from week 4.",
    ]


def test_four_weeks_is_not_a_calendar_month():
    assert regimen_differences(EVERY_4_WEEKS, MONTHLY) == [
        "Maintenance: requested doses every 4 weeks from week 4; "
        "the policy allows every calendar month from week 4."
    ]


def test_missing_and_extra_phases():
    loading_only = replace(MONTHLY, phases=MONTHLY.phases[:1])
    assert regimen_differences(loading_only, MONTHLY) == [
        "The policy's maintenance (20 mg subcutaneous every calendar month from week 4) "
        "is missing from the request."
    ]
    assert regimen_differences(MONTHLY, loading_only) == [
        "Requested phase maintenance (20 mg subcutaneous every calendar month from week 4) "
        "is not in the policy."
    ]


def test_a_continuation_is_compared_with_the_continuation_form():
    maintenance_only = continuation_form(MONTHLY)
    assert maintenance_only is not None
    assert regimen_differences(maintenance_only, MONTHLY, phase="continuation") == []
    # Asking for new loading doses on a continuation is a difference, named as such; the
    # maintenance phase after them is then compared with the continuation's (from day 0).
    assert regimen_differences(MONTHLY, MONTHLY, phase="continuation") == [
        "Loading: 20 mg subcutaneous at weeks 0, 1 and 2 is given on an initial request only, "
        "not on a continuation.",
        "Maintenance: requested doses every calendar month from week 4; the policy allows "
        "every calendar month.",
    ]


def test_a_different_unit_is_a_dose_difference():
    phases = tuple(replace(p, dose=replace(p.dose, unit="mL")) for p in MONTHLY.phases)
    assert regimen_differences(replace(MONTHLY, phases=phases), MONTHLY) == [
        "Loading: requested 20 mL per dose; the policy allows 20 mg.",
        "Maintenance: requested 20 mL per dose; the policy allows 20 mg.",
    ]


def test_a_dose_range_of_one_dose_rule_allows_other_strengths_in_it():
    """A class policy's rule gives one dose throughout (140 mg every 2 weeks) and a range
    (75 to 150 mg) for the other drug's strengths: a dose in the range is no difference, one
    outside it is named; a rule whose phases differ in dose keeps comparing each dose."""
    every_two_weeks = {"every": 2, "unit": "week"}
    rule = Regimen.from_dict(
        {
            "phases": [
                {
                    "dose": {"amount": "140", "unit": "mg"},
                    "route": "subcutaneous",
                    "schedule": every_two_weeks,
                }
            ],
            "dose_range": {"min": "75", "max": "150", "unit": "mg"},
        }
    )

    def asking(amount: str) -> Regimen:
        return Regimen.from_dict(
            {
                "phases": [
                    {
                        "dose": {"amount": amount, "unit": "mg"},
                        "route": "subcutaneous",
                        "schedule": every_two_weeks,
                    }
                ]
            }
        )

    assert regimen_differences(asking("75"), rule) == []
    assert regimen_differences(asking("150"), rule) == []
    assert regimen_differences(asking("160"), rule) == [
        "Phase 1: requested 160 mg per dose; the policy allows 140 mg.",
        "Phase 1: 160 mg per dose is outside the policy's dose range (75 to 150 mg).",
    ]


def test_a_quantity_limit_that_cannot_be_counted_is_never_taken_as_kept():
    """A request in mg/kg against a per-kg rule with a limit in mg: the total in mg is not
    known from the request, so the limit is named as unchecked, not passed."""
    rule = Regimen.from_dict(
        {
            "phases": [
                {
                    "dose": {"per_kg": "5", "unit": "mg"},
                    "route": "intravenous",
                    "schedule": {"every": 8, "unit": "week"},
                }
            ],
            "quantity_limit": {"amount": "4000", "unit": "mg", "per_days": 365},
        }
    )
    requested = Regimen.from_dict(
        {
            "phases": [
                {
                    "dose": {"amount": "5", "unit": "mg/kg"},
                    "route": "intravenous",
                    "schedule": {"every": 8, "unit": "week"},
                }
            ]
        }
    )
    assert regimen_differences(requested, rule) == [
        "The policy's limit of 4000 mg in 365 days cannot be checked: the request is in "
        "mg/kg, the limit in mg."
    ]
