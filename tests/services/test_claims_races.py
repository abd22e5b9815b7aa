"""Claim lines at the same moment, on PostgreSQL with real threads: units are never spent
twice, and one claim line id sent at once by several clients is one line."""

import pytest

from reviews.models import AuthorizationBalance, ClaimLine
from tests import services_available
from tests.builders import approved_case
from tests.claims_fixtures import receive
from tests.conftest import require_service
from tests.review_fixtures import kesimpta_request
from tests.services.test_races import at_once

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgres():
    require_service(
        "PostgreSQL",
        services_available.postgres(),
        "set DATABASE_URL to PostgreSQL: SQLite serializes writers",
    )


@pytest.fixture(autouse=True)
def _no_letter_rendering(monkeypatch):
    from reviews import tasks

    monkeypatch.setattr(tasks.letter_render, "apply_async", lambda **kwargs: None)


def test_eight_lines_at_once_never_spend_more_than_authorized(kesimpta, nurse, examiner):
    authorization = approved_case(kesimpta_request(nurse), nurse)  # 15 units

    def claim(i):
        return lambda: receive(examiner, claim_line_id=f"RACE-{i}", units=3)[0].status

    outcomes = at_once({i: claim(i) for i in range(8)})
    assert not [o for o in outcomes.values() if isinstance(o, Exception)], outcomes
    lines = ClaimLine.objects.filter(authorization=authorization)
    paid = sum(line.units_paid for line in lines)
    assert paid == 15  # 24 asked, 15 authorized: every unit spent once, none twice
    assert sum(line.units_paid + line.units_denied for line in lines) == 24
    assert sorted(outcomes.values()).count("paid") == 5
    assert AuthorizationBalance.objects.get(pk=authorization.pk).units_used == 15


def test_one_claim_line_id_sent_at_once_is_one_line(kesimpta, nurse, examiner):
    authorization = approved_case(kesimpta_request(nurse), nurse)

    def send():
        line, created = receive(examiner, claim_line_id="SAME", units=2)
        return line.pk, created

    outcomes = at_once({i: send for i in range(4)})
    assert not [o for o in outcomes.values() if isinstance(o, Exception)], outcomes
    assert len({pk for pk, _ in outcomes.values()}) == 1
    assert sorted(created for _, created in outcomes.values()) == [False, False, False, True]
    assert ClaimLine.objects.count() == 1
    assert AuthorizationBalance.objects.get(pk=authorization.pk).units_used == 2
