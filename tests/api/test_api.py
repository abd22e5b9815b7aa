"""The JSON API: a second face on the same services. Each resource, each role, each error
status (400 per field, 401, 403, 404, 409), Idempotency-Key, pagination, and a whole case
from intake to letter through the API alone."""

import copy
import io
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from reviews.models import (
    AccessEvent,
    Case,
    CaseEvent,
    CriterionAnswer,
    Determination,
    Document,
    IdempotencyKey,
)
from reviews.selectors.review import case_review_state
from reviews.services import nurse_review
from tests.builders import answered_case, escalated_case, step_answers, step_evidence
from tests.conftest import PASSWORD
from tests.factories import pdf_bytes
from tests.review_fixtures import KESIMPTA_REGIMEN, kesimpta_request

pytestmark = pytest.mark.django_db

API = "/api/v1"


def client_for(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def intake_body(**changes) -> dict:
    body = {
        "member_name": "Dana Whitfield",
        "member_id": "M7654321",
        "member_dob": "1990-05-14",
        "prescriber_name": "Dr. Elena Marsh",
        "prescriber_npi": "1234567893",
        "prescriber_specialty": "Neurology",
        "diagnosis_codes": ["G35.A"],
        "drug_name": "Kesimpta",
        "hcpcs_code": "J3490",
        "regimen": copy.deepcopy(KESIMPTA_REGIMEN),
        "request_type": "initial",
        "urgency": "standard",
        "line_of_business": "commercial",
        "medications": [{"name": "Vitamin D"}],
    }
    body.update(changes)
    return body


@pytest.fixture
def rules(deadline_rules):
    return deadline_rules


# ---- authentication --------------------------------------------------------------------------


def test_token_is_obtained_with_username_and_password_and_revoked(nurse):
    client = APIClient()
    response = client.post(
        f"{API}/auth/token/", {"username": "nina", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert AccessEvent.objects.filter(kind="token_issued", user=nurse).exists()

    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(f"{API}/cases/").status_code == 200
    assert client.delete(f"{API}/auth/token/").status_code == 204
    assert not Token.objects.filter(user=nurse).exists()
    assert AccessEvent.objects.filter(kind="token_revoked", user=nurse).exists()
    response = client.get(f"{API}/cases/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_wrong_password_is_a_400_with_a_message_and_is_audited(nurse):
    response = APIClient().post(
        f"{API}/auth/token/", {"username": "nina", "password": "wrong"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["non_field_errors"] == [
        "The user name or password is not correct."
    ]
    assert AccessEvent.objects.filter(kind="login_failed", username="nina").exists()


def test_token_requests_are_locked_out_after_five_failures(nurse):
    client = APIClient()
    for _ in range(5):
        client.post(f"{API}/auth/token/", {"username": "nina", "password": "no"}, format="json")
    response = client.post(
        f"{API}/auth/token/", {"username": "nina", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.json()["detail"]
    assert response.json()["code"] == "locked_out"
    assert int(response["Retry-After"]) > 0
    assert not Token.objects.filter(user=nurse).exists()


def test_token_request_with_missing_fields_names_them():
    response = APIClient().post(f"{API}/auth/token/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"username", "password"}


def test_a_user_without_a_role_gets_no_token(outsider):
    response = APIClient().post(
        f"{API}/auth/token/", {"username": outsider.username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 403
    assert not Token.objects.filter(user=outsider).exists()


def test_no_credentials_is_401_everywhere_but_token_and_schema():
    client = APIClient()
    for path in ["/cases/", "/cases/1/", "/policies/", "/queues/nurse/", "/queues/physician/"]:
        response = client.get(API + path)
        assert response.status_code == 401, path
        assert response["WWW-Authenticate"] == "Token"
    assert client.get(f"{API}/schema/").status_code == 200


def test_a_bad_token_is_401():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get(f"{API}/cases/").status_code == 401


# ---- policies --------------------------------------------------------------------------------


def test_policies_and_a_versions_criteria_tree(nurse, kesimpta):
    client = client_for(nurse)
    body = client.get(f"{API}/policies/").json()
    assert body["count"] == 1
    policy = body["results"][0]
    assert policy["number"] == "2020910"
    assert policy["drugs"] == [
        {"brand": "Kesimpta", "generic": "ofatumumab", "hcpcs_codes": ["J3490"], "ndcs": []}
    ]
    version_id = policy["versions"][0]["id"]
    version = client.get(f"{API}/policies/versions/{version_id}/").json()
    assert version["policy_number"] == "2020910"
    root = version["criteria"]
    labels = []

    def walk(node):
        labels.append(node["label"])
        for child in node["children"]:
            walk(child)

    walk(root)
    assert {"PRE-1", "PRE-2", "1.A.i", "1.B.duration"} <= set(labels)
    assert version["document"]["format"] == "priorauth-policy/1"


def test_policy_version_404_for_unknown(nurse, kesimpta):
    response = client_for(nurse).get(f"{API}/policies/versions/999999/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_outsider_sees_no_policies(outsider, kesimpta):
    response = client_for(outsider).get(f"{API}/policies/")
    assert response.status_code == 404  # as every policy page is to a user without a role


# ---- intake ----------------------------------------------------------------------------------


def test_create_case_with_every_intake_field(nurse, kesimpta, rules):
    body = intake_body(
        prescriber_specialty="Family medicine",
        consulting_name="Dr. Ana Neuro",
        consulting_specialty="Neurology",
        consult_date=str(timezone.localdate() - timedelta(days=3)),
        medications=[
            {"name": "Vitamin D"},
            {"name": "Tecfidera", "stop_date": str(timezone.localdate() + timedelta(days=10))},
        ],
    )
    response = client_for(nurse).post(f"{API}/cases/", body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    case = Case.objects.get(pk=data["id"])
    assert case.reference == data["reference"]
    assert case.status == Case.Status.NURSE_REVIEW
    assert case.consulting_name == "Dr. Ana Neuro"
    assert [m.name for m in case.medications.all()] == ["Vitamin D", "Tecfidera"]
    assert case.regimen == KESIMPTA_REGIMEN
    assert data["evaluation"]["path"] == "initial"
    assert data["policy_number"] == "2020910"
    assert any(e["kind"] == "received" for e in data["events"])


def test_create_case_errors_are_per_field(nurse, kesimpta, rules):
    body = intake_body(
        prescriber_npi="1234567890",
        diagnosis_codes=["G35"],
        member_dob="2999-01-01",
        regimen={
            "phases": [{**KESIMPTA_REGIMEN["phases"][0], "dose": {"amount": "-1", "unit": "mg"}}]
        },
    )
    response = client_for(nurse).post(f"{API}/cases/", body, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "regimen.phases.0.dose.amount" in errors
    assert not Case.objects.exists()

    body = intake_body(prescriber_npi="1234567890", diagnosis_codes=["G35"])
    errors = client_for(nurse).post(f"{API}/cases/", body, format="json").json()["errors"]
    assert "check digit" in errors["prescriber_npi"][0]
    assert "not billable" in errors["diagnosis_codes"][0]
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"prescriber_specialty": "Family medicine"},  # no consultation given
        {"prescriber_specialty": "Pediatric Neurology"},
        {"prescriber_specialty": "Neurology", "prescriber_credential": "pa"},
        {"prescriber_specialty": "General practice", "consulting_name": "Dr. Ana Neuro"},
    ],
)
def test_intake_takes_every_prescriber(nurse, kesimpta, rules, changes):
    response = client_for(nurse).post(f"{API}/cases/", intake_body(**changes), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "nurse_review"
    for name, value in changes.items():
        assert data[name] == value
    assert data["prescriber_credential"] == changes.get("prescriber_credential", "")


def test_intake_rules_come_back_at_the_bodys_field_paths(nurse, kesimpta, rules):
    body = intake_body(
        regimen={
            "phases": [
                {
                    "dose": {"amount": "20.0005", "unit": "mg"},
                    "route": "subcutaneous",
                    "schedule": {"at": [2, 1], "unit": "week"},
                },
                {
                    "dose": {"amount": "20", "unit": "mg"},
                    "route": "subcutaneous",
                    "schedule": {"every": 400, "unit": "week"},
                },
            ]
        },
        request_type="continuation",
        prescriber_credential="rn",
        medications=[{"name": "Vitamin D"}, {"name": " ", "stop_date": "2027-01-01"}],
    )
    response = client_for(nurse).post(f"{API}/cases/", body, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    # JSON types and sizes first (DRF), then the intake rules.
    assert set(errors) == {"prescriber_credential", "regimen.phases.0.dose.amount"}
    assert errors["prescriber_credential"] == ['"rn" is not a valid choice.']

    del body["prescriber_credential"]
    body["regimen"]["phases"][0]["dose"]["amount"] = "20.5"
    errors = client_for(nurse).post(f"{API}/cases/", body, format="json").json()["errors"]
    assert errors["regimen.phases.0.schedule.at"] == ["List each offset once, in ascending order."]
    assert errors["regimen.phases.1.schedule.every"] == [
        "Ensure this value is less than or equal to 365."
    ]
    assert "needs the date therapy" in errors["therapy_start_date"][0]
    assert errors["medications.1.name"] == ["Name the medication that stops on this date."]
    assert "non_field_errors" not in errors
    assert not Case.objects.exists()


def test_a_phase_without_a_schedule_or_no_phase_at_all_is_refused(nurse, kesimpta, rules):
    phase = {"dose": {"amount": "20", "unit": "mg"}, "route": "subcutaneous"}
    response = client_for(nurse).post(
        f"{API}/cases/",
        intake_body(regimen={"phases": [{**phase, "schedule": {"unit": "week"}}]}),
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "regimen.phases.0.schedule.every": [
            "Give the offsets of a series of doses, or an interval (every ...)."
        ]
    }
    for regimen, key in (
        ({"phases": []}, "regimen.phases"),
        ({"phases": [phase]}, "regimen.phases.0.schedule"),
        ({"dose_amount": "20"}, "regimen.phases"),
    ):
        response = client_for(nurse).post(
            f"{API}/cases/", intake_body(regimen=regimen), format="json"
        )
        assert response.status_code == 400, regimen
        assert key in response.json()["errors"], response.json()


def test_the_infusion_is_taken_as_phases(nurse, kesimpta, rules):
    regimen = {
        "phases": [
            {
                "name": "Loading",
                "dose": {"amount": "300", "unit": "mg"},
                "route": "intravenous",
                "schedule": {"at": [0, 14], "unit": "day"},
                "initial_only": True,
            },
            {
                "name": "Maintenance",
                "dose": {"amount": "600", "unit": "mg"},
                "route": "intravenous",
                "schedule": {
                    "every": 6,
                    "unit": "calendar_month",
                    "start": 24,
                    "start_unit": "week",
                },
            },
        ]
    }
    response = client_for(nurse).post(f"{API}/cases/", intake_body(regimen=regimen), format="json")
    assert response.status_code == 201, response.json()
    assert Case.objects.get(pk=response.json()["id"]).regimen == regimen


def test_a_receipt_time_is_taken_as_sent(nurse, kesimpta, rules):
    received = (timezone.now() - timedelta(hours=3)).replace(microsecond=0)
    body = intake_body(received_at=received.isoformat())
    errors = client_for(nurse).post(f"{API}/cases/", body, format="json").json()["errors"]
    assert "more than 30 minutes ago" in errors["backdate_reason"][0]
    body["backdate_reason"] = "Faxed overnight."
    data = client_for(nurse).post(f"{API}/cases/", body, format="json").json()
    assert Case.objects.get(pk=data["id"]).received_at == received  # to the second


def test_create_case_rejects_wrong_types_and_malformed_json(nurse, kesimpta, rules):
    client = client_for(nurse)
    response = client.post(f"{API}/cases/", intake_body(member_dob="14/05/1990"), format="json")
    assert response.status_code == 400
    assert "member_dob" in response.json()["errors"]
    response = client.post(f"{API}/cases/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    response = client.post(f"{API}/cases/", [1, 2], format="json")
    assert response.status_code == 400
    response = client.post(
        f"{API}/cases/", intake_body(medications=[{"name": "x" * 201}]), format="json"
    )
    assert response.status_code == 400
    assert "medications.0.name" in response.json()["errors"]


def test_a_medication_with_a_stop_date_needs_a_name(nurse, kesimpta, rules):
    # As on the page (a stop date names the medication that stops), at the field.
    body = intake_body(medications=[{"name": "  ", "stop_date": "2027-01-01"}])
    response = client_for(nurse).post(f"{API}/cases/", body, format="json")
    assert response.status_code == 400
    assert "medications.0.name" in response.json()["errors"], response.json()
    assert not Case.objects.exists()


def test_html_in_a_name_comes_back_as_it_was_typed(nurse, kesimpta, rules):
    body = intake_body(member_name="<script>alert(1)</script>")
    response = client_for(nurse).post(f"{API}/cases/", body, format="json")
    assert response.status_code == 201
    assert response.json()["member_name"] == "<script>alert(1)</script>"  # JSON, not HTML


def test_idempotency_key_returns_the_same_case_on_retry(nurse, kesimpta, rules):
    client = client_for(nurse)
    key = str(uuid.uuid4())
    first = client.post(f"{API}/cases/", intake_body(), format="json", HTTP_IDEMPOTENCY_KEY=key)
    second = client.post(f"{API}/cases/", intake_body(), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert Case.objects.count() == 1
    changed = client.post(
        f"{API}/cases/",
        intake_body(member_id="M0000001"),
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert changed.status_code == 409
    assert "different request body" in changed.json()["detail"]
    assert Case.objects.count() == 1
    # Without a key, or with another key, a POST creates another case.
    assert client.post(f"{API}/cases/", intake_body(), format="json").status_code == 201
    assert Case.objects.count() == 2


def test_idempotency_keys_are_per_user(nurse, nurse2, kesimpta, rules):
    key = "same-key"
    a = client_for(nurse).post(
        f"{API}/cases/", intake_body(), format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    b = client_for(nurse2).post(
        f"{API}/cases/", intake_body(), format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert a.json()["id"] != b.json()["id"]
    assert IdempotencyKey.objects.count() == 2


def test_an_oversized_idempotency_key_is_refused(nurse, kesimpta, rules):
    response = client_for(nurse).post(
        f"{API}/cases/", intake_body(), format="json", HTTP_IDEMPOTENCY_KEY="k" * 256
    )
    assert response.status_code == 400
    assert not Case.objects.exists()


@pytest.mark.parametrize("who", ["policy_admin", "auditor", "outsider"])
def test_only_intake_roles_create_cases(who, request, kesimpta, rules):
    user = request.getfixturevalue(who)
    response = client_for(user).post(f"{API}/cases/", intake_body(), format="json")
    assert response.status_code == 403
    assert not Case.objects.exists()


# ---- reading cases ---------------------------------------------------------------------------


def test_case_list_filters_and_pagination(nurse, kesimpta):
    for i in range(3):
        kesimpta_request(nurse, member_id=f"M{i:07d}", urgency="expedited" if i else "standard")
    client = client_for(nurse)
    body = client.get(f"{API}/cases/", {"page_size": 2}).json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    assert client.get(f"{API}/cases/", {"urgency": "expedited"}).json()["count"] == 2
    assert client.get(f"{API}/cases/", {"q": "M0000002"}).json()["count"] == 1
    assert client.get(f"{API}/cases/", {"drug": "Kesimpta"}).json()["count"] == 3
    assert client.get(f"{API}/cases/", {"status": "denied"}).json()["count"] == 0
    response = client.get(f"{API}/cases/", {"status": "nonsense"})
    assert response.status_code == 400 and "status" in response.json()["errors"]
    assert client.get(f"{API}/cases/", {"page": 99}).status_code == 404


def test_case_detail_is_audited_and_404_for_outsiders(nurse, outsider, clear_case):
    response = client_for(nurse).get(f"{API}/cases/{clear_case.pk}/")
    assert response.status_code == 200
    assert CaseEvent.objects.filter(
        case=clear_case, kind="case_viewed", payload__page="api"
    ).exists()
    assert client_for(outsider).get(f"{API}/cases/{clear_case.pk}/").status_code == 404
    assert client_for(nurse).get(f"{API}/cases/999999/").status_code == 404


# ---- documents -------------------------------------------------------------------------------


def test_upload_list_and_download_documents(nurse, clear_case, private_storage):
    client = client_for(nurse)
    good = io.BytesIO(pdf_bytes(["MRI report: lesions typical of relapsing MS."]))
    good.name = "mri.pdf"
    bad = io.BytesIO(b"MZ\x90\x00 not a document")
    bad.name = "tool.exe"
    response = client.post(
        f"{API}/cases/{clear_case.pk}/documents/",
        {"files": [good, bad], "kind": "mri_report"},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [d["original_name"] for d in body["accepted"]] == ["mri.pdf"]
    assert body["rejected"][0]["name"] == "tool.exe"
    document_id = body["accepted"][0]["id"]

    listing = client.get(f"{API}/cases/{clear_case.pk}/documents/").json()
    assert listing["count"] == 1
    detail = client.get(f"{API}/cases/{clear_case.pk}/documents/{document_id}/").json()
    assert detail["kind"] == "mri_report"
    download = client.get(detail["file_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert CaseEvent.objects.filter(case=clear_case, kind="document_downloaded").exists()


def test_upload_with_no_acceptable_file_is_400(nurse, clear_case, private_storage):
    bad = io.BytesIO(b"")
    bad.name = "empty.pdf"
    response = client_for(nurse).post(
        f"{API}/cases/{clear_case.pk}/documents/", {"files": [bad]}, format="multipart"
    )
    assert response.status_code == 400
    assert "empty.pdf" in response.json()["errors"]["files"][0]
    response = client_for(nurse).post(
        f"{API}/cases/{clear_case.pk}/documents/", {}, format="multipart"
    )
    assert response.status_code == 400
    assert not Document.objects.exists()


def test_document_of_another_case_is_404(nurse, kesimpta, private_storage):
    a = kesimpta_request(nurse, member_id="M0000001")
    b = kesimpta_request(nurse, member_id="M0000002")
    f = io.BytesIO(pdf_bytes(["note"]))
    f.name = "note.pdf"
    client = client_for(nurse)
    doc = client.post(f"{API}/cases/{a.pk}/documents/", {"files": [f]}, format="multipart")
    doc_id = doc.json()["accepted"][0]["id"]
    assert client.get(f"{API}/cases/{b.pk}/documents/{doc_id}/").status_code == 404
    assert client.get(f"{API}/cases/{b.pk}/documents/{doc_id}/file/").status_code == 404


# ---- the nurse's review ----------------------------------------------------------------------


def answer_all(client, case):
    """Every step by label, each "met" no check stands for with its evidence."""
    answers = step_answers(case)
    case.refresh_from_db()
    cited = step_evidence(case, case.assignee, answers)
    for label, value in answers.items():
        body = {"answer": value}
        if label in cited:
            body |= {**cited[label], "evidence_document": cited[label]["evidence_document"].pk}
        response = client.put(f"{API}/cases/{case.pk}/answers/{label}/", body, format="json")
        assert response.status_code == 200, response.json()


def test_nurse_claims_answers_and_approves(nurse, clear_case):
    client = client_for(nurse)
    claim = client.post(f"{API}/cases/{clear_case.pk}/claim/")
    assert claim.status_code == 200 and claim.json()["assignee"] == "nina"
    answer_all(client, clear_case)
    answers = client.get(f"{API}/cases/{clear_case.pk}/answers/").json()
    assert {a["label"] for a in answers} >= {"PRE-1", "1.A.i"}
    response = client.post(f"{API}/cases/{clear_case.pk}/approve/")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "approved"
    assert body["determination"]["outcome"] == "approved"
    assert body["determination"]["x12_action_code"] == "A1"
    assert body["letter"]["status"] in ("pending", "rendered")
    # Approving twice: the case has moved on.
    again = client.post(f"{API}/cases/{clear_case.pk}/approve/")
    assert again.status_code == 409
    assert Determination.objects.count() == 1


def test_answer_errors(nurse, nurse2, clear_case):
    client = client_for(nurse)
    url = f"{API}/cases/{clear_case.pk}/answers/PRE-1/"
    # Not claimed yet: a clear 409.
    assert client.put(url, {"answer": "met"}, format="json").status_code == 409
    client.post(f"{API}/cases/{clear_case.pk}/claim/")
    response = client.put(url, {"answer": "maybe"}, format="json")
    assert response.status_code == 400 and "answer" in response.json()["errors"]
    response = client.put(url, {"answer": "met", "evidence_page": 3}, format="json")
    assert response.status_code == 400
    assert "evidence_document" in response.json()["errors"]
    response = client.put(url, {"answer": "met", "evidence_document": 999999}, format="json")
    assert response.status_code == 400
    response = client.put(
        f"{API}/cases/{clear_case.pk}/answers/NOPE/", {"answer": "met"}, format="json"
    )
    assert response.status_code == 400
    assert "no criterion" in response.json()["detail"]
    # Overriding a computed suggestion needs a comment, as on the page.
    state = case_review_state(case=clear_case)
    label = next(iter(state.suggestions))
    other = "not_documented" if state.suggestions[label].answer != "not_documented" else "met"
    response = client.put(
        f"{API}/cases/{clear_case.pk}/answers/{label}/", {"answer": other}, format="json"
    )
    assert response.status_code == 400
    assert "comment" in response.json()["detail"]
    # Another nurse cannot answer a case claimed by the first.
    response = client_for(nurse2).put(url, {"answer": "met"}, format="json")
    assert response.status_code == 409
    assert not CriterionAnswer.objects.exists()


def test_second_claim_is_a_409_naming_the_holder(nurse, nurse2, clear_case):
    assert client_for(nurse).post(f"{API}/cases/{clear_case.pk}/claim/").status_code == 200
    response = client_for(nurse2).post(f"{API}/cases/{clear_case.pk}/claim/")
    assert response.status_code == 409
    assert response.json()["detail"] == f"{nurse.get_full_name()} has already claimed this case."


def test_nurse_cannot_approve_an_unmet_case_and_escalates(nurse, clear_case):
    client = client_for(nurse)
    client.post(f"{API}/cases/{clear_case.pk}/claim/")
    response = client.post(f"{API}/cases/{clear_case.pk}/approve/")
    assert response.status_code == 409  # unanswered criteria
    response = client.post(
        f"{API}/cases/{clear_case.pk}/escalate/", {"comment": "x" * 4001}, format="json"
    )
    assert response.status_code == 400 and "comment" in response.json()["errors"]
    response = client.post(
        f"{API}/cases/{clear_case.pk}/escalate/", {"comment": "Unclear MRI."}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "physician_queue"


@pytest.mark.parametrize(
    "who, expected", [("physician", 403), ("auditor", 403), ("policy_admin", 404)]
)
def test_nurse_actions_are_refused_to_other_roles(who, expected, request, clear_case, nurse):
    """403 for staff who may see the case; 404 for those who may not even see it."""
    nurse_review.case_claim(case=clear_case, nurse=nurse)
    client = client_for(request.getfixturevalue(who))
    case_url = f"{API}/cases/{clear_case.pk}"
    assert client.post(f"{case_url}/approve/").status_code == expected
    assert client.post(f"{case_url}/escalate/", {}, format="json").status_code == expected
    response = client.put(f"{case_url}/answers/PRE-1/", {"answer": "met"}, format="json")
    assert response.status_code == expected
    clear_case.refresh_from_db()
    assert clear_case.status == Case.Status.NURSE_REVIEW


# ---- the physician's decisions ---------------------------------------------------------------


def test_physician_claims_and_denies_citing_criteria(physician, escalated, nurse):
    client = client_for(physician)
    queue = client.get(f"{API}/queues/physician/").json()
    assert [c["id"] for c in queue["results"]] == [escalated.pk]
    assert client.post(f"{API}/cases/{escalated.pk}/claim/").status_code == 200
    response = client.post(
        f"{API}/cases/{escalated.pk}/decision/",
        {"decision": "deny", "criteria": ["NOPE"], "rationale": "Not met."},
        format="json",
    )
    assert response.status_code == 400 and "criteria" in response.json()["errors"]
    response = client.post(
        f"{API}/cases/{escalated.pk}/decision/", {"decision": "deny"}, format="json"
    )
    assert set(response.json()["errors"]) >= {"criteria", "rationale"}
    response = client.post(
        f"{API}/cases/{escalated.pk}/decision/",
        {
            "decision": "deny",
            "criteria": ["PRE-1"],
            "rationale": "Kesimpta is covered for relapsing forms of MS only.",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "denied"
    assert body["determination"]["criteria_cited"] == ["PRE-1"]
    assert body["determination"]["x12_action_code"] == "A3"
    assert body["determination"]["on_time"] is True
    letter = client.get(f"{API}/cases/{escalated.pk}/letter/").json()
    assert letter["outcome"] == "denied"
    # A nurse may read the letter's status but not decide.
    assert client_for(nurse).get(f"{API}/cases/{escalated.pk}/letter/").status_code == 200


def test_physician_approves_with_defaults_and_partial_needs_a_reason(physician, escalated):
    client = client_for(physician)
    client.post(f"{API}/cases/{escalated.pk}/claim/")
    response = client.post(
        f"{API}/cases/{escalated.pk}/decision/", {"decision": "partial"}, format="json"
    )
    assert response.status_code == 400 and "rationale" in response.json()["errors"]
    response = client.post(
        f"{API}/cases/{escalated.pk}/decision/",
        {"decision": "approve", "approval_start": "2026-12-31", "approval_end": "2026-01-01"},
        format="json",
    )
    assert response.status_code == 400 and "approval_end" in response.json()["errors"]
    response = client.post(
        f"{API}/cases/{escalated.pk}/decision/", {"decision": "approve"}, format="json"
    )
    assert response.status_code == 200, response.json()
    determination = response.json()["determination"]
    assert determination["outcome"] == "approved"
    assert determination["authorized_doses"] == 15  # the policy's 365-day initial approval


def test_physician_requests_information(physician, escalated):
    client = client_for(physician)
    client.post(f"{API}/cases/{escalated.pk}/claim/")
    too_late = timezone.now() + timedelta(days=45)
    response = client.post(
        f"{API}/cases/{escalated.pk}/information-requests/",
        {"missing": "The MRI report.", "wait_until": too_late.isoformat()},
        format="json",
    )
    assert response.status_code == 400
    response = client.post(
        f"{API}/cases/{escalated.pk}/information-requests/",
        {
            "missing": "The MRI report.",
            "wait_until": (timezone.now() + timedelta(days=7)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "info_requested"
    assert response.json()["x12_action_code"] == "A4"  # pended


def test_decisions_are_403_for_nurses_and_409_before_claiming(nurse, physician, escalated):
    body = {"decision": "approve"}
    assert (
        client_for(nurse).post(f"{API}/cases/{escalated.pk}/decision/", body, format="json")
    ).status_code == 403
    response = client_for(physician).post(
        f"{API}/cases/{escalated.pk}/decision/", body, format="json"
    )
    assert response.status_code == 409
    assert not Determination.objects.exists()


def test_queues_are_role_scoped(nurse, physician, auditor, clear_case):
    assert client_for(nurse).get(f"{API}/queues/nurse/").json()["count"] == 1
    assert client_for(physician).get(f"{API}/queues/nurse/").status_code == 403
    assert client_for(auditor).get(f"{API}/queues/nurse/").status_code == 403
    assert client_for(nurse).get(f"{API}/queues/physician/").status_code == 403
    response = client_for(physician).get(f"{API}/queues/physician/", {"urgency": "soon"})
    assert response.status_code == 400


def test_letter_before_any_decision_is_404_and_pdf_pending_is_409(nurse, clear_case):
    client = client_for(nurse)
    assert client.get(f"{API}/cases/{clear_case.pk}/letter/").status_code == 404
    assert client.get(f"{API}/cases/{clear_case.pk}/letter/pdf/").status_code == 404
    # Approved; its PDF is rendered after the commit, which this test's transaction never
    # reaches: the letter is pending.
    case = answered_case(clear_case, nurse)
    assert case_review_state(case=case).all_met
    nurse_review.case_approve_by_nurse(case=case, nurse=nurse)
    assert client.get(f"{API}/cases/{case.pk}/letter/").json()["status"] == "pending"
    response = client.get(f"{API}/cases/{case.pk}/letter/pdf/")
    assert response.status_code == 409
    assert response.json()["detail"] == "The letter is not ready: being rendered."


# ---- schema and docs -------------------------------------------------------------------------


def test_schema_is_valid_openapi_3(client):
    from drf_spectacular.validation import validate_schema

    response = client.get(f"{API}/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)  # against the OpenAPI 3 JSON schema
    assert "/api/v1/cases/{case_id}/answers/{label}/" in schema["paths"]


def test_docs_page_is_for_signed_in_staff(client, nurse):
    assert client.get(f"{API}/docs/").status_code == 302
    client.force_login(nurse)
    response = client.get(f"{API}/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_a_total_too_large_to_record_is_a_400_on_the_doses(kesimpta, nurse, physician):
    regimen = copy.deepcopy(KESIMPTA_REGIMEN)
    for phase in regimen["phases"]:
        phase["dose"]["amount"] = "9999999.999"
    case = escalated_case(kesimpta_request(nurse, regimen=regimen), nurse, **{"PRE-1": "not_met"})
    client = client_for(physician)
    client.post(f"{API}/cases/{case.pk}/claim/")
    response = client.post(
        f"{API}/cases/{case.pk}/decision/",
        {"decision": "approve", "authorized_doses": 10000},
        format="json",
    )
    assert response.status_code == 400, response.content
    [error] = response.json()["errors"]["authorized_doses"]
    assert error.startswith("10000 doses of 9999999.999 mg is more than can be authorized")
    case.refresh_from_db()
    assert case.status == Case.Status.PHYSICIAN_REVIEW


def test_a_case_names_the_policy_drug_and_the_versions_path(nurse, kesimpta):
    case = kesimpta_request(nurse, drug_name="KESIMPTA®")
    body = client_for(nurse).get(f"{API}/cases/{case.pk}/").json()
    assert body["drug_name"] == "KESIMPTA®"
    assert body["drug"] == "Kesimpta (ofatumumab)"
    assert body["policy_drug"]["brand"] == "Kesimpta"
    assert (body["request_type"], body["request_type_name"]) == ("initial", "Initial therapy")
    assert body["evaluation"]["path_name"] == "Initial therapy"
    listed = client_for(nurse).get(f"{API}/cases/").json()["results"][0]
    assert (listed["drug"], listed["request_type_name"]) == (
        "Kesimpta (ofatumumab)",
        "Initial therapy",
    )
