"""Migration 0018: old-shape regimens become phases, on policy versions (past PostgreSQL's
lock on non-draft versions) and cases, and back."""

import importlib
from datetime import date, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from reviews.engine.dosing import Regimen, authorized_quantity
from tests.factories import KESIMPTA_REGIMEN

pytestmark = pytest.mark.django_db

migration = importlib.import_module("reviews.migrations.0018_dosing_phases")

OLD_KESIMPTA = {
    "dose_amount": "20",
    "dose_unit": "mg",
    "route": "subcutaneous",
    "loading_weeks": [0, 1, 2],
    "maintenance": {"every": 1, "unit": "calendar_month", "start_week": 4},
}
OLD_CONTINUATION = {
    "dose_amount": "20",
    "dose_unit": "mg",
    "route": "subcutaneous",
    "loading_weeks": [],
    "maintenance": {"every": 1, "unit": "calendar_month", "start_week": 0},
}


def test_the_old_shape_becomes_the_phases_and_back():
    assert migration.to_phases(OLD_KESIMPTA) == KESIMPTA_REGIMEN
    assert migration.to_old(KESIMPTA_REGIMEN) == OLD_KESIMPTA
    continuation = migration.to_phases(OLD_CONTINUATION)
    assert continuation == {
        "phases": [
            {
                "name": "Maintenance",
                "dose": {"amount": "20", "unit": "mg"},
                "route": "subcutaneous",
                "schedule": {"every": 1, "unit": "calendar_month"},
            }
        ]
    }
    assert migration.to_old(continuation) == OLD_CONTINUATION
    # Already new, or not a regimen at all: left alone.
    assert migration.to_phases(KESIMPTA_REGIMEN) == KESIMPTA_REGIMEN
    assert migration.to_phases({"text": "20 mg"}) == {"text": "20 mg"}
    # Phases the old shape cannot hold stay as they are.
    two_doses = {
        "phases": [
            {**KESIMPTA_REGIMEN["phases"][0], "dose": {"amount": "300", "unit": "mg"}},
            KESIMPTA_REGIMEN["phases"][1],
        ]
    }
    assert migration.to_old(two_doses) == two_doses


def test_a_loading_dose_on_a_maintenance_day_counted_once_as_before():
    old = {**OLD_KESIMPTA, "loading_weeks": [0, 2], "maintenance": {"every": 2, "unit": "week"}}
    new = migration.to_phases(old)
    # Weeks 0 and 2 are maintenance days already: no loading series is left.
    assert [p["name"] for p in new["phases"]] == ["Maintenance"]


def test_quantities_are_the_same_after_the_migration():
    from datetime import date

    regimen = Regimen.from_dict(migration.to_phases(OLD_KESIMPTA))
    start = date(2026, 1, 5)
    initial = authorized_quantity(regimen, start=start, days=365, phase="initial")
    continuation = authorized_quantity(regimen, start=start, days=365, phase="continuation")
    assert (initial.doses, initial.total_amount) == (15, 300)
    assert (continuation.doses, continuation.total_amount) == (12, 240)


BEFORE = [("reviews", "0017_clinical_facts")]
AFTER = [("reviews", "0018_dosing_phases")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _old_rows(apps):
    """At 0017: a retired version (locked on PostgreSQL) and a case, in the old shape, and a
    draft version already in the new shape."""
    Policy = apps.get_model("reviews", "Policy")
    PolicyVersion = apps.get_model("reviews", "PolicyVersion")
    Case = apps.get_model("reviews", "Case")
    User = apps.get_model("auth", "User")
    policy = Policy.objects.create(number="9000001", title="Invented", drug_name="Invented")
    common = {"policy": policy, "initial_approval_days": 365, "extended_approval_days": 365}
    retired = PolicyVersion.objects.create(
        number=1,
        status="retired",
        effective_date=date(2025, 1, 1),
        dosing_regimen=OLD_KESIMPTA,
        **common,
    )
    draft = PolicyVersion.objects.create(
        number=2,
        status="draft",
        effective_date=date(2026, 1, 1),
        dosing_regimen=KESIMPTA_REGIMEN,
        **common,
    )
    now = timezone.make_aware(datetime(2026, 3, 2, 9))
    case = Case.objects.create(
        reference="PA-2026-000001",
        member_name="Dana",
        member_id="M1",
        member_dob=date(1990, 5, 14),
        prescriber_name="Dr. Marsh",
        prescriber_npi="1234567893",
        prescriber_specialty="Neurology",
        diagnosis_codes=["G35.A"],
        drug_name="Invented",
        regimen=OLD_CONTINUATION,
        request_type="continuation",
        urgency="standard",
        line_of_business="commercial",
        received_at=now,
        due_at=now + timedelta(days=15),
        deadline_rule_text="15 days",
        status="nurse_review",
        not_in_policy=True,
        created_by=User.objects.create(username="migrator"),
    )
    return retired.pk, draft.pk, case.pk


@pytest.mark.django_db(transaction=True)
def test_the_migration_rewrites_versions_and_cases_and_reverses():
    try:
        retired, draft, case = _old_rows(_migrate(BEFORE))
        apps = _migrate(AFTER)
        PolicyVersion = apps.get_model("reviews", "PolicyVersion")
        Case = apps.get_model("reviews", "Case")
        assert PolicyVersion.objects.get(pk=retired).dosing_regimen == KESIMPTA_REGIMEN
        assert Case.objects.get(pk=case).regimen == migration.to_phases(OLD_CONTINUATION)
        # New already: unchanged.
        assert PolicyVersion.objects.get(pk=draft).dosing_regimen == KESIMPTA_REGIMEN
        if connection.vendor == "postgresql":
            # The lock is back after the migration: a retired version never changes.
            with (
                pytest.raises(Exception, match="never changes"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(
                    "UPDATE reviews_policyversion SET overview = 'x' WHERE id = %s", [retired]
                )
        apps = _migrate(BEFORE)
        PolicyVersion = apps.get_model("reviews", "PolicyVersion")
        Case = apps.get_model("reviews", "Case")
        assert PolicyVersion.objects.get(pk=retired).dosing_regimen == OLD_KESIMPTA
        assert Case.objects.get(pk=case).regimen == OLD_CONTINUATION
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
