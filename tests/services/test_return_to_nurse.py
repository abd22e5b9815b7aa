"""A physician returns a case escalated by mistake to nurse review, with a reason."""

import pytest
from django.core.exceptions import PermissionDenied

from reviews.errors import InvalidTransition, ReviewError, StaleCase
from reviews.models import Case, CaseEvent
from reviews.selectors.cases import case_timeline
from reviews.selectors.review import case_returned, cases_returned
from reviews.services import nurse_review
from reviews.services import physician_review as services
from reviews.workflow import assert_transition
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

REASON = "PRE-1 was answered from the wrong note; the MRI report shows relapsing MS."


@pytest.fixture
def claimed(escalated, physician):
    return services.case_claim_physician(case=escalated, physician=physician)


def test_the_case_goes_back_to_the_nurse_who_escalated_it_with_the_reason(
    claimed, physician, nurse
):
    assert claimed.answers.filter(locked_at__isnull=True).count() == 0  # locked at escalation
    case = services.case_return_to_nurse(case=claimed, physician=physician, reason=REASON)
    case.refresh_from_db()
    assert (case.status, case.assignee) == (Case.Status.NURSE_REVIEW, nurse)
    event = case.events.filter(kind=CaseEvent.Kind.STATUS).latest("created_at", "pk")
    assert (event.actor, event.from_status, event.to_status) == (
        physician,
        "physician_review",
        "nurse_review",
    )
    assert event.payload["reason"] == REASON
    assert event.payload["returned_to_nurse"] is True
    assert event.payload["returned_to"] == (nurse.get_full_name() or nurse.get_username())
    # The nurse's answers open again, and she sees the reason on the case and in the queue.
    assert case.answers.filter(locked_at__isnull=False).count() == 0
    assert case_returned(case=case) == event
    assert case_returned(case=case, timeline=list(case_timeline(case=case))) == event
    assert cases_returned(cases=[case]) == {case.pk: event}


def test_the_latest_return_is_found_among_the_timeline_as_by_query(claimed, physician, nurse):
    """The case page finds the return among the events it shows; the latest of two returns,
    as the query does, and none in a timeline without one."""
    case = services.case_return_to_nurse(case=claimed, physician=physician, reason=REASON)
    nurse_review.case_escalate(case=case, nurse=nurse, comment="Still needs a physician.")
    case = services.case_claim_physician(case=case, physician=physician)
    second = "The visit note of March answers PRE-2; please look again."
    case = services.case_return_to_nurse(case=case, physician=physician, reason=second)
    case.refresh_from_db()
    timeline = list(case_timeline(case=case))
    found = case_returned(case=case, timeline=timeline)
    assert found == case_returned(case=case) and found.payload["reason"] == second
    assert case_returned(case=case, timeline=timeline[:1]) is None  # intake alone


def test_the_nurse_can_answer_again_and_escalate_again(claimed, physician, nurse):
    case = services.case_return_to_nurse(case=claimed, physician=physician, reason=REASON)
    nurse_review.criterion_answer_save(
        case=case, nurse=nurse, label="PRE-1", answer="met", comment="MRI report: relapsing."
    )
    nurse_review.case_escalate(case=case, nurse=nurse, comment="Still needs a physician.")
    case.refresh_from_db()
    assert case.status == Case.Status.PHYSICIAN_QUEUE
    assert case_returned(case=case) is None  # no longer shown once it left nurse review


def test_a_nurse_who_no_longer_reviews_leaves_it_unclaimed_in_the_queue(claimed, physician, nurse):
    nurse.groups.clear()
    case = services.case_return_to_nurse(case=claimed, physician=physician, reason=REASON)
    assert case.status == Case.Status.NURSE_REVIEW and case.assignee is None
    assert case.events.latest("created_at", "pk").payload["returned_to"] == ""


@pytest.mark.parametrize("reason", ["", "   ", "too short", "\n\t ok \n"])
def test_a_reason_is_required(claimed, physician, reason):
    with pytest.raises(ReviewError, match="Say why the case goes back"):
        services.case_return_to_nurse(case=claimed, physician=physician, reason=reason)
    claimed.refresh_from_db()
    assert claimed.status == Case.Status.PHYSICIAN_REVIEW


def test_only_the_assigned_physician_returns_a_case(escalated, physician, nurse, django_user_model):
    # Not claimed yet: in the physician queue.
    with pytest.raises(StaleCase):
        services.case_return_to_nurse(case=escalated, physician=physician, reason=REASON)
    services.case_claim_physician(case=escalated, physician=physician)
    other = django_user_model.objects.create_user("dr2")
    other.groups.add(*physician.groups.all())
    with pytest.raises(PermissionDenied):
        services.case_return_to_nurse(case=escalated, physician=other, reason=REASON)
    with pytest.raises(PermissionDenied):
        services.case_return_to_nurse(case=escalated, physician=nurse, reason=REASON)
    assert Case.objects.get(pk=escalated.pk).status == Case.Status.PHYSICIAN_REVIEW


def test_a_case_in_no_policy_stays_with_the_physician(physician):
    case = CaseFactory(status=Case.Status.PHYSICIAN_REVIEW, policy_version=None)
    Case.objects.filter(pk=case.pk).update(assignee=physician)
    with pytest.raises(ReviewError, match="in no policy"):
        services.case_return_to_nurse(case=case, physician=physician, reason=REASON)


def test_the_table_allows_the_return_only_from_physician_review():
    assert_transition(Case.Status.PHYSICIAN_REVIEW, Case.Status.NURSE_REVIEW)
    for status in (Case.Status.PHYSICIAN_QUEUE, Case.Status.INFO_REQUESTED, Case.Status.DENIED):
        with pytest.raises(InvalidTransition):
            assert_transition(status, Case.Status.NURSE_REVIEW)
