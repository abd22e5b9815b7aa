"""Schemathesis against the API's own OpenAPI description, in process (WSGI), bounded.

For every operation it generates requests from the description, valid ones and invalid ones
(schemathesis's positive and negative modes), and checks that the answer is never a 5xx and
that its status code, content type and body are the ones the description gives. A nurse's
token and a physician's (renewed before each request, so the token's own DELETE does not
leave the rest signed out), on a world with a case in each state; path parameters are
either generated or those of the world's cases, so the role checks and the 409s are
exercised, not only the 401s and 404s: the test checks that they were.
"""

import re
from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from reviews.services import nurse_review
from tests.builders import escalated_case
from tests.claims_fixtures import receive
from tests.factories import document_for
from tests.review_fixtures import kesimpta_request

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Bounded: 22 operations, this many examples each.
EXAMPLES = 12


@pytest.fixture
def api_world(db, kesimpta, nurse, nurse2, physician, examiner, private_storage, deadline_rules):
    in_review = kesimpta_request(nurse, member_name="Rita Review")
    nurse_review.case_claim(case=in_review, nurse=nurse)
    escalated = escalated_case(kesimpta_request(nurse2, member_name="Peter Progressive"), nurse2)
    document = document_for(escalated, user=nurse2)
    # Path parameters naming things that exist: each world case, with the rest to match.
    known = [
        {"case_id": in_review.pk, "document_id": document.pk, "label": "PRE-1"},
        {"case_id": escalated.pk, "document_id": document.pk, "label": "1.A.i"},
    ]
    # A claim line (denied 197: its member has no authorization); a nurse's or physician's
    # request for it is a 404.
    line, _ = receive(examiner, claim_line_id="FUZZ-1", member_id="NOBODY")
    for params in known:
        params["version_id"] = kesimpta.pk
        params["line_id"] = line.pk
    return {"nurse": nurse, "physician": physician, "known": known}


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


def requests_for(operation, known: list[dict]):
    """Valid and invalid requests, with generated path parameters or the world's own."""
    names = re.findall(r"{(\w+)}", operation.path)
    fixed = [None]
    if names:
        fixed += [{name: params[name] for name in names} for params in known]
    return st.one_of(
        *(
            operation.as_strategy(mode, path_parameters=params)
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
            for params in fixed
        )
    )


def fuzz(schema, user, known) -> tuple[list[str], Counter]:
    """Every operation of the description, EXAMPLES generated requests each, as `user`.
    Returns the failures, one line per operation (all operations run, then the test fails),
    and how many answers of each status there were."""
    failures, statuses, operations = [], Counter(), 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=requests_for(operation, known))
        @FUZZ_SETTINGS
        def run(case):
            token, _ = Token.objects.get_or_create(user=user)  # a DELETE may have revoked it
            headers = {"Authorization": f"Token {token.key}"}
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            statuses[response.status_code] += 1

        try:
            run()
        except Exception as error:
            failures.append(f"{operation.label}: {str(error)[:1500]}")
    assert operations >= 22, f"only {operations} operations found in the description"
    return failures, statuses


def _assert_exercised(statuses: Counter, *refusals: int) -> None:
    """Past authentication: successes, and the role's refusals, were among the answers."""
    print(f"statuses: {dict(sorted(statuses.items()))}")
    assert sum(n for code, n in statuses.items() if 200 <= code < 300) >= 20, statuses
    for code in refusals:
        assert statuses[code] > 0, f"no {code} among {dict(statuses)}"
    assert statuses[401] == 0, f"requests went unauthenticated: {dict(statuses)}"


def test_api_as_a_nurse(api_schema, api_world):
    failures, statuses = fuzz(api_schema, api_world["nurse"], api_world["known"])
    assert not failures, "\n\n".join(failures)
    _assert_exercised(statuses, 400, 403, 404, 409)


def test_api_as_a_physician(api_schema, api_world):
    failures, statuses = fuzz(api_schema, api_world["physician"], api_world["known"])
    assert not failures, "\n\n".join(failures)
    _assert_exercised(statuses, 400, 403, 404, 409)
