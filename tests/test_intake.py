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
from tests.factories import KESIMPTA_REGIMEN, VALID_NPI

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 27, 14, 0, tzinfo=NY)

pytestmark = pytest.mark.django_db  # no query: the Case model's field limits are read


@pytest.fixture(autouse=True)
def frozen_clock(settings):
    settings.TIME_ZONE = "America/New_York"
    with time_machine.travel(NOW, tick=False):
        yield


def phase(amount=Decimal("20"), unit="mg", route="subcutaneous", **changes) -> dict:
    """The Kesimpta maintenance phase, as a request states it; `changes` replace its keys."""
    return {
        "name": "Maintenance",
        "dose": {"amount": amount, "unit": unit},
        "route": route,
        "schedule": {"every": 1, "unit": "calendar_month", "start": 4, "start_unit": "week"},
        **changes,
    }


LOADING = {
    "name": "Loading",
    "dose": {"amount": Decimal("20"), "unit": "mg"},
    "route": "subcutaneous",
    "schedule": {"at": [0, 1, 2], "unit": "week"},
    "initial_only": True,
}


def regimen(*phases, **changes) -> dict:
    """Kesimpta's loading and maintenance phases; `phases` replace the maintenance."""
    return {"phases": [LOADING, *(phases or [phase()])], **changes}


def schedule(**schedule) -> dict:
    """A regimen whose maintenance phase has this schedule."""
    return regimen(phase(schedule=schedule))


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
            regimen=regimen(phase(amount=Decimal("20.000"), name="  Maintenance ")),
        )
    )
    assert fields["member_name"] == "Maria Alvarez"
    assert fields["diagnosis_codes"] == ["G35.A", "G43.909"]
    assert fields["hcpcs_code"] == "J3490"
    assert fields["regimen"] == KESIMPTA_REGIMEN
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
    ("regimen", {"regimen": {"dose_amount": "20"}}, "Unknown regimen fields: dose_amount."),
    ("regimen.phases", {"regimen": {"phases": []}}, "Give one or more phases"),
    ("regimen.phases", {"regimen": {"phases": "20 mg"}}, "Give one or more phases"),
    ("regimen.phases", {"regimen": {"phases": [phase()] * 7}}, "At most 6 phases."),
    ("regimen.phases.1", {"regimen": regimen("monthly")}, "Give the phase as an object."),
    ("regimen.phases.1", {"regimen": regimen(phase(dosage=1))}, "Unknown phase fields: dosage."),
    ("regimen.phases.1.name", {"regimen": regimen(phase(name=5))}, "at most 40 characters"),
    ("regimen.phases.1.dose", {"regimen": regimen(phase(dose="20 mg"))}, "Give the dose as"),
    ("regimen.phases.1.dose.amount", {"regimen": regimen(phase(amount=None))}, "required"),
    ("regimen.phases.1.dose.amount", {"regimen": regimen(phase(amount="twenty"))}, "a number"),
    ("regimen.phases.1.dose.amount", {"regimen": regimen(phase(amount=True))}, "Enter a number."),
    ("regimen.phases.1.dose.amount", {"regimen": regimen(phase(amount="NaN"))}, "Enter a number"),
    ("regimen.phases.1.dose.amount", {"regimen": regimen(phase(amount=0))}, "greater than or"),
    ("regimen.phases.1.dose.amount", {"regimen": regimen(phase(amount="1e9"))}, "less than or"),
    ("regimen.phases.1.dose.amount", {"regimen": regimen(phase(amount="1.0005"))}, "3 decimal"),
    ("regimen.phases.1.dose.unit", {"regimen": regimen(phase(unit="spoonfuls"))}, "Select a"),
    ("regimen.phases.1.dose.unit", {"regimen": regimen(phase(unit="mL"))}, "one dose unit"),
    ("regimen.phases.1.route", {"regimen": regimen(phase(route=""))}, "This field is required."),
    ("regimen.phases.1.initial_only", {"regimen": regimen(phase(initial_only="y"))}, "true or"),
    ("regimen.phases.1.schedule", {"regimen": regimen(phase(schedule=None))}, "required"),
    ("regimen.phases.1.schedule", {"regimen": schedule(every=1, unit="week", x=1)}, "Unknown"),
    ("regimen.phases.1.schedule.at", {"regimen": schedule(at=[2, 1], unit="week")}, "ascending"),
    ("regimen.phases.1.schedule.at", {"regimen": schedule(at=[0, 0], unit="week")}, "once"),
    ("regimen.phases.1.schedule.at", {"regimen": schedule(at=[-1], unit="week")}, "from 0"),
    ("regimen.phases.1.schedule.at", {"regimen": schedule(at=[521], unit="week")}, "ten years"),
    ("regimen.phases.1.schedule.at", {"regimen": schedule(at="0, 1", unit="week")}, "Whole"),
    ("regimen.phases.1.schedule.at", {"regimen": schedule(at=[True], unit="week")}, "Whole"),
    (
        "regimen.phases.1.schedule.unit",
        {"regimen": schedule(at=[0], unit="calendar_month")},
        "Select",
    ),
    (
        "regimen.phases.1.schedule.start",
        {"regimen": schedule(at=[0], unit="day", start=3)},
        "no start",
    ),
    ("regimen.phases.1.schedule.every", {"regimen": schedule(unit="week")}, "Give the offsets"),
    (
        "regimen.phases.1.schedule.every",
        {"regimen": schedule(at=[0], every=1, unit="week")},
        "not both",
    ),
    ("regimen.phases.1.schedule.unit", {"regimen": schedule(every=1)}, "This field is required."),
    ("regimen.phases.1.schedule.every", {"regimen": schedule(every=0, unit="week")}, "greater"),
    ("regimen.phases.1.schedule.every", {"regimen": schedule(every=366, unit="week")}, "less"),
    ("regimen.phases.1.schedule.unit", {"regimen": schedule(every=2, unit="fortnight")}, "Select"),
    (
        "regimen.phases.1.schedule.start",
        {"regimen": schedule(every=2, unit="week", start=-1)},
        "greater",
    ),
    (
        "regimen.phases.1.schedule.start_unit",
        {"regimen": schedule(every=2, unit="week", start=1, start_unit="month")},
        "Select a valid choice",
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
        regimen=regimen(
            phase(schedule={"every": 1}), phase(schedule={"at": [2, 1], "unit": "week"})
        ),
    )
    assert set(errors) == {
        "prescriber_npi",
        "diagnosis_codes",
        "member_dob",
        "regimen.phases.1.schedule.unit",
        "regimen.phases.2.schedule.at",
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
