"""The case state machine: the one transition table (models/transitions.py, beside the statuses
so the case table can index what it derives) and `case_move`, the one way to change a status
(docs/cases.md).

Every status change goes through `case_move`, which services call inside their transaction.
"""

from django.utils import timezone

from reviews.errors import InvalidTransition, StaleCase
from reviews.models import Case, CaseEvent
from reviews.models.transitions import CLOSED, TRANSITIONS

__all__ = [
    "CLOSED",
    "TRANSITIONS",
    "assert_transition",
    "case_assign_if_free",
    "case_move",
    "cases_flag",
]

S = Case.Status


def assert_transition(from_status: str, to_status: str) -> None:
    if to_status not in TRANSITIONS.get(from_status, frozenset()):
        raise InvalidTransition(
            f"A case cannot go from {S(from_status).label.lower()} to {S(to_status).label.lower()}."
        )


def case_move(*, case: Case, to: str, actor, payload: dict | None = None, **fields) -> Case:
    """Move a case to `to` and record the event. Call inside the service's transaction.

    `fields`: other Case fields the move sets (assignee, deadline_flag), written in the same
    conditional UPDATE: nothing else writes a case's status, assignee or deadline flag.
    The update is conditional on the status we read: if another reviewer moved the case
    since, no row matches and StaleCase is raised instead of overwriting their work.
    """
    assert_transition(case.status, to)
    now = timezone.now()
    moved = Case.objects.filter(pk=case.pk, status=case.status).update(
        status=to, updated_at=now, **fields
    )
    if moved != 1:
        raise StaleCase("This case was changed by someone else. Reload it and try again.")
    CaseEvent.objects.create(
        case=case,
        actor=actor,
        kind=CaseEvent.Kind.STATUS,
        from_status=case.status,
        to_status=to,
        payload=payload or {},
    )
    case.status = to
    case.updated_at = now
    for name, value in fields.items():
        setattr(case, name, value)
    return case


# The two writes of a case row that are not moves. With case_move, the only writers of a
# case's status, assignee and deadline flag.


def case_assign_if_free(*, case: Case, status: str, user) -> bool:
    """Make `user` the assignee of a case still in `status` with no assignee; False when it
    is not (someone claimed it first, or it moved on). A claim that changes no status."""
    return bool(
        Case.objects.filter(pk=case.pk, status=status, assignee__isnull=True).update(
            assignee=user, updated_at=timezone.now()
        )
    )


def cases_flag(*, ids: list[int], old: str, new: str) -> int:
    """Set the deadline flag of cases still flagged `old`; returns how many changed."""
    return Case.objects.filter(pk__in=ids, deadline_flag=old).update(deadline_flag=new)
