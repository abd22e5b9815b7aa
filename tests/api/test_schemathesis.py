"""Schemathesis against the API's own OpenAPI description, in process (WSGI), bounded.

For every operation it generates requests from the description (valid and invalid) and
checks that the answer is never a 5xx, that its status code, content type and body are the
ones the description gives. A nurse's token and a physician's, on a world with a case in
each state, so the role checks and the 409s are exercised, not only the 401s.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from reviews.services import nurse_review
from tests.physician_fixtures import escalate
from tests.review_fixtures import kesimpta_request

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Bounded: 22 operations, this many examples each: about a minute per role.
EXAMPLES = 12


@pytest.fixture
def api_world(db, kesimpta, nurse, nurse2, physician, private_storage, deadline_rules):
    in_review = kesimpta_request(nurse, member_name="Rita Review")
    nurse_review.case_claim(case=in_review, nurse=nurse)
    escalate(kesimpta_request(nurse2, member_name="Peter Progressive"), nurse2)
    return {"nurse": nurse, "physician": physician}


@pytest.fixture
def api_schema(api_world):
    """The description, loaded from the app itself; requests go to the app in process.

    As Django's test client does, the connection is kept open across requests (the end of a
    request would otherwise close it, and the test's transaction with it).
    """
    from priorauth.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI does not flake on a new one
    suppress_health_check=list(HealthCheck),
    database=None,
)


def fuzz(schema, user) -> list[str]:
    """Every operation of the description, EXAMPLES generated requests each, as `user`.
    Returns the failures, one line per operation (all operations run, then the test fails)."""
    token, _ = Token.objects.get_or_create(user=user)
    headers = {"Authorization": f"Token {token.key}"}
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @FUZZ_SETTINGS
        def run(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except Exception as error:
            failures.append(f"{operation.label}: {str(error)[:1500]}")
    assert operations >= 22, f"only {operations} operations found in the description"
    return failures


def test_api_as_a_nurse(api_schema, api_world):
    failures = fuzz(api_schema, api_world["nurse"])
    assert not failures, "\n\n".join(failures)


def test_api_as_a_physician(api_schema, api_world):
    failures = fuzz(api_schema, api_world["physician"])
    assert not failures, "\n\n".join(failures)
