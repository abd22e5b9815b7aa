"""Cases walked to the physician queue through the real nurse services."""

import pytest

from tests.builders import escalated_case
from tests.review_fixtures import kesimpta_request


@pytest.fixture
def escalated(kesimpta, nurse):
    """Primary progressive MS: PRE-1 and 1.A.i not met, escalated by the nurse."""
    case = kesimpta_request(nurse, member_name="Peter Progressive")
    return escalated_case(case, nurse, **{"PRE-1": "not_met", "1.A.i": "not_met"})
