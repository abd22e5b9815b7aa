"""Claim-line adjudication as pure rules: which outcome a line gets from the member's
authorizations, and what the policy's waste rule says about its modifiers.

The caller (services/claims.py) finds the authorizations and locks the one a line may spend,
so the units remaining it passes in cannot change until it has written the outcome.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Any

# X12 claim adjustment reason codes the rules give (their wording is data: AdjustmentCode).
CARC_NO_AUTHORIZATION = "197"  # precertification/authorization absent
CARC_EXCEEDED = "198"  # precertification/authorization exceeded
CARC_AUTHORIZATION_NOT_APPLICABLE = "15"  # authorization does not apply to the service
CARC_NOT_MEDICALLY_NECESSARY = "50"

PAID = "paid"
DENIED = "denied"
PARTIALLY_PAID = "partially_paid"
PENDED_REVIEW = "pended_review"

WASTED = "JW"  # drug amount discarded, not administered to any patient
NOTHING_WASTED = "JZ"  # zero drug amount discarded


@dataclass(frozen=True)
class WasteRule:
    applies: bool = False
    single_dose: bool = False
    jz_required: bool = False
    jw_allowance_units: int = 0

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WasteRule:
        return cls(
            applies=bool(data.get("applies")),
            single_dose=bool(data.get("single_dose")),
            jz_required=bool(data.get("jz_required")),
            jw_allowance_units=int(data.get("jw_allowance_units") or 0),
        )


@dataclass(frozen=True)
class Covering:
    """An approved authorization for the line's drug whose period covers the date of
    service, with the units it has left."""

    key: int
    remaining: int


@dataclass(frozen=True)
class Facts:
    units: int
    modifiers: tuple[str, ...]
    covering: tuple[Covering, ...] = ()
    denied_for_drug: bool = False
    """A physician denied the drug for the member (medical necessity)."""
    drug_authorized_other_period: bool = False
    """An approved authorization for the drug exists, but not for the date of service."""
    other_drug_covering: bool = False
    """An approved authorization covers the date of service, but for another drug."""


@dataclass(frozen=True)
class Outcome:
    status: str
    units_paid: int = 0
    units_denied: int = 0
    carc: str = ""
    authorization: int | None = None
    review_reason: str = ""


def waste_problem(*, units: int, modifiers: Sequence[str], rule: WasteRule) -> str:
    """Why a line pends for review under the waste rule; "" when it does not."""
    if not (rule.applies and rule.single_dose):
        return ""
    if WASTED in modifiers and units > rule.jw_allowance_units:
        return (
            f"Billed with JW (amount discarded) for {units} unit{'s' * (units != 1)}, more than "
            f"the discard allowance of {rule.jw_allowance_units}."
        )
    if rule.jz_required and WASTED not in modifiers and NOTHING_WASTED not in modifiers:
        return "A single-dose product billed without JZ (nothing discarded) or JW (discarded)."
    return ""


def adjudicate(facts: Facts, *, waste: WasteRule | None) -> Outcome:
    """The outcome of a line. waste None: the waste rule is not checked (an examiner chose
    to pay a line it had pended)."""
    if facts.covering:
        if waste is not None:
            reason = waste_problem(units=facts.units, modifiers=facts.modifiers, rule=waste)
            if reason:
                return Outcome(
                    PENDED_REVIEW, authorization=facts.covering[0].key, review_reason=reason
                )
        spend = next((c for c in facts.covering if c.remaining > 0), None)
        if spend is None:
            return Outcome(
                DENIED,
                units_denied=facts.units,
                carc=CARC_EXCEEDED,
                authorization=facts.covering[0].key,
            )
        if facts.units <= spend.remaining:
            return Outcome(PAID, units_paid=facts.units, authorization=spend.key)
        return Outcome(
            PARTIALLY_PAID,
            units_paid=spend.remaining,
            units_denied=facts.units - spend.remaining,
            carc=CARC_EXCEEDED,
            authorization=spend.key,
        )
    if facts.denied_for_drug:
        return Outcome(DENIED, units_denied=facts.units, carc=CARC_NOT_MEDICALLY_NECESSARY)
    if facts.drug_authorized_other_period or facts.other_drug_covering:
        return Outcome(DENIED, units_denied=facts.units, carc=CARC_AUTHORIZATION_NOT_APPLICABLE)
    return Outcome(DENIED, units_denied=facts.units, carc=CARC_NO_AUTHORIZATION)


def units_authorized(
    *,
    doses: int | None,
    amount: Decimal | None,
    unit: str,
    billing_unit: Mapping[str, Any] | None,
) -> int:
    """The billing units an authorization allows: its amount divided by the code's billing
    unit (rounded down: a part of a unit is not billable) when both are in the same unit;
    otherwise one unit per authorized dose."""
    if (
        billing_unit
        and amount is not None
        and unit.strip().lower() == str(billing_unit.get("unit", "")).strip().lower()
    ):
        per = Decimal(str(billing_unit["amount"]))
        if per > 0:
            return int((Decimal(amount) / per).to_integral_value(rounding=ROUND_FLOOR))
    return doses or 0
