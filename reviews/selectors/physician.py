"""Reads for the physician side: the deadline-ordered queue and the decision screen."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from reviews import permissions
from reviews.errors import NotFound
from reviews.models import Case, CaseEvent
from reviews.models.deadlines import deadline_state

WAITING = [Case.Status.PHYSICIAN_QUEUE, Case.Status.PHYSICIAN_REVIEW]


@dataclass(frozen=True)
class QueueFilters:
    urgency: str = ""
    line_of_business: str = ""
    drug: str = ""
    overdue_only: bool = False


def physician_queue(*, user, filters: QueueFilters = QueueFilters()) -> QuerySet[Case]:
    """Escalated cases, the most urgent first: by due time (served by case_queue_idx)."""
    if not permissions.can_review_as_physician(user):
        raise NotFound
    cases = Case.objects.filter(status__in=WAITING)
    if filters.urgency:
        cases = cases.filter(urgency=filters.urgency)
    if filters.line_of_business:
        cases = cases.filter(line_of_business=filters.line_of_business)
    if filters.drug:
        cases = cases.filter(drug_name__iexact=filters.drug)
    if filters.overdue_only:
        cases = cases.filter(due_at__lt=timezone.now())
    return cases.select_related("assignee", "policy_drug", "policy_version__policy").order_by(
        "due_at", "pk"
    )


def physician_queue_counts(*, user) -> dict:
    """Counts for the queue's header, in one query. At risk and overdue are computed as of
    now (Case.deadline_state), not as of the last sweep."""
    if not permissions.can_review_as_physician(user):
        raise NotFound
    rows = Case.objects.filter(status__in=WAITING).values_list(
        "status", "urgency", "received_at", "due_at"
    )
    now = timezone.now()
    counts = dict.fromkeys(["total", "unclaimed", "expedited", "overdue", "at_risk"], 0)
    for status, urgency, received_at, due_at in rows:
        state = deadline_state(received_at, due_at, now)
        counts["total"] += 1
        counts["unclaimed"] += status == Case.Status.PHYSICIAN_QUEUE
        counts["expedited"] += urgency == Case.Urgency.EXPEDITED
        counts[state] = counts.get(state, 0) + (state in ("overdue", "at_risk"))
    return counts


def physician_queue_drugs() -> list[str]:
    return list(
        Case.objects.filter(status__in=WAITING)
        .order_by("drug_name")
        .values_list("drug_name", flat=True)
        .distinct()
    )


def escalation(case: Case) -> CaseEvent | None:
    """The nurse's escalation (or the intake's, for a case not in policy): reasons, comment."""
    return (
        case.events.filter(to_status=Case.Status.PHYSICIAN_QUEUE)
        .select_related("actor")
        .order_by("-created_at", "-pk")
        .first()
    )


def criteria_choices(state) -> list[tuple[str, str]]:
    """The criteria a denial may cite: the leaves of the case's path, "label text".

    `state`: the case's review state (selectors.review.case_review_state), or None for a
    case in no policy, which has no criteria to cite.
    """
    if state is None:
        return []
    return [(s.node.label, f"{s.node.label} {s.node.text}") for s in state.steps]
