"""The case's indication: which of its pinned version's indications the request is for.

Intake chooses it from the diagnosis codes when exactly one indication fits best
(engine/indications.py). Otherwise the nurse chooses, with her reason, before she walks any
criteria; or she confirms that the request fits none, and a physician reviews it case by case,
as a request for a use the policy does not list.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from reviews import permissions
from reviews.engine.indications import indication_match
from reviews.errors import ReviewError, StaleCase
from reviews.models import Case, CaseEvent
from reviews.policy_documents import version_parsed
from reviews.workflow import case_move

# The route of a request for a use no indication lists (a policy statement's usual words).
NOT_LISTED = (
    "Requests for uses not listed in this policy will be reviewed for evidence of efficacy "
    "and for medical necessity on a case-by-case basis."
)
NONE = ""  # the key the nurse gives for "fits none of the indications"


def _indications(case: Case) -> list[dict]:
    doc, _ = version_parsed(case.policy_version_id)
    return doc["version"]["indications"]


def case_indication_auto(*, case: Case, actor) -> Case:
    """At intake: choose the indication the diagnosis codes fit best, when exactly one does.
    Call inside the intake's transaction. Leaves the case unchanged otherwise (the nurse
    chooses)."""
    if case.policy_version_id is None:
        return case
    match = indication_match(_indications(case), case.diagnosis_codes)
    if match.chosen is None:
        return case
    return _record(case=case, actor=actor, key=match.chosen, reason=match.reason, automatic=True)


def case_indication_carry(*, case: Case, actor, key: str, reason: str) -> Case:
    """At intake of a continuation: the indication of the authorization it continues, when
    the case's pinned version has it (else the nurse chooses). Call inside the intake's
    transaction."""
    if case.policy_version_id is None or key not in {i["key"] for i in _indications(case)}:
        return case
    return _record(case=case, actor=actor, key=key, reason=reason, automatic=True, carried=True)


@transaction.atomic
def case_indication_choose(*, case: Case, nurse, indication: str, reason: str) -> Case:
    """The nurse chooses the case's indication (its key), or NONE: the request fits none, and
    goes to the physician queue to be reviewed case by case. The reason is recorded."""
    if not permissions.can_review_as_nurse(nurse):
        raise PermissionDenied("Only nurse reviewers may choose a case's indication.")
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status != Case.Status.NURSE_REVIEW:
        raise StaleCase(f"This case is no longer in nurse review ({case.get_status_display()}).")
    if case.assignee_id != nurse.pk:
        raise PermissionDenied("Claim this case before working on it.")
    reason = reason.strip()
    if not reason:
        raise ReviewError("Say why this indication fits the request (or why none does).")
    keys = {i["key"]: i["name"] for i in _indications(case)}
    if indication != NONE and indication not in keys:
        raise ReviewError(
            f"This policy version has no indication {indication!r}; "
            f"choose one of: {', '.join(keys.values())}."
        )
    case = _record(case=case, actor=nurse, key=indication, reason=reason, automatic=False)
    if indication == NONE:
        case_move(
            case=case,
            to=Case.Status.PHYSICIAN_QUEUE,
            actor=nurse,
            payload={
                "reason": f"The request fits none of the policy's indications. {NOT_LISTED}",
                "comment": reason,
            },
            assignee=None,
        )
    return case


def _record(
    *, case: Case, actor, key: str, reason: str, automatic: bool, carried: bool = False
) -> Case:
    names = {i["key"]: i["name"] for i in _indications(case)}
    Case.objects.filter(pk=case.pk).update(indication=key, indication_reason=reason)
    case.indication, case.indication_reason = key, reason
    CaseEvent.objects.create(
        case=case,
        actor=actor,
        kind=CaseEvent.Kind.INDICATION_CHOSEN,
        payload={
            "indication": key,
            "name": names.get(key, "none of the policy's indications"),
            "reason": reason,
            "automatic": automatic,
            **({"carried": True} if carried else {}),
        },
    )
    return case
