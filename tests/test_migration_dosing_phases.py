"""Migration 0017: old-shape regimens become phases, on policy versions (past PostgreSQL's
lock on non-draft versions) and cases, and back."""

import importlib

import pytest
from django.apps import apps
from django.db import connection, transaction

from reviews.engine.dosing import Regimen, authorized_quantity
from reviews.models import PolicyVersion
from tests import services_available
from tests.conftest import require_service
from tests.factories import KESIMPTA_REGIMEN, CaseFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("reviews.migrations.0017_dosing_phases")

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


def _old_rows(kesimpta):
    """A retired version (locked on PostgreSQL) and a case, both in the old shape."""
    values = PolicyVersion.objects.filter(pk=kesimpta.pk).values().get()
    values.update(id=None, number=99, status="retired", dosing_regimen=OLD_KESIMPTA)
    version = PolicyVersion.objects.create(**values)  # inserting is allowed, changing is not
    case = CaseFactory(regimen=OLD_CONTINUATION)
    return version, case


class _Editor:
    """What the migration uses of a schema editor: its connection and execute(). (SQLite's
    real editor cannot open inside the test's transaction.)"""

    connection = connection

    def execute(self, sql, params=()):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def _run(step):
    with transaction.atomic():
        step(apps, _Editor())


def test_the_migration_rewrites_versions_and_cases_and_reverses(kesimpta):
    version, case = _old_rows(kesimpta)
    _run(migration.forwards)
    version.refresh_from_db()
    case.refresh_from_db()
    assert version.dosing_regimen == KESIMPTA_REGIMEN
    assert case.regimen == migration.to_phases(OLD_CONTINUATION)
    kesimpta.refresh_from_db()
    assert kesimpta.dosing_regimen == KESIMPTA_REGIMEN  # new already: unchanged
    _run(migration.backwards)
    version.refresh_from_db()
    case.refresh_from_db()
    assert version.dosing_regimen == OLD_KESIMPTA
    assert case.regimen == OLD_CONTINUATION


def test_on_postgresql_the_lock_is_back_after_the_migration(kesimpta):
    require_service(
        "PostgreSQL", services_available.postgres(), "set DATABASE_URL: the trigger is PostgreSQL's"
    )
    version, _ = _old_rows(kesimpta)
    _run(migration.forwards)
    version.refresh_from_db()
    assert version.dosing_regimen == KESIMPTA_REGIMEN
    with (
        pytest.raises(Exception, match="never changes"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE reviews_policyversion SET overview = 'x' WHERE id = %s", [version.pk]
        )
