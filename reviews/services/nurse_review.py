"""Nurse review: claim a case, answer its criteria, then approve or escalate.

A nurse can never deny: there is no such service here, and the physician services refuse
anyone without can_issue_denial (policy 2020910, "Edits and Denials"; URAC UM 12; NCQA UM 4).
A nurse approves only when every criterion on the case's path is met and the requested
dosing matches the policy; everything else goes to the physician queue with its reasons.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from reviews import permissions
from reviews.errors import (
    AlreadyClaimed,
    EvidenceMissing,
    NotFound,
    ReviewError,
    ReviewIncomplete,
    StaleCase,
    TermsChanged,
)
from reviews.models import Case, CaseEvent, CriterionAnswer, Determination, Document
from reviews.selectors.review import case_review_state
from reviews.services.determinations import (
    ApprovalTerms,
    approval_terms,
    determination_build,
    determination_issue,
)
from reviews.workflow import case_assign_if_free, case_move


def _require_nurse(user) -> None:
    if not permissions.can_review_as_nurse(user):
        raise PermissionDenied("Only nurse reviewers may do this.")


def _locked_case(case: Case) -> Case:
    """The case row, locked for this transaction, so reads and the write agree."""
    return Case.objects.select_for_update().get(pk=case.pk)


def _require_assignee(case: Case, nurse) -> None:
    if case.status != Case.Status.NURSE_REVIEW:
        raise StaleCase(f"This case is no longer in nurse review ({case.get_status_display()}).")
    if case.assignee_id != nurse.pk:
        raise PermissionDenied("Claim this case before working on it.")


@transaction.atomic
def case_claim(*, case: Case, nurse) -> Case:
    """Take a case from the nurse queue. Two nurses at once: exactly one wins."""
    _require_nurse(nurse)
    # Conditional update: only an unclaimed case in nurse review can be taken.
    taken = case_assign_if_free(case=case, status=Case.Status.NURSE_REVIEW, user=nurse)
    case.refresh_from_db(fields=["assignee", "status", "updated_at"])
    if not taken:
        if case.assignee_id == nurse.pk:
            return case
        if case.assignee_id is not None:
            raise AlreadyClaimed(
                f"{case.assignee.get_full_name() or case.assignee.get_username()} "
                "has already claimed this case."
            )
        raise StaleCase(f"This case is not awaiting nurse review ({case.get_status_display()}).")
    CaseEvent.objects.create(
        case=case, actor=nurse, kind=CaseEvent.Kind.CLAIMED, payload={"role": "nurse"}
    )
    return case


@transaction.atomic
def criterion_answer_save(
    *,
    case: Case,
    nurse,
    label: str,
    answer: str,
    comment: str = "",
    evidence_document: Document | None = None,
    evidence_page: int | None = None,
    evidence_quote: str = "",
) -> CriterionAnswer:
    """Record (or change) the nurse's answer to one criterion. Saved at every step."""
    _require_nurse(nurse)
    case = _locked_case(case)
    _require_assignee(case, nurse)
    state = case_review_state(case=case)
    try:
        step = state.step_for(label)
    except NotFound as error:
        raise ReviewError(str(error)) from None
    if answer not in CriterionAnswer.Value.values:
        raise ReviewError("Choose met, not met or not documented.")
    suggestion = state.suggestions.get(label)
    if suggestion and suggestion.answer != answer and not comment.strip():
        raise ReviewError(
            f"The computed check suggests “{CriterionAnswer.Value(suggestion.answer).label}” "
            f"({suggestion.reason}) Say in a comment why you answer otherwise."
        )
    if evidence_document is not None and evidence_document.case_id != case.pk:
        raise ReviewError("The evidence must be a document of this case.")
    if evidence_page is not None and evidence_document is None:
        raise ReviewError("Choose the document the page belongs to.")
    if evidence_document is not None and evidence_page is not None:
        citation_check(evidence_document, evidence_page, evidence_quote)
    criterion = case.policy_version.criteria.get(label=step.node.label)
    previous = state.answers.get(label)
    saved, _ = CriterionAnswer.objects.update_or_create(
        case=case,
        criterion=criterion,
        defaults={
            "policy_version_id": case.policy_version_id,
            "answer": answer,
            "suggested": suggestion.answer if suggestion else "",
            "suggestion_reason": suggestion.reason if suggestion else "",
            "comment": comment.strip(),
            "evidence_document": evidence_document,
            "evidence_page": evidence_page,
            "evidence_quote": evidence_quote.strip(),
            "answered_by": nurse,
            "answered_at": timezone.now(),
        },
    )
    CaseEvent.objects.create(
        case=case,
        actor=nurse,
        kind=CaseEvent.Kind.ANSWER,
        payload=_answer_payload(saved, label, previous),
    )
    return saved


def _answer_payload(saved: CriterionAnswer, label: str, previous) -> dict:
    """The answer as given, with what it rests on: an auditor reads the evidence and the
    comment in the event itself, whatever the answer later became."""
    payload = {
        "criterion": label,
        "answer": saved.answer,
        "previous": previous.answer if previous else None,
        "suggested": saved.suggested,
        "suggestion_reason": saved.suggestion_reason,
        "overrides_suggestion": saved.overrides_suggestion,
        "comment": saved.comment,
    }
    if saved.evidence_document is not None:
        payload |= {
            "evidence_document_id": saved.evidence_document.pk,
            "evidence_document": saved.evidence_document.original_name,
            "evidence_page": saved.evidence_page,
            "evidence_quote": saved.evidence_quote,
        }
    return payload


def citation_check(document: Document, page: int, quote: str) -> None:
    """A cited page must exist and, where the page's text was read, hold the quote: evidence
    an auditor can find. A scanned page (no text) or a document still being read is taken
    as cited."""
    if document.is_image:
        if page != 1:
            raise ReviewError(f"{document.original_name} is an image: it has one page.")
        return
    status = Document.objects.values_list("extraction_status", flat=True).get(pk=document.pk)
    if status != Document.Extraction.DONE:
        return
    texts = dict(document.pages.values_list("number", "text"))
    if page not in texts:
        raise ReviewError(
            f"{document.original_name} has {len(texts)} page(s); there is no page {page}."
        )
    if quote.strip() and texts[page].strip() and not quote_on_page(quote, texts[page]):
        raise ReviewError(
            f"That quote is not on page {page} of {document.original_name}: copy it from the "
            "document's text, or choose a suggested passage."
        )


def quote_on_page(quote: str, text: str) -> bool:
    """Whether the quote appears in the page's text, ignoring case and how lines wrap."""

    def squeeze(value: str) -> str:
        return " ".join(value.casefold().split())

    if squeeze(quote) in squeeze(text):
        return True
    # Text read from a PDF may join or split words at line ends.
    return "".join(quote.casefold().split()) in "".join(text.casefold().split())


def _lock_answers(case: Case, when) -> None:
    case.answers.filter(locked_at__isnull=True).update(locked_at=when)


@transaction.atomic
def case_approve_by_nurse(
    *, case: Case, nurse, expected: ApprovalTerms | None = None
) -> Determination:
    """Approve a case whose every criterion is met, with evidence: period and quantity from
    the policy (services/determinations.py). `expected`: the terms the nurse confirmed; if
    they are no longer what would be issued (the day turned, the policy changed), nothing is
    issued and she is asked to look again."""
    _require_nurse(nurse)
    case = _locked_case(case)
    _require_assignee(case, nurse)
    state = case_review_state(case=case)
    if refusal := state.approval_refusal:
        if state.all_met:
            raise EvidenceMissing(refusal, labels=state.evidence_missing)
        raise ReviewIncomplete(refusal)
    terms = approval_terms(case=case)
    if expected is not None and expected != terms:
        raise TermsChanged(
            f"The terms to issue are now {terms.start} to {terms.end}, {terms.doses} doses; "
            "look at them again before approving."
        )
    version = case.policy_version
    determination = determination_build(
        case=case,
        outcome=Determination.Outcome.APPROVED,
        decided_by=nurse,
        role=Determination.Role.NURSE,
        rationale=f"Every criterion of policy {version.policy.number} version {version.number} "
        f"for {state.indication_doc['name']} on the {state.path} path is met, and the "
        "requested dosing matches the policy.",
        criteria_cited=state.approval_criteria,
        terms=terms,
    )
    return determination_issue(determination=determination, payload={"role": "nurse"})


@transaction.atomic
def case_escalate(*, case: Case, nurse, comment: str = "") -> Case:
    """Send a case to the physician queue, with every failing criterion as a reason.

    A case whose criteria all pass may still be escalated (a safety concern the policy does
    not mention), but then the nurse must say why.
    """
    _require_nurse(nurse)
    case = _locked_case(case)
    _require_assignee(case, nurse)
    state = case_review_state(case=case)
    reasons = state.failing_items
    if not reasons and not comment.strip():
        raise ReviewError("Every criterion is met: say why this case needs a physician.")
    _lock_answers(case, timezone.now())
    case_move(
        case=case,
        to=Case.Status.PHYSICIAN_QUEUE,
        actor=nurse,
        payload={
            "reasons": reasons,
            "comment": comment.strip(),
            "result": state.evaluation.result.value,
            "path": state.path,
            "indication": state.indication or "",
        },
        assignee=None,
    )
    return case
