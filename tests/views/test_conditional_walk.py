"""The nurse's walk through a policy with an `if`: the then-leaves are asked only once the
condition is met, and an answer that adds or removes steps sends the nurse to the right one."""

from pathlib import Path

import pytest
from django.urls import reverse

from reviews.errors import ReviewError
from reviews.models import Case
from reviews.selectors.review import case_review_state
from reviews.services import nurse_review as services
from tests.factories import CaseFactory
from tests.policy_fixtures import load

pytestmark = pytest.mark.django_db

FILE = Path(__file__).resolve().parents[1] / "fixtures" / "policies" / "conditional-checks.yaml"
COMMENT = {"comment": "The chart says otherwise."}


@pytest.fixture
def case(nurse):
    version = load(FILE)
    case = CaseFactory(
        policy_version=version, request_type=Case.RequestType.INITIAL, indication="main"
    )
    services.case_claim(case=case, nurse=nurse)
    case.refresh_from_db()
    return case


def labels(case) -> list[str]:
    return [step.node.label for step in case_review_state(case=case).steps]


def url(name, case, *args):
    return reverse(f"reviews:{name}", args=[case.pk, *args])


def test_the_then_leaf_is_asked_only_while_the_condition_is_met(case, nurse):
    before = ["ldl", "child.age", "not_pregnant", "step", "bmi"]
    assert labels(case) == before
    with pytest.raises(ReviewError, match=r"asked only when child\.age is met, and it is unknown"):
        services.criterion_answer_save(
            case=case, nurse=nurse, label="child.specialist", answer="met"
        )

    # The member is an adult, so "under 10" is suggested not met; the nurse overrides it.
    services.criterion_answer_save(
        case=case, nurse=nurse, label="child.age", answer="met", **COMMENT
    )
    state = case_review_state(case=case)
    assert [s.node.label for s in state.steps] == [
        "ldl",
        "child.age",
        "child.specialist",
        "not_pregnant",
        "step",
        "bmi",
    ]
    assert [s.number for s in state.steps] == [1, 2, 3, 4, 5, 6]
    assert state.first_open_step.node.label == "ldl"
    services.criterion_answer_save(
        case=case, nurse=nurse, label="child.specialist", answer="not_met"
    )
    assert "child.specialist" in case_review_state(case=case).evaluation.failing

    # The condition no longer holds: the specialist's answer stays recorded but is not asked,
    # not counted and not failing.
    services.criterion_answer_save(case=case, nurse=nurse, label="child.age", answer="not_met")
    state = case_review_state(case=case)
    assert [s.node.label for s in state.steps] == before
    assert state.answered == 1
    assert "child.specialist" not in state.evaluation.failing
    assert state.evaluation.node_results["child"] == "met"
    assert all("child.specialist" not in item for item in state.failing_items)


def test_after_meeting_the_condition_next_goes_to_the_new_step(client, case, nurse):
    client.force_login(nurse)
    response = client.post(
        url("case-review-step", case, "child.age"), {"answer": "met", "go": "next", **COMMENT}
    )
    assert response["Location"] == url("case-review-step", case, "child.specialist")
    response = client.post(
        url("case-review-step", case, "child.specialist"), {"answer": "met", "go": "back"}
    )
    assert response["Location"] == url("case-review-step", case, "child.age")


def test_after_the_condition_fails_next_skips_the_hidden_step(client, case, nurse):
    client.force_login(nurse)
    client.post(url("case-review-step", case, "child.age"), {"answer": "met", **COMMENT})
    response = client.post(
        url("case-review-step", case, "child.age"), {"answer": "not_met", "go": "next"}
    )
    assert response["Location"] == url("case-review-step", case, "not_pregnant")
    assert client.get(url("case-review-step", case, "child.specialist")).status_code == 404
    assert client.get(url("case-review", case))["Location"] == url("case-review-step", case, "ldl")


def test_the_policy_page_names_the_if_and_the_negated_check(client, case, nurse):
    client.force_login(nurse)
    page = client.get(reverse("reviews:policy-version-detail", args=[case.policy_version_id]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "if the first holds, then the second" in body
    assert body.count("(negated: met when the check is not)") == 1


def test_a_then_leaf_that_still_decides_the_if_needs_its_evidence(case, nurse):
    """Condition met, then-leaf answered met without evidence, then the condition back to
    not documented: the if is still met through its then-leaf (Kleene), which is no longer
    asked, yet an approval would rest on it, so its missing evidence is still named."""
    services.criterion_answer_save(
        case=case, nurse=nurse, label="child.age", answer="met", **COMMENT
    )
    for label in ("ldl", "child.specialist", "not_pregnant", "step", "bmi"):
        services.criterion_answer_save(case=case, nurse=nurse, label=label, answer="met", **COMMENT)
    services.criterion_answer_save(
        case=case, nurse=nurse, label="child.age", answer="not_documented", **COMMENT
    )
    state = case_review_state(case=case)
    assert "child.specialist" not in [s.node.label for s in state.steps]
    assert state.evaluation.node_results["child"] == "met"
    assert "child.specialist" in state.evaluation.deciding
    assert "child.specialist" in state.evidence_missing
    assert not state.can_approve
