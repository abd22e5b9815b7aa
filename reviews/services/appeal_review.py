"""What an appeal adds to physician review: who may take or decide it, and what its
determination records on the appeal. physician_review and determinations call these, so the
rules hold whichever page or API request reaches them.
"""

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from reviews.appeal_rules import appeal_rule
from reviews.models import Appeal, Case, CaseEvent, Determination
from reviews.selectors.appeals import appeal_for_case, appeal_reviewer_conflict

# An appeal case's determination, read as the appeal's outcome.
OUTCOME_OF = {
    Determination.Outcome.DENIED: Appeal.Outcome.UPHELD,
    Determination.Outcome.APPROVED: Appeal.Outcome.OVERTURNED,
    Determination.Outcome.PARTIALLY_APPROVED: Appeal.Outcome.PARTIALLY_OVERTURNED,
}


def appeal_reviewer_check(*, case: Case, physician) -> None:
    """Refuse a physician who made or was consulted on the decision under appeal (URAC and
    the federal rules alike: 29 CFR 2560.503-1(h)(3)(ii) and (v), 42 CFR 422.590(h)(2),
    42 CFR 438.406(b)(2)). A case that is no appeal passes."""
    appeal = appeal_for_case(case)
    if appeal is None:
        return
    conflict = appeal_reviewer_conflict(appeal, physician)
    if conflict:
        raise PermissionDenied(conflict)


def appeal_outcome_record(*, determination: Determination) -> Appeal | None:
    """When the determination decides an appeal: its outcome, and for a Medicare Advantage
    reconsideration that upholds the denial in whole or in part, the mark for the independent
    review entity. Called inside determination_issue's transaction."""
    case = determination.case
    appeal = appeal_for_case(case)
    if appeal is None:
        return None
    outcome = OUTCOME_OF[determination.outcome]
    ire = appeal_rule(case.line_of_business).upheld_goes_to_ire and outcome != (
        Appeal.Outcome.OVERTURNED
    )
    # Conditional: an appeal is decided once (its case's determination is one-to-one too).
    Appeal.objects.filter(pk=appeal.pk, outcome="").update(
        outcome=outcome, decided_at=determination.decided_at, ire_required=ire
    )
    appeal.outcome, appeal.decided_at, appeal.ire_required = (
        outcome,
        determination.decided_at,
        ire,
    )
    payload = {
        "appeal_id": appeal.pk,
        "appeal_case": case.reference,
        "original_case": appeal.original.reference,
        "outcome": outcome,
        "outcome_label": Appeal.Outcome(outcome).label,
        "ire_required": ire,
        "decided_by": determination.decided_by.get_full_name()
        or determination.decided_by.get_username(),
    }
    for on in (case, appeal.original):
        CaseEvent.objects.create(
            case=on,
            actor=determination.decided_by,
            kind=CaseEvent.Kind.APPEAL_DECIDED,
            payload=payload,
            created_at=timezone.now(),
        )
    return appeal
