"""The intake rules of clinical facts (reviews/intake.py): labs, prior therapies, clinical
events, weight and height. Each bad input is refused with its message at its path."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from reviews.intake import (
    IntakeInvalid,
    fact_clean,
    facts_clean,
    intake_clean,
    loinc_is_valid,
    request_clean,
)
from tests.test_intake import values

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 27, 14, 0, tzinfo=NY)
TOMORROW = date(2026, 11, 28)

pytestmark = pytest.mark.django_db  # no query: the models' field limits are read


@pytest.fixture(autouse=True)
def frozen_clock(settings):
    settings.TIME_ZONE = "America/New_York"
    with time_machine.travel(NOW, tick=False):
        yield


LAB = {
    "name": " Hemoglobin ",
    "loinc": "718-7",
    "value": "13.50",
    "unit": "g/dL",
    "taken_on": date(2026, 11, 1),
}
THERAPY = {
    "drug_name": "Tecfidera",
    "dose": "240",
    "dose_unit": "mg",
    "started_on": date(2024, 1, 10),
    "ended_on": date(2025, 3, 1),
    "outcome": "ineffective",
}
EVENT = {"kind": "relapse", "occurred_on": date(2026, 6, 2), "note": "Optic neuritis."}


def errors_of(kind: str, rows: list[dict]) -> dict[str, list[str]]:
    with pytest.raises(IntakeInvalid) as caught:
        facts_clean(kind, rows)
    return caught.value.errors


def test_good_rows_are_cleaned_and_empty_rows_dropped():
    empty = {name: "" for name in LAB}
    assert facts_clean("lab", [LAB, empty]) == [
        {
            "name": "Hemoglobin",
            "loinc": "718-7",
            "value": Decimal("13.50"),
            "unit": "g/dL",
            "taken_on": date(2026, 11, 1),
        }
    ]
    assert facts_clean("therapy", [THERAPY])[0]["dose"] == Decimal("240")
    assert facts_clean("event", [{"kind": "relapse", "occurred_on": date(2026, 6, 2)}]) == [
        {"kind": "relapse", "occurred_on": date(2026, 6, 2), "note": ""}
    ]
    # A unitless ratio has no unit; a therapy may have no dose or dates.
    assert facts_clean("lab", [{**LAB, "unit": "", "loinc": ""}])[0]["unit"] == ""
    bare = {"drug_name": "Aubagio", "outcome": "intolerant"}
    assert facts_clean("therapy", [bare])[0]["dose"] is None


@pytest.mark.parametrize(
    "kind, row, path, message",
    [
        ("lab", {**LAB, "name": ""}, "labs.0.name", "This field is required."),
        ("lab", {**LAB, "value": ""}, "labs.0.value", "This field is required."),
        ("lab", {**LAB, "value": "high"}, "labs.0.value", "Enter a number."),
        ("lab", {**LAB, "value": "NaN"}, "labs.0.value", "Enter a number."),
        ("lab", {**LAB, "value": "1.23456"}, "labs.0.value", "no more than 4 decimal places"),
        ("lab", {**LAB, "value": True}, "labs.0.value", "Enter a number."),
        ("lab", {**LAB, "taken_on": None}, "labs.0.taken_on", "This field is required."),
        ("lab", {**LAB, "taken_on": TOMORROW}, "labs.0.taken_on", "is in the future"),
        ("lab", {**LAB, "taken_on": "2026-01-01"}, "labs.0.taken_on", "Enter a valid date."),
        ("lab", {**LAB, "unit": "u" * 31}, "labs.0.unit", "at most 30 characters"),
        ("lab", {**LAB, "loinc": "7187"}, "labs.0.loinc", "digits, a hyphen and a check digit"),
        ("lab", {**LAB, "loinc": "718-6"}, "labs.0.loinc", "check digit does not match"),
        ("lab", {**LAB, "colour": "red"}, "labs.0", "Unknown fields: colour."),
        ("therapy", {**THERAPY, "drug_name": ""}, "therapies.0.drug_name", "required"),
        ("therapy", {**THERAPY, "dose": "0"}, "therapies.0.dose", "greater than or equal to"),
        ("therapy", {**THERAPY, "dose": "-5"}, "therapies.0.dose", "greater than or equal to"),
        ("therapy", {**THERAPY, "dose_unit": ""}, "therapies.0.dose_unit", "Give the dose's unit"),
        ("therapy", {**THERAPY, "dose": None}, "therapies.0.dose", "Give the dose in this unit"),
        ("therapy", {**THERAPY, "dose_unit": "pints"}, "therapies.0.dose_unit", "valid choice"),
        (
            "therapy",
            {**THERAPY, "ended_on": date(2023, 1, 1)},
            "therapies.0.ended_on",
            "ends before it starts",
        ),
        ("therapy", {**THERAPY, "started_on": TOMORROW}, "therapies.0.started_on", "future"),
        (
            "therapy",
            {**THERAPY, "started_on": None, "ended_on": TOMORROW},
            "therapies.0.ended_on",
            "future",
        ),
        ("therapy", {**THERAPY, "outcome": ""}, "therapies.0.outcome", "required"),
        ("therapy", {**THERAPY, "outcome": "failed"}, "therapies.0.outcome", "valid choice"),
        (
            "therapy",
            {**THERAPY, "outcome": "ongoing"},
            "therapies.0.ended_on",
            "An ongoing therapy has no end date",
        ),
        ("event", {**EVENT, "kind": ""}, "events.0.kind", "required"),
        ("event", {**EVENT, "kind": "k" * 61}, "events.0.kind", "at most 60 characters"),
        ("event", {**EVENT, "occurred_on": None}, "events.0.occurred_on", "required"),
        ("event", {**EVENT, "occurred_on": TOMORROW}, "events.0.occurred_on", "future"),
        ("event", {**EVENT, "note": "n" * 1001}, "events.0.note", "at most 1000 characters"),
    ],
)
def test_each_bad_fact_is_named_at_its_field(kind, row, path, message):
    errors = errors_of(kind, [row])
    assert path in errors, errors
    assert any(message in m for m in errors[path]), errors[path]


def test_a_row_that_is_no_object_and_too_many_rows_are_refused():
    assert "labs.0" in errors_of("lab", ["Hemoglobin 13.5"])
    assert "events" in errors_of("event", [EVENT] * 51)


@pytest.mark.parametrize(
    "changes, path, message",
    [
        ({"weight_kg": "0"}, "weight_kg", "greater than or equal to 0.3"),
        ({"weight_kg": "-70"}, "weight_kg", "greater than or equal to 0.3"),
        ({"weight_kg": "7000"}, "weight_kg", "less than or equal to 650"),
        ({"weight_kg": "70.25"}, "weight_kg", "no more than 1 decimal places"),
        ({"weight_kg": "heavy"}, "weight_kg", "Enter a number."),
        ({"height_cm": "1.7"}, "height_cm", "greater than or equal to 20"),
        ({"height_cm": "400"}, "height_cm", "less than or equal to 275"),
    ],
)
def test_weight_and_height_must_be_plausible(changes, path, message):
    with pytest.raises(IntakeInvalid) as caught:
        request_clean(values(**changes))
    assert any(message in m for m in caught.value.errors[path]), caught.value.errors


def test_weight_and_height_are_optional_and_cleaned():
    fields = request_clean(values(weight_kg="72.5", height_cm=Decimal("168")))
    assert (fields["weight_kg"], fields["height_cm"]) == (Decimal("72.5"), Decimal("168"))
    fields = request_clean(values())
    assert fields["weight_kg"] is None and fields["height_cm"] is None


def test_a_whole_request_names_the_problems_of_every_part_at_once():
    with pytest.raises(IntakeInvalid) as caught:
        intake_clean(
            values(weight_kg="0"),
            [{"name": "", "stop_date": date(2026, 1, 1)}],
            labs=[{**LAB, "value": "x"}],
            therapies=[{**THERAPY, "outcome": ""}],
            events=[{**EVENT, "occurred_on": TOMORROW}],
        )
    assert {
        "weight_kg",
        "medications.0.name",
        "labs.0.value",
        "therapies.0.outcome",
        "events.0.occurred_on",
    } <= set(caught.value.errors)


def test_one_fact_is_cleaned_with_its_bare_field_names():
    assert fact_clean("event", EVENT)["kind"] == "relapse"
    with pytest.raises(IntakeInvalid) as caught:
        fact_clean("lab", {**LAB, "value": ""})
    assert caught.value.errors == {"value": ["This field is required."]}
    assert fact_clean("measurements", {"weight_kg": "80", "height_cm": None}) == {
        "weight_kg": Decimal("80"),
        "height_cm": None,
    }
    with pytest.raises(ValueError):
        fact_clean("horoscope", {})


@pytest.mark.parametrize(
    "code, valid",
    [("2345-7", True), ("718-7", True), ("4548-4", True), ("2345-6", False), ("x-1", False)],
)
def test_loinc_check_digit(code, valid):
    assert loinc_is_valid(code) is valid
