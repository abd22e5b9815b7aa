import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from reviews.errors import AlreadyClaimed, ReviewError, StaleCase
from reviews.models import Case, CaseEvent, Determination, InfoRequest, Letter, PeerToPeer
from reviews.services import physician_review as services

pytestmark = pytest.mark.django_db

REASON = (
    "Your records show primary progressive multiple sclerosis. Kesimpta is covered only "
    "for relapsing forms of MS."
)


@pytest.fixture
def claimed(escalated, physician):
    services.case_claim_physician(case=escalated, physician=physician)
    escalated.refresh_from_db()
    return escalated


def test_claim_moves_the_case_into_review_and_only_one_physician_wins(
    escalated, physician, django_user_model
):
    from django.contrib.auth.models import Group

    from reviews import roles

    other = django_user_model.objects.create_user("petra", password="x" * 20)
    other.groups.add(Group.objects.get(name=roles.PHYSICIAN))
    services.case_claim_physician(case=escalated, physician=physician)
    escalated.refresh_from_db()
    assert (escalated.status, escalated.assignee) == ("physician_review", physician)
    with pytest.raises(AlreadyClaimed, match="Pat Shah, MD has already claimed"):
        services.case_claim_physician(case=Case.objects.get(pk=escalated.pk), physician=other)
    assert services.case_claim_physician(case=escalated, physician=physician).assignee == physician


def test_nurses_cannot_claim_or_decide(escalated, claimed, nurse):
    with pytest.raises(PermissionDenied):
        services.case_claim_physician(case=escalated, physician=nurse)
    with pytest.raises(PermissionDenied, match="Only a physician reviewer may deny"):
        services.case_deny(
            case=claimed, physician=nurse, criteria_cited=["PRE-1"], rationale=REASON
        )
    with pytest.raises(PermissionDenied):
        services.case_approve_by_physician(case=claimed, physician=nurse)
    assert not Determination.objects.exists()
    assert Case.objects.get(pk=claimed.pk).status == "physician_review"


def test_deny_names_criteria_of_the_pinned_version_and_a_plain_reason(claimed, physician):
    with pytest.raises(ReviewError, match="Name at least one criterion"):
        services.case_deny(case=claimed, physician=physician, criteria_cited=[], rationale=REASON)
    with pytest.raises(
        ReviewError, match=r"Not criteria of policy 2020910 version 1 on this request's path: 9\.Z"
    ):
        services.case_deny(
            case=claimed, physician=physician, criteria_cited=["PRE-1", "9.Z"], rationale=REASON
        )
    # The choices the denial form offers, no more: no group, no leaf of the other path.
    for label in ("root", "1", "1.A", "1.B.i"):
        with pytest.raises(ReviewError, match=rf"on this request's path: {re.escape(label)}\.$"):
            services.case_deny(
                case=claimed, physician=physician, criteria_cited=[label], rationale=REASON
            )
    with pytest.raises(ReviewError, match="plain language"):
        services.case_deny(
            case=claimed, physician=physician, criteria_cited=["PRE-1"], rationale="PPMS"
        )
    determination = services.case_deny(
        case=claimed,
        physician=physician,
        criteria_cited=["PRE-1", "1.A.i", "PRE-1"],
        rationale=REASON,
    )
    assert determination.outcome == "denied" and determination.role == "physician"
    assert determination.criteria_cited == ["PRE-1", "1.A.i"]
    assert determination.x12_action_code == "A3"
    assert determination.approval_start is None
    case = Case.objects.get(pk=claimed.pk)
    assert case.status == "denied"
    assert CaseEvent.objects.filter(case=case, to_status="denied", actor=physician).exists()
    assert Letter.objects.filter(determination=determination).exists()


def test_approve_defaults_to_the_policy_period_and_quantity(claimed, physician):
    determination = services.case_approve_by_physician(case=claimed, physician=physician)
    today = timezone.localdate()
    assert (determination.approval_start, determination.approval_end) == (
        today,
        today + timedelta(days=364),
    )
    assert determination.authorized_doses == 15 and determination.authorized_amount == 300
    assert determination.x12_action_code == "A1"


def test_approve_with_an_edited_period(claimed, physician):
    start = timezone.localdate() + timedelta(days=3)
    determination = services.case_approve_by_physician(
        case=claimed,
        physician=physician,
        approval_start=start,
        approval_end=start + timedelta(days=179),
        authorized_doses=9,
    )
    assert (determination.approval_end - determination.approval_start).days == 179
    assert determination.authorized_amount == 180


def test_partial_approval_needs_a_reason_and_a_real_difference(claimed, physician):
    start = timezone.localdate()
    with pytest.raises(ReviewError, match="Say why only part is approved"):
        services.case_partially_approve(
            case=claimed,
            physician=physician,
            approval_start=start,
            approval_end=start + timedelta(days=89),
            authorized_doses=5,
            rationale="",
        )
    with pytest.raises(ReviewError, match="use Approve instead"):
        services.case_partially_approve(
            case=claimed,
            physician=physician,
            approval_start=start,
            approval_end=start + timedelta(days=364),
            authorized_doses=15,
            rationale="Approved for the full year as requested.",
        )
    determination = services.case_partially_approve(
        case=claimed,
        physician=physician,
        approval_start=start,
        approval_end=start + timedelta(days=89),
        authorized_doses=5,
        rationale="Approved for 90 days while an MRI confirms the relapsing form.",
    )
    assert determination.outcome == "partially_approved" and determination.x12_action_code == "A6"
    assert Case.objects.get(pk=claimed.pk).status == "partially_approved"


@pytest.mark.parametrize(
    "start,end,doses,message",
    [
        (None, None, 5, "Give the approval period"),
        (date(2027, 1, 10), date(2027, 1, 1), 5, "ends before it starts"),
        (date(2027, 1, 1), date(2031, 1, 1), 5, "longer than three years"),
        (date(2027, 1, 1), date(2027, 3, 1), 0, "at least 1"),
    ],
)
def test_partial_approval_bad_values(claimed, physician, start, end, doses, message):
    with pytest.raises(ReviewError, match=message):
        services.case_partially_approve(
            case=claimed,
            physician=physician,
            approval_start=start,
            approval_end=end,
            authorized_doses=doses,
            rationale="Approved for part of the period requested.",
        )


def test_a_determination_is_issued_once(claimed, physician):
    services.case_deny(
        case=claimed, physician=physician, criteria_cited=["PRE-1"], rationale=REASON
    )
    with pytest.raises(StaleCase):
        services.case_approve_by_physician(case=claimed, physician=physician)
    assert Determination.objects.filter(case=claimed).count() == 1


def test_request_information_waits_and_validates(claimed, physician):
    now = timezone.now()
    with pytest.raises(ReviewError, match="Say what is missing"):
        services.info_request_create(
            case=claimed, physician=physician, missing="MRI", wait_until=now + timedelta(days=3)
        )
    with pytest.raises(ReviewError, match="in the future"):
        services.info_request_create(
            case=claimed,
            physician=physician,
            missing="The latest brain MRI report.",
            wait_until=now - timedelta(hours=1),
        )
    with pytest.raises(ReviewError, match="at most 30 days"):
        services.info_request_create(
            case=claimed,
            physician=physician,
            missing="The latest brain MRI report.",
            wait_until=now + timedelta(days=31),
        )
    request = services.info_request_create(
        case=claimed,
        physician=physician,
        missing="The latest brain MRI report.",
        wait_until=now + timedelta(days=3),
    )
    case = Case.objects.get(pk=claimed.pk)
    assert case.status == "info_requested" and case.assignee is None
    assert InfoRequest.objects.get() == request and request.resolved_at is None


def test_peer_to_peer_offer_and_log(claimed, physician):
    p2p = services.peer_to_peer_offer(case=claimed, physician=physician)
    with pytest.raises(ReviewError, match="after it was held"):
        services.peer_to_peer_log(
            p2p=p2p,
            physician=physician,
            held_at=timezone.now() + timedelta(hours=2),
            with_whom="Dr. Marsh",
            outcome="x",
        )
    with pytest.raises(ReviewError, match="with whom"):
        services.peer_to_peer_log(
            p2p=p2p, physician=physician, held_at=timezone.now(), with_whom=" ", outcome="Agreed."
        )
    services.peer_to_peer_log(
        p2p=p2p,
        physician=physician,
        held_at=timezone.now(),
        with_whom="Dr. Elena Marsh",
        outcome="Will send the MRI.",
    )
    p2p.refresh_from_db()
    assert p2p.with_whom == "Dr. Elena Marsh"
    with pytest.raises(ReviewError, match="already logged"):
        services.peer_to_peer_log(
            p2p=p2p,
            physician=physician,
            held_at=timezone.now(),
            with_whom="Dr. Marsh",
            outcome="Again.",
        )
    kinds = list(
        CaseEvent.objects.filter(case=claimed, kind__startswith="peer_to_peer").values_list(
            "kind", flat=True
        )
    )
    assert kinds == ["peer_to_peer_offered", "peer_to_peer_held"]
    assert PeerToPeer.objects.count() == 1


def test_x12_codes_for_each_outcome_and_for_a_pended_case(claimed, physician):
    from reviews.models.decisions import x12_action_code_for_case

    assert x12_action_code_for_case(claimed) is None
    services.info_request_create(
        case=claimed,
        physician=physician,
        missing="The latest brain MRI report.",
        wait_until=timezone.now() + timedelta(days=2),
    )
    assert x12_action_code_for_case(Case.objects.get(pk=claimed.pk)) == "A4"
    assert Determination.X12_ACTION == {
        "approved": "A1",
        "partially_approved": "A6",
        "denied": "A3",
    }


@pytest.mark.django_db(transaction=True)
def test_two_physicians_claiming_at_once_exactly_one_wins(
    kesimpta, nurse, physician, django_user_model
):
    import threading

    from django.contrib.auth.models import Group
    from django.db import connection

    from reviews import roles
    from tests import services_available
    from tests.builders import escalated_case
    from tests.conftest import require_service
    from tests.review_fixtures import kesimpta_request

    require_service(
        "PostgreSQL",
        services_available.postgres(),
        "set DATABASE_URL to PostgreSQL: SQLite serializes writers",
    )
    other = django_user_model.objects.create_user("petra", password="x" * 20)
    other.groups.add(Group.objects.get(name=roles.PHYSICIAN))
    case = escalated_case(kesimpta_request(nurse), nurse, **{"PRE-1": "not_met"})
    barrier, outcomes = threading.Barrier(2), []

    def claim(user):
        try:
            barrier.wait()
            services.case_claim_physician(case=Case.objects.get(pk=case.pk), physician=user)
            outcomes.append("won")
        except (AlreadyClaimed, StaleCase) as error:
            outcomes.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(u,)) for u in (physician, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("won") == 1
    assert CaseEvent.objects.filter(case=case, to_status="physician_review").count() == 1
