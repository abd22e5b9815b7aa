"""Cases in the shapes many tests start from, walked there through the real nurse services.

- `step_answers`: the answer a nurse gives at each step of a case's review (for tests that
  post them through the pages or the API themselves);
- `answered_case`: claimed by the nurse, every step answered;
- `escalated_case`: answered, then sent to the physician queue;
- `approved_case`: answered in full, then approved by the nurse (a decided case).
"""

from collections.abc import Mapping

from reviews.engine.checks import check_stands_as_evidence
from reviews.models import Case, Determination
from reviews.selectors.review import case_review_state
from reviews.services import nurse_review
from reviews.services.determinations import approval_terms
from tests.factories import document_for, pdf_bytes
from tests.review_fixtures import JUDGED_INITIAL

# The nurse's comment on an answer that differs from its computed suggestion (required).
OVERRIDE_COMMENT = "See the MRI report."
# What the nurse quotes from the case's first document for a "met" no check stands for.
EVIDENCE_QUOTE = "Neurology note"
EVIDENCE_PAGE = "Neurology note: relapsing-remitting MS, follow-up visit."


def step_answers(
    case: Case, judged: Mapping[str, str] = JUDGED_INITIAL, **overrides: str
) -> dict[str, str]:
    """Each step's label and answer, in order: `overrides` first, then the judged answers
    (criteria no computed check can suggest), else the computed suggestion confirmed."""
    state = case_review_state(case=case)
    answers = {}
    for step in state.steps:
        label = step.node.label
        suggestion = state.suggestions.get(label)
        answers[label] = (
            overrides.get(label) or judged.get(label) or (suggestion and suggestion.answer)
        )
    return answers


def step_evidence(case: Case, nurse, answers: Mapping[str, str]) -> dict[str, dict]:
    """The evidence a nurse cites, by label, for each "met" in `answers` that no computed
    check stands for: page 1 of the case's first document (added if it has none)."""
    state = case_review_state(case=case)
    nodes = {step.node.label: step.node for step in state.steps}
    cited = {}
    for label, answer in answers.items():
        suggestion = state.suggestions.get(label)
        computed = (
            suggestion is not None
            and suggestion.answer == answer
            and suggestion.stands_as_evidence
            and check_stands_as_evidence(nodes[label].check)
        )
        if answer == "met" and not computed:
            document = case.documents.order_by("pk").first() or document_for(
                case, user=nurse, name="clinic-note.pdf", content=pdf_bytes([EVIDENCE_PAGE])
            )
            cited[label] = {
                "evidence_document": document,
                "evidence_page": 1,
                "evidence_quote": EVIDENCE_QUOTE,
            }
    return cited


def answered_case(
    case: Case,
    nurse,
    *,
    judged: Mapping[str, str] = JUDGED_INITIAL,
    claim: bool = True,
    evidence: bool = True,
    **overrides: str,
) -> Case:
    """The nurse claims the case (unless it is hers already) and answers every step;
    an overridden answer carries OVERRIDE_COMMENT. Each "met" cites its evidence
    (`step_evidence`) unless `evidence` is false. Returns the case, refreshed."""
    if claim:
        nurse_review.case_claim(case=case, nurse=nurse)
    answers = step_answers(case, judged, **overrides)
    cited = step_evidence(case, nurse, answers) if evidence else {}
    for label, answer in answers.items():
        nurse_review.criterion_answer_save(
            case=case,
            nurse=nurse,
            label=label,
            answer=answer,
            comment=OVERRIDE_COMMENT if label in overrides else "",
            **cited.get(label, {}),
        )
    case.refresh_from_db()
    return case


def escalated_case(case: Case, nurse, *, comment: str = "Please review.", **overrides: str) -> Case:
    """Answered by the nurse (see `answered_case`), then escalated with `comment`."""
    case = answered_case(case, nurse, **overrides)
    nurse_review.case_escalate(case=case, nurse=nurse, comment=comment)
    case.refresh_from_db()
    return case


def approved_case(case: Case, nurse, *, claim: bool = True) -> Determination:
    """Every criterion met, approved by the nurse; its letter issued (the PDF renders after
    the commit). Returns the determination."""
    case = answered_case(case, nurse, claim=claim)
    return nurse_review.case_approve_by_nurse(case=case, nurse=nurse)


def approve_form_data(case: Case) -> dict[str, str]:
    """What the approval's confirmation screen posts: the terms it shows (see
    reviews.forms.review.ApproveConfirmForm), as of today."""
    terms = approval_terms(case=case)
    return {
        "approval_start": terms.start.isoformat(),
        "approval_end": terms.end.isoformat(),
        "authorized_doses": "" if terms.doses is None else str(terms.doses),
        "amount": "" if terms.amount is None else str(terms.amount),
        "unit": terms.unit,
    }
