"""Reads for the physician side: the deadline-ordered queue and the decision screen."""

from django.db.models import QuerySet

from reviews import permissions
from reviews.engine.indications import code_meanings
from reviews.errors import NotFound
from reviews.models import Case, CaseEvent
from reviews.models.case import PHYSICIAN_WAITING
from reviews.selectors.cases import (
    NO_FILTERS,
    QueueFilters,
    case_rows,
    queue_counts,
    queue_drugs,
    queue_filtered,
)

__all__ = [
    "WAITING",
    "QueueFilters",
    "criteria_choices",
    "diagnosis_meanings",
    "escalation",
    "physician_queue",
    "physician_queue_counts",
    "physician_queue_drugs",
]

WAITING = PHYSICIAN_WAITING  # one home: the model indexes the queue by it


def physician_queue(*, user, filters: QueueFilters = NO_FILTERS) -> QuerySet[Case]:
    """Escalated cases, the most urgent first: by due time (case_physician_queue_idx)."""
    if not permissions.can_review_as_physician(user):
        raise NotFound
    cases = queue_filtered(Case.objects.filter(status__in=WAITING), filters, user=user)
    # appeal_record__original: the queue marks an appeal and names the decision appealed.
    return (
        case_rows(cases, "appeal_record__original__reference")
        .select_related("appeal_record__original")
        .order_by("due_at", "pk")
    )


def physician_queue_counts(*, user) -> dict:
    """Counts for the queue's header, in one query. At risk and overdue are computed as of
    now (Case.deadline_state), not as of the last sweep."""
    if not permissions.can_review_as_physician(user):
        raise NotFound
    return queue_counts(
        Case.objects.filter(status__in=WAITING), unclaimed=Case.Status.PHYSICIAN_QUEUE, user=user
    )


def physician_queue_drugs() -> list[str]:
    return queue_drugs(Case.objects.filter(status__in=WAITING))


def escalation(case: Case) -> CaseEvent | None:
    """The nurse's escalation (or the intake's, for a case not in policy): reasons, comment."""
    return (
        case.events.filter(to_status=Case.Status.PHYSICIAN_QUEUE)
        .select_related("actor")
        .order_by("-created_at", "-pk")
        .first()
    )


def diagnosis_meanings(case: Case, state) -> list[tuple[str, tuple[str, ...]]]:
    """The case's diagnosis codes, each with the names of the pinned version's indications it
    fits (the only meanings the app holds; none for a case in no policy)."""
    indications = state.indications if state is not None else []
    return code_meanings(indications, case.diagnosis_codes or [])


def criteria_choices(state) -> list[tuple[str, str]]:
    """The criteria a denial may cite: the leaves of the case's path, "label text".

    `state`: the case's review state (selectors.review.case_review_state), or None for a
    case in no policy, which has no criteria to cite.
    """
    if state is None:
        return []
    return [(s.node.label, f"{s.node.label} {s.node.text}") for s in state.steps]
