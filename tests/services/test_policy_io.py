"""Versions in and out as YAML, and the warnings read before publishing."""

from datetime import date

import pytest

from reviews.engine import document
from reviews.errors import PolicyInvalid
from reviews.models import Policy, PolicyVersion
from reviews.services import policies
from reviews.services import policy_io as services
from tests.policy_fixtures import KESIMPTA_FILE
from tests.review_fixtures import kesimpta_request

pytestmark = pytest.mark.django_db


def kesimpta_doc(**version) -> dict:
    doc = document.parse(KESIMPTA_FILE.read_text(encoding="utf-8"))
    doc["version"].update(version)
    return doc


def test_a_new_policy_number_creates_the_policy_and_a_draft_with_the_files_number(policy_admin):
    doc = kesimpta_doc(number=3, status="published")
    doc["policy"]["number"] = "7777777"
    imported = services.policy_import(doc=doc, actor=policy_admin)
    version = imported.version
    assert imported.policy_created
    assert (version.policy.number, version.number, version.status) == ("7777777", 3, "draft")
    assert imported.renumbered_from is None
    assert imported.status_was == "published"
    assert version.created_by == policy_admin
    assert version.criteria.count() == 16
    assert version.policy.drugs.get().brand == "Kesimpta"


def test_an_existing_policy_gets_a_new_draft_after_its_last_version(kesimpta, policy_admin):
    imported = services.policy_import(doc=kesimpta_doc(), actor=policy_admin)
    assert not imported.policy_created
    assert imported.version.number == 2
    assert imported.version.status == "draft"
    assert imported.renumbered_from == 1
    kesimpta.refresh_from_db()
    assert kesimpta.status == "published"  # never replaced
    assert Policy.objects.count() == 1
    # And once more: numbered after the draft too.
    assert services.policy_import(doc=kesimpta_doc(), actor=policy_admin).version.number == 3


def test_import_refuses_anyone_but_a_policy_admin(nurse):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.policy_import(doc=kesimpta_doc(), actor=nurse)
    assert not PolicyVersion.objects.exists()


@pytest.mark.parametrize(
    ("data", "line", "where", "says"),
    [
        (b"format: [unclosed\n", 2, "", "YAML syntax"),
        (b"\xff\xfe\x00garbage", None, "file", "not UTF-8 text"),
        (
            KESIMPTA_FILE.read_bytes().replace(b"status: published", b"status: pending"),
            11,
            "version.status",
            "must be one of",
        ),
    ],
    ids=["not YAML", "not text", "invalid document"],
)
def test_a_bad_file_is_refused_with_every_problem_placed(data, line, where, says):
    with pytest.raises(services.ImportInvalid) as error:
        services.policy_document_read(data)
    problems = error.value.document_problems
    assert problems
    if line is not None:
        assert problems[0].line == line
    if where:
        assert any(p.where == where for p in problems)
    assert any(says.lower() in str(p).lower() for p in problems)


def test_a_file_too_large_is_refused_before_it_is_read():
    with pytest.raises(services.ImportInvalid) as error:
        services.policy_document_read(b"#" * (services.MAX_IMPORT_BYTES + 1))
    assert "at most 1,048,576 bytes" in str(error.value.document_problems[0])


def test_a_file_that_drops_a_drug_cases_asked_for_is_refused_whole(kesimpta, nurse, policy_admin):
    kesimpta_request(nurse)
    doc = kesimpta_doc()
    doc["policy"]["drugs"][0]["brand"] = "Renamed"
    with pytest.raises(PolicyInvalid) as error:
        services.policy_import(doc=doc, actor=policy_admin)
    assert "cases asked for it" in error.value.problems[0]
    assert PolicyVersion.objects.count() == 1
    assert kesimpta.policy.drugs.get().brand == "Kesimpta"


def test_export_is_the_canonical_file(kesimpta):
    name, text = services.policy_version_export(version=kesimpta)
    assert name == "policy-2020910-v1.yaml"
    assert text == KESIMPTA_FILE.read_text(encoding="utf-8")


def test_export_of_an_invalid_draft_says_why(kesimpta, policy_admin):
    draft = policies.policy_version_clone(version=kesimpta, actor=policy_admin)
    draft.lists.all().delete()
    with pytest.raises(document.DocumentError):
        services.policy_version_export(version=draft)


def test_warnings_of_a_version_take_today_and_the_last_published(kesimpta, policy_admin):
    assert services.policy_version_warnings(version=kesimpta, today=date(2023, 1, 1)) == []
    late = services.policy_version_warnings(version=kesimpta, today=date(2026, 11, 30))
    assert [w.message for w in late] == [
        "the annual review date 2023-09-21 is past (today is 2026-11-30)."
    ]
    draft = policies.policy_version_clone(
        version=kesimpta, actor=policy_admin, effective_date=date(2019, 1, 1)
    )
    assert services.policy_last_published(version=draft) == kesimpta
    assert [
        w.message for w in services.policy_version_warnings(version=draft, today=date(2023, 1, 1))
    ] == [
        "the effective date 2019-01-01 is before the last published version's effective date "
        "2020-09-17."
    ]


def test_a_drafts_warnings_follow_its_edits(kesimpta, policy_admin):
    draft = policies.policy_version_clone(version=kesimpta, actor=policy_admin)
    draft.indications.update(initial_approval_count=180)
    found = services.policy_version_warnings(version=draft, today=date(2023, 1, 1))
    assert any(
        w.where == "Approval text" and "365 days" in w.message and "180 days" in w.message
        for w in found
    )


def test_an_imported_draft_publishes_as_any_draft(kesimpta, policy_admin):
    imported = services.policy_import(
        doc=kesimpta_doc(effective_date=date(2026, 12, 1)), actor=policy_admin
    )
    published = policies.policy_version_publish(version=imported.version, actor=policy_admin)
    assert published.status == "published"


def test_warnings_of_a_draft_mid_edit_with_no_criteria_tree(kesimpta, policy_admin):
    draft = policies.policy_version_clone(version=kesimpta, actor=policy_admin)
    draft.criteria.all().delete()
    draft.lists.filter(key="ms_prescriber_specialties").update(key="specialists")
    found = services.policy_version_warnings(version=draft, today=date(2023, 1, 1))
    assert found == []  # no tree: nothing names a list, nothing to compare; no error either
