"""Appeals through the services: filing within the window, the appeal clocks, who may review,
the outcomes with their letters and authorizations, and the audit trail."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from reviews.errors import AppealNotAllowed, ReviewError, StaleCase
from reviews.models import Appeal, Case, CaseEvent, DeadlineRule, Determination
from reviews.services import appeals, physician_review
from reviews.services.appeals import AppealLate
from tests.appeal_fixtures import APPEAL_REASON, DENIAL_REASON
from tests.builders import approved_case
from tests.review_fixtures import kesimpta_request

pytestmark = pytest.mark.django_db


def _file(original, actor, **overrides):
    data = {
        "original": original,
        "actor": actor,
        "appellant_kind": "member",
        "appellant_name": "Peter Progressive",
        "received_at": timezone.now(),
        "urgency": "standard",
        "reason": APPEAL_REASON,
    } | overrides
    return appeals.appeal_file(**data)[0]


def test_the_migration_seeds_the_appeal_clocks_and_leaves_the_request_rows():
    rows = {
        (r.kind, r.line_of_business, r.urgency): (r.amount, r.unit, r.source)
        for r in DeadlineRule.objects.all()
    }
    assert {k: v[:2] for k, v in rows.items() if k[0] == "appeal"} == {
        ("appeal", "commercial", "standard"): (30, "calendar_days"),
        ("appeal", "commercial", "expedited"): (72, "hours"),
        ("appeal", "medicare_advantage_part_b", "standard"): (7, "calendar_days"),
        ("appeal", "medicare_advantage_part_b", "expedited"): (72, "hours"),
        ("appeal", "medicaid_ma_medical", "standard"): (30, "calendar_days"),
        ("appeal", "medicaid_ma_medical", "expedited"): (72, "hours"),
    }
    assert rows[("appeal", "medicare_advantage_part_b", "standard")][2].startswith("42 CFR 422.590")
    assert rows[("appeal", "medicaid_ma_medical", "standard")][2].startswith("42 CFR 438.408")
    assert "2560.503-1" in rows[("appeal", "commercial", "standard")][2]
    assert rows[("request", "commercial", "standard")][:2] == (15, "calendar_days")
    assert len([k for k in rows if k[0] == "request"]) == 6


def test_an_appeal_is_a_case_of_its_own_in_the_physician_queue(appeal, denied, nurse):
    case = appeal.case
    assert case.pk != denied.pk and case.reference != denied.reference
    assert case.status == Case.Status.PHYSICIAN_QUEUE
    assert (case.member_id, case.drug_name, case.policy_version_id, case.indication) == (
        denied.member_id,
        denied.drug_name,
        denied.policy_version_id,
        denied.indication,
    )
    assert case.deadline_rule.kind == DeadlineRule.Kind.APPEAL
    # Commercial standard appeal: 30 calendar days, the last day ending at 23:59:59 local.
    due = timezone.localtime(case.due_at)
    assert due.date() == timezone.localtime(appeal.received_at).date() + timedelta(days=30)
    assert (appeal.appellant_kind, appeal.filed_by) == ("member", nurse) or (
        appeal.appellant_kind == "prescriber"
    )
    filed = CaseEvent.objects.filter(kind=CaseEvent.Kind.APPEAL_FILED)
    assert set(filed.values_list("case_id", flat=True)) == {denied.pk, case.pk}
    assert filed.first().payload["appellant_name"] == "Dr. Elena Marsh"


def test_an_expedited_medicare_reconsideration_is_due_in_72_hours(escalated, physician, nurse):
    Case.objects.filter(pk=escalated.pk).update(line_of_business="medicare_advantage_part_b")
    escalated.refresh_from_db()
    physician_review.case_claim_physician(case=escalated, physician=physician)
    physician_review.case_deny(
        case=escalated, physician=physician, criteria_cited=["PRE-1"], rationale=DENIAL_REASON
    )
    received = timezone.now()
    appeal = _file(escalated, nurse, urgency="expedited", received_at=received)
    assert appeal.case.due_at == received + timedelta(hours=72)
    assert appeal.case.line_of_business == "medicare_advantage_part_b"


@pytest.mark.parametrize(
    ("lob", "days"),
    [("commercial", 180), ("medicare_advantage_part_b", 65), ("medicaid_ma_medical", 60)],
)
def test_the_window_closes_after_its_last_day_and_a_late_appeal_is_refused_and_recorded(
    escalated, physician, nurse, lob, days
):
    Case.objects.filter(pk=escalated.pk).update(line_of_business=lob)
    escalated.refresh_from_db()
    # Noon, local, days + 1 calendar days ago: 24-hour steps back from late evening cross a
    # DST change onto one calendar day fewer (at 23:16 in November, 181 x 24 h back is
    # 00:16 on the 180th day before), and the window counts calendar days.
    decided = timezone.make_aware(
        timezone.datetime.combine(
            timezone.localdate() - timedelta(days=days + 1),
            timezone.datetime.min.time().replace(hour=12),
        )
    )
    with time_machine.travel(decided, tick=False):
        physician_review.case_claim_physician(case=escalated, physician=physician)
        physician_review.case_deny(
            case=escalated, physician=physician, criteria_cited=["PRE-1"], rationale=DENIAL_REASON
        )
    escalated.refresh_from_db()
    notice = timezone.localdate(escalated.determination.decided_at)
    with pytest.raises(AppealLate, match=rf"{days} days from the notice") as refused:
        _file(escalated, nurse)
    assert "too late" in str(refused.value)
    assert not Appeal.objects.exists()
    event = CaseEvent.objects.get(case=escalated, kind=CaseEvent.Kind.APPEAL_REFUSED)
    assert event.payload["reason"] == str(refused.value)
    # On the last day itself it is in time.
    last_day = notice + timedelta(days=days)
    on_last_day = timezone.make_aware(
        timezone.datetime.combine(last_day, timezone.datetime.min.time().replace(hour=12))
    )
    assert _file(escalated, nurse, received_at=on_last_day).case.status == "physician_queue"


def test_only_a_denial_or_partial_approval_once_and_never_an_appeal_case(
    kesimpta, nurse, appeal, denied
):
    approved = kesimpta_request(nurse, member_name="Anna Approved")
    approved_case(approved, nurse)
    with pytest.raises(AppealNotAllowed, match="approved"):
        _file(Case.objects.get(pk=approved.pk), nurse)
    with pytest.raises(AppealNotAllowed, match="already under appeal"):
        _file(Case.objects.get(pk=denied.pk), nurse)
    undecided = kesimpta_request(nurse, member_name="Una Decided")
    with pytest.raises(AppealNotAllowed, match="no decision yet"):
        _file(undecided, nurse)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"appellant_kind": "neighbour"}, "Say who appeals"),
        ({"appellant_name": "  "}, "appellant's name"),
        ({"reason": "no"}, "why the appellant disagrees"),
        ({"urgency": "soon"}, "standard or expedited"),
        ({"received_at": timezone.now() + timedelta(days=2)}, "in the future"),
    ],
)
def test_bad_filings_are_refused_with_a_reason(denied, nurse, overrides, message):
    with pytest.raises(ReviewError, match=message):
        _file(denied, nurse, **overrides)
    assert not Appeal.objects.exists()


def test_only_intake_staff_file(denied, auditor):
    with pytest.raises(PermissionDenied):
        _file(denied, auditor)


def test_the_physician_who_denied_may_not_take_or_decide_the_appeal(appeal, physician):
    case = appeal.case
    with pytest.raises(PermissionDenied, match="took no part"):
        physician_review.case_claim_physician(case=case, physician=physician)
    # Even when the case is (somehow) assigned to them, no decision goes through.
    Case.objects.filter(pk=case.pk).update(status="physician_review", assignee=physician)
    case.refresh_from_db()
    for outcome in ("overturned", "upheld"):
        with pytest.raises(PermissionDenied, match="took no part"):
            appeals.appeal_decide(
                case=case,
                physician=physician,
                outcome=outcome,
                criteria_cited=["PRE-1"],
                rationale=DENIAL_REASON,
            )
    assert not Determination.objects.filter(case=case).exists()


def test_a_physician_consulted_on_the_original_by_peer_to_peer_may_not_review(
    escalated, physician, physician2, nurse, django_user_model
):
    escalated = physician_review.case_claim_physician(case=escalated, physician=physician)
    p2p = physician_review.peer_to_peer_offer(case=escalated, physician=physician)
    # The peer-to-peer was held by a colleague, who logged it.
    physician_review.peer_to_peer_log(
        p2p=p2p,
        physician=physician2,
        held_at=timezone.now(),
        with_whom="Dr. Elena Marsh",
        outcome="Discussed the MRI.",
    )
    physician_review.case_deny(
        case=escalated, physician=physician, criteria_cited=["PRE-1"], rationale=DENIAL_REASON
    )
    appeal = _file(escalated, nurse)
    with pytest.raises(PermissionDenied):
        physician_review.case_claim_physician(case=appeal.case, physician=physician2)
    third = django_user_model.objects.create_user("rhea", password="x" * 20)
    third.groups.add(physician.groups.get())
    assert (
        physician_review.case_claim_physician(case=appeal.case, physician=third).assignee == third
    )


def test_an_overturn_issues_an_authorization_as_an_approval_would(appeal, physician2):
    case = physician_review.case_claim_physician(case=appeal.case, physician=physician2)
    determination = appeals.appeal_decide(case=case, physician=physician2, outcome="overturned")
    assert determination.outcome == Determination.Outcome.APPROVED
    assert determination.authorization_number == case.reference.replace("PA-", "AU-")
    default = physician_review.default_approval(case, start=determination.approval_start)
    assert (determination.approval_end, determination.authorized_doses) == (
        default["approval_end"],
        default["authorized_doses"],
    )
    appeal.refresh_from_db()
    assert (appeal.outcome, appeal.ire_required) == ("overturned", False)
    assert appeal.decided_at == determination.decided_at
    html = determination.letter.html
    assert "Notice of appeal decision: overturned" in html
    assert appeal.original.reference in html and "We approved this request." in html
    decided = CaseEvent.objects.filter(kind=CaseEvent.Kind.APPEAL_DECIDED)
    assert set(decided.values_list("case_id", flat=True)) == {case.pk, appeal.original_id}


def test_an_upheld_commercial_appeal_offers_external_review_not_another_appeal(appeal, physician2):
    case = physician_review.case_claim_physician(case=appeal.case, physician=physician2)
    determination = appeals.appeal_decide(
        case=case,
        physician=physician2,
        outcome="upheld",
        criteria_cited=["PRE-1"],
        rationale=DENIAL_REASON,
    )
    appeal.refresh_from_db()
    assert (appeal.outcome, appeal.ire_required) == ("upheld", False)
    html = determination.letter.html
    assert "Notice of appeal decision: upheld" in html
    assert "independent external review" in html
    assert "Your right to appeal" not in html and "peer-to-peer" not in html


def test_a_medicare_reconsideration_that_upholds_is_marked_for_the_ire(
    escalated, physician, physician2, nurse
):
    Case.objects.filter(pk=escalated.pk).update(line_of_business="medicare_advantage_part_b")
    escalated.refresh_from_db()
    physician_review.case_claim_physician(case=escalated, physician=physician)
    physician_review.case_deny(
        case=escalated, physician=physician, criteria_cited=["PRE-1"], rationale=DENIAL_REASON
    )
    appeal = _file(escalated, nurse, appellant_kind="representative")
    case = physician_review.case_claim_physician(case=appeal.case, physician=physician2)
    determination = appeals.appeal_decide(
        case=case,
        physician=physician2,
        outcome="upheld",
        criteria_cited=["PRE-1"],
        rationale=DENIAL_REASON,
    )
    appeal.refresh_from_db()
    assert appeal.ire_required
    assert "independent review organization" in determination.letter.html
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.APPEAL_DECIDED)
    assert event.payload["ire_required"] is True


def test_an_appeal_does_not_go_back_to_a_nurse(appeal, physician2):
    case = physician_review.case_claim_physician(case=appeal.case, physician=physician2)
    with pytest.raises(ReviewError, match="does not go to nurse review"):
        physician_review.case_return_to_nurse(
            case=case, physician=physician2, reason="Please look again at this."
        )


def test_an_unknown_outcome_is_refused(appeal, physician2):
    case = physician_review.case_claim_physician(case=appeal.case, physician=physician2)
    with pytest.raises(ReviewError, match="Choose the outcome"):
        appeals.appeal_decide(case=case, physician=physician2, outcome="maybe")


def test_a_second_filing_against_the_same_decision_is_refused(appeal, denied, nurse):
    with pytest.raises((AppealNotAllowed, StaleCase)):
        _file(Case.objects.get(pk=denied.pk), nurse)
    assert Appeal.objects.count() == 1


def test_a_partial_overturn_approves_part_and_a_medicaid_upheld_goes_to_a_fair_hearing(
    escalated, physician, physician2, nurse
):
    Case.objects.filter(pk=escalated.pk).update(line_of_business="medicaid_ma_medical")
    escalated.refresh_from_db()
    physician_review.case_claim_physician(case=escalated, physician=physician)
    physician_review.case_deny(
        case=escalated, physician=physician, criteria_cited=["PRE-1"], rationale=DENIAL_REASON
    )
    appeal = _file(escalated, nurse)
    case = physician_review.case_claim_physician(case=appeal.case, physician=physician2)
    start = timezone.localdate()
    determination = appeals.appeal_decide(
        case=case,
        physician=physician2,
        outcome="partially_overturned",
        approval_start=start,
        approval_end=start + timedelta(days=89),
        authorized_doses=4,
        rationale="We approve the first 90 days; send a follow-up MRI for more.",
    )
    assert determination.outcome == Determination.Outcome.PARTIALLY_APPROVED
    appeal.refresh_from_db()
    # Medicaid: no independent review entity; the member may ask for a State fair hearing.
    assert (appeal.outcome, appeal.ire_required) == ("partially_overturned", False)
    html = determination.letter.html
    assert "Notice of appeal decision: partially overturned" in html
    assert "State fair hearing" in html
