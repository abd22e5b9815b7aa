"""The API's indications: the version lists them, the case says which it is for, and the
nurse chooses one (or none) through the API as on the page."""

import pytest

from reviews.models import Case, CaseEvent
from reviews.services import nurse_review
from tests.api.test_api import API, client_for
from tests.services.test_indications import infusab

pytestmark = pytest.mark.django_db


def test_a_version_lists_its_indications(nurse, two_indications):
    version = client_for(nurse).get(f"{API}/policies/versions/{two_indications.pk}/").json()
    assert [i["key"] for i in version["indications"]] == ["relapsing_ms", "nmosd"]
    ms, nmosd = version["indications"]
    assert ms["approval"] == {
        "initial": {"count": 6, "unit": "calendar_month"},
        "extended": {"count": 12, "unit": "calendar_month"},
    }
    assert ms["diagnosis_codes"] == ["G35"] and ms["regimen"]["phases"][0]["dose"]["unit"] == "mg"
    assert nmosd["approval"]["extended"] is None and nmosd["regimen"] is None
    nodes = {child["label"]: child for child in version["criteria"]["children"]}
    assert (nodes["C-1"]["indication"], nodes["NM"]["indication"]) == (None, "nmosd")


@pytest.fixture
def ambiguous(two_indications, nurse):
    case = infusab(nurse, ["G35.A", "G36.0"])
    nurse_review.case_claim(case=case, nurse=nurse)
    case.refresh_from_db()
    return case


def test_the_nurse_chooses_through_the_api(nurse, ambiguous):
    client = client_for(nurse)
    detail = client.get(f"{API}/cases/{ambiguous.pk}/").json()
    assert detail["indication"] == "" and detail["evaluation"]["indication_needed"] is True
    assert detail["evaluation"]["steps"] == []
    response = client.post(
        f"{API}/cases/{ambiguous.pk}/indication/",
        {"indication": "nmosd", "reason": "Neurology note: NMOSD."},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["indication"], body["indication_reason"]) == ("nmosd", "Neurology note: NMOSD.")
    assert body["evaluation"]["indication"] == "nmosd"
    assert [s["label"] for s in body["evaluation"]["steps"]] == ["C-1", "NM-1"]
    assert any(e["kind"] == "indication_chosen" for e in body["events"])


@pytest.mark.parametrize(
    ("data", "status", "field"),
    [
        ({"reason": "x"}, 400, "indication"),
        ({"indication": "nmosd"}, 400, "reason"),
        ({"indication": "nmosd", "reason": " "}, 400, "reason"),
        ({"indication": "psoriasis", "reason": "x"}, 400, None),
    ],
)
def test_bad_choices_are_400_with_a_reason(nurse, ambiguous, data, status, field):
    response = client_for(nurse).post(
        f"{API}/cases/{ambiguous.pk}/indication/", data, format="json"
    )
    assert response.status_code == status, response.json()
    body = response.json()
    if field:
        assert field in str(body)
    else:
        assert "no indication 'psoriasis'" in body["detail"]
    ambiguous.refresh_from_db()
    assert ambiguous.indication == ""


def test_a_physician_may_not_choose_and_none_goes_to_a_physician(nurse, physician, ambiguous):
    url = f"{API}/cases/{ambiguous.pk}/indication/"
    refused = client_for(physician).post(url, {"indication": "nmosd", "reason": "x"}, format="json")
    assert refused.status_code == 403
    response = client_for(nurse).post(
        url, {"indication": "none", "reason": "Off-label use."}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == Case.Status.PHYSICIAN_QUEUE
    assert ambiguous.events.filter(kind=CaseEvent.Kind.INDICATION_CHOSEN).count() == 1
