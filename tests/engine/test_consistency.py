"""Consistency warnings: a version's words against its structured fields."""

import copy
from datetime import date
from pathlib import Path

import pytest

from reviews.engine import document
from reviews.engine.consistency import consistency_warnings

ROOT = Path(__file__).resolve().parents[2]
REAL = sorted((ROOT / "policies").glob("*.yaml"))
FIXTURES = sorted((ROOT / "tests" / "fixtures" / "policies").glob("*.yaml"))
BEFORE_REVIEW = date(2020, 1, 1)  # before every annual review date of the files


@pytest.fixture(scope="module")
def kesimpta() -> dict:
    return document.parse((ROOT / "policies" / "kesimpta-2020910.yaml").read_text())


@pytest.fixture(scope="module")
def pcsk9() -> dict:
    return document.parse((ROOT / "policies" / "pcsk9-inhibitors-9200002.yaml").read_text())


def node(doc: dict, label: str) -> dict:
    def walk(n):
        if n["label"] == label:
            return n
        for child in n.get("children", []):
            if (found := walk(child)) is not None:
                return found
        return None

    return walk(doc["version"]["criteria"])


def warnings(doc: dict, **kwargs) -> list[str]:
    kwargs.setdefault("today", BEFORE_REVIEW)
    return [str(w) for w in consistency_warnings(doc, **kwargs)]


@pytest.mark.parametrize("path", REAL + FIXTURES, ids=lambda p: p.name)
def test_the_real_policies_and_the_fixtures_give_no_warning(path):
    doc = document.parse(path.read_text(encoding="utf-8"))
    effective = doc["version"]["effective_date"]
    assert warnings(doc, today=effective, last_published_effective=effective) == []


# ---- (a) durations ------------------------------------------------------------------------


def test_the_approval_text_disagreeing_with_the_initial_approval(kesimpta):
    doc = copy.deepcopy(kesimpta)
    doc["version"]["indications"][0]["approval"]["initial"] = {"count": 180, "unit": "day"}
    found = warnings(doc)
    assert (
        "Approval text: the text says “Initial Approval: 365 days” for the initial approval, "
        "but the initial approval is Relapsing forms of multiple sclerosis: 180 days." in found
    )
    # 1.A (the initial path) says "Approve for 1 year" too.
    assert any(w.startswith("Criterion 1.A (text): ") and "Approve for 1 year" in w for w in found)
    # The extended approval still agrees; nothing said of it.
    assert not any("Extended Approval" in w for w in found)


def test_one_year_twelve_months_and_365_days_are_one_period_six_months_and_180_days_not(kesimpta):
    doc = copy.deepcopy(kesimpta)
    doc["version"]["indications"][0]["approval"]["initial"] = {
        "count": 12,
        "unit": "calendar_month",
    }
    assert warnings(doc) == []
    doc["version"]["indications"][0]["approval"]["initial"] = {"count": 52, "unit": "week"}
    assert warnings(doc) == []
    doc["version"]["approval"]["text"] = "Initial approval: 6 months\nExtended approval: 1 year"
    doc["version"]["indications"][0]["approval"]["initial"] = {"count": 180, "unit": "day"}
    found = [w for w in warnings(doc) if w.startswith("Approval text")]
    assert found == [
        "Approval text: the text says “Initial approval: 6 months” for the initial approval, "
        "but the initial approval is Relapsing forms of multiple sclerosis: 180 days."
    ]


def test_an_extended_approval_in_words_when_there_is_no_reauthorization(kesimpta):
    doc = copy.deepcopy(kesimpta)
    doc["version"]["indications"][0]["approval"]["extended"] = None
    found = warnings(doc)
    assert (
        "Approval text: the text says “Extended Approval: 365 days” for the extended approval, "
        "but no indication it applies to has an extended approval (no reauthorization)."
    ) in found


def test_a_duration_before_the_words_first_approval(pcsk9):
    doc = copy.deepcopy(pcsk9)
    node(doc, "5.A")["note"] = "Lets the renewal be filed before the 60-day first approval ends."
    assert warnings(doc) == [
        "Criterion 5.A (note): the text says “60-day first approval” for the initial approval, "
        "but the initial approval is Heterozygous familial hypercholesterolemia: 90 days; "
        "Clinical atherosclerotic cardiovascular disease: 90 days."
    ]


def test_a_check_window_or_time_on_drug_in_words(pcsk9, kesimpta):
    doc = copy.deepcopy(pcsk9)
    node(doc, "2.iii")["check"]["params"]["within"] = {"count": 60, "unit": "day"}
    found = warnings(doc)
    assert (
        "Criterion 2.iii (text): the text says “within the 90 days”, but its check lab_value "
        "has within 60 days."
    ) in found
    doc = copy.deepcopy(kesimpta)
    node(doc, "1.B.duration")["check"]["params"]["months"] = 6
    assert (
        "Criterion 1.B.duration (title): the text says “for ≥ 1 year”, but its check "
        "months_on_drug_at_least has months 6."
    ) in warnings(doc)


# ---- (a) ages -----------------------------------------------------------------------------


def test_an_age_in_words_that_differs_from_the_check(kesimpta):
    doc = copy.deepcopy(kesimpta)
    node(doc, "1.A.ii")["check"]["params"]["years"] = 17
    found = warnings(doc)
    assert found == [
        "Criterion 1.A.ii (text): the text says “18 years of age”, but its check age_at_least "
        "has years 17.",
        "Criterion 1.A.ii (plain language): the text says “18 years of age”, but its check "
        "age_at_least has years 17.",
    ]


def test_age_bands_of_a_lab_threshold(pcsk9):
    doc = copy.deepcopy(pcsk9)
    bands = node(doc, "1.iii")["check"]["params"]["thresholds"]
    bands[0]["max_age"], bands[1]["min_age"] = 15, 16
    found = warnings(doc)
    assert any(
        w.startswith("Criterion 1.iii (text): the text says “18 or older”") and "0-15, 16-up" in w
        for w in found
    )


# ---- (a) doses ----------------------------------------------------------------------------


def test_a_dose_in_the_dosing_text_that_no_rule_has(kesimpta):
    doc = copy.deepcopy(kesimpta)
    for phase in doc["version"]["indications"][0]["regimen"]["phases"]:
        phase["dose"]["amount"] = "40"
    assert warnings(doc) == [
        "Dosing text: the text gives “20 mg”, but no phase, dose range or limit of a dosing "
        "rule has that amount (they have 40 mg)."
    ]


def test_doses_of_a_range_a_limit_or_another_unit_are_no_warning(kesimpta):
    doc = copy.deepcopy(kesimpta)
    regimen = doc["version"]["indications"][0]["regimen"]
    regimen["dose_range"] = {"min": "10", "max": "20", "unit": "mg"}
    doc["version"]["dosing"]["text"] = (
        "20 mg monthly; 10 mg if not tolerated. LDL-C above 190 mg/dL. Inject 0.4 mL."
    )
    assert warnings(doc) == []


# ---- (b), (c) lists -----------------------------------------------------------------------


def test_an_empty_list_and_a_check_naming_a_missing_list(kesimpta):
    doc = copy.deepcopy(kesimpta)
    doc["version"]["lists"]["ms_prescriber_specialties"]["items"] = []
    node(doc, "1.A.iii")["check"]["params"]["list"] = "ms_specialists"
    found = warnings(doc)
    assert any(
        w.startswith("List ")
        and w.endswith(
            ": the list ms_prescriber_specialties is empty: it has no items, so a check "
            "naming it matches nothing."
        )
        for w in found
    )
    assert (
        "Criterion 1.A.iii: its check specialty_in names the list ms_specialists, which does not "
        "exist (the version's lists: ms_disease_modifying_agents, ms_prescriber_specialties)."
    ) in found


# ---- (d), (e) dates -----------------------------------------------------------------------


def test_an_annual_review_date_in_the_past(kesimpta):
    assert warnings(kesimpta, today=date(2023, 9, 21)) == []
    assert warnings(kesimpta, today=date(2023, 9, 22)) == [
        "Dates: the annual review date 2023-09-21 is past (today is 2023-09-22)."
    ]


def test_an_effective_date_before_the_last_published_versions(kesimpta):
    assert warnings(kesimpta, last_published_effective=date(2020, 9, 17)) == []
    assert warnings(kesimpta, last_published_effective=date(2021, 1, 1)) == [
        "Dates: the effective date 2020-09-17 is before the last published version's "
        "effective date 2021-01-01."
    ]


# ---- a raw draft --------------------------------------------------------------------------


def test_a_raw_draft_with_holes_gives_warnings_not_errors():
    raw = {
        "version": {
            "annual_review_date": "2020-01-01",
            "effective_date": None,
            "criteria": None,
            "lists": {"empty": {"title": "", "items": []}},
            "indications": [{"key": "x", "approval": {"initial": None}, "regimen": None}],
            "approval": {"text": "Initial approval: 30 days"},
            "dosing": {"text": "5 mg"},
        }
    }
    found = warnings(raw, today=date(2020, 1, 2))
    assert found[0] == "Dates: the annual review date 2020-01-01 is past (today is 2020-01-02)."
    assert any(w.startswith("List empty:") for w in found)
    assert any(w.startswith("Approval text:") for w in found)


# ---- how durations are written ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "warned"),
    [
        ("Approve for 1 year if the patient meets the following:", False),
        ("Approve for one year if the patient meets the following:", False),
        ("Approve for 12 months if the patient meets the following:", False),
        ("Approve for 52 weeks if the patient meets the following:", False),
        ("Approve for 6 months if the patient meets the following:", True),
        ("Approve for 180 days if the patient meets the following:", True),
    ],
)
def test_approve_for_in_a_criterion_reads_its_paths_period(kesimpta, text, warned):
    doc = copy.deepcopy(kesimpta)
    node(doc, "1.B")["text"] = text  # the continuation path: the extended approval, 365 days
    found = warnings(doc)
    assert bool(found) == warned, found
    if warned:
        assert found[0].startswith("Criterion 1.B (text): the text says “Approve for ")
        assert found[0].endswith(
            "for the extended approval, but the extended approval is Relapsing forms of "
            "multiple sclerosis: 365 days."
        )


def test_each_renewal_is_for_reads_the_extended_approval(kesimpta):
    doc = copy.deepcopy(kesimpta)
    doc["version"]["duration_of_therapy"] = "Each renewal is for 6 calendar months."
    assert warnings(doc) == [
        "Duration of therapy: the text says “renewal is for 6 calendar months” for the extended "
        "approval, but the extended approval is Relapsing forms of multiple sclerosis: 365 days."
    ]


def test_a_criterion_for_one_indication_is_compared_with_that_indication_only(kesimpta):
    doc = copy.deepcopy(kesimpta)
    first = doc["version"]["indications"][0]
    second = copy.deepcopy(first)
    second.update(key="other", name="Other use")
    second["approval"]["extended"] = {"count": 6, "unit": "calendar_month"}
    doc["version"]["indications"].append(second)
    node(doc, "1.B")["indication"] = "other"
    found = warnings(doc)
    assert found == [
        "Criterion 1.B (text): the text says “Approve for 1 year” for the extended approval, "
        "but the extended approval is Other use: 6 calendar months."
    ]
