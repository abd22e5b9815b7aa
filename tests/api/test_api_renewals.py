"""The API's side of renewals: case creation accepts the authorization a continuation
continues (by its number), refuses a link it may not have at `continues`, and the case shows
what it continues; the description says so."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reviews.models import Case, CaseEvent
from tests.api.test_api import API, client_for, intake_body
from tests.factories import KESIMPTA_CONTINUATION
from tests.services.test_renewals import authorization

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def continuation_body(**changes) -> dict:
    values = {
        "member_id": "M1234567",
        "request_type": "continuation",
        "therapy_start_date": (TODAY() - timedelta(days=340)).isoformat(),
        "regimen": KESIMPTA_CONTINUATION,
        **changes,
    }
    return intake_body(**values)


@pytest.fixture
def due(kesimpta, nurse):
    return authorization(nurse, start=TODAY() - timedelta(days=340), end=TODAY() + timedelta(20))


def test_a_continuation_is_created_linked(nurse, due):
    response = client_for(nurse).post(
        f"{API}/cases/", continuation_body(continues=due.authorization_number), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["continues"] == {
        "authorization_number": due.authorization_number,
        "case_id": due.case.pk,
        "reference": due.case.reference,
        "approval_start": due.approval_start.isoformat(),
        "approval_end": due.approval_end.isoformat(),
    }
    case = Case.objects.get(pk=body["id"])
    assert case.continues == due
    assert case.events.filter(kind=CaseEvent.Kind.CONTINUATION_STARTED).exists()
    # Any other case continues nothing.
    other = client_for(nurse).get(f"{API}/cases/{due.case.pk}/").json()
    assert other["continues"] is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (lambda n: continuation_body(continues="AU-1999-000001"), "no authorization AU-1999"),
        (lambda n: continuation_body(continues=n, member_id="M0000001"), "another member"),
        (
            lambda n: intake_body(member_id="M1234567", continues=n),
            "choose the request type Continuation",
        ),
    ],
)
def test_a_refused_link_is_a_400_at_continues(nurse, due, body, message):
    response = client_for(nurse).post(
        f"{API}/cases/", body(due.authorization_number), format="json"
    )
    assert response.status_code == 400
    error = response.json()
    assert error["code"] == "invalid"
    assert any(message in text for text in error["errors"]["continues"])
    assert not Case.objects.filter(continues=due).exists()


def test_a_second_continuation_is_refused_with_the_first_named(nurse, due):
    client = client_for(nurse)
    first = client.post(
        f"{API}/cases/", continuation_body(continues=due.authorization_number), format="json"
    ).json()
    again = client.post(
        f"{API}/cases/", continuation_body(continues=due.authorization_number), format="json"
    )
    assert again.status_code == 400
    assert f"already continued by {first['reference']}" in again.json()["detail"]


def test_the_description_has_the_link(client):
    schema = client.get(f"{API}/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    components = schema["components"]["schemas"]
    assert "continues" in components["CaseCreateRequest"]["properties"]
    assert "continues" in components["CaseDetailOut"]["properties"]
    assert set(components["ContinuesOut"]["properties"]) == {
        "authorization_number",
        "case_id",
        "reference",
        "approval_start",
        "approval_end",
    }


def test_the_renewals_list_is_the_nurses_and_names_the_continuation(nurse, physician, due):
    listed = client_for(nurse).get(f"{API}/renewals/")
    assert listed.status_code == 200, listed.json()
    (row,) = listed.json()["results"]
    assert row["authorization_number"] == due.authorization_number
    assert row["approval_end"] == due.approval_end.isoformat()
    assert row["continued_by"] is None
    started = client_for(nurse).post(
        f"{API}/cases/", continuation_body(continues=due.authorization_number), format="json"
    )
    (row,) = client_for(nurse).get(f"{API}/renewals/", {"sort": "-member"}).json()["results"]
    assert row["continued_by"] == started.json()["reference"]
    bad = client_for(nurse).get(f"{API}/renewals/", {"sort": "price"})
    assert bad.status_code == 400 and "sort" in bad.json()["errors"]
    assert client_for(physician).get(f"{API}/renewals/").status_code == 403
