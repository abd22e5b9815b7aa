"""The state of a case's review: the pinned tree on the case's path and indication, the
suggested answers
from its facts, the recorded answers, the engine's evaluation and the dosing check.

Django reads in, the pure engine does the deciding; views and services share this one
picture so the page a nurse sees and the rule a service enforces cannot disagree.
"""

from dataclasses import dataclass
from functools import cached_property

from django.db.models import QuerySet

from reviews import permissions
from reviews.engine.checks import (
    ClinicalEvent,
    Facts,
    LabResult,
    Medication,
    PriorTherapy,
    Suggestion,
    check_stands_as_evidence,
    suggest_all,
)
from reviews.engine.dosing import Regimen, regimen_differences
from reviews.engine.numbers import as_written as _as_written
from reviews.engine.testcases import requested_drug
from reviews.engine.tree import (
    Evaluation,
    Kind,
    Node,
    Truth,
    evaluate,
    find,
    if_parts,
    iter_asked,
    iter_nodes,
)
from reviews.errors import NotFound
from reviews.models import Case, CaseEvent, CriterionAnswer
from reviews.policy_documents import version_parsed
from reviews.reference_lists import reference_lists
from reviews.selectors.cases import (
    NO_FILTERS,
    QueueFilters,
    case_rows,
    queue_counts,
    queue_drugs,
    queue_filtered,
)
from reviews.selectors.renewals import authorized_history


@dataclass(frozen=True)
class Step:
    """One leaf criterion asked on the case's path, with the groups above it for context.

    The steps depend on the answers: the leaves under an `if` whose condition is not met are
    not asked, so answering a condition can add or remove steps, and a step's number is its
    place among the steps asked now.
    """

    node: Node
    ancestors: tuple[Node, ...]
    number: int


@dataclass(frozen=True)
class Evidence:
    """What a criterion's answer rests on. kind: document (a page and quote of a document of
    the case), computed (a check's suggestion, from facts the request states, accepted as
    suggested), attestation (the policy asks for no document), or "" for nothing."""

    kind: str
    text: str = ""


NO_EVIDENCE = Evidence("")


@dataclass
class ReviewState:
    case: Case
    doc: dict
    root: Node
    path: str
    answers: dict[str, CriterionAnswer]
    suggestions: dict[str, Suggestion]
    # The key of the case's indication; None: none chosen (every indication's criteria).
    indication: str | None = None
    # True while the nurse must choose the indication before the criteria walk.
    indication_needed: bool = False

    @property
    def path_name(self) -> str:
        """The path as the version names it (version.paths)."""
        return self.doc["version"]["paths"][self.path]

    @cached_property
    def evaluation(self) -> Evaluation:
        return evaluate(
            self.root,
            {label: a.answer for label, a in self.answers.items()},
            path=self.path,
            indication=self.indication,
        )

    @property
    def indications(self) -> list[dict]:
        return self.doc["version"]["indications"]

    @property
    def indication_doc(self) -> dict | None:
        """The case's indication as the document writes it, or None."""
        return next((i for i in self.indications if i["key"] == self.indication), None)

    @cached_property
    def steps(self) -> list[Step]:
        """The leaves asked now, in tree order (see Step); none until the indication is chosen."""
        if self.indication_needed:
            return []
        steps: list[Step] = []
        stack: list[Node] = []
        asked = iter_asked(
            self.root, self.evaluation.node_results, path=self.path, indication=self.indication
        )
        for node, depth in asked:
            del stack[depth:]
            if node.kind == Kind.LEAF:
                steps.append(Step(node, tuple(stack[1:]), len(steps) + 1))
            stack.append(node)
        return steps

    @cached_property
    def dosing_differences(self) -> list[str]:
        rule = (self.indication_doc or {}).get("regimen")
        if not rule:
            return []
        try:
            requested = Regimen.from_dict(self.case.regimen)
        except ValueError as error:
            return [f"The requested regimen cannot be read: {error}"]
        return regimen_differences(
            requested, Regimen.from_dict(rule), phase=self.path, start=self.case.received_on
        )

    @cached_property
    def judged(self) -> list[Node]:
        """The leaves whose answers count now: the steps asked, and any leaf the evaluation
        rests on that is not asked now (the then-part of an if whose condition went back to
        open still decides it), so no answer an approval cites escapes the evidence rule."""
        nodes = [step.node for step in self.steps]
        asked = {node.label for node in nodes}
        for label in self.evaluation.deciding:
            if label not in asked and (node := find(self.root, label)) is not None:
                nodes.append(node)
        return nodes

    @cached_property
    def evidence(self) -> dict[str, Evidence]:
        """Each answered criterion's evidence, by label (NO_EVIDENCE when it has none)."""
        found = {}
        for node in self.judged:
            label = node.label
            answer = self.answers.get(label)
            if answer is None:
                continue
            suggestion = self.suggestions.get(label)
            if answer.has_evidence:
                quote = answer.evidence_quote.strip()
                found[label] = Evidence(
                    "document",
                    f"{answer.evidence_document.original_name}, p. {answer.evidence_page}: "
                    f"“{quote}”",
                )
            elif (
                suggestion is not None
                and suggestion.answer == answer.answer
                and suggestion.stands_as_evidence
                and check_stands_as_evidence(node.check)
            ):
                found[label] = Evidence("computed", suggestion.reason)
            elif not node.evidence_required:
                found[label] = Evidence("attestation", "Attestation: no document required.")
            else:
                found[label] = NO_EVIDENCE
        return found

    @property
    def evidence_missing(self) -> list[str]:
        """Criteria answered "met" with nothing to show for it: an approval may not rest on
        them. A met answer needs a document page and quote, unless a check decided it from
        what the request states, or the policy marks the criterion as an attestation."""
        return [
            node.label
            for node in self.judged
            if (answer := self.answers.get(node.label))
            and answer.answer == CriterionAnswer.Value.MET
            and self.evidence[node.label] == NO_EVIDENCE
        ]

    @property
    def approval_refusal(self) -> str | None:
        """Why a nurse may not approve now, or None when she may: every criterion met, the
        dosing as the policy says, and evidence for every "met". The page shows it and the
        approval service enforces it."""
        if self.indication_doc is None:
            return (
                "Choose the indication this request is for first: its criteria, approval "
                "period and dosing rule are the indication's."
            )
        if not self.all_met:
            return (
                "A nurse can approve only when every criterion is met and the dosing matches "
                "the policy. Escalate to a physician instead: " + "; ".join(self.failing_items)
            )
        if self.evidence_missing:
            return (
                "Every “met” needs its evidence (a document, page and quote, or a suggested "
                f"passage) before approval. Missing for: {', '.join(self.evidence_missing)}."
            )
        return None

    @property
    def can_approve(self) -> bool:
        return self.approval_refusal is None

    @property
    def approval_criteria(self) -> list[str]:
        """The criteria an approval cites: the met leaves of the path taken, and no others
        (an "any" group's unmet alternatives are not grounds)."""
        if self.evaluation.result != Truth.MET:
            return []
        return list(self.evaluation.deciding)

    @property
    def answered(self) -> int:
        return sum(step.node.label in self.answers for step in self.steps)

    @property
    def all_met(self) -> bool:
        return (
            self.indication_doc is not None
            and self.evaluation.result == Truth.MET
            and not self.dosing_differences
        )

    @property
    def failing_items(self) -> list[str]:
        """Why the case cannot be approved by a nurse: each unmet criterion, then dosing."""
        if self.indication_needed:
            return ["Indication not chosen: which of the policy's indications this request is for."]
        nodes = {step.node.label: step.node for step in self.steps}
        items = []
        for label in self.evaluation.failing:
            answer = self.answers.get(label)
            state = answer.get_answer_display().lower() if answer else "not answered"
            items.append(f"{label} {state}: {nodes[label].text}")
        items += [f"Dosing: {difference}" for difference in self.dosing_differences]
        return items

    def step_for(self, label: str) -> Step:
        for step in self.steps:
            if step.node.label == label:
                return step
        raise NotFound(self.not_asked_reason(label))

    def not_asked_reason(self, label: str) -> str:
        """Why a label is no step now: off the path, or under a condition not (yet) met."""
        on = {"path": self.path, "indication": self.indication}
        for node, _ in iter_nodes(self.root, **on):
            if node.kind != Kind.IF:
                continue
            condition, then = if_parts(node, self.path, self.indication)
            if any(n.label == label for n, _ in iter_nodes(then, **on)):
                return (
                    f"{label} is asked only when {condition.label} is met, and it is "
                    f"{self.evaluation.node_results[condition.label].replace('_', ' ')}."
                )
        return f"{label} is no criterion on this case's path."

    def step_beside(self, label: str, offset: int) -> Step | None:
        """The step `offset` places from the step labelled `label` (-1: before, 1: after),
        among the steps asked now; None past either end."""
        index = self.step_for(label).number - 1 + offset
        return self.steps[index] if 0 <= index < len(self.steps) else None

    @property
    def first_open_step(self) -> Step | None:
        return next((s for s in self.steps if s.node.label not in self.answers), None)


def case_facts(case: Case, *, requested: tuple[str, ...] = ()) -> Facts:
    """The facts of a case for the engine; requested: the names of the policy's drug. A
    continuation's linked authorizations (selectors.renewals.authorized_history) are its
    authorized periods: time on the drug the engine counts with the stated therapy start."""
    return Facts(
        request_date=case.received_on,
        member_dob=case.member_dob,
        prescriber_specialty=case.prescriber_specialty,
        consulting_specialty=case.consulting_specialty,
        consulting_name=case.consulting_name,
        consult_date=case.consult_date,
        medications=tuple(Medication(m.name, m.stop_date) for m in case.medications.all()),
        therapy_start_date=case.therapy_start_date,
        diagnosis_codes=tuple(case.diagnosis_codes),
        requested_drug=requested,
        labs=tuple(
            LabResult(lab.name, _as_written(lab.value), lab.unit, lab.taken_on, lab.loinc)
            for lab in case.labs.all()
        ),
        prior_therapies=tuple(
            PriorTherapy(
                t.drug_name,
                t.outcome,
                dose=_as_written(t.dose),
                dose_unit=t.dose_unit,
                start=t.started_on,
                end=t.ended_on,
            )
            for t in case.therapies.all()
        ),
        events=tuple(
            ClinicalEvent(e.kind, e.occurred_on, e.note) for e in case.clinical_events.all()
        ),
        weight_kg=_as_written(case.weight_kg),
        height_cm=_as_written(case.height_cm),
        authorized_periods=authorized_history(case),
    )


def _requested_names(case: Case, doc: dict) -> tuple[str, ...]:
    """The names of the drug this case asks for: the policy drug intake matched, so another
    drug of a class policy that the member takes stays a drug to classify; every drug of the
    policy only when none was matched."""
    if case.policy_drug_id:
        drug = case.policy_drug
        return tuple(name for name in (drug.brand, drug.generic) if name)
    return requested_drug(doc)


def case_review_state_or_none(*, case: Case) -> ReviewState | None:
    """The review picture, or None for a case in no policy (nothing to review or cite)."""
    return case_review_state(case=case) if case.policy_version_id else None


def case_review_state(*, case: Case) -> ReviewState:
    """The review picture of a case pinned to a policy version."""
    if case.policy_version_id is None:
        raise NotFound("This case is not in any policy; it has no criteria to review.")
    doc, root = version_parsed(case.policy_version_id)
    path = case.request_type
    keys = [i["key"] for i in doc["version"]["indications"]]
    indication = case.indication if case.indication in keys else None
    # Until the nurse chooses the indication, she is not walked through any criteria.
    needed = indication is None and case.status == Case.Status.NURSE_REVIEW
    answers = {
        a.criterion.label: a
        for a in case.answers.select_related("criterion", "evidence_document", "answered_by")
    }
    suggestions = suggest_all(
        root,
        case_facts(case, requested=_requested_names(case, doc)),
        doc["version"]["lists"],
        path=path,
        indication=indication,
        references=reference_lists(),
    )
    return ReviewState(
        case=case,
        doc=doc,
        root=root,
        path=path,
        answers=answers,
        suggestions=suggestions,
        indication=indication,
        indication_needed=needed,
    )


def nurse_queue(*, user, filters: QueueFilters = NO_FILTERS) -> QuerySet[Case]:
    """Cases awaiting nurse review, soonest due first (served by case_queue_idx), with the
    physician queue's filters and search."""
    if not permissions.can_review_as_nurse(user):
        raise NotFound
    return case_rows(
        queue_filtered(Case.objects.filter(status=Case.Status.NURSE_REVIEW), filters, user=user)
    ).order_by("due_at", "pk")


def nurse_queue_counts(*, user) -> dict:
    """The nurse queue's counts (selectors.cases.queue_counts), as of now."""
    if not permissions.can_review_as_nurse(user):
        raise NotFound
    return queue_counts(
        Case.objects.filter(status=Case.Status.NURSE_REVIEW),
        unclaimed=Case.Status.NURSE_REVIEW,
        user=user,
    )


def nurse_queue_drugs() -> list[str]:
    return queue_drugs(Case.objects.filter(status=Case.Status.NURSE_REVIEW))


# A physician's return of a case to nurse review: the event's fields and their values.
RETURN = {
    "kind": CaseEvent.Kind.STATUS,
    "from_status": Case.Status.PHYSICIAN_REVIEW,
    "to_status": Case.Status.NURSE_REVIEW,
}


def _returns(case_ids) -> QuerySet[CaseEvent]:
    return CaseEvent.objects.filter(case_id__in=case_ids, **RETURN).select_related("actor")


def case_returned(*, case: Case, timeline: list[CaseEvent] | None = None) -> CaseEvent | None:
    """While a case is back in nurse review from a physician: the return (its reason in the
    payload), else None. `timeline`: the case's events oldest first (case_timeline), when the
    page has read them already: the return is found among them, with no query."""
    if case.status != Case.Status.NURSE_REVIEW:
        return None
    if timeline is not None:
        returns = (
            e for e in reversed(timeline) if all(getattr(e, f) == v for f, v in RETURN.items())
        )
        return next(returns, None)
    return _returns([case.pk]).order_by("-created_at", "-pk").first()


def cases_returned(*, cases) -> dict[int, CaseEvent]:
    """case_returned for a page of cases in nurse review, in one query: {case id: event}."""
    ids = [c.pk for c in cases if c.status == Case.Status.NURSE_REVIEW]
    found: dict[int, CaseEvent] = {}
    for event in _returns(ids).order_by("created_at", "pk"):
        found[event.case_id] = event  # the latest wins
    return found


def case_evidence(*, case: Case, state: ReviewState) -> dict:
    """Passages of the case's documents that likely bear on each criterion.

    They help the nurse find evidence; they never answer a criterion.
    """
    from reviews.engine.evidence import Page, suggest_evidence
    from reviews.models import DocumentPage

    pages = [
        Page(
            document_id=p.document_id,
            document_name=p.document.original_name,
            number=p.number,
            text=p.text,
        )
        for p in DocumentPage.objects.filter(document__case=case)
        .select_related("document")
        .order_by("document_id", "number")
    ]
    if not pages:
        return {}
    return suggest_evidence(
        state.root,
        pages,
        state.doc["version"]["lists"],
        path=state.path,
        indication=state.indication,
    )
