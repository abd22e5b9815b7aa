"""Cases walked to the physician queue through the real nurse services."""

import pytest

from reviews.selectors.review import case_review_state
from reviews.services import nurse_review
from tests.review_fixtures import JUDGED_INITIAL, kesimpta_request


def escalate(case, nurse, **answers):
    """The nurse claims, answers (judged answers + suggestions, overridden by `answers`)
    and escalates."""
    nurse_review.case_claim(case=case, nurse=nurse)
    state = case_review_state(case=case)
    for step in state.steps:
        label = step.node.label
        suggestion = state.suggestions.get(label)
        value = answers.get(label) or JUDGED_INITIAL.get(label) or suggestion.answer
        nurse_review.criterion_answer_save(
            case=case,
            nurse=nurse,
            label=label,
            answer=value,
            comment="See the MRI report." if label in answers else "",
        )
    nurse_review.case_escalate(case=case, nurse=nurse, comment="Please review.")
    case.refresh_from_db()
    return case


@pytest.fixture
def escalated(kesimpta, nurse):
    """Primary progressive MS: PRE-1 and 1.A.i not met, escalated by the nurse."""
    case = kesimpta_request(nurse, member_name="Peter Progressive")
    return escalate(case, nurse, **{"PRE-1": "not_met", "1.A.i": "not_met"})
