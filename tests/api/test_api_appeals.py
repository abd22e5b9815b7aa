"""Appeals through the API: filing (201, late 400, twice 409), the status of a case's appeal,
and the decision, refused (403) to the physician who made the decision appealed."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from reviews.models import Appeal, Determination
from tests.api.test_api import API, client_for
from tests.appeal_fixtures import APPEAL_REASON

pytestmark = pytest.mark.django_db


def _body(**changes) -> dict:
    return {
        "appellant_kind": "prescriber",
        "appellant_name": "Dr. Elena Marsh",
        "received_at": timezone.now().isoformat(),
        "urgency": "expedited",
        "reason": APPEAL_REASON,
    } | changes


def test_file_an_appeal_and_read_it_from_both_cases(nurse, denied):
    api = client_for(nurse)
    status = api.get(f"{API}/cases/{denied.pk}/appeal/").json()
    assert status["appealable"] and status["window"]["days"] == 180
    response = api.post(f"{API}/cases/{denied.pk}/appeal/", _body(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["original"]["reference"] == denied.reference
    appeal_case = body["case"]
    assert appeal_case["status"] == "physician_queue"
    # Commercial urgent appeal: 72 hours.
    appeal = Appeal.objects.get()
    assert appeal.case.due_at == appeal.received_at + timedelta(hours=72)
    assert api.get(f"{API}/cases/{denied.pk}/appeal/").json()["appeal"]["id"] == appeal.pk
    of = api.get(f"{API}/cases/{appeal_case['id']}/appeal/").json()
    assert of["appeal_of"]["id"] == appeal.pk and not of["appealable"]
    again = api.post(f"{API}/cases/{denied.pk}/appeal/", _body(), format="json")
    assert again.status_code == 409 and "already under appeal" in again.json()["detail"]


def test_a_late_appeal_is_400_with_the_last_day(nurse, denied):
    api = client_for(nurse)
    with time_machine.travel(timezone.now() + timedelta(days=200)):
        response = api.post(f"{API}/cases/{denied.pk}/appeal/", _body(), format="json")
    assert response.status_code == 400
    assert "too late" in response.json()["detail"]
    assert "180 days" in response.json()["detail"]
    assert not Appeal.objects.exists()


def test_bad_bodies_are_400_per_field(nurse, denied):
    api = client_for(nurse)
    response = api.post(
        f"{API}/cases/{denied.pk}/appeal/",
        _body(appellant_kind="cousin", received_at="soon"),
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"appellant_kind", "received_at"}


def test_auditors_read_but_do_not_file(auditor, denied):
    api = client_for(auditor)
    assert api.get(f"{API}/cases/{denied.pk}/appeal/").status_code == 200
    assert api.post(f"{API}/cases/{denied.pk}/appeal/", _body(), format="json").status_code == 403


def test_the_decider_of_the_original_is_refused_and_another_physician_overturns(
    appeal, physician, physician2
):
    case_id = appeal.case_id
    forged = client_for(physician)
    assert forged.post(f"{API}/cases/{case_id}/claim/").status_code == 403
    response = forged.post(
        f"{API}/cases/{case_id}/appeal-decision/", {"outcome": "overturned"}, format="json"
    )
    assert response.status_code == 403
    assert "took no part" in response.json()["detail"]
    api = client_for(physician2)
    assert api.post(f"{API}/cases/{case_id}/claim/").status_code == 200
    response = api.post(
        f"{API}/cases/{case_id}/appeal-decision/", {"outcome": "overturned"}, format="json"
    )
    assert response.status_code == 200, response.json()
    determination = response.json()["determination"]
    assert determination["outcome"] == "approved"
    assert Determination.objects.get(case_id=case_id).authorization_number.startswith("AU-")
    appeal.refresh_from_db()
    assert appeal.outcome == "overturned"


def test_an_upheld_appeal_needs_the_criteria(appeal, physician2):
    api = client_for(physician2)
    api.post(f"{API}/cases/{appeal.case_id}/claim/")
    response = api.post(
        f"{API}/cases/{appeal.case_id}/appeal-decision/", {"outcome": "upheld"}, format="json"
    )
    assert response.status_code == 400
    response = api.post(
        f"{API}/cases/{appeal.case_id}/appeal-decision/",
        {
            "outcome": "upheld",
            "criteria": ["PRE-1"],
            "rationale": "The records still show a non-relapsing form of the disease.",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    appeal.refresh_from_db()
    assert appeal.outcome == "upheld"


def test_a_case_that_is_no_appeal_is_409(escalated, physician):
    api = client_for(physician)
    response = api.post(
        f"{API}/cases/{escalated.pk}/appeal-decision/", {"outcome": "overturned"}, format="json"
    )
    assert response.status_code == 409


def test_the_description_has_the_appeal_operations(client):
    schema = client.get(f"{API}/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    assert "post" in paths["/api/v1/cases/{case_id}/appeal/"]
    assert "get" in paths["/api/v1/cases/{case_id}/appeal/"]
    assert "post" in paths["/api/v1/cases/{case_id}/appeal-decision/"]
