"""A policy covers a set of drugs: the document's policy.drugs, their rows, intake's lookup by
any name or code, the drug a case records, and the names screens and letters show."""

import copy
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from reviews.engine import document
from reviews.errors import PolicyInvalid
from reviews.letter_html import letter_html
from reviews.models import Case, Determination, PolicyDrug
from reviews.policy_documents import version_document, version_prefetched
from reviews.selectors.policies import policy_drug_find
from reviews.services.cases import case_create
from reviews.services.policies import policy_load
from tests.policy_fixtures import KESIMPTA_FILE
from tests.review_fixtures import kesimpta_request

pytestmark = pytest.mark.django_db

SECOND = {
    "brand": "Quellitra",
    "generic": "quellimab",
    "hcpcs_codes": [],
    "ndcs": ["12345-6789-01"],
}


def two_drug_document(kesimpta_document) -> dict:
    """The Kesimpta document with an invented second drug (no HCPCS code, one NDC)."""
    doc = copy.deepcopy(kesimpta_document)
    doc["policy"]["drugs"] = [*doc["policy"]["drugs"], SECOND]
    return document.normalize(doc)


@pytest.fixture
def two_drugs(kesimpta_document):
    version, _ = policy_load(doc=two_drug_document(kesimpta_document))
    return version


# ---- lookup ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "drug,code",
    [
        ("Kesimpta", ""),
        ("KESIMPTA®", ""),
        ("  kesimpta. ", ""),
        ("ofatumumab.", ""),
        ("Ofatumumab injection 20 mg/0.4 mL", ""),
        ("", "j3490"),
        ("j3490", ""),  # a code typed where the drug goes
    ],
)
def test_any_name_or_code_of_the_drug_finds_the_policy(kesimpta, drug, code):
    policy, drug_row = policy_drug_find(drug=drug, hcpcs_code=code)
    assert policy == kesimpta.policy
    assert drug_row == kesimpta.policy.drugs.get(brand="Kesimpta")


@pytest.mark.parametrize("ndc", ["12345-6789-01", "12345678901", "12345 6789 01"])
def test_an_ndc_finds_its_drug_with_or_without_dashes(two_drugs, ndc):
    policy, drug_row = policy_drug_find(drug=ndc)
    assert policy == two_drugs.policy and drug_row.brand == "Quellitra"


def test_the_second_drug_of_a_policy_finds_it(two_drugs):
    for name in ("Quellitra", "QUELLIMAB®", "quellimab 100 mg"):
        policy, drug_row = policy_drug_find(drug=name)
        assert (policy, drug_row.brand) == (two_drugs.policy, "Quellitra"), name


def test_a_name_decides_over_a_shared_code_and_unknown_drugs_find_nothing(kesimpta):
    assert policy_drug_find(drug="Ocrevus", hcpcs_code="J3490") == (None, None)
    assert policy_drug_find(drug="Kesimptaxyz") == (None, None)
    assert policy_drug_find(drug="1234-5678") == (None, None)  # too few digits for an NDC
    assert policy_drug_find()[0] is None


def test_a_code_two_policies_list_finds_neither(kesimpta, statin_document):
    doc = copy.deepcopy(statin_document)
    doc["policy"]["drugs"][0]["hcpcs_codes"] = ["J3490"]
    policy_load(doc=doc)
    assert policy_drug_find(hcpcs_code="J3490") == (None, None)
    assert policy_drug_find(drug="Lodevra", hcpcs_code="J3490")[1].brand == "Lodevra"


# ---- intake --------------------------------------------------------------------------------


def test_intake_records_the_policy_drug_and_keeps_what_was_typed(nurse, two_drugs):
    case = kesimpta_request(nurse, drug_name="QUELLITRA®", hcpcs_code="")
    assert case.policy_version == two_drugs and not case.not_in_policy
    assert case.policy_drug.brand == "Quellitra"
    assert case.drug_name == "QUELLITRA®"
    assert case.drug == "Quellitra (quellimab)"
    received = case.events.get(kind="received")
    assert received.payload["policy_drug"] == "Quellitra (quellimab)"


def test_an_unknown_drug_still_goes_to_a_physician_as_not_in_policy(nurse, kesimpta):
    case = kesimpta_request(nurse, drug_name="Ocrevus", hcpcs_code="J2350")
    assert case.not_in_policy and case.policy_drug is None and case.policy is None
    assert case.status == Case.Status.PHYSICIAN_QUEUE
    assert case.drug == "Ocrevus"


def test_intake_through_the_service_with_a_typed_variant(nurse, kesimpta):
    case = kesimpta_request(nurse, drug_name="kesimpta.", hcpcs_code="")
    assert case.policy_drug.brand == "Kesimpta"
    assert case_create  # the service kesimpta_request drives


# ---- letters -------------------------------------------------------------------------------


def test_the_letter_names_the_drug_as_the_policy_names_it(nurse, physician, two_drugs):
    case = kesimpta_request(nurse, drug_name="quellimab.", hcpcs_code="")
    det = Determination.objects.create(
        case=case,
        decided_by=physician,
        role=Determination.Role.PHYSICIAN,
        decided_at=datetime(2026, 3, 2, 15, 0, tzinfo=UTC),
        policy_version=case.policy_version,
        outcome=Determination.Outcome.DENIED,
        rationale="Not covered.",
        criteria_cited=[],
    )
    html = " ".join(letter_html(det).split())
    assert "Quellitra (quellimab) injection for use under the skin" in html
    assert "quellimab." not in html


# ---- loading and export ----------------------------------------------------------------------


def test_two_drugs_load_and_export_as_written(two_drugs, kesimpta_document):
    exported = version_document(version_prefetched(two_drugs.pk))
    assert exported["policy"]["drugs"][1] == {**SECOND, "ndcs": ["12345678901"]}
    assert document.dump(exported) == document.dump(two_drug_document(kesimpta_document))


def test_the_kesimpta_file_round_trips_byte_for_byte(kesimpta):
    text = KESIMPTA_FILE.read_text(encoding="utf-8")
    assert document.dump(version_document(version_prefetched(kesimpta.pk))) == text


def test_reloading_keeps_drug_rows_and_refuses_to_drop_one_cases_asked_for(
    nurse, two_drugs, kesimpta_document
):
    zorvexa = two_drugs.policy.drugs.get(brand="Quellitra")
    kesimpta_request(nurse, drug_name="Quellitra", hcpcs_code="")
    doc = two_drug_document(kesimpta_document)
    doc["policy"]["drugs"][1]["generic"] = "quellimab-abcd"
    policy_load(doc=doc)
    zorvexa.refresh_from_db()
    assert zorvexa.generic == "quellimab-abcd"  # same row, updated
    with pytest.raises(PolicyInvalid) as refused:
        policy_load(doc=document.normalize(copy.deepcopy(kesimpta_document)))
    assert "Quellitra (quellimab-abcd) is no longer listed" in str(refused.value.problems)
    assert two_drugs.policy.drugs.count() == 2


def test_a_drug_no_case_asked_for_may_be_dropped(two_drugs, kesimpta_document):
    policy_load(doc=document.normalize(copy.deepcopy(kesimpta_document)))
    assert [d.brand for d in two_drugs.policy.drugs.all()] == ["Kesimpta"]


# ---- the row's own checks (the admin's inline) -----------------------------------------------


def test_a_drug_row_tidies_its_codes(kesimpta):
    drug = PolicyDrug(
        policy=kesimpta.policy, brand="Quellitra", hcpcs_codes=[" j3490"], ndcs=["12345-6789-01"]
    )
    drug.full_clean()
    assert drug.hcpcs_codes == ["J3490"] and drug.ndcs == ["12345678901"]
    empty = PolicyDrug(policy=kesimpta.policy, brand="Quellitra", hcpcs_codes=[], ndcs=[])
    empty.full_clean()


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("hcpcs_codes", ["J349"], "letter A-V and four digits"),
        ("hcpcs_codes", ["Z1234"], "letter A-V and four digits"),
        ("hcpcs_codes", "J3490", "Give a list"),
        ("ndcs", ["abc-123"], "10 or 11 digits"),
        ("ndcs", ["123"], "10 or 11 digits"),
        ("ndcs", [12345678901], "Give a list"),
    ],
)
def test_a_drug_row_refuses_bad_codes_with_a_message(kesimpta, field, value, message):
    drug = PolicyDrug(policy=kesimpta.policy, brand="Quellitra", **{field: value})
    with pytest.raises(ValidationError) as refused:
        drug.full_clean()
    assert message in str(refused.value.message_dict[field])
