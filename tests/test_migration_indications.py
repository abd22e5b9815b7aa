"""Migration 0019 moves each version's approval days and dosing rule into one indication,
and pins existing cases to it; on PostgreSQL it does so under 0015's triggers (which refuse any
change to a published version's rows) and puts the new table under them too."""

from datetime import date, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("reviews", "0018_dosing_phases")]
AFTER = [("reviews", "0019_indications")]

REGIMEN = {
    "dose_amount": "20",
    "dose_unit": "mg",
    "route": "subcutaneous",
    "loading_weeks": [0, 1, 2],
    "maintenance": {"every": 1, "unit": "calendar_month", "start_week": 4},
}


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_0019_moves_durations_and_regimen_into_one_indication():
    apps = _migrate(BEFORE)
    try:
        _check(apps)
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def _check(apps):
    Policy = apps.get_model("reviews", "Policy")
    PolicyVersion = apps.get_model("reviews", "PolicyVersion")
    Case = apps.get_model("reviews", "Case")
    User = apps.get_model("auth", "User")
    user = User.objects.create(username="migrator")
    policy = Policy.objects.create(
        number="2020910", title="Kesimpta (ofatumumab)", drug_name="Kesimpta", hcpcs_codes=[]
    )
    common = {"policy": policy, "effective_date": date(2026, 1, 1)}
    published = PolicyVersion.objects.create(
        number=1,
        status="published",
        dosing_condition="Multiple sclerosis (MS) (relapsing)",
        initial_approval_days=365,
        extended_approval_days=365,
        dosing_regimen=REGIMEN,
        **common,
    )
    draft = PolicyVersion.objects.create(
        number=2,
        status="draft",
        initial_approval_days=90,
        extended_approval_days=None,
        dosing_regimen=None,
        **{**common, "effective_date": date(2026, 6, 1)},
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
        drug_name="Kesimpta",
        regimen=REGIMEN,
        request_type="initial",
        urgency="standard",
        line_of_business="commercial",
        received_at=now,
        due_at=now + timedelta(days=15),
        deadline_rule_text="15 days",
        status="nurse_review",
        policy=policy,
        policy_version=published,
        created_by=user,
    )

    apps = _migrate(AFTER)
    Indication = apps.get_model("reviews", "Indication")
    Case = apps.get_model("reviews", "Case")
    PolicyVersion = apps.get_model("reviews", "PolicyVersion")
    (ms,) = Indication.objects.filter(version_id=published.pk)
    assert (ms.key, ms.name, ms.diagnosis_codes) == (
        "multiple_sclerosis_ms_relapsing",
        "Multiple sclerosis (MS) (relapsing)",
        [],
    )
    assert (ms.initial_approval_count, ms.initial_approval_unit) == (365, "day")
    assert (ms.extended_approval_count, ms.extended_approval_unit) == (365, "day")
    assert ms.regimen == REGIMEN
    (other,) = Indication.objects.filter(version_id=draft.pk)
    assert (other.key, other.name) == ("kesimpta_ofatumumab", "Kesimpta (ofatumumab)")
    assert (other.initial_approval_count, other.extended_approval_count, other.regimen) == (
        90,
        None,
        None,
    )
    moved = Case.objects.get(pk=case.pk)
    assert moved.indication == "multiple_sclerosis_ms_relapsing"
    assert "only indication" in moved.indication_reason
    version = PolicyVersion.objects.get(pk=published.pk)
    assert version.status == "published" and not hasattr(version, "initial_approval_days")

    if connection.vendor == "postgresql":
        # The new table is under 0015's lock: a published version's indication never changes.
        for sql in (
            "UPDATE reviews_indication SET name = 'x' WHERE version_id = %s",
            "DELETE FROM reviews_indication WHERE version_id = %s",
        ):
            with (
                pytest.raises(Exception, match="never changes"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(sql, [published.pk])
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE reviews_indication SET name = 'Edited' WHERE version_id = %s", [draft.pk]
            )
        assert Indication.objects.get(pk=other.pk).name == "Edited"
        assert Indication.objects.get(pk=ms.pk).name == "Multiple sclerosis (MS) (relapsing)"

    # And back: each version takes its indication's days and regimen again, on PostgreSQL
    # past 0015's lock, which holds again afterwards.
    apps = _migrate(BEFORE)
    PolicyVersion = apps.get_model("reviews", "PolicyVersion")
    back = PolicyVersion.objects.get(pk=published.pk)
    assert (back.initial_approval_days, back.extended_approval_days) == (365, 365)
    assert back.dosing_regimen == REGIMEN
    other_back = PolicyVersion.objects.get(pk=draft.pk)
    assert (other_back.initial_approval_days, other_back.extended_approval_days) == (90, None)
    if connection.vendor == "postgresql":
        with (
            pytest.raises(Exception, match="never changes"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                "UPDATE reviews_policyversion SET overview = 'x' WHERE id = %s", [published.pk]
            )
