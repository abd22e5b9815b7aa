"""The intake form: every field's bad values get a message at that field."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from reviews.forms.intake import CaseIntakeForm, MedicationFormSet
from reviews.intake import icd10_normalize, icd10_problem, npi_is_valid
from tests.factories import KESIMPTA_FORM_ROWS, KESIMPTA_REGIMEN, VALID_NPI

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 27, 14, 0, tzinfo=NY)


@pytest.fixture(autouse=True)
def frozen_clock(settings):
    settings.TIME_ZONE = "America/New_York"
    with time_machine.travel(NOW, tick=False):
        yield


def valid(**changes) -> dict:
    data = {
        "member_name": "Maria Alvarez",
        "member_id": "M123",
        "member_dob": "1988-04-12",
        "prescriber_name": "Dr. Elena Marsh",
        "prescriber_npi": VALID_NPI,
        "prescriber_specialty": "Neurology",
        "diagnosis_codes": "G35.A",
        "drug_name": "Kesimpta",
        "hcpcs_code": "J3490",
        **KESIMPTA_FORM_ROWS,
        "request_type": "initial",
        "urgency": "standard",
        "line_of_business": "commercial",
        "received_at": "2026-11-27T13:50",
        "document_kind": "clinical_note",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_valid_request_converts_to_case_fields():
    form = CaseIntakeForm(valid(diagnosis_codes="g35a, G43.909"))
    assert form.is_valid(), form.errors
    fields = form.case_fields()
    assert fields["diagnosis_codes"] == ["G35.A", "G43.909"]
    assert fields["regimen"] == KESIMPTA_REGIMEN
    assert fields["received_at"] == datetime(2026, 11, 27, 13, 50, tzinfo=NY)
    assert fields["backdate_reason"] == ""


def test_an_empty_receipt_time_means_now():
    form = CaseIntakeForm(valid(received_at=""))
    assert form.is_valid(), form.errors
    assert form.case_fields()["received_at"] == NOW


def _one_row(**row) -> dict:
    """The page with only the first phase row filled: the common case."""
    cleared = {key: "" for key in KESIMPTA_FORM_ROWS}
    return valid(**{**cleared, **{f"phase0_{k}": v for k, v in row.items()}})


def test_a_regimen_general_enough_for_other_drugs():
    form = CaseIntakeForm(
        _one_row(
            amount="600", dose_unit="mg", route="intravenous", every="6", unit="calendar_month"
        )
    )
    assert form.is_valid(), form.errors
    assert form.case_fields()["regimen"] == {
        "phases": [
            {
                "dose": {"amount": "600", "unit": "mg"},
                "route": "intravenous",
                "schedule": {"every": 6, "unit": "calendar_month"},
            }
        ]
    }
    form = CaseIntakeForm(
        valid(phase0_at="0", phase1_every="14", phase1_unit="day", phase1_start="")
    )
    assert form.is_valid(), form.errors


def test_the_infusion_as_two_rows_and_an_empty_third():
    form = CaseIntakeForm(
        valid(
            phase0_amount="300",
            phase0_route="intravenous",
            phase0_at="0, 14",
            phase0_unit="day",
            phase1_amount="600",
            phase1_route="intravenous",
            phase1_every="6",
            phase1_start="24",
            phase2_route="intravenous",
            phase2_dose_unit="mg",
        )
    )
    assert form.is_valid(), form.errors
    phases = form.case_fields()["regimen"]["phases"]
    assert [p["dose"]["amount"] for p in phases] == ["300", "600"]
    assert phases[0]["schedule"] == {"at": [0, 14], "unit": "day"}
    assert phases[1]["schedule"] == {
        "every": 6,
        "unit": "calendar_month",
        "start": 24,
        "start_unit": "week",
    }


def test_a_bad_third_row_gets_its_messages_in_its_row():
    form = CaseIntakeForm(valid(phase2_amount="5", phase2_every="", phase2_at=""))
    assert not form.is_valid()
    assert "Give the offsets of a series of doses" in form.errors["phase2_every"][0]
    assert form.more_phases_open


BAD_VALUES = [
    ("member_name", {"member_name": ""}, "This field is required"),
    ("member_id", {"member_id": ""}, "This field is required"),
    ("member_dob", {"member_dob": "2026-12-01"}, "date of birth is in the future"),
    (
        "member_dob",
        {"member_dob": "2026-11-27", "received_at": "2026-11-20T09:00", "backdate_reason": "Faxed"},
        "after the request was received",
    ),
    ("member_dob", {"member_dob": "1880-01-01"}, "more than 130 years ago"),
    ("member_dob", {"member_dob": "12/40/1988"}, "Enter a valid date"),
    ("prescriber_npi", {"prescriber_npi": "1234567890"}, "check digit does not match"),
    ("prescriber_npi", {"prescriber_npi": "12345abcde"}, "exactly 10 digits"),
    ("prescriber_npi", {"prescriber_npi": "123456789"}, "at least 10 characters"),
    ("prescriber_specialty", {"prescriber_specialty": ""}, "This field is required"),
    ("prescriber_credential", {"prescriber_credential": "RN"}, "Select a valid choice"),
    (
        "consult_date",
        {
            "consulting_name": "Dr. Chen",
            "consulting_specialty": "Neurology",
            "consult_date": "2026-12-24",
        },
        "consultation date is in the future",
    ),
    (
        "consult_date",
        {
            "consulting_name": "Dr. Chen",
            "consulting_specialty": "Neurology",
            "consult_date": "2026-11-26",
            "received_at": "2026-11-20T09:00",
            "backdate_reason": "Faxed",
        },
        "after the request was received",
    ),
    ("diagnosis_codes", {"diagnosis_codes": ""}, "This field is required"),
    ("diagnosis_codes", {"diagnosis_codes": "G3"}, "G3 is not an ICD-10-CM code"),
    ("diagnosis_codes", {"diagnosis_codes": "G35.A, 123.4"}, "123.4 is not an ICD-10-CM code"),
    ("diagnosis_codes", {"diagnosis_codes": "G35.ABCDE"}, "not an ICD-10-CM code"),
    ("diagnosis_codes", {"diagnosis_codes": "G35"}, "Use one of: G35.A, G35.B0"),
    ("diagnosis_codes", {"diagnosis_codes": "G35.B"}, "not billable"),
    ("diagnosis_codes", {"diagnosis_codes": "G35.E"}, "G35.E is not an ICD-10-CM code"),
    ("drug_name", {"drug_name": ""}, "This field is required"),
    ("hcpcs_code", {"hcpcs_code": "3490"}, "a letter and four digits"),
    ("phase0_amount", {"phase0_amount": "0"}, "greater than or equal to 0.001"),
    ("phase0_amount", {"phase0_amount": "twenty"}, "Enter a number"),
    ("phase0_amount", {"phase0_amount": ""}, "This field is required"),
    ("phase1_amount", {"phase1_amount": ""}, "This field is required"),
    ("phase0_dose_unit", {"phase0_dose_unit": "spoonfuls"}, "Select a valid choice"),
    ("phase1_dose_unit", {"phase1_dose_unit": "mL"}, "one dose unit"),
    ("phase0_route", {"phase0_route": "by mouth-ish"}, "Select a valid choice"),
    ("phase0_route", {"phase0_route": ""}, "This field is required"),
    ("phase0_at", {"phase0_at": "0, one, 2"}, "Whole numbers only"),
    ("phase0_at", {"phase0_at": "2, 1"}, "ascending order"),
    ("phase0_at", {"phase0_at": "0, 0"}, "each offset once"),
    ("phase0_unit", {"phase0_unit": "calendar_month"}, "Select a valid choice"),
    ("phase1_unit", {"phase1_unit": ""}, "This field is required"),
    ("phase1_every", {"phase1_every": ""}, "Give the offsets of a series"),
    ("phase1_every", {"phase1_at": "0"}, "not both"),
    ("phase1_every", {"phase1_every": "0"}, "greater than or equal to 1"),
    ("phase1_unit", {"phase1_unit": "fortnight"}, "Select a valid choice"),
    ("phase1_start", {"phase1_start": "-1"}, "greater than or equal to 0"),
    ("phase0_start", {"phase0_start": "3"}, "no start"),
    ("request_type", {"request_type": "renewal"}, "Select a valid choice"),
    ("therapy_start_date", {"request_type": "continuation"}, "needs the date therapy"),
    (
        "therapy_start_date",
        {"request_type": "continuation", "therapy_start_date": "2026-12-01"},
        "therapy start date is in the future",
    ),
    (
        "therapy_start_date",
        {
            "request_type": "continuation",
            "therapy_start_date": "2026-11-25",
            "received_at": "2026-11-20T09:00",
            "backdate_reason": "Faxed",
        },
        "cannot have begun after the request was received",
    ),
    ("urgency", {"urgency": "urgent"}, "Select a valid choice"),
    ("line_of_business", {"line_of_business": "medicare_part_d"}, "Select a valid choice"),
    ("received_at", {"received_at": "2026-11-27T15:00"}, "receipt time is in the future"),
    ("received_at", {"received_at": "yesterday"}, "Enter a valid date/time"),
    ("backdate_reason", {"received_at": "2026-11-26T09:00"}, "more than 30 minutes ago"),
    (
        "backdate_reason",
        {"received_at": "2026-11-26T09:00", "backdate_reason": "   "},
        "more than 30 minutes ago",
    ),
    ("document_kind", {"document_kind": "selfie"}, "Select a valid choice"),
]


@pytest.mark.parametrize(
    ("field", "changes", "message"),
    BAD_VALUES,
    ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(BAD_VALUES)],
)
def test_a_bad_value_gets_a_message_at_its_field(field, changes, message):
    form = CaseIntakeForm(valid(**changes))
    assert not form.is_valid()
    assert field in form.errors, form.errors
    assert any(message in error for error in form.errors[field]), form.errors[field]


def test_a_backdated_receipt_with_a_reason_is_kept_with_its_reason():
    form = CaseIntakeForm(valid(received_at="2026-11-26T09:00", backdate_reason="Faxed Friday"))
    assert form.is_valid(), form.errors
    assert form.case_fields()["backdate_reason"] == "Faxed Friday"


@pytest.mark.parametrize(
    "changes",
    [
        {"prescriber_specialty": "Family medicine"},
        {"prescriber_specialty": "Pediatric Neurology"},
        {"prescriber_specialty": "Neurology", "prescriber_credential": "np"},
        {"prescriber_specialty": "General practice", "prescriber_credential": "pa"},
        {"prescriber_specialty": "Internal medicine", "consulting_name": "Dr. Chen"},
        {"prescriber_specialty": "Family medicine", "consult_date": "2026-11-02"},
    ],
)
def test_who_prescribes_is_for_the_reviewers_not_a_reason_to_refuse(changes):
    # Whether the prescriber is a specialist, or consulted one, is a criterion of the policy
    # (judged in review); intake takes the request, with whatever consultation details it has.
    form = CaseIntakeForm(valid(**changes))
    assert form.is_valid(), form.errors
    fields = form.case_fields()
    for name, value in changes.items():
        if name != "consult_date":
            assert fields[name] == value


def test_a_generalist_with_a_consultation_is_fine():
    form = CaseIntakeForm(
        valid(
            prescriber_specialty="Family medicine",
            consulting_name="Dr. Mei Chen",
            consulting_specialty="Neurology",
            consult_date="2026-10-01",
        )
    )
    assert form.is_valid(), form.errors


# ---- the FY2026 split of G35 ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "received", "problem"),
    [
        ("G35", datetime(2025, 9, 30).date(), None),
        ("G35", datetime(2025, 10, 1).date(), "not billable for requests received on or after"),
        ("G35.A", datetime(2025, 10, 1).date(), None),
        ("G35.D", datetime(2026, 5, 1).date(), None),
        ("G35.C1", datetime(2026, 5, 1).date(), None),
        ("G35.C", datetime(2026, 5, 1).date(), "not billable"),
        ("G35.A", datetime(2025, 9, 30).date(), "takes effect on 1 October 2025"),
        ("G43.909", datetime(2026, 5, 1).date(), None),
    ],
)
def test_g35_is_a_parent_code_from_1_october_2025(code, received, problem):
    found = icd10_problem(code, received_on=received)
    if problem is None:
        assert found is None
    else:
        assert problem in found


def test_the_g35_message_names_the_valid_codes():
    message = icd10_problem("G35", received_on=datetime(2026, 1, 1).date())
    for code in ("G35.A", "G35.B0", "G35.B1", "G35.B2", "G35.C0", "G35.C1", "G35.C2", "G35.D"):
        assert code in message


def test_a_request_received_before_the_split_may_use_g35():
    form = CaseIntakeForm(
        valid(
            diagnosis_codes="G35",
            received_at="2025-09-30T10:00",
            backdate_reason="Old fax found in the queue",
        )
    )
    assert form.is_valid(), form.errors


def test_icd10_codes_are_normalized():
    assert icd10_normalize(" g35a ") == "G35.A"
    assert icd10_normalize("g43909") == "G43.909"
    assert icd10_normalize("z79.899") == "Z79.899"


@pytest.mark.parametrize("npi", ["1234567893", "1245319599", "1003000126"])
def test_valid_npis(npi):
    assert npi_is_valid(npi)


@pytest.mark.parametrize("npi", ["1234567890", "1245319590", "123456789", "12345678931", ""])
def test_invalid_npis(npi):
    assert not npi_is_valid(npi)


# ---- current medications --------------------------------------------------------------------


def rows(*entries):
    data = {"meds-TOTAL_FORMS": str(len(entries)), "meds-INITIAL_FORMS": "0"}
    for i, (name, plan, stop) in enumerate(entries):
        data |= {f"meds-{i}-name": name, f"meds-{i}-plan": plan, f"meds-{i}-stop_date": stop}
    return data


def test_medications_continue_or_stop_on_a_date_and_empty_rows_are_ignored():
    formset = MedicationFormSet(
        rows(
            ("Tecfidera", "stops", "2026-12-01"),
            ("", "continues", ""),
            ("Vitamin D", "continues", ""),
        ),
        prefix="meds",
    )
    assert formset.is_valid(), formset.errors
    assert formset.medications() == [
        {"name": "Tecfidera", "stop_date": datetime(2026, 12, 1).date()},
        {"name": "Vitamin D", "stop_date": None},
    ]


@pytest.mark.parametrize(
    ("entry", "field", "message"),
    [
        (("Tecfidera", "stops", ""), "stop_date", "On what date does Tecfidera stop?"),
        (("Tecfidera", "continues", "2026-12-01"), "stop_date", 'Choose "Stops on"'),
        (("", "stops", "2026-12-01"), "name", "Name the medication"),
        (("Tecfidera", "stops", "soon"), "stop_date", "Enter a valid date"),
        (("Tecfidera", "pauses", ""), "plan", "Select a valid choice"),
    ],
)
def test_a_bad_medication_row_gets_a_message_at_its_field(entry, field, message):
    formset = MedicationFormSet(rows(entry), prefix="meds")
    assert not formset.is_valid()
    assert any(message in e for e in formset.forms[0].errors[field]), formset.errors


def test_the_receipt_default_is_now_rounded_to_the_minute():
    form = CaseIntakeForm()
    assert form.initial["received_at"] == NOW.replace(second=0) - timedelta(0)


@pytest.mark.django_db
def test_a_suggested_passage_is_chosen_by_what_it_is_not_its_place():
    from types import SimpleNamespace

    from reviews.forms.review import AnswerForm, passage_key
    from reviews.models import Document

    first = SimpleNamespace(document_id=1, page=1, text="Relapsing-remitting MS.")
    second = SimpleNamespace(document_id=1, page=2, text="No other therapy.")
    documents = Document.objects.none()
    form = AnswerForm(
        {"answer": "met", "passage": passage_key(second)},
        documents=documents,
        passages=[first, second],
    )
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["evidence_page"], form.cleaned_data["evidence_quote"]) == (
        2,
        "No other therapy.",
    )
    # The list changed since the step was shown (a document was read meanwhile): the old
    # choice is refused, never taken as whatever now stands in its place.
    stale = AnswerForm(
        {"answer": "met", "passage": passage_key(second)}, documents=documents, passages=[first]
    )
    assert not stale.is_valid()
    assert stale.errors["passage"] == [
        "The suggested passages changed since this page was shown: choose again."
    ]
    assert not AnswerForm(
        {"answer": "met", "passage": "0"}, documents=documents, passages=[first, second]
    ).is_valid()
