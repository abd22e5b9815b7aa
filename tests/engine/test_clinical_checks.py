"""The checks that read clinical history: lab windows and age bands, age under, events in a
window, trials with a duration and a dose floor, percent change, BMI, and negation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from reviews.engine.checks import (
    ClinicalEvent,
    Facts,
    LabResult,
    PriorTherapy,
    check_problems,
    suggest,
)
from reviews.engine.tree import Answer, Check

MET, NOT_MET, ND = Answer.MET, Answer.NOT_MET, Answer.NOT_DOCUMENTED
REQUEST = date(2026, 4, 1)
LISTS = {
    "statins": {
        "title": "Statins",
        "items": [{"name": "atorvastatin"}, {"name": "rosuvastatin"}, {"name": "simvastatin"}],
    }
}


def facts(**changes) -> Facts:
    return Facts(request_date=REQUEST, **changes)


def run(name: str, f: Facts, negate: bool = False, **params):
    return suggest(Check(name, params, negate), f, LISTS)


def answer(name: str, f: Facts, negate: bool = False, **params) -> Answer | None:
    suggestion = run(name, f, negate, **params)
    return None if suggestion is None else suggestion.answer


def ldl(value: str, on: date | None, unit: str = "mg/dL") -> LabResult:
    return LabResult("LDL", Decimal(value), unit, on)


# ---- lab_value: window ---------------------------------------------------------------------

WITHIN_90 = {"lab": "LDL", "op": ">", "value": "190", "unit": "mg/dL"}


@pytest.mark.parametrize(
    ("taken", "expected"),
    [
        (date(2026, 1, 1), MET),  # 90 days before: the window's first day counts
        (date(2025, 12, 31), None),  # 91 days before: outside, so no suggestion
        (date(2026, 4, 1), MET),  # the request date itself
        (date(2026, 4, 2), None),  # after the request date: outside
    ],
)
def test_lab_window_edges(taken, expected):
    f = facts(labs=(ldl("200", taken),))
    assert answer("lab_value", f, **WITHIN_90, within={"count": 90, "unit": "day"}) == expected


def test_lab_window_takes_the_latest_value_inside_it_and_names_it():
    f = facts(labs=(ldl("150", date(2026, 3, 1)), ldl("200", date(2026, 2, 1)), ldl("250", None)))
    s = run("lab_value", f, **WITHIN_90, within={"count": 3, "unit": "calendar_month"})
    assert s.answer == NOT_MET
    assert s.reason == "LDL 150 mg/dL on 2026-03-01 is not above 190 mg/dL."


def test_lab_calendar_month_window_clamps_to_month_end():
    f = Facts(request_date=date(2026, 3, 31), labs=(ldl("200", date(2026, 2, 28)),))
    month = {"count": 1, "unit": "calendar_month"}
    assert answer("lab_value", f, **WITHIN_90, within=month) == MET
    f = Facts(request_date=date(2026, 3, 31), labs=(ldl("200", date(2026, 2, 27)),))
    assert answer("lab_value", f, **WITHIN_90, within=month) is None


def test_lab_max_age_days_still_works():
    f = facts(labs=(ldl("200", date(2026, 1, 1)),))
    assert answer("lab_value", f, **WITHIN_90, max_age_days=90) == MET
    assert answer("lab_value", f, **WITHIN_90, max_age_days=89) is None


# ---- lab_value: age bands ------------------------------------------------------------------

BANDS = [
    {"max_age": 15, "op": ">", "value": "155"},
    {"min_age": 16, "op": ">", "value": "190"},
]


@pytest.mark.parametrize(
    ("dob", "value", "expected"),
    [
        (date(2010, 4, 2), "160", MET),  # 15, a day before the 16th birthday: above 155
        (date(2010, 4, 1), "160", NOT_MET),  # 16 on the request date: 190 applies
        (date(2010, 4, 1), "191", MET),
        (date(2010, 4, 2), "155", NOT_MET),  # equal is not above
    ],
)
def test_age_band_edges_on_birthdays(dob, value, expected):
    f = facts(member_dob=dob, labs=(ldl(value, date(2026, 3, 1)),))
    assert answer("lab_value", f, lab="LDL", unit="mg/dL", thresholds=BANDS) == expected


def test_age_band_reason_names_the_band_and_missing_dob_gives_none():
    f = facts(member_dob=date(2010, 4, 2), labs=(ldl("160", date(2026, 3, 1)),))
    s = run("lab_value", f, lab="LDL", unit="mg/dL", thresholds=BANDS)
    assert s.reason == (
        "LDL 160 mg/dL on 2026-03-01 is above 155 mg/dL for age 15 (ages 15 and under)."
    )
    no_dob = facts(labs=(ldl("160", date(2026, 3, 1)),))
    assert run("lab_value", no_dob, lab="LDL", thresholds=BANDS) is None


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"lab": "LDL", "op": ">", "value": "1", "thresholds": BANDS}, "not both"),
        ({"lab": "LDL", "op": ">"}, "needs op and value"),
        ({"lab": "LDL", "thresholds": []}, "must be a list of age bands"),
        ({"lab": "LDL", "thresholds": [{"max_age": 15, "op": ">", "value": "1"}]}, "last band"),
        (
            {"lab": "LDL", "thresholds": [{"max_age": 15, "op": ">", "value": "1"}, BANDS[0]]},
            "band 2 starts at age 0, but must start at 16",
        ),
        (
            {"lab": "LDL", "thresholds": [{"op": ">", "value": "1"}, BANDS[1]]},
            "band 1 has no max_age, so it must be the last",
        ),
        ({"lab": "LDL", "thresholds": [{"op": "=", "value": "1"}]}, "band 1 has op '='"),
        ({"lab": "LDL", "thresholds": [{"op": ">", "value": "x"}]}, "not a number"),
        ({"lab": "LDL", "thresholds": [{"op": ">", "value": "1", "age": 3}]}, "band 1 must be"),
        (
            {"lab": "LDL", "thresholds": [{"min_age": 1, "op": ">", "value": "1"}]},
            "band 1 starts at age 1",
        ),
        ({**WITHIN_90, "within": {"count": 0, "unit": "day"}}, "count of 1 or more"),
        ({**WITHIN_90, "within": {"count": 3, "unit": "month"}}, "must have a unit of day"),
        ({**WITHIN_90, "within": 90}, "must be a duration"),
    ],
)
def test_lab_value_params_are_validated(params, fragment):
    problems = check_problems(Check("lab_value", params), LISTS)
    assert len(problems) == 1 and fragment in problems[0], problems


# ---- age_under -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dob", "expected"),
    [(date(2010, 4, 2), MET), (date(2010, 4, 1), NOT_MET), (None, None)],
)
def test_age_under_on_the_birthday(dob, expected):
    assert answer("age_under", facts(member_dob=dob), years=16) == expected


def test_age_under_reason():
    s = run("age_under", facts(member_dob=date(2010, 4, 1)), years=16)
    assert s.reason == "16 years old on 2026-04-01 (born 2010-04-01); under 16 required."


# ---- events_at_least -----------------------------------------------------------------------

TWO_IN_A_YEAR = {"event": "relapse", "count": 2, "within": {"count": 12, "unit": "calendar_month"}}


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        ((date(2025, 4, 1), date(2026, 1, 5)), MET),  # the window's first day counts
        ((date(2025, 3, 31), date(2026, 1, 5)), NOT_MET),  # a day before it does not
        ((date(2026, 1, 5), date(2026, 4, 2)), NOT_MET),  # after the request: outside
    ],
)
def test_events_window_edges(dates, expected):
    f = facts(events=tuple(ClinicalEvent("Relapse", d) for d in dates))
    assert answer("events_at_least", f, **TWO_IN_A_YEAR) == expected


def test_events_count_only_their_kind_and_say_so():
    f = facts(
        events=(
            ClinicalEvent("MS relapse", date(2026, 1, 5)),
            ClinicalEvent("hospitalization", date(2026, 2, 5)),
        )
    )
    s = run("events_at_least", f, **TWO_IN_A_YEAR)
    assert s.answer == NOT_MET
    assert s.reason == (
        "1 relapse event(s) from 2025-04-01 to 2026-04-01 (2026-01-05); at least 2 required."
    )
    assert run("events_at_least", facts(), **TWO_IN_A_YEAR) is None


# ---- tried_at_least ------------------------------------------------------------------------

STEP = {
    "list": "statins",
    "count": 1,
    "min_duration": {"count": 3, "unit": "calendar_month"},
    "min_dose": "40",
    "dose_unit": "mg",
}


def trial(name="atorvastatin", outcome="ineffective", dose="40", unit="mg", **dates):
    dates.setdefault("start", date(2025, 1, 31))
    dates.setdefault("end", date(2025, 4, 30))
    return PriorTherapy(name, outcome, None if dose is None else Decimal(dose), unit, **dates)


@pytest.mark.parametrize(
    ("t", "expected"),
    [
        (trial(), MET),  # 3 calendar months from 31 January end on 30 April
        (trial(end=date(2025, 4, 29)), NOT_MET),  # a day short
        (trial(dose="40.0"), MET),  # at the floor
        (trial(dose="39.9"), NOT_MET),  # below it
        (trial(outcome="failed"), MET),  # failed reads as ineffective
        (trial(outcome="intolerant"), MET),
        (trial(outcome="adherence unclear"), NOT_MET),
        (trial(outcome="contraindicated", start=None), NOT_MET),  # outcome first: no trial
        (trial(name="ezetimibe"), NOT_MET),  # not on the list
        (trial(dose=None), ND),  # dose unknown: cannot count, could have
        (trial(unit="mg/kg"), ND),
        (trial(start=None), ND),
        (trial(end=None), ND),  # ended, but when is unknown
        (trial(outcome="ongoing", end=None, start=date(2026, 1, 1)), MET),  # to the request
        (trial(outcome="ongoing", end=None, start=date(2026, 1, 2)), NOT_MET),
    ],
)
def test_tried_at_least_edges(t, expected):
    f = facts(prior_therapies=(t,))
    outcomes = ["ineffective", "intolerant", "ongoing"]
    assert answer("tried_at_least", f, **STEP, outcomes=outcomes) == expected


def test_tried_at_least_counts_different_items_and_gives_its_figures():
    f = facts(
        prior_therapies=(
            trial(),
            trial(start=date(2025, 6, 1), end=date(2025, 12, 1)),  # the same item again
            trial(name="rosuvastatin", dose=None),
        )
    )
    s = run("tried_at_least", f, **{**STEP, "count": 2})
    assert s.answer == ND
    assert s.reason == (
        "1 qualifying trial(s) (atorvastatin (40 mg, from 2025-01-31 to 2025-04-30, "
        "ineffective)); not counted: rosuvastatin (from 2025-01-31 to 2025-04-30, "
        "ineffective): dose unknown; at least 2 from Statins, each for at least 3 months at "
        "40 mg or more required."
    )
    f = facts(prior_therapies=(trial(), trial(name="simvastatin", dose="80")))
    assert answer("tried_at_least", f, **{**STEP, "count": 2}) == MET
    assert answer("tried_at_least", facts(), **STEP) is None


def test_tried_at_least_without_a_dose_floor_ignores_dose():
    f = facts(prior_therapies=(trial(dose=None),))
    params = {"list": "statins", "min_duration": {"count": 12, "unit": "week"}}
    assert answer("tried_at_least", f, **params) == MET


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({**STEP, "dose_unit": ""}, "min_dose needs its dose_unit"),
        (
            {"list": "statins", "min_duration": {"count": 1, "unit": "year"}, "dose_unit": "mg"},
            "dose_unit is only for min_dose",
        ),
        ({**STEP, "min_duration": {"count": 3}}, "must be a duration"),
        ({**STEP, "min_dose": "forty"}, "parameter 'min_dose' must be a number"),
        ({**STEP, "list": "fibrates"}, "parameter 'list' must be a key of the lists"),
    ],
)
def test_tried_at_least_params_are_validated(params, fragment):
    problems = check_problems(Check("tried_at_least", params), LISTS)
    assert len(problems) == 1 and fragment in problems[0], problems


# ---- percent_change ------------------------------------------------------------------------


def weight(value: str, on: date) -> LabResult:
    return LabResult("Weight", Decimal(value), "kg", on)


WEIGHTS = (weight("100", date(2025, 9, 1)), weight("98", date(2025, 10, 1)))


@pytest.mark.parametrize(
    ("latest", "expected"),
    [("95", MET), ("95.1", NOT_MET), ("95.04", MET), ("105", NOT_MET)],  # -4.96 rounds to -5.0
)
def test_percent_change_from_the_earliest_value(latest, expected):
    f = facts(labs=(*WEIGHTS, weight(latest, date(2026, 3, 1))))
    params = {"lab": "weight", "op": "<=", "percent": "-5"}
    assert answer("percent_change", f, **params) == expected


def test_percent_change_before_therapy_start_and_its_reason():
    f = facts(
        labs=(*WEIGHTS, weight("93.1", date(2026, 3, 1))), therapy_start_date=date(2025, 10, 15)
    )
    params = {"lab": "Weight", "baseline": "before_therapy_start", "op": "<=", "percent": "-5"}
    s = run("percent_change", f, **params)
    assert s.answer == MET
    assert s.reason == (
        "Weight 93.1 kg on 2026-03-01 against the last value on or before therapy start "
        "2025-10-15, 98 kg on 2025-10-01: a change of -5.0%, at most -5%."
    )
    # No value before therapy start, or none after the baseline: nothing to compare.
    assert (
        run("percent_change", facts(labs=f.labs, therapy_start_date=date(2025, 8, 1)), **params)
        is None
    )
    assert (
        run("percent_change", facts(labs=f.labs, therapy_start_date=date(2026, 3, 2)), **params)
        is None
    )


def test_percent_change_needs_two_values_in_one_unit_and_a_baseline_not_zero():
    params = {"lab": "Weight", "op": "<=", "percent": "-5"}
    assert run("percent_change", facts(labs=WEIGHTS[:1]), **params) is None
    pounds = LabResult("Weight", Decimal("200"), "lb", date(2026, 3, 1))
    assert run("percent_change", facts(labs=(*WEIGHTS, pounds)), **params) is None
    zero = (weight("0", date(2025, 1, 1)), weight("1", date(2025, 2, 1)))
    assert run("percent_change", facts(labs=zero), **params) is None


def test_percent_change_ldl_reduction_below_half_is_an_increase_above_minus_fifty():
    f = facts(labs=(ldl("200", date(2025, 6, 1)), ldl("110", date(2026, 3, 1))))
    params = {"lab": "LDL", "op": ">", "percent": "-50"}
    assert answer("percent_change", f, **params) == MET  # -45.0%: less than a 50% reduction
    assert check_problems(Check("percent_change", {**params, "baseline": "first"}), LISTS) == [
        "Check percent_change: parameter 'baseline' must be earliest or before_therapy_start, "
        "not 'first'."
    ]


# ---- bmi_at_least --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kg", "cm", "expected"),
    [
        ("86.7", "170", MET),  # 29.9999 -> 30.0
        ("86.5", "170", NOT_MET),  # 29.93 -> 29.9
        ("120", None, None),
        (None, "170", None),
        ("120", "0", None),
    ],
)
def test_bmi_at_least(kg, cm, expected):
    f = facts(
        weight_kg=None if kg is None else Decimal(kg), height_cm=None if cm is None else Decimal(cm)
    )
    assert answer("bmi_at_least", f, value="30") == expected


def test_bmi_reason_and_property():
    f = facts(weight_kg=Decimal("86.7"), height_cm=Decimal("170"))
    assert f.bmi == Decimal("30.0")
    s = run("bmi_at_least", f, value="30")
    assert s.reason == "BMI 30.0 kg/m² (weight 86.7 kg, height 170 cm), at least 30."


# ---- negation ------------------------------------------------------------------------------


def test_negate_flips_met_and_not_met_and_says_so():
    adult = facts(member_dob=date(2000, 1, 1))
    s = run("age_under", adult, negate=True, years=16)
    assert s.answer == MET
    assert s.reason.endswith("The criterion is the opposite (negated), so met.")
    assert answer("age_under", facts(member_dob=date(2015, 1, 1)), negate=True, years=16) == NOT_MET


def test_negate_leaves_not_documented_and_none():
    f = facts(prior_therapies=(trial(dose=None),))
    s = run("tried_at_least", f, negate=True, **STEP)
    assert s.answer == ND and "(negated)" in s.reason
    assert run("age_under", facts(), negate=True, years=16) is None


def test_negate_must_be_a_flag():
    assert check_problems(Check("age_under", {"years": 16}, "yes"), LISTS) == [  # type: ignore[arg-type]
        "Check age_under: negate must be true or false."
    ]


def test_new_checks_require_their_params():
    assert check_problems(Check("events_at_least", {"event": "relapse"}), LISTS) == [
        "Check events_at_least: missing parameter 'within'."
    ]
    assert check_problems(
        Check("events_at_least", {"event": " ", "within": {"count": 1, "unit": "year"}}), LISTS
    ) == ["Check events_at_least: parameter 'event' must be non-empty text, not ' '."]
    assert check_problems(Check("bmi_at_least", {}), LISTS) == [
        "Check bmi_at_least: missing parameter 'value'."
    ]


def test_a_negated_not_met_that_rests_on_nothing_listed_suggests_nothing():
    params = {"list": "statins", "count": 1}
    assert answer("tried_and_failed_at_least", facts(), **params) == NOT_MET
    assert run("tried_and_failed_at_least", facts(), negate=True, **params) is None
    listed = facts(prior_therapies=(trial(name="ezetimibe"),))
    assert answer("tried_and_failed_at_least", listed, negate=True, **params) == MET
