"""Reads of claim lines, scoped: only claims examiners see lines on their own; case staff
see the lines counted against an authorization on its case page."""

from dataclasses import dataclass

from django.db.models import QuerySet

from reviews import permissions
from reviews.errors import NotFound
from reviews.models import AdjustmentCode, AuthorizationBalance, Case, ClaimLine, Determination
from reviews.services.claims import authorization_units_authorized


def claim_line_list(*, user, status: str = "") -> QuerySet[ClaimLine]:
    """Lines newest first, optionally of one status; [] for anyone but an examiner."""
    if not permissions.can_examine_claims(user):
        return ClaimLine.objects.none()
    lines = ClaimLine.objects.select_related("authorization")
    return lines.filter(status=status) if status else lines


def claim_line_get_for_user(*, user, line_id: int) -> ClaimLine:
    """A line with what its page shows; NotFound for anyone but an examiner (a member's
    claims are patient information)."""
    if not permissions.can_examine_claims(user):
        raise NotFound("No such claim line.")
    line = (
        ClaimLine.objects.select_related(
            "authorization__case", "policy_version__policy", "entered_by", "resolved_by"
        )
        .filter(pk=line_id)
        .first()
    )
    if line is None:
        raise NotFound("No such claim line.")
    return line


def claim_line_events(*, line: ClaimLine):
    return line.events.select_related("actor").order_by("created_at", "pk")


def adjustment_codes() -> dict[str, AdjustmentCode]:
    """The code table by code ("197", "CO"), for the wording beside a line's codes."""
    return {c.code: c for c in AdjustmentCode.objects.all()}


@dataclass(frozen=True)
class AuthorizationUnits:
    authorized: int
    used: int
    lines: list[ClaimLine]

    @property
    def remaining(self) -> int:
        return self.authorized - self.used


def authorization_units(*, case: Case) -> AuthorizationUnits | None:
    """Units authorized, used and remaining of an approved case's authorization, with the
    claim lines counted against it; None when the case has no approval. The caller has
    read the case through case_get_for_user (so the user may see it)."""
    determination: Determination | None = getattr(case, "determination", None)
    if determination is None or determination.outcome == Determination.Outcome.DENIED:
        return None
    balance = AuthorizationBalance.objects.filter(pk=determination.pk).first()
    if balance is not None:
        authorized, used = balance.units_authorized, balance.units_used
    else:  # no line yet: what the first one will find
        codes = list(case.policy_drug.hcpcs_codes) if case.policy_drug else []
        hcpcs = case.hcpcs_code or (codes[0] if codes else "")
        authorized = authorization_units_authorized(determination, hcpcs=hcpcs)
        used = 0
    lines = list(determination.claim_lines.order_by("date_of_service", "pk"))
    return AuthorizationUnits(authorized=authorized, used=used, lines=lines)
