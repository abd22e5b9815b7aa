"""Determinations: the one rule for an approval's terms, and issuing a decision.

Every approval (the nurse's, the physician's default, the summary's preview) takes its
period and quantity from `approval_terms`; every decision is built by `determination_build`
(unsaved, so a preview shows exactly what would be issued) and issued by
`determination_issue` (saved with its letter and the case's move, in the caller's
transaction). A determination never changes once issued.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from reviews import permissions
from reviews.engine.dosing import Regimen, authorized_quantity, regimen_differences
from reviews.engine.durations import Duration
from reviews.errors import ReviewError, ReviewIncomplete
from reviews.models import Case, Determination, Indication
from reviews.services.appeal_review import appeal_outcome_record
from reviews.services.letters import letter_issue
from reviews.workflow import case_move


class NoContinuation(ReviewIncomplete):
    """The policy gives no period for a continuation (no reauthorization)."""


class ContinuationGap(ReviewError):
    """An approval of a continuation that would not start the day after the authorization
    it continues ends: a gap or an overlap."""


@dataclass(frozen=True)
class ApprovalTerms:
    """What an approval issues: the period (both days included) and the quantity."""

    start: date
    end: date
    doses: int | None
    amount: Decimal | None
    unit: str
    as_requested: bool = False
    """The policy has no dosing rule: the quantity is the requested regimen's over the period."""

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def authorization_number(case: Case) -> str:
    # One determination per case, so the case reference makes the number unique and readable.
    return case.reference.replace("PA-", "AU-", 1)


def continuation_start(case: Case) -> date | None:
    """The first day of any approval of a case that continues an authorization: the day after
    that authorization ends, whenever the continuation is approved (before the prior end, or
    after it, when the approval reaches back), so coverage has no gap and no overlap. None for
    a case that continues nothing."""
    if not case.continues_id:
        return None
    return case.continues.approval_end + timedelta(days=1)


def period_start(*, case: Case, start: date | None = None) -> date:
    """The first day of an approval of this case: `start` (today in the plan's time zone by
    default), or for a continuation always continuation_start; a continuation asked to start
    on another day is refused (ContinuationGap) rather than silently moved."""
    first = continuation_start(case)
    if first is None:
        return start or timezone.localdate()
    if start is not None and start != first:
        raise ContinuationGap(
            f"This continuation starts on {first:%Y-%m-%d}, the day after authorization "
            f"{case.continues.authorization_number} ends ({case.continues.approval_end:%Y-%m-%d})"
            f", not on {start:%Y-%m-%d}: no gap and no overlap."
        )
    return first


def approval_terms(*, case: Case, start: date | None = None) -> ApprovalTerms:
    """The period and quantity the pinned policy version gives this request, from
    approval_start (today by default; the day after the prior authorization ends for a
    continuation of one). Raises NoContinuation when the version allows no reauthorization
    of a continuation, ContinuationGap for a continuation's start on another day."""
    if case.policy_version is None:
        raise ReviewIncomplete("This case is in no policy: there are no terms to apply.")
    start = period_start(case=case, start=start)
    return policy_terms(
        version=case.policy_version,
        indication=case_indication(case),
        request_type=case.request_type,
        start=start,
        requested=case.regimen,
        weight_kg=case.weight_kg,
    )


def case_indication(case: Case) -> Indication:
    """The pinned version's indication the case is for; ReviewIncomplete until one is chosen."""
    indication = case.indication_row
    if indication is None:
        raise ReviewIncomplete(
            "Choose the indication this request is for first: its criteria, approval period "
            "and dosing rule are the indication's."
        )
    return indication


def policy_terms(
    *,
    version,
    indication: Indication,
    request_type: str,
    start: date | None = None,
    requested: Any = None,
    weight_kg: Decimal | None = None,
) -> ApprovalTerms:
    """The one rule: an initial request gets the indication's initial period with every phase
    of its dosing rule; a continuation its extended period with the phases that are not
    initial-only (dosing.on_path). A period ends where engine.durations says (its first and
    last days both covered). An indication with no dosing rule gives the quantity of the
    `requested` regimen (the case's) over the period, as requested. A per-kg dose needs
    weight_kg (the case's); without it the amount is unknown, never guessed."""
    start = start or timezone.localdate()
    initial = request_type == Case.RequestType.INITIAL
    duration = indication.initial_approval if initial else indication.extended_approval
    if duration is None:
        raise NoContinuation(
            f"Policy {version.policy.number} version {version.number} allows no "
            f"reauthorization for {indication.name}: a physician decides the period."
        )
    end = Duration.from_dict(duration).end(start)
    days = (end - start).days + 1
    phase = "initial" if initial else "continuation"
    if not indication.regimen:
        return _requested_terms(requested, start=start, end=end, phase=phase, weight_kg=weight_kg)
    quantity = authorized_quantity(
        _counted_regimen(
            Regimen.from_dict(indication.regimen), requested, phase=phase, start=start
        ),
        start=start,
        days=days,
        phase=phase,
        weight_kg=weight_kg,
    )
    return ApprovalTerms(
        start=start,
        end=end,
        doses=quantity.doses,
        amount=quantity.total_amount,
        unit=quantity.unit,
    )


def _counted_regimen(rule: Regimen, requested: Any, *, phase: str, start: date) -> Regimen:
    """The regimen an approval counts: the rule's; but where the rule has a dose range and the
    request matches it (a dose in the range, everything else as the rule says), the request's,
    so a lower dose in range is authorized as asked and never rounded up to the rule's."""
    if rule.dose_range is None:
        return rule
    try:
        asked = Regimen.from_dict(requested)
    except (ValueError, TypeError):
        return rule
    return asked if not regimen_differences(asked, rule, phase=phase, start=start) else rule


def _requested_terms(
    requested: Any, *, start: date, end: date, phase: str, weight_kg: Decimal | None = None
) -> ApprovalTerms:
    """A policy without a dosing rule: the requested regimen's quantity over the period, on
    the request's path. A regimen that cannot be read (or a per-kg dose without a weight)
    leaves the doses or the amount unknown: "as requested", never a guess."""
    try:
        regimen = Regimen.from_dict(requested)
    except ValueError:
        return ApprovalTerms(
            start=start, end=end, doses=None, amount=None, unit="", as_requested=True
        )
    quantity = authorized_quantity(
        regimen, start=start, days=(end - start).days + 1, phase=phase, weight_kg=weight_kg
    )
    return ApprovalTerms(
        start=start,
        end=end,
        doses=quantity.doses,
        amount=quantity.total_amount,
        unit=quantity.unit,
        as_requested=True,
    )


def determination_build(
    *,
    case: Case,
    outcome: str,
    decided_by,
    role: str,
    rationale: str,
    criteria_cited: list[str],
    terms: ApprovalTerms | None,
) -> Determination:
    """The determination as it would be issued, unsaved: previews and letters use it. An
    approval of a continuation must start on continuation_start (ContinuationGap), whoever
    chose its period."""
    if terms is not None and outcome != Determination.Outcome.DENIED:
        period_start(case=case, start=terms.start)
    return Determination(
        case=case,
        outcome=outcome,
        decided_by=decided_by,
        role=role,
        decided_at=timezone.now(),
        policy_version=case.policy_version,
        rationale=rationale.strip(),
        criteria_cited=criteria_cited,
        approval_start=terms.start if terms else None,
        approval_end=terms.end if terms else None,
        authorized_doses=terms.doses if terms else None,
        authorized_amount=terms.amount if terms else None,
        authorized_unit=(terms.unit if terms else "") or "",
        authorization_number=authorization_number(case),
    )


@transaction.atomic
def determination_issue(*, determination: Determination, payload: dict) -> Determination:
    """Issue a built determination: save it, keep its letter, lock the answers and move the
    case to the outcome. Call inside the deciding service's transaction, with the case row
    locked, after the service has checked the actor's role."""
    case = determination.case
    # The callers check the actor's role; this keeps the two rules no caller may forget.
    if determination.role == Determination.Role.NURSE and (
        determination.outcome != Determination.Outcome.APPROVED
    ):
        raise PermissionDenied("A nurse may only approve.")
    if determination.outcome == Determination.Outcome.DENIED and not permissions.can_issue_denial(
        determination.decided_by
    ):
        raise PermissionDenied("Only a physician reviewer may deny a request.")
    determination.save()
    letter_issue(determination=determination)
    case.answers.filter(locked_at__isnull=True).update(locked_at=determination.decided_at)
    case_move(
        case=case,
        to=determination.outcome,
        actor=determination.decided_by,
        payload={"authorization_number": determination.authorization_number, **payload},
        deadline_flag="",
    )
    appeal_outcome_record(determination=determination)
    return determination
