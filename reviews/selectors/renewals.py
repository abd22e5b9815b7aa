"""Renewals: authorizations that end soon, what a continuation of one starts from, and the
authorized history a continuation's time on the drug counts (docs/renewals.md).

Reads only, scoped like the queues: the list is the nurses'; an authorization is read
through its case (a 404 to anyone who may not see the case).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import F, Prefetch, QuerySet
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from reviews import permissions
from reviews.engine.checks import AuthorizedPeriod
from reviews.errors import NotFound
from reviews.models import Case, Determination
from reviews.selectors.cases import case_get_for_user
from reviews.workflow import CLOSED

# An authorization is due for renewal when it ends within this many days (today included):
# the renewals list's window. A named constant, not a setting: change it here.
RENEWAL_WINDOW_DAYS = 60

# How far back a chain of continuations is followed (each link one query); a chain is one
# link a year or so, so this is far beyond any real one and only bounds a corrupt loop.
MAX_CHAIN = 50

AUTHORIZED = (Determination.Outcome.APPROVED, Determination.Outcome.PARTIALLY_APPROVED)
# A continuation in one of these blocks another of the same authorization: one still under
# review, or one that was approved. A denied continuation does not: a new one may be asked.
BLOCKING = (set(Case.Status.values) - set(CLOSED)) | set(AUTHORIZED)


def _drug_key():
    return Lower(Coalesce(F("case__policy_drug__brand"), F("case__drug_name")))


# The list's sorts: the query-string value, its label, and the order it means. Anything else
# is refused with a message and the list keeps its default order.
SORTS: dict[str, tuple[str, tuple]] = {
    "end": ("End date, soonest first", ("approval_end", Lower("case__member_name"), "pk")),
    "-end": (
        "End date, latest first",
        (F("approval_end").desc(), Lower("case__member_name"), "pk"),
    ),
    "member": ("Member, A to Z", (Lower("case__member_name"), "approval_end", "pk")),
    "-member": ("Member, Z to A", (Lower("case__member_name").desc(), "approval_end", "pk")),
    "drug": ("Drug, A to Z", (_drug_key(), "approval_end", "pk")),
    "-drug": ("Drug, Z to A", (_drug_key().desc(), "approval_end", "pk")),
}
DEFAULT_SORT = "end"


@dataclass(frozen=True)
class RenewalsPage:
    rows: QuerySet[Determination]
    sort: str  # the sort applied (DEFAULT_SORT when the one asked was refused)
    sort_refused: str  # why the sort asked for was not applied; "" when it was
    window_days: int
    first_day: date
    last_day: date

    @property
    def sort_label(self) -> str:
        return SORTS[self.sort][0].lower()

    @property
    def sort_choices(self) -> list[tuple[str, str]]:
        return [(key, label) for key, (label, _) in SORTS.items()]


def renewals_due(*, user, sort: str = "", today: date | None = None) -> RenewalsPage:
    """Approved and partially approved authorizations that end within RENEWAL_WINDOW_DAYS of
    today (today included), with their case and continuations, in the order `sort` names
    (SORTS). The nurses' list: anyone else gets NotFound (the view answers 403 first)."""
    if not permissions.can_review_as_nurse(user):
        raise NotFound
    first_day = today or timezone.localdate()
    last_day = first_day + timedelta(days=RENEWAL_WINDOW_DAYS)
    refused = ""
    if sort and sort not in SORTS:
        refused = (
            f"“{sort[:40]}” is not a way to sort this list: sorted by "
            f"{SORTS[DEFAULT_SORT][0].lower()}. Choose one from the Sort by list."
        )
    applied = sort if sort in SORTS else DEFAULT_SORT
    rows = (
        Determination.objects.filter(
            outcome__in=AUTHORIZED, approval_end__gte=first_day, approval_end__lte=last_day
        )
        .select_related("case__policy_drug")
        .prefetch_related(
            Prefetch(
                "continuations",
                queryset=Case.objects.order_by("-created_at", "-pk"),
                to_attr="continued_by",
            )
        )
        .order_by(*SORTS[applied][1])
    )
    return RenewalsPage(
        rows=rows,
        sort=applied,
        sort_refused=refused,
        window_days=RENEWAL_WINDOW_DAYS,
        first_day=first_day,
        last_day=last_day,
    )


def authorization_get_for_user(*, user, case_id: int) -> Determination:
    """The determination of a case this user may see; NotFound when the case has none yet."""
    case = case_get_for_user(user=user, case_id=case_id)
    determination = Determination.objects.filter(case=case).first()
    if determination is None:
        raise NotFound("This case has no determination yet: there is nothing to continue.")
    determination.case = case
    return determination


def authorization_by_number(*, user, number: str) -> Determination | None:
    """The determination with this number (AU-2026-000012), for someone who may see cases."""
    if not permissions.can_view_cases(user):
        return None
    return (
        Determination.objects.select_related("case")
        .filter(authorization_number=number.strip().upper())
        .first()
    )


def continuation_refusal(*, authorization: Determination) -> str:
    """Why this determination cannot be continued now; "" when it can. A denial authorized
    nothing; an authorization already continued by a case under review or approved is
    continued once (a denied continuation does not count: another may be asked)."""
    if authorization.outcome not in AUTHORIZED:
        return (
            f"{authorization.case.reference} was denied: it authorized nothing to continue. "
            "Appeal the denial, or enter a new initial request."
        )
    blocking = (
        authorization.continuations.filter(status__in=BLOCKING).order_by("created_at").first()
    )
    if blocking is not None:
        return (
            f"Authorization {authorization.authorization_number} is already continued by "
            f"{blocking.reference} ({blocking.get_status_display().lower()})."
        )
    return ""


def authorization_chain(authorization: Determination) -> list[Determination]:
    """The authorization and those it continues in turn, newest first: the authorized
    history of a drug for a member. Only approvals and partial approvals count."""
    chain, seen = [], set()
    current: Determination | None = authorization
    while current is not None and current.pk not in seen and len(chain) < MAX_CHAIN:
        seen.add(current.pk)
        if current.outcome in AUTHORIZED:
            chain.append(current)
        previous_id = current.case.continues_id
        current = (
            Determination.objects.select_related("case").filter(pk=previous_id).first()
            if previous_id
            else None
        )
    return chain


def authorized_history(case: Case) -> tuple[AuthorizedPeriod, ...]:
    """The periods of the authorizations a case continues (its chain), oldest first, for the
    engine's time-on-drug check; () for a case that continues nothing."""
    if not case.continues_id:
        return ()
    chain = authorization_chain(
        Determination.objects.select_related("case").get(pk=case.continues_id)
    )
    return tuple(
        AuthorizedPeriod(
            start=d.approval_start, end=d.approval_end, reference=d.authorization_number
        )
        for d in reversed(chain)
    )


def continuation_initial(*, authorization: Determination) -> dict:
    """What the intake form starts from for a continuation of `authorization`: the member,
    prescriber, diagnoses, drug, line of business and the phases that continue (not those
    given only at the start), request type continuation, and therapy start: the date the
    prior request gave, else the start of the first authorization of the chain."""
    prior = authorization.case
    chain = authorization_chain(authorization)
    first_start = min((d.approval_start for d in chain), default=None)
    therapy_start = min(
        (day for day in (prior.therapy_start_date, first_start) if day), default=None
    )
    initial = {
        "member_name": prior.member_name,
        "member_id": prior.member_id,
        "member_dob": prior.member_dob,
        "prescriber_name": prior.prescriber_name,
        "prescriber_npi": prior.prescriber_npi,
        "prescriber_credential": prior.prescriber_credential,
        "prescriber_specialty": prior.prescriber_specialty,
        "consulting_name": prior.consulting_name,
        "consulting_specialty": prior.consulting_specialty,
        "consult_date": prior.consult_date,
        "diagnosis_codes": ", ".join(prior.diagnosis_codes),
        "drug_name": prior.drug_name,
        "hcpcs_code": prior.hcpcs_code,
        "request_type": Case.RequestType.CONTINUATION,
        "therapy_start_date": therapy_start,
        "line_of_business": prior.line_of_business,
        "weight_kg": prior.weight_kg,
        "height_cm": prior.height_cm,
    }
    phases = [p for p in (prior.regimen or {}).get("phases", []) if not p.get("initial_only")]
    for i, phase in enumerate(phases[:3]):
        initial.update(_phase_initial(i, phase))
    return initial


def _phase_initial(i: int, phase: dict) -> dict:
    """One phase of a stored regimen as the intake form's phase row `i`, as a continuation
    asks for it."""
    schedule = phase.get("schedule") or {}
    dose = phase.get("dose") or {}
    row = {
        f"phase{i}_name": phase.get("name", ""),
        f"phase{i}_amount": dose.get("amount"),
        f"phase{i}_dose_unit": dose.get("unit"),
        f"phase{i}_route": phase.get("route"),
        f"phase{i}_unit": schedule.get("unit"),
        f"phase{i}_initial_only": False,
    }
    if schedule.get("at"):
        row[f"phase{i}_at"] = ", ".join(str(n) for n in schedule["at"])
    if schedule.get("every") is not None:
        row[f"phase{i}_every"] = schedule["every"]
    # No start offset: it counted from the first dose of the initial request, and a
    # continuation goes on with the schedule from its own start.
    return row


@dataclass(frozen=True)
class CaseRenewal:
    """A case page's renewal facts: the continuations of its authorization, newest first,
    and why no continuation can be started ("" when one can)."""

    continuations: list[Case]
    refusal: str
    next_start: date | None  # where a continuation's approval would start


def case_renewal(*, case: Case) -> CaseRenewal | None:
    """For a decided case: its continuations and whether another can start; None before a
    decision."""
    # The case's own (cached on it once read, as the units and appeal panels read it too).
    authorization = getattr(case, "determination", None)
    if authorization is None:
        return None
    return CaseRenewal(
        continuations=list(authorization.continuations.order_by("-created_at", "-pk")),
        refusal=continuation_refusal(authorization=authorization),
        next_start=(
            authorization.approval_end + timedelta(days=1) if authorization.approval_end else None
        ),
    )
