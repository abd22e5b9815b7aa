"""Appeals: file one against a denial or partial approval, and decide it.

An appeal is a case of its own, linked to the decision it appeals by an Appeal row: it gets
its own reference, its own due time from the deadline table's appeal rows, its own physician
(one who took no part in the decision under appeal: services/appeal_review.py) and its own
determination and letter, issued through services/determinations.py like any other. So an
overturn issues an authorization exactly as an approval does.
"""

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from reviews import permissions
from reviews.errors import AppealNotAllowed, ReviewError, StaleCase
from reviews.intake import FIELDS as REQUEST_FIELDS
from reviews.models import Appeal, Case, CaseEvent, CaseMedication, DeadlineRule, Document
from reviews.selectors.appeals import appeal_refusal, appeal_window
from reviews.services import physician_review
from reviews.services.cases import deadline_rule_for, reference_next
from reviews.services.documents import Rejected, document_add_many
from reviews.workflow import case_move

MIN_REASON_CHARS = 10
BACKDATE_AFTER = timedelta(minutes=30)

# The request's fields an appeal case carries over: the same member, drug, regimen, path,
# policy version and indication, so the physician decides the same question again.
# The appeal's own: when it came, how urgent it is (a new clock), never a back-dating reason.
_APPEAL_OWN = {"urgency", "received_at", "backdate_reason"}
COPIED = (
    *(field for field in REQUEST_FIELDS if field not in _APPEAL_OWN),
    "policy_id",
    "policy_drug_id",
    "policy_version_id",
    "not_in_policy",
    "indication",
    "indication_reason",
)


class AppealLate(ReviewError):
    """An appeal received after the last day of its window."""


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def appeal_file(
    *,
    original: Case,
    actor,
    appellant_kind: str,
    appellant_name: str,
    received_at: datetime,
    urgency: str,
    reason: str,
    documents: Sequence[UploadedFile] = (),
    document_kind: str = Document.Kind.OTHER,
) -> tuple[Appeal, list[Rejected]]:
    """Take in an appeal of a denial or partial approval: check it may be appealed and was
    received within the window for its line of business (a late one is refused with the
    reason, and the refusal is in the audit trail), then open the appeal case in the
    physician queue with its own due time, and add the appellant's documents to it."""
    if not permissions.can_intake(actor):
        raise PermissionDenied("Only nurses and physicians may take in an appeal.")
    appellant_name = " ".join(appellant_name.split())
    reason = reason.strip()
    if appellant_kind not in Appeal.AppellantKind.values:
        raise ReviewError("Say who appeals: the member, the prescriber or a representative.")
    if not appellant_name:
        raise ReviewError("Give the appellant's name.")
    if urgency not in Case.Urgency.values:
        raise ReviewError("Choose standard or expedited.")
    if len(reason) < MIN_REASON_CHARS:
        raise ReviewError("Say why the appellant disagrees with the decision (a sentence).")
    if timezone.is_naive(received_at):
        raise ReviewError("Give the time of receipt with its time zone.")
    if received_at > timezone.now():
        raise ReviewError("An appeal cannot be received in the future.")
    refusal = appeal_refusal(original)
    if refusal:
        raise AppealNotAllowed(refusal)
    window = appeal_window(original)
    received_on = timezone.localtime(received_at).date()
    if received_on < window.notice_date:
        raise ReviewError("The appeal cannot be received before the decision it appeals.")
    if not window.open_on(received_on):
        message = _late_message(original, received_on, window)
        _late_record(original=original, actor=actor, message=message, received_on=received_on)
        raise AppealLate(message)
    try:
        with transaction.atomic():
            return _appeal_create(
                original=original,
                actor=actor,
                appellant_kind=appellant_kind,
                appellant_name=appellant_name,
                received_at=received_at,
                urgency=urgency,
                reason=reason,
                documents=documents,
                document_kind=document_kind,
            )
    except IntegrityError:
        # Two filings at once: the one-appeal-per-decision constraint lets one through.
        if Appeal.objects.filter(original=original).exists():
            raise StaleCase(
                "This decision is already under appeal (one appeal per decision)."
            ) from None
        raise


def _late_message(original: Case, received_on: date, window) -> str:
    rule = window.rule
    return (
        f"Received on {received_on:%b} {received_on.day}, {received_on.year}: too late. "
        f"The last day to appeal {original.reference} was {window.last_day:%b} "
        f"{window.last_day.day}, {window.last_day.year} ({rule.days} days from the notice of "
        f"{window.notice_date:%b} {window.notice_date.day}, {window.notice_date.year}; "
        f"{rule.source})."
    )


def _late_record(*, original: Case, actor, message: str, received_on: date) -> None:
    with transaction.atomic():
        CaseEvent.objects.create(
            case=original,
            actor=actor,
            kind=CaseEvent.Kind.APPEAL_REFUSED,
            payload={"received_on": received_on.isoformat(), "reason": message},
        )


def _appeal_create(
    *,
    original: Case,
    actor,
    appellant_kind,
    appellant_name,
    received_at,
    urgency,
    reason,
    documents,
    document_kind,
) -> tuple[Appeal, list[Rejected]]:
    # The decided case's row is locked: two filings against it take turns.
    original = Case.objects.select_for_update(of=("self",)).get(pk=original.pk)
    refusal = appeal_refusal(original)
    if refusal:
        raise AppealNotAllowed(refusal)
    rule = deadline_rule_for(
        line_of_business=original.line_of_business,
        urgency=urgency,
        kind=DeadlineRule.Kind.APPEAL,
    )
    received_on = timezone.localtime(received_at).date()
    case = Case.objects.create(
        **{field: getattr(original, field) for field in COPIED},
        urgency=urgency,
        received_at=received_at,
        # The clock runs from receipt, which intake records (it may be earlier than now).
        backdate_reason=(
            f"The appeal was received {received_at:%Y-%m-%d %H:%M %Z} and taken in later."
            if timezone.now() - received_at > BACKDATE_AFTER
            else ""
        ),
        reference=reference_next(year=received_on.year),
        due_at=rule.due_at(received_at),
        deadline_rule=rule,
        deadline_rule_text=str(rule)[:300],
        status=Case.Status.RECEIVED,
        created_by=actor,
    )
    CaseMedication.objects.bulk_create(
        CaseMedication(case=case, name=m.name, stop_date=m.stop_date, position=m.position)
        for m in original.medications.all()
    )
    appeal = Appeal.objects.create(
        original=original,
        case=case,
        appellant_kind=appellant_kind,
        appellant_name=appellant_name,
        received_at=received_at,
        reason=reason,
        filed_by=actor,
    )
    payload = {
        "appeal_id": appeal.pk,
        "appeal_case": case.reference,
        "original_case": original.reference,
        "appellant_kind": appellant_kind,
        "appellant_name": appellant_name,
        "received_at": received_at.isoformat(),
        "urgency": urgency,
        "due_at": case.due_at.isoformat(),
        "deadline_rule": case.deadline_rule_text,
    }
    CaseEvent.objects.create(
        case=case,
        actor=actor,
        kind=CaseEvent.Kind.RECEIVED,
        to_status=Case.Status.RECEIVED,
        payload={
            "reference": case.reference,
            "received_at": received_at.isoformat(),
            "due_at": case.due_at.isoformat(),
            "deadline_rule": case.deadline_rule_text,
            "appeal_of": original.reference,
        },
    )
    for on in (original, case):
        CaseEvent.objects.create(
            case=on, actor=actor, kind=CaseEvent.Kind.APPEAL_FILED, payload=payload
        )
    # Straight to the physicians: only a physician decides an appeal of a medical-necessity
    # decision (29 CFR 2560.503-1(h)(3)(iii); 42 CFR 422.590(h)(2); 42 CFR 438.406(b)(2)).
    case_move(
        case=case,
        to=Case.Status.PHYSICIAN_QUEUE,
        actor=actor,
        payload={
            "reason": f"Appeal of {original.reference}, taken in by {_name(actor)}.",
            "appeal_of": original.reference,
        },
    )
    rejected: list[Rejected] = []
    if documents:
        _, rejected = document_add_many(
            case=case, actor=actor, files=list(documents), kind=document_kind
        )
    return appeal, rejected


OUTCOMES = {
    Appeal.Outcome.OVERTURNED: "approve",
    Appeal.Outcome.PARTIALLY_OVERTURNED: "partial",
    Appeal.Outcome.UPHELD: "deny",
}


def appeal_decide(
    *,
    case: Case,
    physician,
    outcome: str,
    rationale: str = "",
    criteria_cited: Sequence[str] = (),
    approval_start: date | None = None,
    approval_end: date | None = None,
    authorized_doses: int | None = None,
):
    """Decide an appeal by its outcome: overturned is the physician's approval (the policy's
    terms unless edited), partially overturned a partial approval, upheld a denial naming the
    unmet criteria. The physician's services check the role, the claim and the reviewer."""
    if outcome not in OUTCOMES:
        raise ReviewError("Choose the outcome: upheld, overturned or partially overturned.")
    if not hasattr(case, "appeal_record"):
        raise ReviewError("This case is not an appeal.")
    if outcome == Appeal.Outcome.OVERTURNED:
        return physician_review.case_approve_by_physician(
            case=case,
            physician=physician,
            approval_start=approval_start,
            approval_end=approval_end,
            authorized_doses=authorized_doses,
            rationale=rationale or "Overturned on appeal.",
        )
    if outcome == Appeal.Outcome.PARTIALLY_OVERTURNED:
        return physician_review.case_partially_approve(
            case=case,
            physician=physician,
            approval_start=approval_start,
            approval_end=approval_end,
            authorized_doses=authorized_doses,
            rationale=rationale,
        )
    return physician_review.case_deny(
        case=case, physician=physician, criteria_cited=list(criteria_cited), rationale=rationale
    )
