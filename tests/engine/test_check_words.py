from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviews.engine.check_words import GAP, check_rule_text
from reviews.engine.checks import CHECKS, DEFAULT_OUTCOMES, check_problems
from reviews.engine.tree import Check

LISTS = {
    "statins": {"title": "Statins", "items": [{"name": "Atorvastatin"}]},
    "specialists": {"title": "a neurologist or MS specialist", "items": []},
    "agents": {"title": "Other MS agents", "items": []},
    "untitled": {"items": []},
}

BANDS = [
    {"max_age": 15, "op": ">", "value": "155"},
    {"min_age": 16, "op": ">", "value": "190"},
]

# One complete, valid check of every kind, with the sentence it reads as and its negation.
EXAMPLES = {
    "age_at_least": (
        {"years": 18},
        "Suggests met when the member is at least 18 years old on the request date.",
        "Suggests met when the member is NOT yet 18 years old on the request date.",
    ),
    "age_under": (
        {"years": 16},
        "Suggests met when the member is under 16 years old on the request date.",
        "Suggests met when the member is NOT under 16 years old on the request date.",
    ),
    "specialty_in": (
        {"list": "specialists", "allow_consultation": True},
        "Suggests met when the prescriber's specialty, or that of a specialist the prescriber "
        "consulted, is in a neurologist or MS specialist.",
        "Suggests met when NEITHER the prescriber's specialty NOR that of a specialist the "
        "prescriber consulted is in a neurologist or MS specialist.",
    ),
    "no_concurrent_agents": (
        {"list": "agents", "reference": "ms-agents", "switch_grace_days": 14},
        "Suggests met when no current medication is an agent from Other MS agents or the "
        "reference list ms-agents that continues more than 14 days past the request date (one "
        "that stops by then is a switch). The requested drug itself does not count, and a "
        "continuing medication it cannot classify suggests not documented.",
        "Suggests met when a current medication is an agent from Other MS agents or the "
        "reference list ms-agents that continues more than 14 days past the request date "
        "(concurrent use; one that stops by then is a switch). The requested drug itself does "
        "not count, and a continuing medication it cannot classify suggests not documented.",
    ),
    "months_on_drug_at_least": (
        {"months": 12},
        "Suggests met when the member has been on the requested drug for at least 12 whole "
        "calendar months on the request date, counted from the therapy start date and the "
        "authorizations the request continues.",
        "Suggests met when the member has NOT been on the requested drug for 12 whole calendar "
        "months on the request date, counted from the therapy start date and the "
        "authorizations the request continues.",
    ),
    "tried_and_failed_at_least": (
        {"list": "statins", "count": 2, "outcomes": ["failed", "intolerant"]},
        "Suggests met when at least 2 different agents from Statins were tried, each with an "
        "outcome of failed (ineffective) or intolerant.",
        "Suggests met when fewer than 2 different agents from Statins were tried, each with an "
        "outcome of failed (ineffective) or intolerant. No prior therapy listed gives no "
        "suggestion.",
    ),
    "lab_value": (
        {
            "lab": "LDL-C",
            "op": ">",
            "value": 190,
            "unit": "mg/dL",
            "within": {"count": 90, "unit": "day"},
        },
        "Suggests met when the latest LDL-C within 90 days before the request is above 190 mg/dL.",
        "Suggests met when the latest LDL-C within 90 days before the request is NOT above "
        "190 mg/dL.",
    ),
    "events_at_least": (
        {"event": "relapse", "count": 2, "within": {"count": 12, "unit": "calendar_month"}},
        "Suggests met when at least 2 relapse events are dated within 12 months before the "
        "request.",
        "Suggests met when fewer than 2 relapse events are dated within 12 months before the "
        "request. No events listed gives no suggestion.",
    ),
    "tried_at_least": (
        {
            "list": "statins",
            "count": 2,
            "min_duration": {"count": 3, "unit": "calendar_month"},
            "min_dose": "40",
            "dose_unit": "mg",
        },
        "Suggests met when at least 2 different agents from Statins were each tried for at "
        "least 3 months at 40 mg or more, with an outcome of ineffective or intolerant. A trial "
        "whose dates or dose are unknown cannot count; when such trials could make up the "
        "number, it suggests not documented.",
        "Suggests met when fewer than 2 different agents from Statins were each tried for at "
        "least 3 months at 40 mg or more, with an outcome of ineffective or intolerant. A trial "
        "whose dates or dose are unknown cannot count; when such trials could make up the "
        "number, it suggests not documented. No prior therapy listed gives no suggestion.",
    ),
    "percent_change": (
        {"lab": "Body weight", "baseline": "before_therapy_start", "op": "<=", "percent": "-5"},
        "Suggests met when the change in Body weight from the last result on or before the "
        "therapy start date to the latest, in percent of that result, is at most -5%. A fall "
        "is negative; the change is rounded to one decimal place.",
        "Suggests met when the change in Body weight from the last result on or before the "
        "therapy start date to the latest, in percent of that result, is NOT at most -5%. A "
        "fall is negative; the change is rounded to one decimal place.",
    ),
    "bmi_at_least": (
        {"value": "30.0"},
        "Suggests met when the BMI from the member's weight and height, to one decimal place, "
        "is at least 30.",
        "Suggests met when the BMI from the member's weight and height, to one decimal place, "
        "is NOT at least 30.",
    ),
    "diagnosis_code_in": (
        {"codes": ["E78.01", "I25"]},
        "Suggests met when a diagnosis code of the request is, or falls under, E78.01 or I25.",
        "Suggests met when NO diagnosis code of the request is, or falls under, E78.01 or I25. "
        "No diagnosis codes listed gives no suggestion.",
    ),
    "diagnosis_suggests": (
        {
            "codes": {
                "G35.A": {"answer": "met", "meaning": "Relapsing-remitting MS"},
                "G35.B1": {"answer": "not_met", "meaning": "Primary progressive MS"},
            },
            "source": "FY2026 ICD-10-CM",
        },
        "Suggests met when a diagnosis code falls under G35.A (Relapsing-remitting MS), and "
        "not met when one falls under G35.B1 (Primary progressive MS). A code under none of "
        "these suggests nothing; codes that point different ways suggest not documented. "
        "Meanings from FY2026 ICD-10-CM.",
        # Negated, each code suggests the other answer.
        "Suggests met when a diagnosis code falls under G35.B1 (Primary progressive MS), and "
        "not met when one falls under G35.A (Relapsing-remitting MS). A code under none of "
        "these suggests nothing; codes that point different ways suggest not documented. "
        "Meanings from FY2026 ICD-10-CM.",
    ),
}


def test_every_check_has_an_example():
    assert set(EXAMPLES) == set(CHECKS)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_check_in_words(name):
    params, sentence, _ = EXAMPLES[name]
    assert check_problems(Check(name, params), LISTS) == []  # the example is a usable check
    assert check_rule_text(name, params, False, LISTS) == sentence


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_check_negated(name):
    params, _, negated = EXAMPLES[name]
    assert check_rule_text(name, params, True, LISTS) == negated


def test_defaults_are_the_checks_defaults():
    grace = CHECKS["no_concurrent_agents"].params["switch_grace_days"].default
    assert f"more than {grace} days past the request date" in check_rule_text(
        "no_concurrent_agents", {"list": "agents"}, False, LISTS
    )
    assert (
        check_rule_text("tried_and_failed_at_least", {"list": "statins"}, False, LISTS)
        == "Suggests met when at least one agent from Statins was tried with an outcome of "
        "failed (ineffective), intolerant or contraindicated."
    )
    assert DEFAULT_OUTCOMES == ("failed", "intolerant", "contraindicated")
    assert "with an outcome of ineffective or intolerant." in check_rule_text(
        "tried_at_least",
        {"list": "statins", "min_duration": {"count": 6, "unit": "week"}},
        False,
        LISTS,
    )
    assert check_rule_text(
        "events_at_least", {"event": "relapse", "within": {"count": 1, "unit": "year"}}, True, {}
    ).startswith("Suggests met when NO relapse event is dated within 1 year before the request.")
    assert "from the earliest result to the latest" in check_rule_text(
        "percent_change", {"lab": "LDL-C", "op": ">", "percent": "-50"}, False, {}
    )
    # A param given as None takes its default, as resolved_params does.
    assert check_rule_text(
        "specialty_in", {"list": "specialists", "allow_consultation": None}, False, LISTS
    ) == ("Suggests met when the prescriber's specialty is in a neurologist or MS specialist.")


def test_switch_grace_of_zero_days():
    text = check_rule_text(
        "no_concurrent_agents", {"list": "agents", "switch_grace_days": 0}, False, LISTS
    )
    assert "an agent from Other MS agents that continues past the request date (" in text


def test_a_list_is_named_by_its_title():
    text = check_rule_text("specialty_in", {"list": "specialists"}, True, LISTS)
    assert (
        text
        == "Suggests met when the prescriber's specialty is NOT in a neurologist or MS specialist."
    )
    # No title, or no such list yet: the key, as the check's own reasons name it.
    assert "from untitled was tried" in check_rule_text(
        "tried_and_failed_at_least", {"list": "untitled"}, False, LISTS
    )
    assert "from typing_stat was tried" in check_rule_text(
        "tried_and_failed_at_least", {"list": "typing_stat"}, False, LISTS
    )


def test_band_thresholds():
    params = {"lab": "LDL-C", "unit": "mg/dL", "thresholds": BANDS}
    assert check_problems(Check("lab_value", params), LISTS) == []
    assert check_rule_text("lab_value", params, False, LISTS) == (
        "Suggests met when the latest LDL-C meets the threshold for the member's age on the "
        "request date (above 155 mg/dL for ages 15 and under; above 190 mg/dL for ages 16 and "
        "over)."
    )
    assert check_rule_text("lab_value", params, True, LISTS) == (
        "Suggests met when the latest LDL-C does NOT meet the threshold for the member's age "
        "on the request date (above 155 mg/dL for ages 15 and under; above 190 mg/dL for ages "
        "16 and over)."
    )
    three = [
        {"max_age": 9, "op": ">=", "value": "130"},
        {"min_age": 10, "max_age": 17, "op": ">", "value": "160.0"},
        {"min_age": 18, "op": ">", "value": "190"},
    ]
    assert (
        "(at least 130 for ages 9 and under; above 160 for ages 10 to 17; "
        "above 190 for ages 18 and over)"
        in (check_rule_text("lab_value", {"lab": "LDL-C", "thresholds": three}, False, {}))
    )


def test_lab_value_without_a_window_and_with_a_maximum_age():
    assert check_rule_text(
        "lab_value",
        {"lab": "HbA1c", "op": "<", "value": "7.50", "unit": "%", "max_age_days": 1},
        False,
        {},
    ) == (
        "Suggests met when the latest HbA1c is below 7.5 %. A latest result older than 1 day, "
        "or undated, gives no suggestion."
    )


def test_an_ongoing_trial_counts_to_the_request_date():
    text = check_rule_text(
        "tried_at_least",
        {"list": "statins", "min_duration": {"count": 1, "unit": "year"}, "outcomes": ["ongoing"]},
        False,
        LISTS,
    )
    assert "for at least 1 year, with an outcome of ongoing. An ongoing trial counts up to" in text


def test_diagnosis_suggests_one_way_only():
    codes = {"G35.B1": {"answer": "not_met", "meaning": "PPMS"}}
    assert check_rule_text("diagnosis_suggests", {"codes": codes}, False, {}).startswith(
        "Suggests not met when a diagnosis code falls under G35.B1 (PPMS). "
    )
    assert check_rule_text("diagnosis_suggests", {"codes": codes}, True, {}).startswith(
        "Suggests met when a diagnosis code falls under G35.B1 (PPMS). "
    )


@pytest.mark.parametrize(
    ("name", "params", "sentence"),
    [
        (
            "age_at_least",
            {},
            f"Suggests met when the member is at least {GAP} years old on the request date.",
        ),
        (
            "age_under",
            {"years": "1x"},
            f"Suggests met when the member is under {GAP} years old on the request date.",
        ),
        (
            "age_at_least",
            {"years": True},
            f"Suggests met when the member is at least {GAP} years old on the request date.",
        ),
        (
            "lab_value",
            {"lab": "LDL-C", "op": ">"},
            f"Suggests met when the latest LDL-C is above {GAP}.",
        ),
        (
            "lab_value",
            {"lab": "LDL-C", "op": "=>", "value": "19O", "within": {"count": 90}},
            f"Suggests met when the latest LDL-C within 90 {GAP} before the request is "
            f"{GAP} {GAP}.",
        ),
        (
            "lab_value",
            {"lab": "LDL-C", "thresholds": [{"max_age": 15, "op": ">"}, "junk"]},
            "Suggests met when the latest LDL-C meets the threshold for the member's age on the "
            f"request date (above {GAP} for ages 15 and under; {GAP}).",
        ),
        (
            "events_at_least",
            {"event": " ", "count": -1, "within": {"unit": "week"}},
            f"Suggests met when at least {GAP} {GAP} events are dated within {GAP} weeks "
            "before the request.",
        ),
        (
            "diagnosis_code_in",
            {"codes": []},
            f"Suggests met when a diagnosis code of the request is, or falls under, {GAP}.",
        ),
    ],
)
def test_incomplete_params_read_as_far_as_they_go(name, params, sentence):
    assert check_rule_text(name, params, False, LISTS) == sentence


def test_no_check_or_an_unknown_one():
    assert check_rule_text("", {}, False, LISTS) == "No check chosen yet."
    assert (
        check_rule_text("age_over", {"years": 3}, False, LISTS) == "age_over is not a known check."
    )


_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.decimals()
    | st.text(max_size=8)
    | st.sampled_from([">", "<=", "day", "calendar_month", "year", "met", "not_met", "statins"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                ["count", "unit", "min_age", "max_age", "op", "value", "answer", "meaning"]
            )
            | st.text(max_size=5),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(sorted(CHECKS)),
    data=st.data(),
    negate=st.booleans(),
    lists=st.sampled_from([LISTS, {}, {"statins": None}, {"statins": {"title": 3}}]),
)
def test_incomplete_or_invalid_params_never_raise(name, data, negate, lists):
    keys = st.sampled_from(sorted(CHECKS[name].params)) | st.text(max_size=5)
    params = data.draw(st.dictionaries(keys, _VALUES, max_size=6))
    text = check_rule_text(name, params, negate, lists)
    assert isinstance(text, str)
    assert text.startswith("Suggests ")


@given(name=st.text(max_size=10) | st.none() | st.integers(), params=_VALUES)
def test_any_name_and_params_never_raise(name, params):
    assert isinstance(check_rule_text(name, params, False, LISTS), str)


def test_a_band_whose_op_is_not_text_is_a_problem_not_a_crash():
    params = {"lab": "LDL-C", "thresholds": [{"op": [">"], "value": Decimal(1)}]}
    assert check_problems(Check("lab_value", params), {}) == [
        "Check lab_value: parameter 'thresholds' band 1 has op ['>']; use >= or > or <= or <."
    ]
