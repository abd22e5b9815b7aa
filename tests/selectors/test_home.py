"""The numbers on each role's home page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reviews.errors import NotFound
from reviews.models import AccessEvent, Case
from reviews.selectors.home import auditor_home, nurse_home, physician_home
from reviews.services import nurse_review, physician_review
from reviews.services.audit import case_view_record
from tests.builders import approved_case
from tests.review_fixtures import kesimpta_request

pytestmark = pytest.mark.django_db


def test_nurse_numbers(kesimpta, nurse, nurse2):
    mine = kesimpta_request(nurse, member_name="Mine")
    nurse_review.case_claim(case=mine, nurse=nurse)
    hers = kesimpta_request(nurse, member_name="Hers")
    nurse_review.case_claim(case=hers, nurse=nurse2)
    overdue = kesimpta_request(nurse, member_name="Late")
    Case.objects.filter(pk=overdue.pk).update(due_at=timezone.now() - timedelta(minutes=5))
    far = kesimpta_request(nurse, member_name="Far")
    Case.objects.filter(pk=far.pk).update(due_at=timezone.now() + timedelta(days=10))
    approved_case(kesimpta_request(nurse, member_name="Done"), nurse)

    numbers = nurse_home(user=nurse)
    assert numbers["open"] == 4
    assert numbers["mine"] == 1
    assert numbers["overdue"] == 1 and numbers["at_risk"] >= 1
    assert numbers["due_today"] >= 1  # the overdue one at least
    assert numbers["done_week"] == 1
    assert nurse_home(user=nurse2)["done_week"] == 0


def test_physician_numbers(escalated, physician, nurse, kesimpta):
    assert physician_home(user=physician)["open"] == 1
    assert physician_home(user=physician)["mine"] == 0
    physician_review.case_claim_physician(case=escalated, physician=physician)
    assert physician_home(user=physician)["mine"] == 1
    physician_review.case_return_to_nurse(
        case=escalated, physician=physician, reason="Answered from the wrong note."
    )
    numbers = physician_home(user=physician)
    assert (numbers["open"], numbers["mine"], numbers["done_week"]) == (0, 0, 1)


def test_auditor_recent_access(escalated, nurse, auditor):
    case_view_record(case=escalated, actor=nurse, page="case")
    AccessEvent.objects.create(kind="login", user=nurse, username=nurse.get_username())
    AccessEvent.objects.create(kind="login_failed", username="nobody")
    access = auditor_home(user=auditor)
    assert access["case_views"] == 1
    assert access["people"] == 1
    assert (access["sign_ins"], access["failed_sign_ins"]) == (1, 1)
    assert [e.case_id for e in access["latest"]] == [escalated.pk]


def test_each_role_sees_only_its_own_numbers(nurse, physician, auditor):
    with pytest.raises(NotFound):
        nurse_home(user=physician)
    with pytest.raises(NotFound):
        physician_home(user=nurse)
    with pytest.raises(NotFound):
        auditor_home(user=nurse)
