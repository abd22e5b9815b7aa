"""The case's indication: chosen at intake from the diagnosis codes, else by the nurse with
her reason; the nurse then walks only that indication's criteria, and its periods and dosing
make the approval's terms."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from reviews.errors import ReviewError, StaleCase
from reviews.models import Case, CaseEvent
from reviews.selectors.physician import criteria_choices
from reviews.selectors.review import case_review_state
from reviews.services import nurse_review
from reviews.services.determinations import NoContinuation, approval_terms
from reviews.services.indications import NOT_LISTED, case_indication_choose
from tests.review_fixtures import kesimpta_request

pytestmark = pytest.mark.django_db

REGIMEN = {
    "phases": [
        {
            "name": "Loading",
            "dose": {"amount": "300", "unit": "mg"},
            "route": "intravenous",
            "schedule": {"at": [0, 2], "unit": "week"},
            "initial_only": True,
        },
        {
            "name": "Maintenance",
            "dose": {"amount": "300", "unit": "mg"},
            "route": "intravenous",
            "schedule": {"every": 6, "unit": "calendar_month", "start": 24, "start_unit": "week"},
        },
    ]
}


def infusab(nurse, codes, **fields):
    return kesimpta_request(
        nurse,
        drug_name="Infusab",
        hcpcs_code="J3590",
        diagnosis_codes=codes,
        regimen=dict(REGIMEN),
        **fields,
    )


def claimed(case, nurse):
    nurse_review.case_claim(case=case, nurse=nurse)
    case.refresh_from_db()
    return case


def chosen_events(case):
    return list(case.events.filter(kind=CaseEvent.Kind.INDICATION_CHOSEN).order_by("pk"))


@pytest.mark.parametrize(
    ("codes", "key"), [(["G35.A"], "relapsing_ms"), (["G36.0", "R26.89"], "nmosd")]
)
def test_one_fitting_indication_is_chosen_at_intake(two_indications, nurse, codes, key):
    case = infusab(nurse, codes)
    case.refresh_from_db()
    assert (case.status, case.indication) == (Case.Status.NURSE_REVIEW, key)
    (event,) = chosen_events(case)
    assert event.actor == nurse and event.payload["automatic"] is True
    assert event.payload["indication"] == key and event.payload["reason"].startswith("Diagnosis:")
    assert case.indication_reason == event.payload["reason"]


@pytest.mark.parametrize("codes", [["G35.A", "G36.0"], ["R26.89"]])
def test_several_or_no_fitting_indications_wait_for_the_nurse(two_indications, nurse, codes):
    case = claimed(infusab(nurse, codes), nurse)
    assert case.indication == "" and chosen_events(case) == []
    state = case_review_state(case=case)
    assert state.indication_needed and state.steps == [] and state.first_open_step is None
    assert not state.all_met
    assert state.approval_refusal.startswith("Choose the indication")
    assert state.failing_items[0].startswith("Indication not chosen")
    with pytest.raises(ReviewError, match="no criterion on this case's path"):
        nurse_review.criterion_answer_save(case=case, nurse=nurse, label="C-1", answer="met")
    with pytest.raises(ReviewError, match="Choose the indication"):
        approval_terms(case=case)


def test_the_nurse_chooses_with_a_reason_and_walks_only_that_indication(two_indications, nurse):
    case = claimed(infusab(nurse, ["G35.A", "G36.0"]), nurse)
    case_indication_choose(
        case=case, nurse=nurse, indication="nmosd", reason="Neurology note: NMOSD, AQP4+."
    )
    case.refresh_from_db()
    assert (case.indication, case.indication_reason) == ("nmosd", "Neurology note: NMOSD, AQP4+.")
    (event,) = chosen_events(case)
    assert (event.actor, event.payload) == (
        nurse,
        {
            "indication": "nmosd",
            "name": "Neuromyelitis optica spectrum disorder",
            "reason": "Neurology note: NMOSD, AQP4+.",
            "automatic": False,
        },
    )
    state = case_review_state(case=case)
    assert [s.node.label for s in state.steps] == ["C-1", "NM-1"]
    assert [label for label, _ in criteria_choices(state)] == ["C-1", "NM-1"]


def test_bad_choices_are_refused_with_a_reason(two_indications, nurse):
    case = claimed(infusab(nurse, ["R26.89"]), nurse)
    with pytest.raises(ReviewError, match="Say why"):
        case_indication_choose(case=case, nurse=nurse, indication="nmosd", reason="  ")
    with pytest.raises(ReviewError, match="no indication 'psoriasis'"):
        case_indication_choose(case=case, nurse=nurse, indication="psoriasis", reason="x")
    case.refresh_from_db()
    assert case.indication == "" and chosen_events(case) == []


def test_only_the_assigned_nurse_may_choose(two_indications, nurse, nurse2, physician, auditor):
    case = infusab(nurse, ["R26.89"])
    for user in (physician, auditor):
        with pytest.raises(PermissionDenied, match="Only nurse reviewers"):
            case_indication_choose(case=case, nurse=user, indication="nmosd", reason="x")
    with pytest.raises(PermissionDenied, match="Claim this case"):
        case_indication_choose(case=case, nurse=nurse, indication="nmosd", reason="x")
    claimed(case, nurse)
    with pytest.raises(PermissionDenied, match="Claim this case"):
        case_indication_choose(case=case, nurse=nurse2, indication="nmosd", reason="x")
    assert chosen_events(case) == []


def test_a_request_that_fits_none_goes_to_a_physician_case_by_case(two_indications, nurse):
    case = claimed(infusab(nurse, ["R26.89"]), nurse)
    case = case_indication_choose(
        case=case, nurse=nurse, indication="", reason="Requested for myasthenia gravis."
    )
    case.refresh_from_db()
    assert (case.status, case.assignee, case.indication) == (
        Case.Status.PHYSICIAN_QUEUE,
        None,
        "",
    )
    move = case.events.filter(kind=CaseEvent.Kind.STATUS).latest("pk")
    assert move.to_status == Case.Status.PHYSICIAN_QUEUE
    assert move.payload["reason"].endswith(NOT_LISTED)
    assert "fits none of the policy's indications" in move.payload["reason"]
    assert move.payload["comment"] == "Requested for myasthenia gravis."
    assert chosen_events(case)[0].payload["name"] == "none of the policy's indications"
    with pytest.raises(StaleCase):
        case_indication_choose(case=case, nurse=nurse, indication="nmosd", reason="x")


def test_the_terms_are_the_indications(two_indications, nurse):
    ms = infusab(nurse, ["G35.A"])
    # 6 calendar months from 31 January end on 30 July: loading on days 0 and 14, then the
    # first maintenance dose at week 24 (18 July).
    terms = approval_terms(case=ms, start=date(2026, 1, 31))
    assert (terms.start, terms.end, terms.doses, terms.amount, terms.unit) == (
        date(2026, 1, 31),
        date(2026, 7, 30),
        3,
        900,
        "mg",
    )
    nmosd = infusab(nurse, ["G36.0"])
    terms = approval_terms(case=nmosd, start=date(2026, 1, 5))
    # No dosing rule for this indication: the requested regimen over 52 weeks, as requested:
    # 300 mg on days 0 and 14, then at week 24 (22 June) and 6 months on (22 December).
    assert (terms.end, terms.doses, terms.amount, terms.as_requested) == (
        date(2027, 1, 3),
        4,
        1200,
        True,
    )
    continuation = infusab(
        nurse, ["G36.0"], request_type="continuation", therapy_start_date=date(2025, 1, 1)
    )
    with pytest.raises(NoContinuation, match="no reauthorization for Neuromyelitis"):
        approval_terms(case=continuation)


def test_escalation_names_only_the_indications_criteria(two_indications, nurse):
    case = claimed(infusab(nurse, ["G36.0"]), nurse)
    nurse_review.criterion_answer_save(case=case, nurse=nurse, label="C-1", answer="not_met")
    nurse_review.case_escalate(case=case, nurse=nurse)
    move = case.events.filter(kind=CaseEvent.Kind.STATUS).latest("pk")
    assert move.payload["indication"] == "nmosd"
    assert [r.split(" ")[0] for r in move.payload["reasons"]] == ["C-1", "NM-1"]
