"""The nurse's services through every branch of the Kesimpta tree and its edges."""

import copy
import threading
from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from reviews.errors import AlreadyClaimed, ReviewError, ReviewIncomplete, StaleCase
from reviews.models import Case, CaseEvent, CriterionAnswer, Determination
from reviews.selectors.review import case_review_state
from reviews.services import nurse_review as services
from tests import services_available
from tests.builders import answered_case
from tests.conftest import require_service
from tests.review_fixtures import (
    JUDGED_CONTINUATION,
    JUDGED_INITIAL,
    KESIMPTA_REGIMEN,
    kesimpta_request,
)

pytestmark = pytest.mark.django_db


def answer_all(case, nurse, judged, **overrides):
    """Confirm every suggestion and give the judged answers, as a nurse walking the steps;
    the review state after."""
    answered_case(case, nurse, judged=judged, claim=False, **overrides)
    return case_review_state(case=case)


def claimed(case, nurse):
    services.case_claim(case=case, nurse=nurse)
    case.refresh_from_db()
    return case


# ---- claiming --------------------------------------------------------------------------


def test_claim_takes_an_unclaimed_case_and_records_it(clear_case, nurse):
    services.case_claim(case=clear_case, nurse=nurse)
    clear_case.refresh_from_db()
    assert clear_case.assignee == nurse
    assert CaseEvent.objects.filter(case=clear_case, kind="claimed", actor=nurse).exists()
    services.case_claim(case=clear_case, nurse=nurse)  # claiming again is harmless
    assert CaseEvent.objects.filter(case=clear_case, kind="claimed").count() == 1


def test_second_nurse_is_told_who_has_the_case(clear_case, nurse, nurse2):
    services.case_claim(case=clear_case, nurse=nurse)
    with pytest.raises(AlreadyClaimed, match="Nina Lopez, RN has already claimed this case"):
        services.case_claim(case=clear_case, nurse=nurse2)


def test_only_nurses_claim(clear_case, physician, auditor):
    for user in (physician, auditor):
        with pytest.raises(PermissionDenied):
            services.case_claim(case=clear_case, nurse=user)


@pytest.mark.django_db(transaction=True)
def test_two_nurses_claiming_at_once_exactly_one_wins(kesimpta, nurse, nurse2):
    require_service(
        "PostgreSQL",
        services_available.postgres(),
        "set DATABASE_URL to PostgreSQL: SQLite serializes writers",
    )
    case = kesimpta_request(nurse)
    barrier = threading.Barrier(2)
    outcomes = {}

    def claim(user):
        try:
            barrier.wait()
            services.case_claim(case=Case.objects.get(pk=case.pk), nurse=user)
            outcomes[user.username] = "won"
        except AlreadyClaimed as error:
            outcomes[user.username] = str(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(u,)) for u in (nurse, nurse2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes.values()).count("won") == 1
    loser = next(v for v in outcomes.values() if v != "won")
    assert "has already claimed this case" in loser
    assert CaseEvent.objects.filter(case=case, kind="claimed").count() == 1


# ---- answering -------------------------------------------------------------------------


def test_answers_need_a_claim(clear_case, nurse, nurse2):
    with pytest.raises(PermissionDenied, match="Claim this case"):
        services.criterion_answer_save(case=clear_case, nurse=nurse, label="PRE-1", answer="met")
    claimed(clear_case, nurse)
    with pytest.raises(PermissionDenied):
        services.criterion_answer_save(case=clear_case, nurse=nurse2, label="PRE-1", answer="met")


def test_an_answer_is_saved_and_changed_with_an_event_each_time(kesimpta, nurse):
    # G35.D (MS, unspecified) suggests nothing for PRE-1, so no answer overrides a suggestion.
    case = claimed(kesimpta_request(nurse, diagnosis_codes=["G35.D"]), nurse)
    services.criterion_answer_save(case=case, nurse=nurse, label="PRE-1", answer="not_documented")
    services.criterion_answer_save(
        case=case, nurse=nurse, label="PRE-1", answer="met", comment="Neurology note page 1."
    )
    answer = CriterionAnswer.objects.get(case=case)
    assert (answer.answer, answer.comment, answer.policy_version) == (
        "met",
        "Neurology note page 1.",
        case.policy_version,
    )
    events = CaseEvent.objects.filter(case=case, kind="answer").order_by("pk")
    assert [e.payload["previous"] for e in events] == [None, "not_documented"]


def test_overriding_a_suggestion_needs_a_comment(clear_case, nurse):
    case = claimed(clear_case, nurse)
    with pytest.raises(ReviewError, match="suggests “Met”"):
        services.criterion_answer_save(case=case, nurse=nurse, label="1.A.ii", answer="not_met")
    saved = services.criterion_answer_save(
        case=case,
        nurse=nurse,
        label="1.A.ii",
        answer="not_met",
        comment="DOB on the ID card differs.",
    )
    assert saved.overrides_suggestion and saved.suggested == "met"


def test_a_criterion_of_the_other_path_cannot_be_answered(clear_case, nurse):
    case = claimed(clear_case, nurse)
    with pytest.raises(ReviewError, match="no criterion on this case's path"):
        services.criterion_answer_save(case=case, nurse=nurse, label="1.B.i", answer="met")


def test_evidence_must_be_a_document_of_this_case(clear_case, nurse, kesimpta):
    from tests.factories import document_for

    case = claimed(clear_case, nurse)
    other = kesimpta_request(nurse, member_id="M7654321")
    foreign = document_for(other, user=nurse)
    with pytest.raises(ReviewError, match="document of this case"):
        services.criterion_answer_save(
            case=case,
            nurse=nurse,
            label="PRE-1",
            answer="met",
            evidence_document=foreign,
            evidence_page=1,
        )
    own = document_for(case, user=nurse)
    saved = services.criterion_answer_save(
        case=case,
        nurse=nurse,
        label="PRE-1",
        answer="met",
        evidence_document=own,
        evidence_page=1,
        evidence_quote="Relapsing-remitting MS.",
    )
    assert saved.evidence_document == own


# ---- every branch through to approve or escalate ---------------------------------------


def _approve(case, nurse):
    determination = services.case_approve_by_nurse(case=case, nurse=nurse)
    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED
    return determination


def test_clear_initial_request_is_approved_with_period_and_quantity(clear_case, nurse):
    case = claimed(clear_case, nurse)
    state = answer_all(case, nurse, JUDGED_INITIAL)
    assert state.all_met and state.path == "initial"
    determination = _approve(case, nurse)
    today = timezone.localdate()
    assert determination.outcome == "approved" and determination.role == "nurse"
    assert (determination.approval_start, determination.approval_end) == (
        today,
        today + timedelta(days=364),
    )
    assert (determination.authorized_doses, determination.authorized_amount) == (15, 300)
    assert determination.authorization_number == case.reference.replace("PA-", "AU-")
    assert determination.policy_version == case.policy_version
    assert determination.x12_action_code == "A1"
    assert not CriterionAnswer.objects.filter(case=case, locked_at__isnull=True).exists()


def test_continuation_via_objective_response_is_approved_for_the_extended_period(kesimpta, nurse):
    case = claimed(
        kesimpta_request(nurse, request_type="continuation", therapy_start_date=date(2024, 1, 10)),
        nurse,
    )
    state = answer_all(case, nurse, {**JUDGED_CONTINUATION, "1.B.ii.b": "not_documented"})
    assert state.all_met and state.path == "continuation"
    assert "1.A.i" not in {s.node.label for s in state.steps}
    determination = _approve(case, nurse)
    assert (determination.authorized_doses, determination.authorized_amount) == (12, 240)


def test_continuation_where_only_the_symptom_branch_holds_is_met(kesimpta, nurse):
    case = claimed(
        kesimpta_request(nurse, request_type="continuation", therapy_start_date=date(2024, 1, 10)),
        nurse,
    )
    state = answer_all(case, nurse, {**JUDGED_CONTINUATION, "1.B.ii.a": "not_met"})
    assert state.all_met
    _approve(case, nurse)


def test_continuation_without_documented_response_cannot_be_approved(kesimpta, nurse):
    case = claimed(
        kesimpta_request(nurse, request_type="continuation", therapy_start_date=date(2024, 1, 10)),
        nurse,
    )
    state = answer_all(
        case,
        nurse,
        {**JUDGED_CONTINUATION, "1.B.ii.a": "not_documented", "1.B.ii.b": "not_documented"},
    )
    assert not state.all_met and state.evaluation.result == "unknown"
    with pytest.raises(ReviewIncomplete, match=r"1\.B\.ii\.a not documented"):
        services.case_approve_by_nurse(case=case, nurse=nurse)
    services.case_escalate(case=case, nurse=nurse)
    event = CaseEvent.objects.filter(case=case, to_status="physician_queue").get()
    assert any(r.startswith("1.B.ii.b not documented") for r in event.payload["reasons"])


def test_continuation_under_12_months_on_kesimpta_fails_the_duration(kesimpta, nurse):
    start = timezone.localdate() - timedelta(days=200)
    case = claimed(
        kesimpta_request(nurse, request_type="continuation", therapy_start_date=start), nurse
    )
    state = answer_all(case, nurse, JUDGED_CONTINUATION)
    assert state.suggestions["1.B.duration"].answer == "not_met"
    assert state.evaluation.failing == ("1.B.duration",)


@pytest.mark.parametrize(
    "dob,expected",
    [
        (date(2008, 11, 28), "met"),  # 18th birthday on the request date
        (date(2008, 11, 29), "not_met"),  # 18 tomorrow: 17 on the request date
    ],
)
def test_age_on_the_request_date(kesimpta, nurse, dob, expected):
    received = timezone.make_aware(datetime(2026, 11, 28, 10, 0))
    case = claimed(kesimpta_request(nurse, member_dob=dob, received_at=received), nurse)
    state = answer_all(case, nurse, JUDGED_INITIAL)
    assert state.suggestions["1.A.ii"].answer == expected
    assert state.all_met is (expected == "met")


def test_primary_progressive_ms_is_escalated_with_the_reason(clear_case, nurse):
    case = claimed(clear_case, nurse)
    state = answer_all(case, nurse, JUDGED_INITIAL, **{"PRE-1": "not_met", "1.A.i": "not_met"})
    assert state.evaluation.result == "not_met"
    with pytest.raises(ReviewIncomplete):
        services.case_approve_by_nurse(case=case, nurse=nurse)
    services.case_escalate(case=case, nurse=nurse, comment="MRI and notes say PPMS.")
    case.refresh_from_db()
    assert case.status == "physician_queue" and case.assignee is None
    event = CaseEvent.objects.get(case=case, to_status="physician_queue")
    assert event.payload["reasons"][0].startswith("PRE-1 not met: The patient does NOT have")
    assert event.payload["comment"] == "MRI and notes say PPMS."
    assert not Determination.objects.filter(case=case).exists()


def test_an_agent_in_concurrent_use_fails_pre_2(kesimpta, nurse):
    case = claimed(kesimpta_request(nurse, medications=[{"name": "Ocrevus 600 mg IV"}]), nurse)
    state = answer_all(case, nurse, JUDGED_INITIAL)
    assert state.suggestions["PRE-2"].answer == "not_met"
    assert state.evaluation.failing == ("PRE-2",)


def test_a_switch_with_a_stop_date_is_not_concurrent_use(kesimpta, nurse):
    stop = timezone.localdate() + timedelta(days=10)
    case = claimed(
        kesimpta_request(nurse, medications=[{"name": "Tecfidera", "stop_date": stop}]), nurse
    )
    state = answer_all(case, nurse, JUDGED_INITIAL)
    assert state.suggestions["PRE-2"].answer == "met"
    assert "Tecfidera" in state.suggestions["PRE-2"].reason
    _approve(case, nurse)


def test_an_unknown_continuing_medication_never_shows_met_on_pre_2(kesimpta, nurse):
    medications = [{"name": "Zorvexa 10 mg daily"}, {"name": "Baclofen 10 mg"}]
    case = claimed(kesimpta_request(nurse, medications=medications), nurse)
    state = answer_all(case, nurse, JUDGED_INITIAL)
    assert state.suggestions["PRE-2"].answer == "not_documented"
    assert state.suggestions["PRE-2"].reason == (
        "Cannot classify Zorvexa 10 mg daily: verify whether it is one of Other "
        "Disease-Modifying Agents Used for Multiple Sclerosis (MS) or Disease-modifying "
        "therapies for multiple sclerosis (reference list)."
    )
    assert state.answers["PRE-2"].answer == "not_documented"
    assert state.evaluation.result == "unknown" and not state.all_met
    with pytest.raises(ReviewIncomplete, match="PRE-2 not documented"):
        services.case_approve_by_nurse(case=case, nurse=nurse)


def test_briumvi_alongside_a_kesimpta_continuation_is_concurrent_use(kesimpta, nurse):
    renewal = {"name": "Kesimpta 20 mg monthly"}
    fields = {"request_type": "continuation", "therapy_start_date": date(2024, 1, 5)}
    alone = kesimpta_request(nurse, medications=[renewal], **fields)
    assert case_review_state(case=alone).suggestions["PRE-2"].answer == "met"
    both = kesimpta_request(nurse, medications=[renewal, {"name": "Briumvi 450 mg"}], **fields)
    suggestion = case_review_state(case=both).suggestions["PRE-2"]
    assert suggestion.answer == "not_met"
    assert "Briumvi 450 mg continues" in suggestion.reason


def test_the_diagnosis_code_suggests_the_relapsing_form_criteria(kesimpta, nurse):
    state = case_review_state(case=kesimpta_request(nurse, diagnosis_codes=["G35.B1"]))
    for label in ("PRE-1", "1.A.i"):
        assert state.suggestions[label].answer == "not_met"
        assert "G35.B1 (Active primary progressive multiple sclerosis)" in (
            state.suggestions[label].reason
        )
    unspecified = case_review_state(case=kesimpta_request(nurse, diagnosis_codes=["G35.D"]))
    assert "PRE-1" not in unspecified.suggestions and "1.A.i" not in unspecified.suggestions


def test_family_physician_in_consultation_with_a_neurologist(kesimpta, nurse):
    case = claimed(
        kesimpta_request(
            nurse,
            prescriber_specialty="Family Medicine",
            consulting_name="Dr. Ana Ruiz",
            consulting_specialty="Neurology",
            consult_date=timezone.localdate() - timedelta(days=20),
        ),
        nurse,
    )
    state = answer_all(case, nurse, JUDGED_INITIAL)
    assert state.suggestions["1.A.iii"].answer == "met"
    assert "Ruiz" in state.suggestions["1.A.iii"].reason
    _approve(case, nurse)


def test_a_family_physician_alone_does_not_meet_1_a_iii(kesimpta, nurse):
    case = claimed(kesimpta_request(nurse, prescriber_specialty="Family Medicine"), nurse)
    state = answer_all(case, nurse, JUDGED_INITIAL)
    assert state.evaluation.failing == ("1.A.iii",)


def test_a_dosing_deviation_is_a_failing_item_that_goes_to_a_physician(kesimpta, nurse):
    regimen = copy.deepcopy(KESIMPTA_REGIMEN)
    regimen["phases"][1]["schedule"] = {
        "every": 2,
        "unit": "week",
        "start": 4,
        "start_unit": "week",
    }
    case = claimed(kesimpta_request(nurse, regimen=regimen), nurse)
    state = answer_all(case, nurse, JUDGED_INITIAL)
    assert state.evaluation.result == "met" and not state.all_met
    assert state.failing_items and state.failing_items[0].startswith("Dosing:")
    with pytest.raises(ReviewIncomplete, match="Dosing"):
        services.case_approve_by_nurse(case=case, nurse=nurse)
    services.case_escalate(case=case, nurse=nurse)
    assert Case.objects.get(pk=case.pk).status == "physician_queue"


def test_escalating_a_case_that_meets_everything_needs_a_reason(clear_case, nurse):
    case = claimed(clear_case, nurse)
    answer_all(case, nurse, JUDGED_INITIAL)
    with pytest.raises(ReviewError, match="say why"):
        services.case_escalate(case=case, nurse=nurse)
    services.case_escalate(case=case, nurse=nurse, comment="Active hepatitis B in the labs.")
    event = CaseEvent.objects.get(case=case, to_status="physician_queue")
    assert event.payload == {
        "reasons": [],
        "comment": "Active hepatitis B in the labs.",
        "result": "met",
        "path": "initial",
        "indication": "relapsing_ms",
    }


def test_answers_are_read_only_after_escalation(clear_case, nurse):
    case = claimed(clear_case, nurse)
    answer_all(case, nurse, JUDGED_INITIAL, **{"PRE-1": "not_met"})
    services.case_escalate(case=case, nurse=nurse)
    with pytest.raises((StaleCase, PermissionDenied)):
        services.criterion_answer_save(case=case, nurse=nurse, label="PRE-1", answer="met")
    answers = CriterionAnswer.objects.filter(case=case)
    assert all(a.locked_at and a.policy_version == case.policy_version for a in answers)
    assert answers.get(criterion__label="PRE-1").answer == "not_met"


def test_a_nurse_cannot_approve_twice_or_after_escalation(clear_case, nurse):
    case = claimed(clear_case, nurse)
    answer_all(case, nurse, JUDGED_INITIAL)
    services.case_approve_by_nurse(case=case, nurse=nurse)
    with pytest.raises(StaleCase):
        services.case_approve_by_nurse(case=case, nurse=nurse)
    with pytest.raises(StaleCase):
        services.case_escalate(case=case, nurse=nurse, comment="x")
    assert Determination.objects.filter(case=case).count() == 1


def test_physicians_and_auditors_cannot_use_nurse_services(clear_case, nurse, physician, auditor):
    case = claimed(clear_case, nurse)
    for user in (physician, auditor):
        with pytest.raises(PermissionDenied):
            services.case_approve_by_nurse(case=case, nurse=user)
        with pytest.raises(PermissionDenied):
            services.case_escalate(case=case, nurse=user, comment="x")


def test_a_continuation_repeating_the_loading_doses_is_a_dosing_deviation(kesimpta, nurse):

    case = claimed(
        kesimpta_request(
            nurse,
            request_type="continuation",
            therapy_start_date=date(2024, 1, 10),
            regimen=copy.deepcopy(KESIMPTA_REGIMEN),
        ),
        nurse,
    )
    state = answer_all(case, nurse, JUDGED_CONTINUATION)
    assert state.evaluation.result == "met" and not state.all_met
    assert [i for i in state.failing_items if i.startswith("Dosing")] == [
        "Dosing: Loading: 20 mg subcutaneous at weeks 0, 1 and 2 is given on an initial "
        "request only, not on a continuation.",
        "Dosing: Maintenance: requested doses every calendar month from week 4; the policy "
        "allows every calendar month.",
    ]
