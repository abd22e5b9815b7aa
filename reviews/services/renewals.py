"""Starting a continuation: the checks a request that continues an authorization must pass,
and what intake records of the link (docs/renewals.md). Called by cases.case_create inside
its transaction; the page and the API reach it only through intake.
"""

from collections.abc import Mapping
from typing import Any

from reviews.errors import ContinuationRefused
from reviews.models import Case, CaseEvent, Determination, PolicyDrug
from reviews.selectors.renewals import continuation_refusal
from reviews.services.indications import case_indication_carry


def continuation_check(
    *, authorization_id: int, fields: Mapping[str, Any], policy_drug: PolicyDrug | None
) -> Determination:
    """The authorization a new request continues, locked until the intake commits, once the
    request may continue it: a continuation, for the same member and the same drug, of an
    approval or partial approval not already continued by a case under review or approved.

    The lock makes two continuations started at once take turns: the second sees the first
    and is refused (on PostgreSQL; SQLite has one writer at a time anyway)."""
    authorization = (
        Determination.objects.select_for_update(of=("self",))
        .select_related("case__policy_drug")
        .filter(pk=authorization_id)
        .first()
    )
    if authorization is None:
        raise ContinuationRefused("There is no such authorization to continue.")
    if refusal := continuation_refusal(authorization=authorization):
        raise ContinuationRefused(refusal)
    prior = authorization.case
    number = authorization.authorization_number
    if fields["request_type"] != Case.RequestType.CONTINUATION:
        raise ContinuationRefused(
            f"A request that continues authorization {number} is a continuation: "
            "choose the request type Continuation."
        )
    if (
        fields["member_id"].strip().casefold() != prior.member_id.strip().casefold()
        or fields["member_dob"] != prior.member_dob
    ):
        raise ContinuationRefused(
            f"Authorization {number} is for another member (member ID and date of birth "
            "must be those of the authorization): a continuation is for the same member."
        )
    if not _same_drug(prior, fields["drug_name"], policy_drug):
        raise ContinuationRefused(
            f"Authorization {number} is for {prior.drug}: a continuation is for the same drug. "
            "Enter a request for another drug as an initial request."
        )
    return authorization


def _same_drug(prior: Case, drug_name: str, policy_drug: PolicyDrug | None) -> bool:
    if prior.policy_drug_id or policy_drug is not None:
        return policy_drug is not None and policy_drug.pk == prior.policy_drug_id
    return drug_name.strip().casefold() == prior.drug_name.strip().casefold()


def continuation_record(*, case: Case, authorization: Determination, actor) -> None:
    """The link's audit, on both cases: the new one says what it continues, the prior one
    that a continuation was asked. The prior case's indication carries over when intake's
    diagnosis codes chose none and the new case's version has it."""
    prior = authorization.case
    CaseEvent.objects.create(
        case=case,
        actor=actor,
        kind=CaseEvent.Kind.CONTINUATION_STARTED,
        payload={
            "continues": authorization.authorization_number,
            "prior_case": prior.reference,
            "prior_period": [
                authorization.approval_start.isoformat(),
                authorization.approval_end.isoformat(),
            ],
        },
    )
    CaseEvent.objects.create(
        case=prior,
        actor=actor,
        kind=CaseEvent.Kind.CONTINUATION_REQUESTED,
        payload={
            "continuation": case.reference,
            "authorization": authorization.authorization_number,
        },
    )
    if not case.indication and prior.indication:
        case_indication_carry(
            case=case,
            actor=actor,
            key=prior.indication,
            reason=f"As for authorization {authorization.authorization_number}, "
            "which this request continues.",
        )
