"""The Check & publish tab, clone, export and import, as a policy admin uses them."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reviews.engine import document
from reviews.models import PolicyVersion
from reviews.services import policies
from reviews.services.policy_io import MAX_IMPORT_BYTES, policy_import
from tests.policy_fixtures import KESIMPTA_FILE

pytestmark = pytest.mark.django_db


def url(name, version=None):
    return reverse(f"reviews:{name}", args=[version.pk] if version else [])


@pytest.fixture
def admin_client(client, policy_admin):
    client.force_login(policy_admin)
    return client


@pytest.fixture
def draft(kesimpta, policy_admin):
    """A clone of the published Kesimpta, effective today: its annual review (2023) is past,
    so it has one warning."""
    return policies.policy_version_clone(version=kesimpta, actor=policy_admin)


@pytest.fixture
def clean_draft(kesimpta, policy_admin):
    """A Kesimpta draft with no warning (a later effective date and annual review)."""
    doc = document.parse(KESIMPTA_FILE.read_text(encoding="utf-8"))
    doc["version"].update(effective_date=date(2026, 12, 1), annual_review_date=date(2099, 1, 1))
    return policy_import(doc=doc, actor=policy_admin).version


def upload(content: bytes, name="policy.yaml"):
    return {"file": SimpleUploadedFile(name, content, content_type="application/yaml")}


# ---- the tab ------------------------------------------------------------------------------


def test_the_tab_shows_problems_warnings_and_the_way_to_compare(admin_client, draft, kesimpta):
    body = admin_client.get(url("policy-edit-publish", draft)).content.decode()
    assert "Problems that stop publishing" in body
    assert "None: the version is a complete policy document." in body
    assert "the annual review date 2023-09-21 is past" in body
    assert "I have read the 1 warning and publish anyway" in body
    compare = reverse("reviews:policy-version-compare", args=[kesimpta.pk, draft.pk])
    assert f'href="{compare}"' in body
    assert url("policy-version-export", draft) in body


def test_a_structural_problem_is_listed_and_the_publish_button_disabled(admin_client, draft):
    draft.lists.filter(key="ms_prescriber_specialties").delete()
    body = admin_client.get(url("policy-edit-publish", draft)).content.decode()
    assert "ms_prescriber_specialties" in body
    assert "names the list ms_prescriber_specialties, which does not exist" in body
    assert "disabled>Publish version 2</button>" in body


def test_run_test_cases_shows_they_pass(admin_client, clean_draft):
    body = admin_client.get(url("policy-edit-publish", clean_draft) + "?run=1").content.decode()
    count = clean_draft.test_cases.count()
    assert f"All {count} test cases pass." in body


def test_run_test_cases_shows_a_failing_one(admin_client, clean_draft):
    case = clean_draft.test_cases.first()
    case.expect = {
        **case.expect,
        "result": "not_met" if case.expect["result"] != "not_met" else "met",
    }
    case.save()
    body = admin_client.get(url("policy-edit-publish", clean_draft) + "?run=1").content.decode()
    assert "Publishing would be refused" in body
    assert f"Test case &quot;{case.name}&quot;" in body or f'Test case "{case.name}"' in body


# ---- publishing ---------------------------------------------------------------------------


def test_publishing_with_warnings_needs_them_read(admin_client, draft):
    response = admin_client.post(url("policy-version-publish", draft), {})
    assert response.status_code == 400
    assert "tick this box to publish" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"
    response = admin_client.post(url("policy-version-publish", draft), {"acknowledge": "on"})
    assert response.status_code == 302
    assert response["Location"] == url("policy-edit-publish", draft)
    draft.refresh_from_db()
    assert draft.status == "published"


def test_publishing_without_warnings_needs_no_tick(admin_client, clean_draft):
    response = admin_client.post(url("policy-version-publish", clean_draft), {})
    assert response.status_code == 302
    clean_draft.refresh_from_db()
    assert clean_draft.status == "published"
    body = admin_client.get(response["Location"]).content.decode()
    assert "Version 2 is published." in body
    assert "Clone to a new draft" in body


def test_a_failing_test_case_blocks_publishing(admin_client, clean_draft):
    case = clean_draft.test_cases.first()
    case.expect = {**case.expect, "result": "unknown"}
    case.save()
    response = admin_client.post(url("policy-version-publish", clean_draft), {})
    assert response.status_code == 400
    body = response.content.decode()
    assert "was not published: 1 problem(s)." in body
    assert case.name in body
    clean_draft.refresh_from_db()
    assert clean_draft.status == "draft"


def test_a_structural_problem_blocks_publishing_even_when_ticked(admin_client, draft):
    draft.lists.filter(key="ms_prescriber_specialties").delete()
    response = admin_client.post(url("policy-version-publish", draft), {"acknowledge": "on"})
    assert response.status_code == 400
    assert "was not published" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_a_published_version_is_not_published_again(admin_client, kesimpta):
    response = admin_client.post(url("policy-version-publish", kesimpta), {"acknowledge": "on"})
    assert response.status_code == 409


# ---- clone and export ---------------------------------------------------------------------


def test_clone_opens_the_new_drafts_editor(admin_client, kesimpta):
    response = admin_client.post(url("policy-version-clone", kesimpta))
    clone = PolicyVersion.objects.get(policy=kesimpta.policy, number=2)
    assert clone.status == "draft" and clone.cloned_from_id == kesimpta.pk
    assert response["Location"] == url("policy-edit", clone)


def test_export_downloads_the_canonical_yaml(admin_client, kesimpta):
    response = admin_client.get(url("policy-version-export", kesimpta))
    assert response["Content-Type"] == "application/yaml; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="policy-2020910-v1.yaml"'
    assert response.content.decode() == KESIMPTA_FILE.read_text(encoding="utf-8")


def test_export_of_an_invalid_draft_goes_back_to_the_tab(admin_client, draft):
    draft.lists.all().delete()
    response = admin_client.get(url("policy-version-export", draft))
    assert response["Location"] == url("policy-edit-publish", draft)


# ---- import -------------------------------------------------------------------------------


def test_import_a_new_policy(admin_client):
    text = KESIMPTA_FILE.read_text(encoding="utf-8").replace(
        "number: '2020910'", "number: '7777777'"
    )
    response = admin_client.post(url("policy-import"), upload(text.encode()))
    version = PolicyVersion.objects.get(policy__number="7777777")
    assert response["Location"] == url("policy-edit", version)
    assert version.status == "draft"
    body = admin_client.get(response["Location"]).content.decode()
    assert "Imported policy 7777777 as draft version 1 (a new policy)." in body


def test_import_over_a_published_number_makes_a_new_draft(admin_client, kesimpta):
    response = admin_client.post(url("policy-import"), upload(KESIMPTA_FILE.read_bytes()))
    draft = PolicyVersion.objects.get(policy=kesimpta.policy, number=2)
    assert response["Location"] == url("policy-edit", draft)
    kesimpta.refresh_from_db()
    assert kesimpta.status == "published"
    body = admin_client.get(response["Location"]).content.decode()
    assert "The file&#x27;s version 1 already exists" in body
    assert "The file said published; an import is always a draft." in body


@pytest.mark.parametrize(
    ("content", "shown"),
    [
        (b"format: [unclosed\n", ["<td>2</td>", "YAML syntax"]),
        (b"\x89PNG\r\n\x1a\n\x00\x00", ["not UTF-8 text"]),
        (b"just some words", ["<td>1</td>"]),
        (
            KESIMPTA_FILE.read_bytes().replace(b"status: published", b"status: pending"),
            ["<td>11</td>", "<code>version.status</code>", "must be one of"],
        ),
    ],
    ids=["not YAML", "binary", "not a document", "invalid document"],
)
def test_a_bad_file_is_shown_with_its_lines_and_paths(admin_client, content, shown):
    response = admin_client.post(url("policy-import"), upload(content))
    assert response.status_code == 400
    body = response.content.decode()
    assert "Nothing was imported." in body
    for text in shown:
        assert text in body
    assert not PolicyVersion.objects.exists()


def test_a_file_too_large_is_refused_at_the_field(admin_client):
    response = admin_client.post(url("policy-import"), upload(b"#" * (MAX_IMPORT_BYTES + 1)))
    assert response.status_code == 400
    assert "a policy file may be at most 1,048,576 bytes" in response.content.decode()


def test_no_file_is_an_error_at_the_field(admin_client):
    response = admin_client.post(url("policy-import"), {})
    assert response.status_code == 400
    assert 'id="file-error"' in response.content.decode()


# ---- the policy list and version page -----------------------------------------------------


def test_the_list_and_the_version_page_offer_a_policy_admin_the_actions(
    admin_client, draft, kesimpta
):
    body = admin_client.get(url("policy-list")).content.decode()
    assert url("policy-import") in body
    assert url("policy-edit", draft) in body
    assert url("policy-version-clone", kesimpta) in body
    assert url("policy-version-export", kesimpta) in body
    body = admin_client.get(url("policy-version-detail", kesimpta)).content.decode()
    assert url("policy-version-clone", kesimpta) in body
    body = admin_client.get(url("policy-version-detail", draft)).content.decode()
    assert url("policy-edit", draft) in body


def test_case_staff_see_no_actions(client, nurse, kesimpta):
    client.force_login(nurse)
    body = client.get(url("policy-list")).content.decode()
    assert url("policy-import") not in body
    assert url("policy-version-export", kesimpta) not in body
    assert client.get(url("policy-import")).status_code == 403


def test_the_tab_of_a_draft_with_no_criteria_tree_still_answers(admin_client, draft):
    for criterion in sorted(draft.criteria.all(), key=lambda c: c.parent_id is None):
        criterion.delete()
    response = admin_client.get(url("policy-edit-publish", draft) + "?run=1")
    assert response.status_code == 200
    body = response.content.decode()
    assert "The criteria tree must have exactly one root" in body
    assert "Publishing would be refused" in body
