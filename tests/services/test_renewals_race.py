"""Two continuations of one authorization started at the same moment, with real threads on
PostgreSQL: the authorization's row lock makes them take turns, so exactly one is entered
and the other is refused with the first named (never a database error, never two links).

SQLite serializes writers, so this skips there locally and fails in CI."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reviews.errors import ContinuationRefused
from reviews.models import Case
from tests import services_available
from tests.conftest import require_service
from tests.services.test_races import at_once
from tests.services.test_renewals import authorization, continuation

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_continuations_at_once_one_wins(kesimpta, nurse, nurse2):
    require_service(
        "PostgreSQL",
        services_available.postgres(),
        "set DATABASE_URL to PostgreSQL: SQLite serializes writers",
    )
    today = timezone.localdate()
    prior = authorization(nurse, start=today - timedelta(days=300), end=today + timedelta(20))
    outcomes = at_once(
        {
            "nina": lambda: continuation(nurse, prior),
            "other": lambda: continuation(nurse2, prior),
        }
    )
    won = [o for o in outcomes.values() if isinstance(o, Case)]
    lost = [o for o in outcomes.values() if not isinstance(o, Case)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert isinstance(lost[0], ContinuationRefused)
    assert f"already continued by {won[0].reference}" in str(lost[0])
    assert Case.objects.filter(continues=prior).count() == 1
