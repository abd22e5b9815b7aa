"""Cases: intake (create, pin the policy version, set the due time) and demo-only moves."""

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from reviews import permissions
from reviews.errors import ReviewError, StaleCase
from reviews.intake import intake_clean
from reviews.models import (
    Case,
    CaseClinicalEvent,
    CaseEvent,
    CaseLab,
    CaseMedication,
    CaseTherapy,
    DeadlineRule,
    Document,
    IdempotencyKey,
    ReferenceSequence,
    StagedUpload,
)
from reviews.models.case import reference_format
from reviews.selectors.cases import case_for_idempotency_key
from reviews.selectors.policies import policy_drug_find, policy_version_in_force
from reviews.services.documents import Rejected, document_add_many, staged_uploads_attach
from reviews.services.indications import case_indication_auto
from reviews.services.renewals import continuation_check, continuation_record
from reviews.workflow import case_move


def reference_next(*, year: int) -> str:
    """The next reference of a year, e.g. PA-2026-000123. Call inside a transaction.

    Race-safe: the UPDATE ... SET last = last + 1 holds the year's row lock until commit, so
    concurrent intakes take turns and never share a number (and `reference` is unique).
    """
    if not ReferenceSequence.objects.filter(year=year).update(last=F("last") + 1):
        try:
            with transaction.atomic():
                ReferenceSequence.objects.create(year=year, last=1)
        except IntegrityError:  # another intake created the year's row first
            ReferenceSequence.objects.filter(year=year).update(last=F("last") + 1)
    number = ReferenceSequence.objects.get(year=year).last
    return reference_format(year, number)


def deadline_rule_for(
    *, line_of_business: str, urgency: str, kind: str = DeadlineRule.Kind.REQUEST
) -> DeadlineRule:
    rule = DeadlineRule.objects.filter(
        kind=kind, line_of_business=line_of_business, urgency=urgency
    ).first()
    if rule is None:
        what = " appeal" if kind == DeadlineRule.Kind.APPEAL else ""
        raise ReviewError(
            f"There is no deadline rule for {Case.LineOfBusiness(line_of_business).label}, "
            f"{urgency}{what}. A policy admin must add one (Policy administration, "
            "Deadline rules)."
        )
    return rule


@transaction.atomic
def case_create(
    *,
    actor,
    fields: Mapping[str, Any],
    medications: Sequence[Mapping[str, Any]] = (),
    labs: Sequence[Mapping[str, Any]] = (),
    therapies: Sequence[Mapping[str, Any]] = (),
    events: Sequence[Mapping[str, Any]] = (),
    documents: Sequence[UploadedFile] = (),
    staged: Sequence[StagedUpload] = (),
    document_kind: str = Document.Kind.OTHER,
    continues: int | None = None,
) -> tuple[Case, list[Rejected]]:
    """Enter a request: check it against the intake rules (reviews.intake; IntakeInvalid
    names every problem), find the policy and pin the version in force on the day of
    receipt, set the due time from the deadline table, then send the case to its first
    queue. The case's indication is chosen from its diagnosis codes when exactly one of the
    version's indications fits best; else the nurse chooses it. New files and the actor's
    staged ones (kept from a failed submission) are added. The clinical facts the request
    states (labs, prior therapies, clinical events) are stored as from intake, recorded by
    the actor.

    A drug with no policy (or none in force) is accepted, marked not in policy, and goes to
    the physician queue: "Requests for uses not listed in this policy will be reviewed ...
    on a case-by-case basis" (policy 2020910, Policy Statement).
    `continues`: the id of the authorization (Determination) a continuation request
    continues; services.renewals refuses a link it may not have (ContinuationRefused).
    Returns the case and the files that were refused (the others are kept).
    """
    if not permissions.can_intake(actor):
        raise PermissionDenied("Only nurses and physicians may enter requests.")
    request = intake_clean(fields, medications, labs=labs, therapies=therapies, events=events)
    fields, medications = request.fields, request.medications
    received_at = fields["received_at"]
    received_on: date = timezone.localtime(received_at).date()
    policy, policy_drug = policy_drug_find(
        drug=fields["drug_name"], hcpcs_code=fields.get("hcpcs_code", "")
    )
    version = policy_version_in_force(policy=policy, on=received_on) if policy else None
    rule = deadline_rule_for(line_of_business=fields["line_of_business"], urgency=fields["urgency"])
    authorization = (
        continuation_check(authorization_id=continues, fields=fields, policy_drug=policy_drug)
        if continues is not None
        else None
    )

    case = Case.objects.create(
        **fields,
        reference=reference_next(year=received_on.year),
        due_at=rule.due_at(received_at),
        deadline_rule=rule,
        deadline_rule_text=str(rule)[:300],
        status=Case.Status.RECEIVED,
        policy=policy,
        policy_drug=policy_drug,
        policy_version=version,
        not_in_policy=version is None,
        continues=authorization,
        created_by=actor,
    )
    CaseMedication.objects.bulk_create(
        CaseMedication(case=case, name=m["name"], stop_date=m["stop_date"], position=i)
        for i, m in enumerate(medications)
    )
    origin = {"source": CaseLab.Source.INTAKE, "recorded_by": actor}
    CaseLab.objects.bulk_create(CaseLab(case=case, **lab, **origin) for lab in request.labs)
    CaseTherapy.objects.bulk_create(
        CaseTherapy(case=case, **t, **origin) for t in request.therapies
    )
    CaseClinicalEvent.objects.bulk_create(
        CaseClinicalEvent(case=case, **e, **origin) for e in request.events
    )
    CaseEvent.objects.create(
        case=case,
        actor=actor,
        kind=CaseEvent.Kind.RECEIVED,
        to_status=Case.Status.RECEIVED,
        payload={
            "reference": case.reference,
            "received_at": received_at.isoformat(),
            "backdate_reason": case.backdate_reason,
            "due_at": case.due_at.isoformat(),
            "deadline_rule": case.deadline_rule_text,
            "policy_version": str(version) if version else None,
            "policy_drug": str(policy_drug) if policy_drug else None,
        },
    )
    case_indication_auto(case=case, actor=actor)
    if authorization is not None:
        continuation_record(case=case, authorization=authorization, actor=actor)
    _route(case=case, actor=actor)
    rejected: list[Rejected] = []
    if documents:
        _, rejected = document_add_many(
            case=case, actor=actor, files=list(documents), kind=document_kind
        )
    if staged:
        _, refused = staged_uploads_attach(
            case=case, actor=actor, staged=list(staged), kind=document_kind
        )
        rejected += refused
    return case, rejected


def _route(*, case: Case, actor) -> Case:
    """Send a received case to its first queue: the nurses when a policy version is pinned,
    else a physician, case by case."""
    version = case.policy_version
    if version is not None:
        return case_move(
            case=case,
            to=Case.Status.NURSE_REVIEW,
            actor=actor,
            payload={
                "reason": f"Pinned to policy {version.policy.number} version {version.number}."
            },
        )
    received_on = timezone.localtime(case.received_at).date()
    why = (
        f"Policy {case.policy.number} has no version in force on {received_on}."
        if case.policy
        else f"No policy covers {case.drug_name}."
    )
    return case_move(
        case=case,
        to=Case.Status.PHYSICIAN_QUEUE,
        actor=actor,
        payload={"reason": f"Not in policy: {why} Reviewed case by case by a physician."},
    )


@transaction.atomic
def case_route(*, case: Case, actor) -> Case:
    """Send a case still in "received" to its queue. Intake does this itself; this is the
    visible way on for a case that stopped there, so no request waits in no one's queue."""
    if not permissions.can_intake(actor):
        raise PermissionDenied("Only nurses and physicians may send a request to its queue.")
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("policy_version__policy")
        .get(pk=case.pk)
    )
    if case.status != Case.Status.RECEIVED:
        raise StaleCase(f"This case is already past intake ({case.get_status_display()}).")
    return _route(case=case, actor=actor)


def case_create_idempotent(
    *, actor, key: str, request_hash: str, fields: dict[str, Any], medications=(), **facts
) -> tuple[Case, bool]:
    """case_create at most once per user and Idempotency-Key. Returns (case, created): a
    retry of the same request gets the case created the first time. Two sent at once: the
    key's unique constraint lets one create the case, and the other returns it."""
    if case := case_for_idempotency_key(user=actor, key=key, request_hash=request_hash):
        return case, False
    try:
        with transaction.atomic():
            case, _ = case_create(actor=actor, fields=fields, medications=medications, **facts)
            IdempotencyKey.objects.create(user=actor, key=key, request_hash=request_hash, case=case)
    except IntegrityError:
        case = case_for_idempotency_key(user=actor, key=key, request_hash=request_hash)
        if case is None:
            raise  # not the key's constraint
        return case, False
    return case, True
