"""Claim lines: receive one (pend it with the policy version's remark code, then adjudicate
it against the member's authorizations), and resolve one pended for review.

Units are spent on AuthorizationBalance rows, locked with SELECT ... FOR UPDATE for the
length of the adjudication, so two lines for one authorization are adjudicated one after
the other and never spend the same units; a check constraint refuses overspending in any
case. The claim line id is the sender's idempotency key.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from reviews import permissions
from reviews.engine import claims as rules
from reviews.engine.drugs import HCPCS_MESSAGE, NDC_MESSAGE, code_matches, hcpcs_normal, ndc_normal
from reviews.errors import ReviewError
from reviews.intake import npi_is_valid
from reviews.models import (
    AdjustmentCode,
    AuthorizationBalance,
    CaseEvent,
    ClaimLine,
    ClaimLineEvent,
    Determination,
    PolicyDrug,
    PolicyVersion,
)
from reviews.selectors.policies import policy_version_in_force

APPROVALS = (Determination.Outcome.APPROVED, Determination.Outcome.PARTIALLY_APPROVED)
MAX_UNITS = 99_999
MAX_MODIFIERS = 4  # a professional claim line carries at most four (837P SV101-3..6)


class ClaimLineInvalid(ReviewError):
    """Input refused; `problems` maps each field to what is wrong with it."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


class ClaimLineConflict(ReviewError):
    """A claim line id sent again with different contents."""


class ClaimLineNotPended(ReviewError):
    """Only a line pended for review is resolved by an examiner."""


@dataclass(frozen=True)
class ClaimLineData:
    """A claim line as received, checked and in its normal form."""

    claim_line_id: str
    member_id: str
    date_of_service: date
    hcpcs_code: str
    ndc: str
    units: int
    modifiers: tuple[str, ...]
    billed_amount: Decimal
    billing_npi: str
    rendering_npi: str
    participating: bool


def claim_line_data(
    *,
    claim_line_id: Any,
    member_id: Any,
    date_of_service: Any,
    hcpcs_code: Any,
    units: Any,
    billed_amount: Any,
    billing_npi: Any,
    rendering_npi: Any,
    participating: Any,
    ndc: Any = "",
    modifiers: Any = (),
) -> ClaimLineData:
    """Check a line's fields, every problem at once (ClaimLineInvalid); the normal form."""
    problems: dict[str, str] = {}
    text = {
        "claim_line_id": claim_line_id,
        "member_id": member_id,
        "billing_npi": billing_npi,
        "rendering_npi": rendering_npi,
    }
    for name, value in text.items():
        if not isinstance(value, str) or not value.strip():
            problems[name] = "Required."
    line_id = str(claim_line_id or "").strip()
    if len(line_id) > 64:
        problems["claim_line_id"] = "At most 64 characters."
    member = str(member_id or "").strip()
    if len(member) > 40:
        problems["member_id"] = "At most 40 characters."
    if not isinstance(date_of_service, date):
        problems["date_of_service"] = "A date of service (YYYY-MM-DD) is required."
    code = hcpcs_normal(hcpcs_code) if isinstance(hcpcs_code, str) else None
    if code is None:
        problems["hcpcs_code"] = f"Not a HCPCS code: {HCPCS_MESSAGE}."
    ndc_digits = ""
    if ndc not in (None, ""):
        ndc_digits = (ndc_normal(ndc) if isinstance(ndc, str) else None) or ""
        if not ndc_digits:
            problems["ndc"] = f"Not an NDC: {NDC_MESSAGE}."
    if isinstance(units, bool) or not isinstance(units, int) or not 1 <= units <= MAX_UNITS:
        problems["units"] = f"A whole number of units from 1 to {MAX_UNITS}."
    mods = _modifiers(modifiers, problems)
    amount = _amount(billed_amount, problems)
    for name in ("billing_npi", "rendering_npi"):
        value = str(text[name] or "").strip()
        if name not in problems and not npi_is_valid(value):
            problems[name] = "Not an NPI: 10 digits whose last is the check digit."
    if not isinstance(participating, bool):
        problems["participating"] = "Say whether the provider is participating (true/false)."
    if problems:
        raise ClaimLineInvalid(problems)
    return ClaimLineData(
        claim_line_id=line_id,
        member_id=member,
        date_of_service=date_of_service,
        hcpcs_code=code,
        ndc=ndc_digits,
        units=units,
        modifiers=mods,
        billed_amount=amount,
        billing_npi=str(billing_npi).strip(),
        rendering_npi=str(rendering_npi).strip(),
        participating=participating,
    )


def _modifiers(value: Any, problems: dict[str, str]) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [m for m in re.split(r"[\s,]+", value) if m]
    if not isinstance(value, list | tuple) or not all(isinstance(m, str) for m in value):
        problems["modifiers"] = 'A list of two-character modifiers, e.g. ["JZ"].'
        return ()
    mods = tuple(dict.fromkeys(m.strip().upper() for m in value if m.strip()))
    bad = [m for m in mods if not re.fullmatch(r"[A-Z0-9]{2}", m)]
    if bad:
        problems["modifiers"] = f"A modifier is two letters or digits, not {', '.join(bad)}."
    elif len(mods) > MAX_MODIFIERS:
        problems["modifiers"] = f"At most {MAX_MODIFIERS} modifiers on a line."
    elif rules.WASTED in mods and rules.NOTHING_WASTED in mods:
        problems["modifiers"] = "JW (amount discarded) and JZ (nothing discarded) contradict."
    return mods


def _amount(value: Any, problems: dict[str, str]) -> Decimal:
    try:
        amount = Decimal(str(value).strip()) if not isinstance(value, bool) else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0 or amount >= Decimal("1e8"):
        problems["billed_amount"] = "An amount in dollars, e.g. 1234.50 (0 or more)."
        return Decimal(0)
    if amount != amount.quantize(Decimal("0.01")):
        problems["billed_amount"] = "At most two decimal places (cents)."
    return amount.quantize(Decimal("0.01"))


# ---- receiving a line ---------------------------------------------------------------------


def claim_line_receive(*, actor, data: ClaimLineData) -> tuple[ClaimLine, bool]:
    """Record and adjudicate a line; (line, created). The same claim line id again returns
    the first line as it stands (created False); with other contents, ClaimLineConflict."""
    if not permissions.can_examine_claims(actor):
        raise PermissionDenied("Only claims examiners may enter claim lines.")
    # No read first: a new id (the usual case) costs no extra query; a repeated one fails
    # the unique index and is read then.
    try:
        with transaction.atomic():
            return _receive(actor=actor, data=data), True
    except IntegrityError:
        # Sent before, or twice at once: the other request inserted the id first (its
        # unique index made this insert wait for it, then fail).
        existing = ClaimLine.objects.filter(claim_line_id=data.claim_line_id).first()
        if existing is None:
            raise
        return _same_line(existing, data), False


def _same_line(line: ClaimLine, data: ClaimLineData) -> ClaimLine:
    if _line_data(line) != data:
        raise ClaimLineConflict(
            f"Claim line {data.claim_line_id} was already received with other contents; "
            "send a new claim line id for a different line."
        )
    return line


def _line_data(line: ClaimLine) -> ClaimLineData:
    return ClaimLineData(
        claim_line_id=line.claim_line_id,
        member_id=line.member_id,
        date_of_service=line.date_of_service,
        hcpcs_code=line.hcpcs_code,
        ndc=line.ndc,
        units=line.units,
        modifiers=tuple(line.modifiers),
        billed_amount=Decimal(line.billed_amount).quantize(Decimal("0.01")),
        billing_npi=line.billing_npi,
        rendering_npi=line.rendering_npi,
        participating=line.participating,
    )


@dataclass
class _Context:
    """What adjudication reads about a line: its drug's policy version and the member's
    decisions on the drug (and on others)."""

    version: PolicyVersion
    drug_ids: set[int]
    approvals: list[Determination]
    denied_for_drug: bool

    def for_drug(self, determination: Determination) -> bool:
        return determination.case.policy_drug_id in self.drug_ids


def _receive(*, actor, data: ClaimLineData) -> ClaimLine:
    context = _context(data)
    on_file = any(context.for_drug(a) for a in context.approvals)
    version = context.version
    values = asdict(data)
    values["modifiers"] = list(data.modifiers)
    # Pended, then adjudicated before its one INSERT (the trail records both steps); a
    # claim line id already taken fails that INSERT and rolls the adjudication back.
    line = ClaimLine(
        **values,
        status=ClaimLine.Status.PENDED,
        remark_code=(
            version.remark_code_with_authorization
            if on_file
            else version.remark_code_without_authorization
        ),
        policy_version=version,
        entered_by=actor,
    )
    received = ClaimLineEvent(
        line=line,
        actor=actor,
        kind=ClaimLineEvent.Kind.RECEIVED,
        to_status=line.status,
        payload={"remark_code": line.remark_code, "policy_version": version.pk},
    )
    return _adjudicate(
        line=line, actor=actor, context=context, check_waste=True, earlier=[received]
    )


def _context(data: ClaimLineData) -> _Context:
    drugs = [
        d
        for d in PolicyDrug.objects.select_related("policy").order_by("policy__number", "pk")
        if code_matches(data.hcpcs_code, d.as_dict())
    ]
    if data.ndc and any(data.ndc in (d.ndcs or []) for d in drugs):
        # An unclassified code covers many drugs; the NDC names the one given.
        drugs = [d for d in drugs if data.ndc in (d.ndcs or [])]
    drug_ids = {d.pk for d in drugs}
    decisions = list(
        Determination.objects.filter(case__member_id=data.member_id)
        .select_related("case__policy", "policy_version")
        .order_by("approval_start", "pk")
    )
    approvals = [d for d in decisions if d.outcome in APPROVALS]
    own = next((a for a in approvals if a.case.policy_drug_id in drug_ids), None)
    # The version whose rules apply: that of the drug the member is authorized for, else
    # the first policy listing the code, in force on the date of service.
    policies = [own.case.policy] if own else []
    policies += [d.policy for d in drugs]
    version = next(
        (
            v
            for p in policies
            if (v := policy_version_in_force(policy=p, on=data.date_of_service)) is not None
        ),
        None,
    )
    if version is None:
        raise ClaimLineInvalid(
            {
                "hcpcs_code": f"No published policy in force on {data.date_of_service} lists "
                f"HCPCS {data.hcpcs_code}; only lines for a policy's drugs are adjudicated here."
            }
        )
    denied = any(
        d.outcome == Determination.Outcome.DENIED and d.case.policy_drug_id in drug_ids
        for d in decisions
    )
    return _Context(version=version, drug_ids=drug_ids, approvals=approvals, denied_for_drug=denied)


def _billing_unit(version: PolicyVersion | None, hcpcs: str) -> dict[str, Any] | None:
    for unit in (version.billing_units or []) if version else []:
        if unit.get("hcpcs") == hcpcs:
            return unit
    return None


def authorization_units_authorized(
    determination: Determination, *, hcpcs: str, version: PolicyVersion | None = None
) -> int:
    """The billing units an authorization allows for claims under `hcpcs`, by the billing
    unit its own policy version names (else `version`'s; else one unit per dose)."""
    unit = _billing_unit(determination.policy_version, hcpcs) or _billing_unit(version, hcpcs)
    return rules.units_authorized(
        doses=determination.authorized_doses,
        amount=determination.authorized_amount,
        unit=determination.authorized_unit,
        billing_unit=unit,
    )


def _balance_locked(determination: Determination, *, hcpcs: str, version) -> AuthorizationBalance:
    """The authorization's balance row, locked; made on its first line."""
    locked = AuthorizationBalance.objects.select_for_update()
    balance = locked.filter(pk=determination.pk).first()
    if balance is None:
        try:
            with transaction.atomic():
                AuthorizationBalance.objects.create(
                    determination=determination,
                    units_authorized=authorization_units_authorized(
                        determination, hcpcs=hcpcs, version=version
                    ),
                )
        except IntegrityError:
            pass  # another line made it first: lock theirs
        balance = locked.get(pk=determination.pk)
    return balance


def _adjudicate(
    *, line: ClaimLine, actor, context: _Context, check_waste: bool, earlier=()
) -> ClaimLine:
    """earlier: events of the line not yet written, written with this one (one INSERT)."""
    dos = line.date_of_service
    covers = [a for a in context.approvals if a.approval_start <= dos <= a.approval_end]
    covering = [a for a in covers if context.for_drug(a)]
    # Locked in one order (by pk) so two lines never wait on each other's rows.
    balances = {
        a.pk: _balance_locked(a, hcpcs=line.hcpcs_code, version=context.version)
        for a in sorted(covering, key=lambda a: a.pk)
    }
    facts = rules.Facts(
        units=line.units,
        modifiers=tuple(line.modifiers),
        covering=tuple(rules.Covering(a.pk, balances[a.pk].units_remaining) for a in covering),
        denied_for_drug=context.denied_for_drug,
        drug_authorized_other_period=any(
            context.for_drug(a) and a not in covering for a in context.approvals
        ),
        other_drug_covering=any(not context.for_drug(a) for a in covers),
    )
    version = context.version
    waste = None
    if check_waste:
        waste = rules.WasteRule(
            applies=version.waste_applies,
            single_dose=version.waste_single_dose,
            jz_required=version.waste_jz_required,
            jw_allowance_units=version.waste_jw_allowance_units,
        )
    outcome = rules.adjudicate(facts, waste=waste)
    if outcome.units_paid:
        AuthorizationBalance.objects.filter(pk=outcome.authorization).update(
            units_used=F("units_used") + outcome.units_paid
        )
    before = line.status
    line.status = outcome.status
    line.units_paid = outcome.units_paid
    line.units_denied = outcome.units_denied
    line.carc = outcome.carc
    line.group_code = _group_code(line, version) if outcome.units_denied else ""
    line.authorization = next((a for a in covering if a.pk == outcome.authorization), None)
    line.review_reason = outcome.review_reason
    line.save()
    _record(
        line=line, actor=actor, kind=ClaimLineEvent.Kind.ADJUDICATED, before=before, earlier=earlier
    )
    return line


def _group_code(line: ClaimLine, version: PolicyVersion) -> str:
    """Who bears a denied amount: the policy's liability rule (a participating provider
    writes it off, CO; otherwise the member, PR, as the plan sets it)."""
    if line.participating:
        return version.group_code_participating
    return version.group_code_not_participating


def _record(
    *, line: ClaimLine, actor, kind: str, before: str, extra: dict | None = None, earlier=()
) -> None:
    payload = {
        "claim_line_id": line.claim_line_id,
        "units": line.units,
        "units_paid": line.units_paid,
        "units_denied": line.units_denied,
        "carc": line.carc,
        "group_code": line.group_code,
        "remark_code": line.remark_code,
        **(extra or {}),
    }
    ClaimLineEvent.objects.bulk_create(
        [
            *earlier,
            ClaimLineEvent(
                line=line,
                actor=actor,
                kind=kind,
                from_status=before,
                to_status=line.status,
                payload=payload,
            ),
        ]
    )
    if line.authorization_id:
        # The case's own trail shows what was counted against its authorization.
        CaseEvent.objects.create(
            case_id=line.authorization.case_id,
            actor=actor,
            kind=CaseEvent.Kind.CLAIM_LINE,
            payload={**payload, "status": line.status, "kind": kind},
        )


# ---- an examiner resolves a line pended for review ------------------------------------------


RESOLVE_PAY = "pay"
RESOLVE_DENY = "deny"


@transaction.atomic
def claim_line_resolve(
    *, line: ClaimLine, actor, action: str, reason: str, carc: str = ""
) -> ClaimLine:
    """Pay a line pended for review (adjudicated again without the waste rule: the units
    left are spent, the rest denied 198) or deny it with a CARC from the code table. The
    reason is kept on the line and in its trail."""
    if not permissions.can_examine_claims(actor):
        raise PermissionDenied("Only claims examiners may resolve claim lines.")
    problems = {}
    if action not in (RESOLVE_PAY, RESOLVE_DENY):
        problems["action"] = "Pay or deny."
    if not reason.strip():
        problems["reason"] = "Say why."
    carcs = set(AdjustmentCode.objects.filter(kind="carc").values_list("code", flat=True))
    if action == RESOLVE_DENY and carc not in carcs:
        problems["carc"] = f"Choose a reason code: {', '.join(sorted(carcs, key=int))}."
    if problems:
        raise ClaimLineInvalid(problems)
    locked = ClaimLine.objects.select_for_update().get(pk=line.pk)
    if locked.status != ClaimLine.Status.PENDED_REVIEW:
        raise ClaimLineNotPended(
            f"This line is {locked.get_status_display().lower()}, not pended for review."
        )
    locked.resolution_reason = reason.strip()
    locked.resolved_by = actor
    locked.resolved_at = timezone.now()
    if action == RESOLVE_PAY:
        context = _context(_line_data(locked))
        context.version = locked.policy_version or context.version
        locked = _adjudicate(line=locked, actor=actor, context=context, check_waste=False)
        ClaimLineEvent.objects.create(
            line=locked,
            actor=actor,
            kind=ClaimLineEvent.Kind.RESOLVED,
            from_status=ClaimLine.Status.PENDED_REVIEW,
            to_status=locked.status,
            payload={"action": action, "reason": locked.resolution_reason},
        )
        return locked
    before = locked.status
    locked.status = ClaimLine.Status.DENIED
    locked.units_paid = 0
    locked.units_denied = locked.units
    locked.carc = carc
    locked.group_code = _group_code(locked, locked.policy_version)
    locked.save()
    _record(
        line=locked,
        actor=actor,
        kind=ClaimLineEvent.Kind.RESOLVED,
        before=before,
        extra={"action": action, "reason": locked.resolution_reason},
    )
    return locked
