"""Two POSTs of one intake with the same Idempotency-Key at the same moment, on PostgreSQL
with real threads: exactly one case exists afterwards and both clients are told its id."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from reviews.models import Case, IdempotencyKey
from tests import services_available
from tests.api.test_api import intake_body
from tests.conftest import require_service
from tests.services.test_races import at_once

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgres():
    require_service(
        "PostgreSQL",
        services_available.postgres(),
        "set DATABASE_URL to PostgreSQL: SQLite serializes writers",
    )


def test_simultaneous_retries_create_one_case(kesimpta, nurse, deadline_rules):
    token, _ = Token.objects.get_or_create(user=nurse)

    def post():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        response = client.post(
            "/api/v1/cases/", intake_body(), format="json", HTTP_IDEMPOTENCY_KEY="retry-1"
        )
        return response.status_code, response.json().get("id")

    outcomes = at_once({f"client {i}": post for i in range(4)})
    assert not [o for o in outcomes.values() if isinstance(o, Exception)], outcomes
    statuses = sorted(status for status, _ in outcomes.values())
    ids = {case_id for _, case_id in outcomes.values()}
    assert statuses == [200, 200, 200, 201]
    assert len(ids) == 1
    assert Case.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1
