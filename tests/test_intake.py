"""The intake rules (reviews/intake.py) on plain values: each rule and its message, at its
field path, and values of the wrong type refused rather than stored."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from reviews.intake import (
    IntakeInvalid,
    intake_clean,
    medications_clean,
    request_clean,
)
from tests.factories import VALID_NPI

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 27, 14, 0, tzinfo=NY)

pytestmark = pytest.mark.django_db  # no query: the Case model's field limits are read


@pytest.fixture(autouse=True)
def frozen_clock(settings):
    settings.TIME_ZONE = "America/New_York"
    with time_machine.travel(NOW, tick=False):
        yield


def regimen(**changes) -> dict:
    return {
        "dose_amount": Decimal("20"),
        "dose_unit": "mg",
        "route": "subcutaneous",
        "loading_weeks": [0, 1, 2],
        "maintenance": {"every": 1, "unit": "calendar_month", "start_week": 4},
        **changes,
    }


def values(**changes) -> dict:
    data = {
        "member_name": "Maria Alvarez",
        "member_id": "M123",
        "member_dob": date(1988, 4, 12),
        "prescriber_name": "Dr. Elena Marsh",
        "prescriber_npi": VALID_NPI,
        "prescriber_specialty": "Neurology",
        "diagnosis_codes": ["G35.A"],
        "drug_name": "Kesimpta",
        "hcpcs_code": "J3490",
        "regimen": regimen(),
        "request_type": "initial",
        "urgency": "standard",
        "line_of_business": "commercial",
        "received_at": datetime(2026, 11, 27, 13, 50, tzinfo=NY),
    }
    data.update(changes)
    return data


def errors_of(**changes) -> dict[str, list[str]]:
    with pytest.raises(IntakeInvalid) as caught:
        request_clean(values(**changes))
    return caught.value.errors


def test_a_valid_request_is_cleaned():
    fields = request_clean(
        values(
            member_name="  Maria   Alvarez ",
            diagnosis_codes=["g35a", "G35.A", "g43909"],
            hcpcs_code=" j3490 ",
            regimen=regimen(dose_amount=Decimal("20.000")),
        )
    )
    assert fields["member_name"] == "Maria Alvarez"
    assert fields["diagnosis_codes"] == ["G35.A", "G43.909"]
    assert fields["hcpcs_code"] == "J3490"
    assert fields["regimen"] == {
        "dose_amount": "20",
        "dose_unit": "mg",
        "route": "subcutaneous",
        "loading_weeks": [0, 1, 2],
        "maintenance": {"every": 1, "unit": "calendar_month", "start_week": 4},
    }
    assert fields["consulting_name"] == "" and fields["consult_date"] is None
    assert fields["prescriber_credential"] == "" and fields["backdate_reason"] == ""


def test_no_receipt_time_means_now():
    assert request_clean(values(received_at=None))["received_at"] == NOW


def test_a_naive_receipt_time_is_the_plans_wall_clock():
    fields = request_clean(values(received_at=datetime(2026, 11, 27, 13, 50)))
    assert fields["received_at"] == datetime(2026, 11, 27, 13, 50, tzinfo=NY)


@pytest.mark.parametrize(
    "changes",
    [
        {"prescriber_specialty": "Family medicine"},
        {"prescriber_specialty": "Pediatric Neurology"},
        {"prescriber_specialty": "Internal medicine", "prescriber_credential": "np"},
        {"prescriber_specialty": "Neurology", "prescriber_credential": "pa"},
        {"prescriber_specialty": "General practice", "consulting_name": "Dr. Chen"},
        {"prescriber_specialty": "Pediatrics", "consulting_specialty": "Neurology"},
        {"prescriber_specialty": "Family medicine", "consult_date": date(2026, 11, 2)},
    ],
)
def test_who_prescribes_never_refuses_a_request(changes):
    fields = request_clean(values(**changes))
    for name, value in changes.items():
        assert fields[name] == value


BAD = [
    ("member_name", {"member_name": "   "}, "This field is required."),
    ("member_name", {"member_name": "x" * 201}, "at most 200 characters (it has 201)"),
    ("member_name", {"member_name": "Dana\x00"}, "Null characters are not allowed."),
    ("member_name", {"member_name": 42}, "Enter text."),
    ("member_id", {"member_id": None}, "This field is required."),
    ("member_dob", {"member_dob": None}, "This field is required."),
    ("member_dob", {"member_dob": "1988-04-12"}, "Enter a valid date."),
    ("member_dob", {"member_dob": date(2026, 12, 1)}, "The date of birth is in the future."),
    (
        "member_dob",
        {
            "member_dob": date(2026, 11, 27),
            "received_at": datetime(2026, 11, 20, 9, 0, tzinfo=NY),
            "backdate_reason": "Faxed",
        },
        "The date of birth is after the request was received.",
    ),
    ("member_dob", {"member_dob": date(1880, 1, 1)}, "more than 130 years ago"),
    ("prescriber_npi", {"prescriber_npi": "1234567890"}, "check digit does not match"),
    ("prescriber_npi", {"prescriber_npi": "12345abcde"}, "An NPI is exactly 10 digits."),
    ("prescriber_npi", {"prescriber_npi": "１２３４５６７８９３"}, "exactly 10 digits"),
    ("prescriber_npi", {"prescriber_npi": ""}, "This field is required."),
    ("prescriber_credential", {"prescriber_credential": "RN"}, "Select a valid choice."),
    ("prescriber_specialty", {"prescriber_specialty": ""}, "This field is required."),
    ("consult_date", {"consult_date": date(2026, 12, 24)}, "consultation date is in the future"),
    (
        "consult_date",
        {
            "consult_date": date(2026, 11, 26),
            "received_at": datetime(2026, 11, 20, 9, 0, tzinfo=NY),
            "backdate_reason": "Faxed",
        },
        "The consultation is after the request was received.",
    ),
    ("diagnosis_codes", {"diagnosis_codes": []}, "Enter at least one ICD-10-CM code."),
    ("diagnosis_codes", {"diagnosis_codes": "G35.A"}, "Give the codes as a list."),
    ("diagnosis_codes", {"diagnosis_codes": [35]}, "Each code is text"),
    ("diagnosis_codes", {"diagnosis_codes": ["G3"]}, "G3 is not an ICD-10-CM code"),
    ("diagnosis_codes", {"diagnosis_codes": ["G35"]}, "Use one of: G35.A, G35.B0"),
    ("diagnosis_codes", {"diagnosis_codes": ["G35.B"]}, "not billable"),
    ("diagnosis_codes", {"diagnosis_codes": [f"G43.{n}" for n in range(21)]}, "at most 20"),
    (
        "diagnosis_codes",
        {
            "diagnosis_codes": ["G35.A"],
            "received_at": datetime(2025, 9, 30, 10, 0, tzinfo=NY),
            "backdate_reason": "Old fax",
        },
        "G35.A takes effect on 1 October 2025",
    ),
    ("drug_name", {"drug_name": ""}, "This field is required."),
    ("hcpcs_code", {"hcpcs_code": "3490"}, "a letter and four digits"),
    ("request_type", {"request_type": "renewal"}, "Select a valid choice."),
    ("urgency", {"urgency": None}, "This field is required."),
    ("line_of_business", {"line_of_business": "medicare_part_d"}, "Select a valid choice."),
    ("regimen", {"regimen": None}, "This field is required."),
    ("regimen", {"regimen": "20 mg"}, "Give the regimen as an object."),
    ("regimen", {"regimen": regimen(frequency="daily")}, "Unknown regimen fields: frequency."),
    ("regimen.dose_amount", {"regimen": regimen(dose_amount=None)}, "This field is required."),
    ("regimen.dose_amount", {"regimen": regimen(dose_amount="twenty")}, "Enter a number."),
    ("regimen.dose_amount", {"regimen": regimen(dose_amount=True)}, "Enter a number."),
    ("regimen.dose_amount", {"regimen": regimen(dose_amount="NaN")}, "Enter a number."),
    ("regimen.dose_amount", {"regimen": regimen(dose_amount=Decimal(0))}, "greater than or"),
    ("regimen.dose_amount", {"regimen": regimen(dose_amount="1e9")}, "less than or equal"),
    ("regimen.dose_amount", {"regimen": regimen(dose_amount="0.0001")}, "greater than or"),
    ("regimen.dose_amount", {"regimen": regimen(dose_amount="1.0005")}, "3 decimal places"),
    ("regimen.dose_unit", {"regimen": regimen(dose_unit="spoonfuls")}, "Select a valid"),
    ("regimen.route", {"regimen": regimen(route="")}, "This field is required."),
    ("regimen.loading_weeks", {"regimen": regimen(loading_weeks=[2, 1])}, "ascending order"),
    ("regimen.loading_weeks", {"regimen": regimen(loading_weeks=[0, 0])}, "each week once"),
    ("regimen.loading_weeks", {"regimen": regimen(loading_weeks=[521])}, "from 0 to 520"),
    ("regimen.loading_weeks", {"regimen": regimen(loading_weeks=[-1])}, "from 0 to 520"),
    ("regimen.loading_weeks", {"regimen": regimen(loading_weeks="0, 1")}, "Week numbers only"),
    ("regimen.loading_weeks", {"regimen": regimen(loading_weeks=[True])}, "Week numbers only"),
    (
        "regimen.maintenance",
        {"regimen": regimen(loading_weeks=[], maintenance=None)},
        "Give loading weeks, a maintenance interval, or both.",
    ),
    (
        "regimen.maintenance.unit",
        {"regimen": regimen(maintenance={"every": 1})},
        "Choose days, weeks or calendar months.",
    ),
    (
        "regimen.maintenance.every",
        {"regimen": regimen(maintenance={"unit": "week"})},
        "How many days, weeks or months apart?",
    ),
    (
        "regimen.maintenance.every",
        {"regimen": regimen(maintenance={"every": 0, "unit": "week"})},
        "greater than or equal to 1",
    ),
    (
        "regimen.maintenance.every",
        {"regimen": regimen(maintenance={"every": 366, "unit": "week"})},
        "less than or equal to 365",
    ),
    (
        "regimen.maintenance.unit",
        {"regimen": regimen(maintenance={"every": 2, "unit": "fortnight"})},
        "Select a valid choice.",
    ),
    (
        "regimen.maintenance.start_week",
        {"regimen": regimen(maintenance={"every": 2, "unit": "week", "start_week": -1})},
        "greater than or equal to 0",
    ),
    (
        "therapy_start_date",
        {"request_type": "continuation"},
        "A continuation request needs the date therapy with the drug began.",
    ),
    (
        "therapy_start_date",
        {"therapy_start_date": date(2026, 12, 1)},
        "The therapy start date is in the future.",
    ),
    (
        "therapy_start_date",
        {
            "therapy_start_date": date(2026, 11, 25),
            "received_at": datetime(2026, 11, 20, 9, 0, tzinfo=NY),
            "backdate_reason": "Faxed",
        },
        "Therapy cannot have begun after the request was received.",
    ),
    ("received_at", {"received_at": "yesterday"}, "Enter a valid date/time."),
    (
        "received_at",
        {"received_at": datetime(2026, 11, 27, 14, 6, tzinfo=NY)},
        "The receipt time is in the future.",
    ),
    (
        "backdate_reason",
        {"received_at": datetime(2026, 11, 27, 13, 29, tzinfo=NY)},
        "The receipt time is more than 30 minutes ago",
    ),
    (
        "backdate_reason",
        {"received_at": datetime(2026, 11, 26, 9, 0, tzinfo=NY), "backdate_reason": "  "},
        "more than 30 minutes ago",
    ),
    ("backdate_reason", {"backdate_reason": "x" * 1001}, "at most 1000 characters"),
]


@pytest.mark.parametrize(
    ("path", "changes", "message"), BAD, ids=[f"{p}-{i}" for i, (p, _, _) in enumerate(BAD)]
)
def test_each_rule_says_what_is_wrong_at_its_field(path, changes, message):
    errors = errors_of(**changes)
    assert path in errors, errors
    assert any(message in m for m in errors[path]), errors[path]


def test_every_problem_is_named_at_once():
    errors = errors_of(
        prescriber_npi="1234567890",
        diagnosis_codes=["G35", "X"],
        member_dob=date(2099, 1, 1),
        regimen=regimen(loading_weeks=[2, 1], maintenance={"every": 1}),
    )
    assert set(errors) == {
        "prescriber_npi",
        "diagnosis_codes",
        "member_dob",
        "regimen.loading_weeks",
        "regimen.maintenance.unit",
    }
    assert len(errors["diagnosis_codes"]) == 2


def test_the_clock_starts_within_the_grace_without_a_reason_and_clears_a_stray_one():
    fields = request_clean(
        values(
            received_at=datetime(2026, 11, 27, 13, 31, tzinfo=NY),
            backdate_reason="not needed",
        )
    )
    assert fields["backdate_reason"] == ""
    kept = request_clean(
        values(received_at=datetime(2026, 11, 26, 9, 0, tzinfo=NY), backdate_reason=" Faxed ")
    )
    assert kept["backdate_reason"] == "Faxed"


def test_a_continuation_with_its_start_date_is_fine():
    fields = request_clean(values(request_type="continuation", therapy_start_date=date(2025, 1, 6)))
    assert fields["therapy_start_date"] == date(2025, 1, 6)


def test_an_unknown_field_is_a_programming_error():
    with pytest.raises(TypeError, match="Not intake fields: colour"):
        request_clean(values(colour="blue"))


# ---- medications ----------------------------------------------------------------------------


def test_medications_are_cleaned_and_empty_rows_dropped():
    rows = [
        {"name": "  Tecfidera ", "stop_date": date(2026, 12, 1)},
        {"name": "", "stop_date": None},
        {"name": "Vitamin D"},
    ]
    assert medications_clean(rows) == [
        {"name": "Tecfidera", "stop_date": date(2026, 12, 1)},
        {"name": "Vitamin D", "stop_date": None},
    ]


@pytest.mark.parametrize(
    ("rows", "path", "message"),
    [
        ([{"name": " ", "stop_date": date(2027, 1, 1)}], "medications.0.name", "Name the"),
        ([{}, {"name": "x" * 201}], "medications.1.name", "at most 200 characters"),
        ([{"name": "Tecfidera", "stop_date": "soon"}], "medications.0.stop_date", "valid date"),
        ([{"name": "A\x00"}], "medications.0.name", "Null characters"),
        (["Tecfidera"], "medications.0", "a name and an optional stop date"),
        ([{"name": f"Drug {n}"} for n in range(31)], "medications", "at most 30"),
    ],
)
def test_a_bad_medication_is_named_by_its_row(rows, path, message):
    with pytest.raises(IntakeInvalid) as caught:
        medications_clean(rows)
    assert any(message in m for m in caught.value.errors[path]), caught.value.errors


def test_a_whole_request_names_the_problems_of_both_parts():
    with pytest.raises(IntakeInvalid) as caught:
        intake_clean(values(member_id=""), [{"name": "", "stop_date": date(2027, 1, 1)}])
    assert set(caught.value.errors) == {"member_id", "medications.0.name"}
    assert "member_id: This field is required." in str(caught.value)
    request = intake_clean(values(), [{"name": "Vitamin D"}])
    assert request.medications == [{"name": "Vitamin D", "stop_date": None}]
    assert request.fields["member_id"] == "M123"
