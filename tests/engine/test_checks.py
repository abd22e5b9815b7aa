from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviews.engine.checks import (
    CHECKS,
    Facts,
    LabResult,
    Medication,
    PriorTherapy,
    Suggestion,
    age_on,
    check_problems,
    months_between,
    suggest,
    suggest_all,
)
from reviews.engine.dosing import add_months
from reviews.engine.tree import Answer, Check, Kind, Node

MET, NOT_MET, NOT_DOCUMENTED = Answer.MET, Answer.NOT_MET, Answer.NOT_DOCUMENTED
REQUEST = date(2026, 11, 28)

LISTS = {
    "MS_DMTS": {
        "title": "Other Disease-Modifying Agents Used for Multiple Sclerosis (MS)",
        "items": [
            {
                "name": "Aubagio",
                "generic": "teriflunomide",
                "as_written": "Aubagio® (teriflunomide tablets)",
            },
            {"name": "Betaseron®/Extavia®", "generic": "interferon beta-1b"},
            {"name": "Avonex", "generic": "interferon beta-1a"},
            {"name": "Plegridy", "generic": "peginterferon beta-1a"},
            {"name": "Ponvory™", "generic": "ponesimod"},
            {"name": "Tecfidera", "generic": "dimethyl fumarate"},
            {"name": "Copaxone", "generic": "glatiramer acetate", "synonyms": ["Glatopa"]},
        ],
    },
    "MS_SPECIALISTS": {
        "title": "neurologist or MS specialist",
        "items": [
            {"name": "Neurologist", "synonyms": ["Neurology"]},
            {"name": "Multiple sclerosis specialist", "synonyms": ["MS specialist"]},
        ],
    },
}


def facts(**changes) -> Facts:
    return Facts(request_date=REQUEST, **changes)


def check(name: str, **params) -> Check:
    return Check(name, params)


def answer(c: Check, f: Facts) -> Answer | None:
    suggestion = suggest(c, f, LISTS)
    return None if suggestion is None else suggestion.answer


# ---- age -----------------------------------------------------------------------------------

ADULT = check("age_at_least", years=18)


@pytest.mark.parametrize(
    ("dob", "on", "age"),
    [
        (date(2008, 11, 28), date(2026, 11, 27), 17),  # the day before the 18th birthday
        (date(2008, 11, 28), date(2026, 11, 28), 18),  # the birthday itself counts
        (date(2008, 2, 29), date(2026, 2, 28), 17),  # leap-day birthday, common year
        (date(2008, 2, 29), date(2026, 3, 1), 18),  # ... falls on 1 March
        (date(2008, 2, 29), date(2028, 2, 28), 19),  # leap year: the day before 29 Feb
        (date(2008, 2, 29), date(2028, 2, 29), 20),  # leap year: 29 February itself
        (date(2008, 3, 1), date(2026, 2, 28), 17),
        (date(2008, 3, 1), date(2026, 3, 1), 18),
        (date(2008, 12, 31), date(2026, 1, 1), 17),
    ],
)
def test_age_on(dob, on, age):
    assert age_on(dob, on) == age


def test_age_at_least_on_the_request_date():
    assert suggest(ADULT, facts(member_dob=date(2008, 11, 28)), LISTS) == Suggestion(
        MET, "18 years old on 2026-11-28 (born 2008-11-28)."
    )
    assert suggest(ADULT, facts(member_dob=date(2008, 11, 29)), LISTS) == Suggestion(
        NOT_MET, "17 years old on 2026-11-28 (born 2008-11-29); at least 18 required."
    )


def test_age_at_least_with_a_leap_day_birthday_both_ways():
    born = date(2008, 2, 29)
    assert answer(ADULT, Facts(request_date=date(2026, 2, 28), member_dob=born)) == NOT_MET
    assert answer(ADULT, Facts(request_date=date(2026, 3, 1), member_dob=born)) == MET


def test_age_needs_a_birth_date():
    assert suggest(ADULT, facts(), LISTS) is None


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)), st.integers(1, 120))
def test_age_turns_over_on_the_birthday(dob, years):
    year = dob.year + years
    try:
        birthday = dob.replace(year=year)
    except ValueError:  # born 29 February, common year
        birthday = date(year, 3, 1)
    assert age_on(dob, birthday) == years
    assert age_on(dob, birthday - timedelta(days=1)) == years - 1


# ---- calendar months -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2025, 11, 28), date(2026, 11, 28), 12),
        (date(2025, 11, 29), date(2026, 11, 28), 11),
        (date(2026, 1, 31), date(2026, 2, 27), 0),
        (date(2026, 1, 31), date(2026, 2, 28), 1),  # month end clamps
        (date(2028, 1, 31), date(2028, 2, 28), 0),  # leap year: 29 Feb is the month
        (date(2028, 1, 31), date(2028, 2, 29), 1),
        (date(2026, 3, 15), date(2026, 3, 15), 0),
        (date(2026, 3, 15), date(2026, 1, 15), -2),
    ],
)
def test_months_between(start, end, months):
    assert months_between(start, end) == months


@given(st.dates(max_value=date(9000, 1, 1)), st.integers(min_value=0, max_value=600))
def test_months_between_inverts_add_months(start, months):
    assert months_between(start, add_months(start, months)) == months


ONE_YEAR = check("months_on_drug_at_least", months=12)


def test_months_on_drug_at_the_twelve_month_edge():
    assert suggest(ONE_YEAR, facts(therapy_start_date=date(2025, 11, 28)), LISTS) == Suggestion(
        MET, "12 whole months on therapy on 2026-11-28 (started 2025-11-28)."
    )
    assert answer(ONE_YEAR, facts(therapy_start_date=date(2025, 11, 29))) == NOT_MET


def test_months_on_drug_needs_a_start_and_rejects_a_future_start():
    assert suggest(ONE_YEAR, facts(), LISTS) is None
    late = suggest(ONE_YEAR, facts(therapy_start_date=date(2026, 12, 1)), LISTS)
    assert late is not None and late.answer == NOT_MET
    assert "after the request date" in late.reason


# ---- specialty -----------------------------------------------------------------------------

SPECIALIST = check("specialty_in", list="MS_SPECIALISTS", allow_consultation=True)


@pytest.mark.parametrize("specialty", ["Neurology", "neurologist", " NEUROLOGY ", "MS specialist"])
def test_specialty_matches_names_and_synonyms_case_insensitively(specialty):
    assert answer(SPECIALIST, facts(prescriber_specialty=specialty)) == MET


def test_specialty_not_in_list_without_a_consultant():
    suggestion = suggest(SPECIALIST, facts(prescriber_specialty="Family Medicine"), LISTS)
    assert suggestion == Suggestion(
        NOT_MET, "Prescriber specialty Family Medicine is not in neurologist or MS specialist."
    )


def test_consultation_with_a_specialist_counts_when_allowed():
    f = facts(
        prescriber_specialty="Family Medicine",
        consulting_specialty="Neurology",
        consulting_name="Dr. Ana Ruiz",
        consult_date=date(2026, 11, 2),
    )
    assert suggest(SPECIALIST, f, LISTS) == Suggestion(
        MET, "Prescribed in consultation with Dr. Ana Ruiz (Neurology) on 2026-11-02."
    )
    alone = check("specialty_in", list="MS_SPECIALISTS", allow_consultation=False)
    assert answer(alone, f) == NOT_MET
    assert answer(check("specialty_in", list="MS_SPECIALISTS"), f) == NOT_MET  # default false


def test_consultation_with_another_generalist_is_not_met():
    f = facts(prescriber_specialty="Family Medicine", consulting_specialty="Cardiology")
    suggestion = suggest(SPECIALIST, f, LISTS)
    assert suggestion is not None and suggestion.answer == NOT_MET
    assert "Cardiology" in suggestion.reason


def test_specialty_without_prescriber_specialty():
    assert suggest(SPECIALIST, facts(), LISTS) is None
    assert answer(SPECIALIST, facts(consulting_specialty="Neurology")) == MET
    assert suggest(SPECIALIST, facts(consulting_specialty="Cardiology"), LISTS) is None


# ---- concurrent agents ---------------------------------------------------------------------

NO_CONCURRENT = check("no_concurrent_agents", list="MS_DMTS")


def test_no_medications_is_met():
    # ... as a suggestion only: an empty list is no evidence of no concurrent use.
    assert suggest(NO_CONCURRENT, facts(), LISTS) == Suggestion(
        MET, "No current medications are listed.", stands_as_evidence=False
    )


def test_medications_no_list_knows_are_not_documented_never_met():
    # Without a reference list nothing says baclofen is not a disease-modifying agent.
    f = facts(medications=(Medication("Baclofen 10 mg"), Medication("Vitamin D3")))
    assert suggest(NO_CONCURRENT, f, LISTS) == Suggestion(
        NOT_DOCUMENTED,
        "Cannot classify Baclofen 10 mg; Vitamin D3: verify whether each is one of "
        "Other Disease-Modifying Agents Used for Multiple Sclerosis (MS).",
    )


@pytest.mark.parametrize(
    "name",
    [
        "Tecfidera",
        "TECFIDERA® 240 mg capsules",
        "dimethyl fumarate DR",
        "Extavia",
        "Betaseron/Extavia",
        "Ponvory™",
        "Glatopa 20 mg/mL",
        "interferon beta-1a (Avonex)",
        "peginterferon beta-1a",
    ],
)
def test_a_listed_agent_without_stop_date_is_concurrent(name):
    suggestion = suggest(NO_CONCURRENT, facts(medications=(Medication(name),)), LISTS)
    assert suggestion is not None and suggestion.answer == NOT_MET
    assert name in suggestion.reason


@pytest.mark.parametrize("name", ["Tecfideras", "interferon beta-1c", "Aubagiox", "Copax"])
def test_partial_words_do_not_match(name):
    suggestion = suggest(NO_CONCURRENT, facts(medications=(Medication(name),)), LISTS)
    assert suggestion == Suggestion(
        NOT_DOCUMENTED,
        f"Cannot classify {name}: verify whether it is one of Other Disease-Modifying Agents "
        "Used for Multiple Sclerosis (MS).",
    )


@pytest.mark.parametrize(
    ("stop", "expected"),
    [
        (REQUEST - timedelta(days=200), MET),  # stopped long ago
        (REQUEST, MET),
        (REQUEST + timedelta(days=30), MET),  # last day of the default grace
        (REQUEST + timedelta(days=31), NOT_MET),
    ],
)
def test_switch_grace_edge(stop, expected):
    f = facts(medications=(Medication("Tecfidera", stop_date=stop),))
    assert answer(NO_CONCURRENT, f) == expected


def test_switch_reason_names_the_drug_and_its_stop_date():
    f = facts(medications=(Medication("Tecfidera", stop_date=date(2026, 12, 1)),))
    assert suggest(NO_CONCURRENT, f, LISTS) == Suggestion(
        MET,
        "Every listed medication is classified and none from Other Disease-Modifying Agents "
        "Used for Multiple Sclerosis (MS) continues: Tecfidera stops on 2026-12-01 (switch).",
    )


def test_switch_grace_days_param():
    strict = check("no_concurrent_agents", list="MS_DMTS", switch_grace_days=0)
    assert answer(strict, facts(medications=(Medication("Aubagio", REQUEST),))) == MET
    late = REQUEST + timedelta(days=1)
    assert answer(strict, facts(medications=(Medication("Aubagio", late),))) == NOT_MET


def test_one_concurrent_agent_outweighs_a_switch():
    f = facts(
        medications=(
            Medication("Tecfidera", stop_date=date(2026, 12, 1)),
            Medication("Aubagio"),
            Medication("Avonex", stop_date=date(2027, 6, 1)),
        )
    )
    suggestion = suggest(NO_CONCURRENT, f, LISTS)
    assert suggestion is not None and suggestion.answer == NOT_MET
    assert "Aubagio continues" in suggestion.reason
    assert "Avonex continues until 2027-06-01" in suggestion.reason
    assert "Tecfidera" not in suggestion.reason


# ---- tried and failed ----------------------------------------------------------------------

TRIED_TWO = check("tried_and_failed_at_least", list="MS_DMTS", count=2)


def test_tried_and_failed_counts_distinct_list_items():
    same_drug = (PriorTherapy("Tecfidera", "failed"), PriorTherapy("dimethyl fumarate", "failed"))
    assert answer(TRIED_TWO, facts(prior_therapies=same_drug)) == NOT_MET
    two = (PriorTherapy("Tecfidera", "failed"), PriorTherapy("Aubagio", "Intolerant"))
    suggestion = suggest(TRIED_TWO, facts(prior_therapies=two), LISTS)
    assert suggestion is not None and suggestion.answer == MET
    assert "Tecfidera (failed), Aubagio (Intolerant)" in suggestion.reason


def test_tried_and_failed_ignores_other_outcomes_and_unlisted_drugs():
    therapies = (
        PriorTherapy("Tecfidera", "ongoing"),
        PriorTherapy("Rituximab", "failed"),
        PriorTherapy("Aubagio", "contraindicated"),
    )
    assert answer(TRIED_TWO, facts(prior_therapies=therapies)) == NOT_MET
    one = check("tried_and_failed_at_least", list="MS_DMTS")  # count defaults to 1
    assert answer(one, facts(prior_therapies=therapies)) == MET
    failed_only = check("tried_and_failed_at_least", list="MS_DMTS", outcomes=["failed"])
    assert answer(failed_only, facts(prior_therapies=therapies)) == NOT_MET


def test_tried_and_failed_with_no_prior_therapies_is_not_met():
    suggestion = suggest(TRIED_TWO, facts(), LISTS)
    assert suggestion is not None and suggestion.answer == NOT_MET
    assert "none listed" in suggestion.reason


# ---- labs ----------------------------------------------------------------------------------

LDL = check("lab_value", lab="LDL-C", op=">=", value=190, unit="mg/dL", max_age_days=90)


def lab(value, on=date(2026, 11, 1), unit="mg/dL", name="LDL-C") -> LabResult:
    return LabResult(name, Decimal(str(value)), unit, on)


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        (">=", 190, MET),
        (">=", "190.1", NOT_MET),
        (">", 190, NOT_MET),
        (">", "189.9", MET),
        ("<=", 190, MET),
        ("<", 190, NOT_MET),
        ("<", "190.5", MET),
    ],
)
def test_lab_value_operators_at_the_threshold(op, value, expected):
    c = check("lab_value", lab="LDL-C", op=op, value=value)
    assert answer(c, facts(labs=(lab(190),))) == expected


def test_lab_value_reason_has_the_figures():
    assert suggest(LDL, facts(labs=(lab(190),)), LISTS) == Suggestion(
        MET, "LDL-C 190 mg/dL on 2026-11-01 is at least 190 mg/dL."
    )
    assert suggest(LDL, facts(labs=(lab(150),)), LISTS) == Suggestion(
        NOT_MET, "LDL-C 150 mg/dL on 2026-11-01 is not at least 190 mg/dL."
    )


def test_lab_value_uses_the_most_recent_result_by_name_case_insensitively():
    labs = (lab(200, date(2026, 10, 1)), lab(150, date(2026, 11, 20), name="ldl-c"), lab(300, None))
    assert answer(LDL, facts(labs=labs)) == NOT_MET


def test_lab_value_needs_a_result_in_the_right_unit():
    assert suggest(LDL, facts(), LISTS) is None
    assert suggest(LDL, facts(labs=(lab(5, unit="mmol/L"),)), LISTS) is None
    assert answer(LDL, facts(labs=(lab(200, unit="MG/DL"),))) == MET


def test_lab_value_max_age_edge():
    assert answer(LDL, facts(labs=(lab(200, REQUEST - timedelta(days=90)),))) == MET
    assert suggest(LDL, facts(labs=(lab(200, REQUEST - timedelta(days=91)),)), LISTS) is None
    assert suggest(LDL, facts(labs=(lab(200, None),)), LISTS) is None


# ---- diagnosis codes -----------------------------------------------------------------------

MS_CODES = check("diagnosis_code_in", codes=["G35"])


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        (("G35",), MET),
        (("G35.A",), MET),
        (("g35.a",), MET),
        (("G35A",), MET),
        ((" G35 . B ",), MET),
        (("R51", "G35.D"), MET),
        (("G36.0",), NOT_MET),
        (("G3",), NOT_MET),  # a broader code is not under G35
        (("H35.1",), NOT_MET),
    ],
)
def test_diagnosis_code_in(codes, expected):
    assert answer(MS_CODES, facts(diagnosis_codes=codes)) == expected


def test_diagnosis_code_needs_codes():
    assert suggest(MS_CODES, facts(), LISTS) is None


def test_a_listed_subcode_does_not_cover_its_parent():
    assert answer(check("diagnosis_code_in", codes=["G35.A"]), facts(diagnosis_codes=("G35",))) == (
        NOT_MET
    )


# ---- validation and suggest_all ------------------------------------------------------------


def test_valid_checks_have_no_problems():
    for c in (ADULT, SPECIALIST, NO_CONCURRENT, ONE_YEAR, TRIED_TWO, LDL, MS_CODES):
        assert check_problems(c, LISTS) == [], c


def test_every_registered_check_has_a_function_and_params():
    assert set(CHECKS) == {
        "age_at_least",
        "specialty_in",
        "no_concurrent_agents",
        "months_on_drug_at_least",
        "tried_and_failed_at_least",
        "lab_value",
        "diagnosis_code_in",
        "diagnosis_suggests",
        "age_under",
        "events_at_least",
        "tried_at_least",
        "percent_change",
        "bmi_at_least",
    }


@pytest.mark.parametrize(
    ("c", "fragment"),
    [
        (check("age_at_most", years=65), "Unknown check 'age_at_most'"),
        (check("age_at_least"), "missing parameter 'years'"),
        (check("age_at_least", years="18"), "'years' must be a whole number"),
        (check("age_at_least", years=True), "'years' must be a whole number"),
        (check("age_at_least", years=-1), "'years' must be a whole number"),
        (check("age_at_least", years=18, months=2), "unknown parameter 'months'"),
        (check("specialty_in", list="NOPE"), "'list' must be a key of the lists"),
        (check("specialty_in", list="MS_SPECIALISTS", allow_consultation="yes"), "true or false"),
        (check("lab_value", lab="A1c", op="=", value=7), "'op' must be >= or > or <= or <"),
        (check("lab_value", lab="A1c", op=">", value="high"), "'value' must be a number"),
        (check("lab_value", lab="A1c", op=">", value="NaN"), "'value' must be a number"),
        (check("diagnosis_code_in", codes=[]), "'codes' must be a non-empty list"),
        (check("diagnosis_code_in", codes="G35"), "'codes' must be a non-empty list"),
        (check("tried_and_failed_at_least", list="MS_DMTS", outcomes=[""]), "'outcomes'"),
    ],
)
def test_check_problems(c, fragment):
    problems = check_problems(c, LISTS)
    assert any(fragment in p for p in problems), problems


def test_optional_params_may_be_null():
    c = check("lab_value", lab="A1c", op=">", value="7.5", unit=None, max_age_days=None)
    assert check_problems(c, LISTS) == []


def test_suggest_rejects_an_unusable_check():
    with pytest.raises(ValueError, match="Unknown check"):
        suggest(check("age_at_most", years=65), facts(), LISTS)
    with pytest.raises(ValueError, match="missing parameter"):
        suggest(check("age_at_least"), facts(), LISTS)


def test_suggest_all_covers_applicable_leaves_with_checks_and_facts():
    tree = Node(
        "root",
        Kind.ALL,
        children=(
            Node("PRE-2", Kind.LEAF, check=NO_CONCURRENT),
            Node("plain", Kind.LEAF),
            Node("A.ii", Kind.LEAF, path="initial", check=ADULT),
            Node("A.iii", Kind.LEAF, path="initial", check=SPECIALIST),  # no specialty known
            Node("B", Kind.LEAF, path="continuation", check=ONE_YEAR),
        ),
    )
    f = facts(member_dob=date(2008, 11, 28), therapy_start_date=date(2025, 1, 1))
    initial = suggest_all(tree, f, LISTS, path="initial")
    assert {label: s.answer for label, s in initial.items()} == {"PRE-2": MET, "A.ii": MET}
    everywhere = suggest_all(tree, f, LISTS)
    assert set(everywhere) == {"PRE-2", "A.ii", "B"}
