"""PostgreSQL itself keeps issued determinations and non-draft policy versions unchanged."""

import pytest
from django.db import connection, transaction

from reviews.models import Criterion, PolicyListItem, PolicyVersion
from reviews.services import policies
from tests import services_available
from tests.conftest import require_service

pytestmark = pytest.mark.django_db


def _refused(sql: str, params: list) -> None:
    with (
        pytest.raises(Exception, match="never changes"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


@pytest.fixture
def postgres():
    require_service(
        "PostgreSQL",
        services_available.postgres(),
        "set DATABASE_URL: the triggers are PostgreSQL's",
    )


def test_an_issued_determination_never_changes(postgres, escalated, physician):
    from reviews.services import physician_review

    physician_review.case_claim_physician(case=escalated, physician=physician)
    determination = physician_review.case_approve_by_physician(case=escalated, physician=physician)
    _refused(
        "UPDATE reviews_determination SET authorized_doses = 99 WHERE id = %s", [determination.pk]
    )
    _refused("DELETE FROM reviews_determination WHERE id = %s", [determination.pk])
    determination.refresh_from_db()
    assert determination.authorized_doses != 99


def test_a_published_version_and_its_parts_never_change(postgres, kesimpta, policy_admin):
    criterion = Criterion.objects.get(version=kesimpta, label="PRE-1")
    item = PolicyListItem.objects.filter(policy_list__version=kesimpta).first()
    for sql, params in (
        ("UPDATE reviews_policyversion SET overview = 'x' WHERE id = %s", [kesimpta.pk]),
        ("DELETE FROM reviews_policyversion WHERE id = %s", [kesimpta.pk]),
        ("UPDATE reviews_criterion SET text = 'x' WHERE id = %s", [criterion.pk]),
        ("DELETE FROM reviews_criterion WHERE id = %s", [criterion.pk]),
        ("UPDATE reviews_policylistitem SET name = 'x' WHERE id = %s", [item.pk]),
        ("UPDATE reviews_policytestcase SET name = 'x' WHERE version_id = %s", [kesimpta.pk]),
        (
            "INSERT INTO reviews_criterion (version_id, position, label, kind, title, text, note,"
            " explanation, plain_language, path, check_name, check_params, evidence_required)"
            " VALUES (%s, 9, 'X', 'leaf', '', '', '', '', '', '', '', '{}', true)",
            [kesimpta.pk],
        ),
    ):
        _refused(sql, params)
    assert Criterion.objects.get(pk=criterion.pk).text == criterion.text


def test_a_draft_changes_and_a_published_version_may_be_retired(postgres, kesimpta, policy_admin):
    draft = policies.policy_version_clone(version=kesimpta, actor=policy_admin)
    assert Criterion.objects.filter(version=draft, label="PRE-1").update(text="edited") == 1
    policies.policy_version_retire(version=kesimpta, actor=policy_admin)
    assert PolicyVersion.objects.get(pk=kesimpta.pk).status == "retired"
    # Retired is final too.
    _refused("UPDATE reviews_policyversion SET status = 'published' WHERE id = %s", [kesimpta.pk])
