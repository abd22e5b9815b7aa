"""The claim line API: a claims examiner POSTs a line (201, its result), the same id again
(200, the first result), other contents under that id (409), bad input (400 with each
field's reason); lists by status and reads one; other roles get 403/404."""

import pytest

from reviews.models import ClaimLine
from tests.api.test_api import API, client_for
from tests.builders import approved_case
from tests.claims_fixtures import NPI
from tests.review_fixtures import kesimpta_request

pytestmark = pytest.mark.django_db


def body(**overrides):
    from datetime import date

    data = {
        "claim_line_id": "API-1",
        "member_id": "M1234567",
        "date_of_service": date.today().isoformat(),
        "hcpcs_code": "j3490",
        "units": 2,
        "modifiers": ["JZ"],
        "billed_amount": "3000.00",
        "billing_npi": NPI,
        "rendering_npi": NPI,
        "participating": True,
    }
    data.update(overrides)
    return data


@pytest.fixture
def authorized(kesimpta, nurse):
    return approved_case(kesimpta_request(nurse), nurse)


def test_post_adjudicates_and_a_retry_returns_the_first_result(authorized, examiner):
    client = client_for(examiner)
    response = client.post(f"{API}/claims/", body(), format="json")
    assert response.status_code == 201, response.content
    first = response.json()
    assert (first["status"], first["units_paid"], first["remark_code"]) == ("paid", 2, "M3M")
    assert first["authorization_number"] == authorized.authorization_number
    assert first["hcpcs_code"] == "J3490"
    again = client.post(f"{API}/claims/", body(), format="json")
    assert again.status_code == 200 and again.json()["id"] == first["id"]
    conflict = client.post(f"{API}/claims/", body(units=3), format="json")
    assert conflict.status_code == 409
    assert "other contents" in conflict.json()["detail"]
    assert ClaimLine.objects.count() == 1


def test_exceeding_units_is_a_partial_payment_with_198(authorized, examiner):
    client = client_for(examiner)
    response = client.post(f"{API}/claims/", body(units=20, participating=False), format="json")
    line = response.json()
    assert (line["status"], line["units_paid"], line["units_denied"]) == ("partially_paid", 15, 5)
    assert (line["carc"], line["group_code"]) == ("198", "PR")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"hcpcs_code": "12345"}, "hcpcs_code"),
        ({"billing_npi": "1234567890"}, "billing_npi"),
        ({"modifiers": ["JW", "JZ"]}, "modifiers"),
        ({"units": 0}, "units"),
        ({"units": "many"}, "units"),
        ({"date_of_service": "31/12/2026"}, "date_of_service"),
        ({"billed_amount": "1.234"}, "billed_amount"),
        ({"participating": None}, "participating"),
        ({"ndc": "123"}, "ndc"),
        ({"hcpcs_code": "J9999"}, "hcpcs_code"),
    ],
)
def test_bad_input_is_a_400_with_the_reason(kesimpta, examiner, overrides, field):
    response = client_for(examiner).post(f"{API}/claims/", body(**overrides), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not ClaimLine.objects.exists()


def test_a_missing_field_is_named(kesimpta, examiner):
    data = body()
    del data["member_id"]
    response = client_for(examiner).post(f"{API}/claims/", data, format="json")
    assert response.status_code == 400 and "member_id" in response.json()["errors"]


def test_list_by_status_and_detail(authorized, examiner):
    client = client_for(examiner)
    client.post(f"{API}/claims/", body(), format="json")
    client.post(f"{API}/claims/", body(claim_line_id="API-2", modifiers=[]), format="json")
    listed = client.get(f"{API}/claims/", {"status": "pended_review"}).json()
    assert [r["claim_line_id"] for r in listed["results"]] == ["API-2"]
    assert client.get(f"{API}/claims/", {"status": "nonsense"}).status_code == 400
    line = ClaimLine.objects.get(claim_line_id="API-2")
    detail = client.get(f"{API}/claims/{line.pk}/").json()
    assert detail["review_reason"].startswith("A single-dose product")


def test_other_roles_may_not(authorized, examiner, nurse, physician):
    client_for(examiner).post(f"{API}/claims/", body(), format="json")
    line = ClaimLine.objects.get()
    for user in (nurse, physician):
        client = client_for(user)
        assert (
            client.post(f"{API}/claims/", body(claim_line_id="X"), format="json").status_code == 403
        )
        assert client.get(f"{API}/claims/").status_code == 403
        assert client.get(f"{API}/claims/{line.pk}/").status_code == 404
    assert ClaimLine.objects.count() == 1


def test_the_openapi_description_has_the_claim_endpoints(client):
    schema = client.get(f"{API}/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert {"post", "get"} <= set(schema["paths"]["/api/v1/claims/"])
    assert "get" in schema["paths"]["/api/v1/claims/{line_id}/"]
    assert "ClaimLineInRequest" in schema["components"]["schemas"]


def test_the_case_says_units_authorized_used_and_remaining(authorized, examiner, nurse):
    client_for(examiner).post(f"{API}/claims/", body(units=3), format="json")
    case = client_for(nurse).get(f"{API}/cases/{authorized.case_id}/").json()
    assert case["determination"]["claim_units"] == {"authorized": 15, "used": 3, "remaining": 12}
