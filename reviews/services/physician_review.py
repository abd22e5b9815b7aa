"""Physician review: claim an escalated case, then approve, partially approve, deny or ask
for more information; offer and log a peer-to-peer conversation.

Only a physician may deny (policy 2020910, "Edits and Denials"; URAC UM 12; NCQA UM 4), and a
denial must name the unmet criteria of the pinned policy version and say why in words a
member can understand. Every decision, its state change, its audit event and its letter
commit together; a determination never changes once issued.
"""

from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from reviews import permissions
from reviews.engine.dosing import Regimen, amount_for_doses
from reviews.errors import AlreadyClaimed, ReviewError, ReviewIncomplete, StaleCase
from reviews.models import Case, CaseEvent, Determination, InfoRequest, PeerToPeer
from reviews.selectors.physician import criteria_choices, escalation
from reviews.selectors.review import case_review_state
from reviews.services.appeal_review import appeal_reviewer_check
from reviews.services.determinations import (
    ApprovalTerms,
    NoContinuation,
    approval_terms,
    determination_build,
    determination_issue,
    period_start,
)
from reviews.workflow import case_move

MIN_REASON_CHARS = 20
MIN_RETURN_REASON_CHARS = 10
MAX_INFO_WAIT = timedelta(days=30)


def _require_physician(user) -> None:
    if not permissions.can_review_as_physician(user):
        raise PermissionDenied("Only physician reviewers may do this.")


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


@transaction.atomic
def case_claim_physician(*, case: Case, physician) -> Case:
    """Take an escalated case into review. Two physicians at once: exactly one wins. An
    appeal goes only to a physician who took no part in the decision under appeal."""
    _require_physician(physician)
    appeal_reviewer_check(case=case, physician=physician)
    current = Case.objects.select_related("assignee").get(pk=case.pk)
    if current.status == Case.Status.PHYSICIAN_REVIEW and current.assignee_id:
        if current.assignee_id == physician.pk:
            return current
        raise AlreadyClaimed(f"{_name(current.assignee)} has already claimed this case.")
    if current.status != Case.Status.PHYSICIAN_QUEUE:
        raise StaleCase(
            f"This case is not waiting for a physician ({current.get_status_display()})."
        )
    try:
        case = case_move(
            case=current,
            to=Case.Status.PHYSICIAN_REVIEW,
            actor=physician,
            payload={"claimed_by": _name(physician)},
            assignee=physician,
        )
    except StaleCase:
        current.refresh_from_db()
        if current.assignee_id and current.status == Case.Status.PHYSICIAN_REVIEW:
            raise AlreadyClaimed(
                f"{_name(current.assignee)} has already claimed this case."
            ) from None
        raise
    return case


def _locked_for_decision(case: Case, physician) -> Case:
    # First: a physician who took part in the decision under appeal learns nothing more.
    appeal_reviewer_check(case=case, physician=physician)
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("policy_version__policy")
        .get(pk=case.pk)
    )
    if case.status != Case.Status.PHYSICIAN_REVIEW:
        raise StaleCase(f"This case is not in physician review ({case.get_status_display()}).")
    if case.assignee_id != physician.pk:
        raise PermissionDenied("Claim this case before deciding it.")
    return case


def default_approval(case: Case, *, start: date | None = None) -> dict:
    """What a physician's approval defaults to: the policy's terms (services/determinations).
    A case in no policy, or a continuation the policy gives no period for, has no default
    end or quantity: the physician sets them. A continuation of an authorization starts the
    day after it ends (determinations.period_start: another start is refused)."""
    start = period_start(case=case, start=start)
    try:
        terms = approval_terms(case=case, start=start)
    except (NoContinuation, ReviewIncomplete):
        return {
            "approval_start": start,
            "approval_end": None,
            "authorized_doses": None,
            "authorized_amount": None,
            "authorized_unit": "",
        }
    return {
        "approval_start": terms.start,
        "approval_end": terms.end,
        "authorized_doses": terms.doses,
        "authorized_amount": terms.amount,
        "authorized_unit": terms.unit,
    }


def authorized_total(case: Case, doses: int | None) -> tuple:
    """The total amount and unit of the first `doses` doses of the requested regimen on the
    case's path, in date order (phases may differ in amount), e.g. (Decimal("300"), "mg");
    (None, "") when there is no quantity, the regimen cannot be read or gives fewer doses,
    or a dose is per kg."""
    try:
        regimen = Regimen.from_dict(case.regimen)
    except ValueError:
        return None, ""
    if doses is None:
        return None, ""
    amount = amount_for_doses(regimen, doses, phase=case.request_type, weight_kg=case.weight_kg)
    return (None, "") if amount is None else (amount, regimen.unit)


def decision_build(
    *,
    case: Case,
    physician,
    outcome: str,
    rationale: str,
    criteria_cited: list[str],
    period: tuple[date, date] | None,
    doses: int | None,
) -> Determination:
    """A physician's determination, unsaved: what _issue saves and the letter preview shows.
    The total amount is that of the first `doses` requested doses (authorized_total)."""
    amount, unit = authorized_total(case, doses)
    terms = (
        ApprovalTerms(start=period[0], end=period[1], doses=doses, amount=amount, unit=unit)
        if period
        else None
    )
    return determination_build(
        case=case,
        outcome=outcome,
        decided_by=physician,
        role=Determination.Role.PHYSICIAN,
        rationale=rationale,
        criteria_cited=criteria_cited,
        terms=terms,
    )


def _issue(*, criteria_cited: list[str], **decision) -> Determination:
    determination = decision_build(criteria_cited=criteria_cited, **decision)
    return determination_issue(
        determination=determination,
        payload={"role": "physician", "criteria_cited": criteria_cited},
    )


def _check_period(start: date | None, end: date | None) -> tuple[date, date]:
    if not start or not end:
        raise ReviewError("Give the approval period: a start and an end date.")
    if end < start:
        raise ReviewError("The approval period ends before it starts.")
    if (end - start).days > 3 * 366:
        raise ReviewError("An approval period longer than three years is not allowed.")
    return start, end


def _check_doses(doses: int | None) -> int:
    if doses is None or doses < 1:
        raise ReviewError("Give the authorized quantity as a number of doses (at least 1).")
    if doses > 10000:
        raise ReviewError("That quantity is not plausible; check the number of doses.")
    return doses


@transaction.atomic
def case_approve_by_physician(
    *,
    case: Case,
    physician,
    approval_start: date | None = None,
    approval_end: date | None = None,
    authorized_doses: int | None = None,
    rationale: str = "",
) -> Determination:
    """Approve: the policy's period and quantity unless the physician edits them."""
    _require_physician(physician)
    case = _locked_for_decision(case, physician)
    default = default_approval(case, start=approval_start)
    period = _check_period(
        approval_start or default["approval_start"], approval_end or default["approval_end"]
    )
    doses = _check_doses(authorized_doses or default["authorized_doses"])
    return _issue(
        case=case,
        physician=physician,
        outcome=Determination.Outcome.APPROVED,
        rationale=rationale or "Approved on physician review.",
        criteria_cited=[],
        period=period,
        doses=doses,
    )


@transaction.atomic
def case_partially_approve(
    *,
    case: Case,
    physician,
    approval_start: date | None,
    approval_end: date | None,
    authorized_doses: int | None,
    rationale: str,
) -> Determination:
    """Approve another quantity or period than requested; the reason is required."""
    _require_physician(physician)
    case = _locked_for_decision(case, physician)
    if len(rationale.strip()) < MIN_REASON_CHARS:
        raise ReviewError("Say why only part is approved, in a sentence the member can understand.")
    period = _check_period(approval_start, approval_end)
    doses = _check_doses(authorized_doses)
    default = default_approval(case, start=period[0])
    if default["approval_end"] == period[1] and default["authorized_doses"] == doses:
        raise ReviewError("That is the full approval the policy gives; use Approve instead.")
    return _issue(
        case=case,
        physician=physician,
        outcome=Determination.Outcome.PARTIALLY_APPROVED,
        rationale=rationale,
        criteria_cited=[],
        period=period,
        doses=doses,
    )


@transaction.atomic
def case_deny(*, case: Case, physician, criteria_cited: list[str], rationale: str) -> Determination:
    """Deny, naming the unmet criteria of the pinned version and why, in plain language."""
    # Checked before anything else: a nurse (or anyone without the right) changes nothing.
    if not permissions.can_issue_denial(physician):
        raise PermissionDenied("Only a physician reviewer may deny a request.")
    case = _locked_for_decision(case, physician)
    if len(rationale.strip()) < MIN_REASON_CHARS:
        raise ReviewError(
            "Give the reason for the denial in plain language a member can "
            "understand (a full sentence)."
        )
    cited = list(dict.fromkeys(label.strip() for label in criteria_cited if label.strip()))
    if case.policy_version_id:
        # The same choices the denial form offers: the leaves of the case's path.
        labels = {label for label, _ in criteria_choices(case_review_state(case=case))}
        if not cited:
            raise ReviewError("Name at least one criterion of the policy that is not met.")
        unknown = [label for label in cited if label not in labels]
        if unknown:
            raise ReviewError(
                f"Not criteria of policy {case.policy_version.policy.number} "
                f"version {case.policy_version.number} on this request's path: "
                f"{', '.join(unknown)}."
            )
    return _issue(
        case=case,
        physician=physician,
        outcome=Determination.Outcome.DENIED,
        rationale=rationale,
        criteria_cited=cited,
        period=None,
        doses=None,
    )


@transaction.atomic
def info_request_create(
    *, case: Case, physician, missing: str, wait_until: datetime
) -> InfoRequest:
    """Ask for more information; the case waits in "information requested"."""
    _require_physician(physician)
    case = _locked_for_decision(case, physician)
    now = timezone.now()
    if len(missing.strip()) < 10:
        raise ReviewError("Say what is missing, so the prescriber knows what to send.")
    if wait_until <= now:
        raise ReviewError("The wait must end in the future.")
    if wait_until - now > MAX_INFO_WAIT:
        raise ReviewError("Wait at most 30 days for information.")
    request = InfoRequest.objects.create(
        case=case,
        requested_by=physician,
        requested_at=now,
        missing=missing.strip(),
        wait_until=wait_until,
    )
    case_move(
        case=case,
        to=Case.Status.INFO_REQUESTED,
        actor=physician,
        payload={"missing": request.missing, "wait_until": wait_until.isoformat()},
        assignee=None,
    )
    return request


@transaction.atomic
def peer_to_peer_offer(*, case: Case, physician) -> PeerToPeer:
    _require_physician(physician)
    appeal_reviewer_check(case=case, physician=physician)
    if case.status not in (
        Case.Status.PHYSICIAN_REVIEW,
        Case.Status.DENIED,
        Case.Status.PARTIALLY_APPROVED,
    ):
        raise ReviewError(
            "A peer-to-peer conversation is offered during or after physician review."
        )
    p2p = PeerToPeer.objects.create(case=case, offered_at=timezone.now(), offered_by=physician)
    CaseEvent.objects.create(
        case=case,
        actor=physician,
        kind=CaseEvent.Kind.PEER_TO_PEER_OFFERED,
        payload={"peer_to_peer_id": p2p.pk},
    )
    return p2p


@transaction.atomic
def peer_to_peer_log(
    *, p2p: PeerToPeer, physician, held_at: datetime, with_whom: str, outcome: str
) -> PeerToPeer:
    _require_physician(physician)
    p2p = PeerToPeer.objects.select_for_update().get(pk=p2p.pk)
    if p2p.held_at is not None:
        raise ReviewError("This conversation is already logged.")
    if held_at > timezone.now():
        raise ReviewError("A conversation is logged after it was held, not before.")
    # Forms give minutes; a conversation logged in the minute it was offered is fine.
    if held_at < p2p.offered_at.replace(second=0, microsecond=0):
        raise ReviewError("The conversation cannot be held before it was offered.")
    if not with_whom.strip() or not outcome.strip():
        raise ReviewError("Say with whom you spoke and what came of it.")
    p2p.held_at, p2p.with_whom, p2p.outcome = held_at, with_whom.strip(), outcome.strip()
    p2p.save(update_fields=["held_at", "with_whom", "outcome"])
    CaseEvent.objects.create(
        case_id=p2p.case_id,
        actor=physician,
        kind=CaseEvent.Kind.PEER_TO_PEER_HELD,
        payload={"peer_to_peer_id": p2p.pk, "with_whom": p2p.with_whom, "outcome": p2p.outcome},
    )
    return p2p


@transaction.atomic
def case_return_to_nurse(*, case: Case, physician, reason: str) -> Case:
    """Send a case escalated by mistake back to nurse review, with the physician's reason.

    The case goes back to the nurse who escalated it (or unclaimed to the nurse queue when
    that nurse no longer reviews), her answers open again for changes, and the move is
    recorded as a status event whose payload carries the reason the nurse reads.
    """
    _require_physician(physician)
    case = _locked_for_decision(case, physician)
    reason = " ".join(reason.split())
    if len(reason) < MIN_RETURN_REASON_CHARS:
        raise ReviewError("Say why the case goes back, so the nurse knows what to do next.")
    if hasattr(case, "appeal_record"):
        raise ReviewError("An appeal is decided by a physician; it does not go to nurse review.")
    if case.policy_version_id is None:
        raise ReviewError(
            "This request is in no policy: a nurse has no criteria to review it by. "
            "Decide it here, case by case."
        )
    escalated = escalation(case)
    nurse = escalated.actor if escalated else None
    if nurse is not None and not (nurse.is_active and permissions.can_review_as_nurse(nurse)):
        nurse = None
    case.answers.filter(locked_at__isnull=False).update(locked_at=None)
    return case_move(
        case=case,
        to=Case.Status.NURSE_REVIEW,
        actor=physician,
        payload={
            "returned_to_nurse": True,
            "reason": reason,
            "returned_to": _name(nurse) if nurse else "",
        },
        assignee=nurse,
    )
