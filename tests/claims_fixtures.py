"""Claims examiners and claim lines, for the claims tests."""

from datetime import date

import pytest

from reviews import roles
from reviews.services.claims import claim_line_data, claim_line_receive
from tests.conftest import _user
from tests.factories import ensure_adjustment_codes

NPI = "1234567893"  # a valid check digit (tests/review_fixtures.py uses it too)


@pytest.fixture
def examiner(django_user_model):
    # A transactional test before this one may have flushed the migration's seeded codes.
    ensure_adjustment_codes()
    return _user(django_user_model, "cleo", roles.CLAIMS_EXAMINER)


def line_fields(**overrides) -> dict:
    fields = {
        "claim_line_id": "CL-1",
        "member_id": "M1234567",
        "date_of_service": date.today(),
        "hcpcs_code": "J3490",
        "ndc": "",
        "units": 1,
        "modifiers": ["JZ"],
        "billed_amount": "1500.00",
        "billing_npi": NPI,
        "rendering_npi": NPI,
        "participating": True,
    }
    fields.update(overrides)
    return fields


def receive(examiner, **overrides):
    """A line through the real service; (line, created)."""
    return claim_line_receive(actor=examiner, data=claim_line_data(**line_fields(**overrides)))
