"""The engine's clinical facts: the fields the checks read, and BMI from weight and height."""

from datetime import date
from decimal import Decimal

import pytest

from reviews.engine.checks import ClinicalEvent, Facts, LabResult, PriorTherapy, bmi


@pytest.mark.parametrize(
    "weight, height, expected",
    [
        ("70", "175", "22.9"),  # 22.857...
        ("81", "180", "25.0"),
        ("58.4", "160", "22.8"),  # 22.8125: one decimal
        ("64.17", "160", "25.1"),  # 25.066...
        ("50", "200", "12.5"),  # exactly half-way stays as it is
        ("0.5", "45", "2.5"),  # 2.469...
    ],
)
def test_bmi_is_kg_per_square_metre_to_one_decimal(weight, height, expected):
    assert bmi(Decimal(weight), Decimal(height)) == Decimal(expected)
    facts = Facts(date(2026, 1, 1), weight_kg=Decimal(weight), height_cm=Decimal(height))
    assert facts.bmi == Decimal(expected)


def test_bmi_rounds_half_up():
    # 18.05 kg over 1 m² is 18.05: half up gives 18.1 (banker's rounding would give 18.0).
    assert bmi(Decimal("18.05"), Decimal("100")) == Decimal("18.1")


@pytest.mark.parametrize(
    "weight, height", [(None, "170"), ("70", None), (None, None), ("0", "170"), ("70", "0")]
)
def test_no_bmi_without_both_measurements(weight, height):
    facts = Facts(
        date(2026, 1, 1),
        weight_kg=None if weight is None else Decimal(weight),
        height_cm=None if height is None else Decimal(height),
    )
    assert facts.bmi is None


def test_the_fact_fields_and_their_defaults():
    lab = LabResult("Hemoglobin", Decimal("13.5"))
    assert (lab.unit, lab.date, lab.loinc) == ("", None, "")
    therapy = PriorTherapy("Tecfidera", "ineffective")
    assert (therapy.dose, therapy.dose_unit, therapy.start, therapy.end) == (None, "", None, None)
    event = ClinicalEvent("relapse", date(2025, 6, 2))
    assert event.note == ""
    facts = Facts(date(2026, 1, 1))
    assert (facts.weight_kg, facts.height_cm, facts.events) == (None, None, ())
