"""POST /api/v1/cases/<id>/return-to-nurse/: the physician's return, with its reason."""

import pytest

from reviews.models import Case
from reviews.services import physician_review
from tests.api.test_api import API, client_for

pytestmark = pytest.mark.django_db

REASON = "PRE-1 was answered from the wrong note; the MRI report shows relapsing MS."


def test_a_physician_returns_a_claimed_case(escalated, physician, nurse):
    physician_review.case_claim_physician(case=escalated, physician=physician)
    path = f"{API}/cases/{escalated.pk}/return-to-nurse/"
    response = client_for(physician).post(path, {"reason": REASON}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "nurse_review"
    assert Case.objects.get(pk=escalated.pk).assignee == nurse


@pytest.mark.parametrize(
    ("body", "status"), [({}, 400), ({"reason": "short"}, 400), ({"reason": 12}, 400)]
)
def test_bad_input_is_a_400_with_a_reason(escalated, physician, body, status):
    physician_review.case_claim_physician(case=escalated, physician=physician)
    path = f"{API}/cases/{escalated.pk}/return-to-nurse/"
    response = client_for(physician).post(path, body, format="json")
    assert response.status_code == status
    assert "reason" in response.content.decode()
    assert Case.objects.get(pk=escalated.pk).status == Case.Status.PHYSICIAN_REVIEW


def test_unclaimed_is_a_409_and_a_nurse_a_403(escalated, physician, nurse):
    path = f"{API}/cases/{escalated.pk}/return-to-nurse/"
    assert client_for(physician).post(path, {"reason": REASON}, format="json").status_code == 409
    assert client_for(nurse).post(path, {"reason": REASON}, format="json").status_code == 403
