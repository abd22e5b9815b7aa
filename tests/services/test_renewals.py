"""Renewals: a continuation linked to the authorization it continues (what intake refuses and
records), its approval starting the day after the prior one ends (services/determinations.py,
for the nurse, the physician and the previews alike), its time on the drug counting the linked
history, and the nurses' list of authorizations that end soon."""

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from reviews.errors import ContinuationRefused, NotFound, ReviewError
from reviews.models import Case, CaseEvent, Determination
from reviews.selectors.renewals import (
    RENEWAL_WINDOW_DAYS,
    authorization_chain,
    continuation_initial,
    renewals_due,
)
from reviews.selectors.review import case_facts, case_review_state
from reviews.services import nurse_review, physician_review
from reviews.services.determinations import (
    ContinuationGap,
    approval_terms,
    authorization_number,
    continuation_start,
)
from tests.builders import answered_case, approved_case
from tests.review_fixtures import JUDGED_CONTINUATION, kesimpta_request

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def authorization(
    actor, *, start: date, end: date, outcome: str = "approved", **fields
) -> Determination:
    """A prior request and its determination over exactly this period. Issued directly: the
    periods under test are the edges of the calendar, not today's terms."""
    case = kesimpta_request(actor, **fields)
    return Determination.objects.create(
        case=case,
        outcome=outcome,
        decided_by=actor,
        role="nurse" if outcome == "approved" else "physician",
        decided_at=timezone.now(),
        policy_version=case.policy_version,
        approval_start=None if outcome == "denied" else start,
        approval_end=None if outcome == "denied" else end,
        authorization_number=authorization_number(case),
    )


def continuation(actor, prior: Determination, **fields) -> Case:
    values = {
        "request_type": "continuation",
        "therapy_start_date": min(prior.approval_start or TODAY(), TODAY() - timedelta(days=400)),
        "continues": prior.pk,
        **fields,
    }
    return kesimpta_request(actor, **values)


# ---- starting a continuation -----------------------------------------------------------------


def test_a_continuation_is_linked_and_audited_on_both_cases(kesimpta, nurse):
    prior = approved_case(kesimpta_request(nurse), nurse)
    case = continuation(nurse, prior)
    assert case.continues == prior
    assert case.status == Case.Status.NURSE_REVIEW
    started = case.events.get(kind=CaseEvent.Kind.CONTINUATION_STARTED)
    assert started.actor == nurse
    assert started.payload["continues"] == prior.authorization_number
    assert started.payload["prior_case"] == prior.case.reference
    asked = prior.case.events.get(kind=CaseEvent.Kind.CONTINUATION_REQUESTED)
    assert asked.payload == {
        "continuation": case.reference,
        "authorization": prior.authorization_number,
    }
    # The indication is the prior case's.
    assert case.indication == prior.case.indication


def test_the_prior_indication_carries_over_when_the_codes_choose_none(kesimpta, nurse):
    prior = approved_case(kesimpta_request(nurse), nurse)
    case = continuation(nurse, prior, diagnosis_codes=["R26.89"])
    assert case.indication == prior.case.indication != ""
    chosen = case.events.get(kind=CaseEvent.Kind.INDICATION_CHOSEN)
    assert chosen.payload["carried"] is True
    assert prior.authorization_number in chosen.payload["reason"]


def test_a_denied_case_cannot_be_continued(kesimpta, nurse, physician):
    denied = authorization(physician, start=None, end=None, outcome="denied")
    with pytest.raises(ContinuationRefused, match="was denied: it authorized nothing"):
        continuation(nurse, denied, therapy_start_date=TODAY() - timedelta(days=400))
    assert not Case.objects.filter(continues=denied).exists()
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.CONTINUATION_STARTED).exists()


def test_an_authorization_is_continued_once_while_the_continuation_is_open_or_approved(
    kesimpta, nurse
):
    prior = authorization(nurse, start=TODAY() - timedelta(days=300), end=TODAY() + timedelta(20))
    first = continuation(nurse, prior)
    with pytest.raises(ContinuationRefused, match=f"already continued by {first.reference}"):
        continuation(nurse, prior)
    # Approved, it still blocks another.
    Case.objects.filter(pk=first.pk).update(status=Case.Status.APPROVED)
    with pytest.raises(ContinuationRefused, match="already continued"):
        continuation(nurse, prior)


def test_after_a_denied_continuation_another_may_be_asked(kesimpta, nurse):
    prior = authorization(nurse, start=TODAY() - timedelta(days=300), end=TODAY() + timedelta(20))
    first = continuation(nurse, prior)
    Case.objects.filter(pk=first.pk).update(status=Case.Status.DENIED)
    second = continuation(nurse, prior)
    assert second.continues == prior


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"member_id": "M7654321"}, "another member"),
        ({"member_dob": date(1991, 1, 1)}, "another member"),
        ({"drug_name": "Unlisteddrug", "hcpcs_code": ""}, "for the same drug"),
        ({"request_type": "initial"}, "choose the request type Continuation"),
    ],
)
def test_a_continuation_is_for_the_same_member_and_drug(kesimpta, nurse, change, message):
    prior = authorization(nurse, start=TODAY() - timedelta(days=300), end=TODAY() + timedelta(20))
    with pytest.raises(ContinuationRefused, match=message):
        continuation(nurse, prior, **change)
    assert not Case.objects.filter(continues=prior).exists()


def test_the_form_starts_from_the_authorization(kesimpta, nurse):
    prior = approved_case(kesimpta_request(nurse, weight_kg="70.0"), nurse)
    initial = continuation_initial(authorization=prior)
    case = prior.case
    assert initial["request_type"] == "continuation"
    assert initial["member_id"] == case.member_id and initial["member_dob"] == case.member_dob
    assert initial["prescriber_npi"] == case.prescriber_npi
    assert initial["drug_name"] == case.drug_name
    assert initial["diagnosis_codes"] == "G35.A"
    assert initial["line_of_business"] == case.line_of_business
    # An initial request gave no therapy start: the authorization's first day is it.
    assert initial["therapy_start_date"] == prior.approval_start
    # Only the phases that go on (the loading doses are not asked again), without the offset
    # that counted from the first dose.
    assert initial["phase0_name"] == "Maintenance"
    assert "phase0_start" not in initial and "phase1_name" not in initial


# ---- the approval's period: no gap, no overlap ---------------------------------------------------


@pytest.mark.parametrize(
    ("prior_end", "first_day"),
    [
        (date(2027, 1, 31), date(2027, 2, 1)),  # ends on the 31st
        (date(2027, 4, 30), date(2027, 5, 1)),
        (date(2027, 12, 31), date(2028, 1, 1)),  # the year turns
        (date(2028, 2, 28), date(2028, 2, 29)),  # leap day is the first day
        (date(2028, 2, 29), date(2028, 3, 1)),  # leap day is the last day
        (date(2027, 2, 28), date(2027, 3, 1)),
    ],
)
def test_a_continuation_starts_the_day_after_the_prior_end(kesimpta, nurse, prior_end, first_day):
    prior = authorization(nurse, start=prior_end - timedelta(days=365), end=prior_end)
    case = continuation(nurse, prior)
    assert continuation_start(case) == first_day
    terms = approval_terms(case=case)
    assert terms.start == first_day and (terms.start - prior.approval_end).days == 1
    assert terms.end > terms.start


@pytest.mark.parametrize("days_from_prior_end", [-45, -1, 0, 1, 30])
def test_approved_before_or_after_the_prior_end_the_start_is_the_same(
    kesimpta, nurse, days_from_prior_end
):
    prior = authorization(nurse, start=date(2026, 1, 1), end=date(2026, 12, 31))
    case = continuation(nurse, prior, therapy_start_date=date(2025, 6, 1))
    with time_machine.travel(date(2026, 12, 31) + timedelta(days=days_from_prior_end)):
        terms = approval_terms(case=case)
    assert terms.start == date(2027, 1, 1)


def test_another_start_is_refused_not_moved(kesimpta, nurse):
    prior = authorization(nurse, start=date(2026, 1, 1), end=date(2026, 12, 31))
    case = continuation(nurse, prior, therapy_start_date=date(2025, 6, 1))
    for wrong in (date(2026, 12, 31), date(2027, 1, 2), TODAY()):
        with pytest.raises(ContinuationGap, match="starts on 2027-01-01"):
            approval_terms(case=case, start=wrong)
    assert approval_terms(case=case, start=date(2027, 1, 1)).start == date(2027, 1, 1)


def test_an_initial_request_still_starts_today(kesimpta, nurse):
    case = kesimpta_request(nurse)
    assert continuation_start(case) is None
    assert approval_terms(case=case).start == TODAY()


def _recent_prior(nurse) -> Determination:
    # Approved a year ago for 13 months: ends in 25 days, the request falls in its window.
    return authorization(
        nurse, start=TODAY() - timedelta(days=370), end=TODAY() + timedelta(days=25)
    )


def test_the_nurse_approval_starts_the_day_after_the_prior_end(kesimpta, nurse):
    prior = _recent_prior(nurse)
    # Intake says two months on the drug; the linked authorization says more than a year.
    case = continuation(nurse, prior, therapy_start_date=TODAY() - timedelta(days=61))
    state = case_review_state(case=case)
    months = [s for s in state.suggestions.values() if "whole months on therapy" in s.reason]
    assert months and months[0].answer == "met"
    assert prior.authorization_number in months[0].reason
    answered_case(case, nurse, judged=JUDGED_CONTINUATION)
    determination = nurse_review.case_approve_by_nurse(case=case, nurse=nurse)
    assert determination.approval_start == prior.approval_end + timedelta(days=1)


def _in_physician_review(case: Case, nurse, physician) -> Case:
    answered_case(case, nurse, judged=JUDGED_CONTINUATION)
    nurse_review.case_escalate(case=case, nurse=nurse, comment="Please look at the dose.")
    physician_review.case_claim_physician(case=case, physician=physician)
    return Case.objects.get(pk=case.pk)


def test_the_physician_decisions_keep_the_start(kesimpta, nurse, physician):
    prior = _recent_prior(nurse)
    case = _in_physician_review(continuation(nurse, prior), nurse, physician)
    first = prior.approval_end + timedelta(days=1)
    assert physician_review.default_approval(case)["approval_start"] == first
    with pytest.raises(ContinuationGap):
        physician_review.case_approve_by_physician(
            case=case, physician=physician, approval_start=TODAY()
        )
    with pytest.raises(ContinuationGap):
        physician_review.case_partially_approve(
            case=case,
            physician=physician,
            approval_start=first - timedelta(days=3),
            approval_end=first + timedelta(days=90),
            authorized_doses=3,
            rationale="Three months only, until the next MRI is read.",
        )
    # The preview is built by the same rule.
    with pytest.raises(ContinuationGap):
        physician_review.decision_build(
            case=case,
            physician=physician,
            outcome="approved",
            rationale="",
            criteria_cited=[],
            period=(TODAY(), TODAY() + timedelta(days=30)),
            doses=1,
        )
    assert not Determination.objects.filter(case=case).exists()
    determination = physician_review.case_partially_approve(
        case=case,
        physician=physician,
        approval_start=first,
        approval_end=first + timedelta(days=90),
        authorized_doses=3,
        rationale="Three months only, until the next MRI is read.",
    )
    assert determination.approval_start == first


def test_a_gap_is_a_review_error_with_a_message(kesimpta, nurse):
    # Pages and the API show it (a form error, a 400), never a 500.
    assert issubclass(ContinuationGap, ReviewError)
    assert issubclass(ContinuationRefused, ReviewError)


# ---- the authorized history -------------------------------------------------------------------


def test_the_chain_of_continuations_is_the_history(kesimpta, nurse):
    first = authorization(nurse, start=date(2024, 1, 1), end=date(2024, 12, 31))
    second_case = continuation(nurse, first)
    second = Determination.objects.create(
        case=second_case,
        outcome="approved",
        decided_by=nurse,
        role="nurse",
        decided_at=timezone.now(),
        policy_version=second_case.policy_version,
        approval_start=date(2025, 1, 1),
        approval_end=date(2025, 12, 31),
        authorization_number=authorization_number(second_case),
    )
    third = continuation(nurse, second)
    assert authorization_chain(second) == [second, first]
    facts_periods = case_facts(third).authorized_periods
    assert [(p.start, p.end) for p in facts_periods] == [
        (date(2024, 1, 1), date(2024, 12, 31)),
        (date(2025, 1, 1), date(2025, 12, 31)),
    ]
    # The form of a next continuation starts from the first authorization's first day.
    assert continuation_initial(authorization=second)["therapy_start_date"] == date(2024, 1, 1)


# ---- the renewals list ------------------------------------------------------------------------


def test_the_list_holds_authorizations_ending_within_the_window(kesimpta, nurse, physician):
    today = TODAY()
    ends = {
        "yesterday": today - timedelta(days=1),
        "today": today,
        "last day": today + timedelta(days=RENEWAL_WINDOW_DAYS),
        "day after": today + timedelta(days=RENEWAL_WINDOW_DAYS + 1),
    }
    made = {
        name: authorization(nurse, start=end - timedelta(days=100), end=end, member_name=name)
        for name, end in ends.items()
    }
    authorization(physician, start=None, end=None, outcome="denied", member_name="Denied")
    partial = authorization(
        physician,
        start=today - timedelta(days=30),
        end=today + timedelta(days=5),
        outcome="partially_approved",
        member_name="Partial",
    )
    listed = list(renewals_due(user=nurse).rows)
    assert listed == [made["today"], partial, made["last day"]]


def test_the_list_sorts_by_a_whitelisted_key_only(kesimpta, nurse):
    today = TODAY()
    a = authorization(nurse, start=today, end=today + timedelta(30), member_name="Zoe Adams")
    b = authorization(nurse, start=today, end=today + timedelta(10), member_name="amy Baker")
    assert list(renewals_due(user=nurse).rows) == [b, a]
    assert list(renewals_due(user=nurse, sort="-end").rows) == [a, b]
    assert list(renewals_due(user=nurse, sort="member").rows) == [b, a]  # case-insensitive
    assert list(renewals_due(user=nurse, sort="-member").rows) == [a, b]
    assert renewals_due(user=nurse, sort="drug").sort == "drug"
    page = renewals_due(user=nurse, sort="case__member_dob")
    assert page.sort == "end" and "not a way to sort" in page.sort_refused
    assert list(page.rows) == [b, a]


def test_the_list_is_the_nurses(kesimpta, nurse, physician, auditor):
    for user in (physician, auditor):
        with pytest.raises(NotFound):
            renewals_due(user=user)
