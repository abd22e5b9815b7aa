"""The review record of a case: the whole story of how it was decided, read only.

Every answer with its evidence and comment, the computed suggestions and which answers
overrode them, each move of the case with its reasons (escalation, information requested,
returned), the decision with its reasoning and the criteria it cites, and the letter. For an
auditor first, and for anyone who may see the case.
"""

from dataclasses import dataclass, field

from reviews.engine.tree import find
from reviews.models import Case, CaseEvent, CriterionAnswer, Determination
from reviews.selectors.review import NO_EVIDENCE, Evidence, ReviewState, case_review_state_or_none


@dataclass(frozen=True)
class AnswerRow:
    """One criterion of the review: its words, the answer (None: not answered), what the
    answer rests on, and whether it is among the criteria that keep the case from passing."""

    label: str
    text: str
    answer: CriterionAnswer | None
    evidence: Evidence
    failing: bool


@dataclass(frozen=True)
class Cited:
    label: str
    text: str


@dataclass
class CaseRecord:
    case: Case
    state: ReviewState | None
    rows: list[AnswerRow] = field(default_factory=list)
    # Answers to criteria the review does not ask now (a condition that stopped applying).
    other_answers: list[CriterionAnswer] = field(default_factory=list)
    moves: list[CaseEvent] = field(default_factory=list)
    determination: Determination | None = None
    cited: list[Cited] = field(default_factory=list)
    info_requests: list = field(default_factory=list)
    peer_to_peers: list = field(default_factory=list)

    @property
    def overrides(self) -> int:
        return sum(1 for row in self.rows if row.answer and row.answer.overrides_suggestion)


def case_record(*, case: Case) -> CaseRecord:
    """The record of a case already fetched for the user (selectors.cases.case_get_for_user)."""
    state = case_review_state_or_none(case=case)
    record = CaseRecord(case=case, state=state)
    if state is not None:
        failing = set(state.evaluation.failing)
        asked = set()
        for step in state.steps:
            label = step.node.label
            asked.add(label)
            record.rows.append(
                AnswerRow(
                    label=label,
                    text=step.node.text,
                    answer=state.answers.get(label),
                    evidence=state.evidence.get(label, NO_EVIDENCE),
                    failing=label in failing,
                )
            )
        record.other_answers = [a for label, a in state.answers.items() if label not in asked]
    record.moves = list(
        case.events.filter(kind=CaseEvent.Kind.STATUS)
        .select_related("actor")
        .order_by("created_at", "pk")
    )
    record.determination = (
        Determination.objects.select_related("decided_by", "policy_version__policy", "letter")
        .filter(case=case)
        .first()
    )
    if record.determination is not None:
        record.cited = [
            Cited(label, _criterion_text(state, label))
            for label in record.determination.criteria_cited
        ]
    record.info_requests = list(case.info_requests.select_related("requested_by"))
    record.peer_to_peers = list(case.peer_to_peers.select_related("offered_by"))
    return record


def _criterion_text(state: ReviewState | None, label: str) -> str:
    if state is None:
        return ""
    node = find(state.root, label)
    return node.text if node is not None else ""
