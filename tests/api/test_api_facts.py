"""Clinical facts through the API: a case created with its labs, prior therapies, clinical
events, weight and height; bad ones refused with a 400 and the reason at each path; the
case detail shows them."""

import pytest

from reviews.models import Case
from tests.api.test_api import API, client_for, intake_body

pytestmark = pytest.mark.django_db

FACTS = {
    "weight_kg": 70,
    "height_cm": "175",
    "labs": [
        {"name": "Vitamin D", "value": "18", "unit": "ng/mL", "taken_on": "2025-03-01"},
        {
            "name": "Hemoglobin",
            "value": 13.5,
            "unit": "g/dL",
            "taken_on": "2026-01-05",
            "loinc": "718-7",
        },
    ],
    "therapies": [
        {
            "drug_name": "Tecfidera",
            "dose": "240",
            "dose_unit": "mg",
            "started_on": "2024-01-10",
            "ended_on": "2025-03-01",
            "outcome": "ineffective",
        },
        {"drug_name": "Aubagio", "outcome": "contraindicated"},
    ],
    "events": [{"kind": "relapse", "occurred_on": "2025-06-02", "note": "Optic neuritis."}],
}


def test_a_case_is_created_with_its_facts_and_shows_them(nurse, kesimpta, deadline_rules):
    response = client_for(nurse).post(f"{API}/cases/", intake_body(**FACTS), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["weight_kg"], data["height_cm"], data["bmi"]) == (70.0, 175.0, 22.9)
    assert [lab["name"] for lab in data["labs"]] == ["Hemoglobin", "Vitamin D"]  # newest first
    hemoglobin = data["labs"][0]
    assert hemoglobin["value"] == 13.5 and hemoglobin["loinc"] == "718-7"
    assert hemoglobin["source"] == "intake" and hemoglobin["recorded_by"] == nurse.username
    assert hemoglobin["source_document"] is None
    therapies = {t["drug_name"]: t for t in data["therapies"]}
    assert (
        therapies["Tecfidera"]["dose"] == 240 and therapies["Tecfidera"]["outcome"] == "ineffective"
    )
    assert therapies["Aubagio"]["dose"] is None
    assert data["clinical_events"][0]["kind"] == "relapse"
    case = Case.objects.get()
    detail = client_for(nurse).get(f"{API}/cases/{case.pk}/").json()
    assert detail["labs"] == data["labs"] and detail["bmi"] == 22.9


@pytest.mark.parametrize(
    "changes, path, reason",
    [
        ({"weight_kg": 0}, "weight_kg", "greater than or equal to 0.3"),
        ({"height_cm": 999}, "height_cm", "less than or equal to 275"),
        (
            {"labs": [{"name": "Hb", "value": "1", "taken_on": "2999-01-01"}]},
            "labs.0.taken_on",
            "in the future",
        ),
        (
            {"labs": [{"name": "Hb", "value": "1", "taken_on": "2026-01-01", "loinc": "718-6"}]},
            "labs.0.loinc",
            "check digit",
        ),
        (
            {
                "therapies": [
                    {
                        "drug_name": "Tecfidera",
                        "started_on": "2025-01-01",
                        "ended_on": "2024-01-01",
                        "outcome": "ineffective",
                    }
                ]
            },
            "therapies.0.ended_on",
            "ends before it starts",
        ),
        (
            {
                "therapies": [
                    {"drug_name": "Tecfidera", "dose": "0", "dose_unit": "mg", "outcome": "ongoing"}
                ]
            },
            "therapies.0.dose",
            "greater than or equal to",
        ),
        (
            {"events": [{"kind": " ", "occurred_on": "2025-01-01"}]},
            "events.0.kind",
            "required",
        ),
    ],
)
def test_bad_facts_are_a_400_with_the_reason_at_their_path(
    nurse, kesimpta, deadline_rules, changes, path, reason
):
    response = client_for(nurse).post(f"{API}/cases/", intake_body(**changes), format="json")
    assert response.status_code == 400, response.json()
    errors = response.json()["errors"]
    assert any(reason in message for message in errors[path]), errors
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"labs": [{"name": "Hb", "value": "high", "taken_on": "2026-01-01"}]}, "labs"),
        ({"therapies": [{"drug_name": "Tecfidera", "outcome": "failed"}]}, "therapies"),
        ({"events": "relapse"}, "events"),
        ({"weight_kg": "NaN"}, "weight_kg"),
    ],
)
def test_facts_of_the_wrong_type_are_a_400(nurse, kesimpta, deadline_rules, changes, field):
    response = client_for(nurse).post(f"{API}/cases/", intake_body(**changes), format="json")
    assert response.status_code == 400
    assert field in str(response.json()["errors"])
    assert not Case.objects.exists()


# ---- adding a fact during review -------------------------------------------------------------


@pytest.fixture
def claimed(kesimpta, nurse):
    from reviews.services import nurse_review
    from tests.review_fixtures import kesimpta_request

    case = kesimpta_request(nurse)
    nurse_review.case_claim(case=case, nurse=nurse)
    return case


@pytest.fixture
def read(claimed, nurse):
    from tests.services.test_facts import read_document

    return read_document(claimed, nurse)


LAB_FROM_PAGE = {"name": "Hemoglobin", "value": "12.9", "unit": "g/dL", "taken_on": "2026-02-01"}


def test_the_nurse_adds_a_fact_read_from_a_page(nurse, claimed, read):
    response = client_for(nurse).post(
        f"{API}/cases/{claimed.pk}/facts/",
        {"kind": "lab", "values": LAB_FROM_PAGE, "source_document": read.pk, "source_page": 1},
        format="json",
    )
    assert response.status_code == 201, response.json()
    (lab,) = response.json()["labs"]
    assert (lab["name"], lab["value"]) == ("Hemoglobin", 12.9)
    added = claimed.labs.get()
    assert (added.source, added.source_document_id, added.source_page) == ("review", read.pk, 1)
    assert claimed.events.filter(kind="fact_added").count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "lab", "values": {**LAB_FROM_PAGE, "value": "high"}}, "value"),
        ({"kind": "lab", "values": {**LAB_FROM_PAGE, "taken_on": "2999-01-01"}}, "taken_on"),
        ({"kind": "lab", "values": LAB_FROM_PAGE, "source_page": 9}, "source_page"),
        ({"kind": "lab", "values": LAB_FROM_PAGE, "source_document": 999999}, "source_document"),
        ({"kind": "mood", "values": LAB_FROM_PAGE}, "kind"),
    ],
)
def test_a_bad_fact_is_a_400_with_the_reason_and_nothing_is_stored(
    nurse, claimed, read, body, field
):
    payload = {"source_document": read.pk, "source_page": 1, **body}
    response = client_for(nurse).post(f"{API}/cases/{claimed.pk}/facts/", payload, format="json")
    assert response.status_code == 400, response.json()
    errors = response.json()["errors"]
    assert any(key == field or key.endswith(f".{field}") for key in errors), errors
    assert not claimed.labs.exists()
    assert not claimed.events.filter(kind="fact_added").exists()


def test_only_the_nurse_adds_facts_and_never_to_a_decided_case(nurse, physician, claimed, read):
    body = {"kind": "lab", "values": LAB_FROM_PAGE, "source_document": read.pk, "source_page": 1}
    url = f"{API}/cases/{claimed.pk}/facts/"
    assert client_for(physician).post(url, body, format="json").status_code == 403
    Case.objects.filter(pk=claimed.pk).update(status=Case.Status.APPROVED)
    response = client_for(nurse).post(url, body, format="json")
    assert response.status_code == 409 and "decided" in response.json()["detail"]
    assert not claimed.labs.exists()
