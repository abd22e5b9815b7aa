"""Migration 0021 moves each policy's drug into a PolicyDrug row and points its cases at it,
and back. On PostgreSQL the policy's version is published, so migration 0015's triggers are
armed: PolicyDrug hangs off the policy, not a version, and the migration must pass them."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("reviews", "0020_conditional_and_negation")]
AFTER = [("reviews", "0021_policy_drugs")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def at_0016(transactional_db):
    apps = migrate(BEFORE)
    yield apps
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes("reviews"))


def _old_data(apps):
    User = apps.get_model("auth", "User")
    Policy = apps.get_model("reviews", "Policy")
    PolicyVersion = apps.get_model("reviews", "PolicyVersion")
    Case = apps.get_model("reviews", "Case")
    user = User.objects.create(username="migrator")
    policy = Policy.objects.create(
        number="7000001",
        title="Brandname (genericumab)",
        drug_name="Brandname",
        generic_name="genericumab",
        hcpcs_codes=["j3490"],
    )
    bare = Policy.objects.create(
        number="7000002", title="Other", drug_name="Other", generic_name="", hcpcs_codes=[]
    )
    version = PolicyVersion.objects.create(
        policy=policy,
        number=1,
        status="published",
        effective_date=date(2026, 1, 1),
        remark_codes=[],
    )
    when = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    case = Case.objects.create(
        reference="PA-2026-000001",
        member_name="A Member",
        member_id="M1",
        member_dob=date(1990, 1, 1),
        prescriber_name="Dr. A",
        prescriber_npi="1234567893",
        prescriber_specialty="Family medicine",
        diagnosis_codes=[],
        drug_name="BRANDNAME®",
        hcpcs_code="",
        regimen={},
        request_type="initial",
        urgency="standard",
        line_of_business="commercial",
        received_at=when,
        due_at=when,
        deadline_rule_text="test",
        status="nurse_review",
        policy=policy,
        policy_version=version,
        not_in_policy=False,
        created_by=user,
    )
    return policy, bare, case


def test_each_policy_gets_its_drug_and_its_cases_point_at_it_and_back(at_0016):
    policy, bare, case = _old_data(at_0016)

    apps = migrate(AFTER)
    PolicyDrug = apps.get_model("reviews", "PolicyDrug")
    drug = PolicyDrug.objects.get(policy_id=policy.pk)
    assert (drug.position, drug.brand, drug.generic) == (0, "Brandname", "genericumab")
    assert (drug.hcpcs_codes, drug.ndcs) == (["J3490"], [])
    other = PolicyDrug.objects.get(policy_id=bare.pk)
    assert (other.brand, other.generic, other.hcpcs_codes) == ("Other", "", [])
    moved = apps.get_model("reviews", "Case").objects.get(pk=case.pk)
    assert moved.policy_drug_id == drug.pk and moved.drug_name == "BRANDNAME®"
    version = apps.get_model("reviews", "PolicyVersion").objects.get(policy_id=policy.pk)
    assert (version.path_initial_name, version.path_continuation_name) == ("", "")

    apps = migrate(BEFORE)
    back = apps.get_model("reviews", "Policy").objects.get(pk=policy.pk)
    assert (back.drug_name, back.generic_name, back.hcpcs_codes) == (
        "Brandname",
        "genericumab",
        ["J3490"],
    )
