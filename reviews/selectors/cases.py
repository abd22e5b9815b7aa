"""Reads of cases and their documents, scoped to what the user may see.

Anyone without view_cases gets a 404 for a case, as if it did not exist: a case's existence
is itself patient information.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, Count, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.shortcuts import get_object_or_404
from django.utils import timezone

from reviews import permissions
from reviews.errors import IdempotencyKeyReused, NotFound
from reviews.models import (
    Case,
    CaseClinicalEvent,
    CaseEvent,
    CaseLab,
    CaseTherapy,
    Document,
    IdempotencyKey,
    StagedUpload,
)
from reviews.models.case import reference_normal
from reviews.models.deadlines import deadline_state

# What a row of a list of cases shows, on a page (the queues, the case list) or in the API's
# lists: the case's own columns for its reference, member, drug, request type, deadline and
# status, and of its reviewer, drug and pinned version only their names and numbers. A page of
# 50 then builds no version texts, member details or decision fields it never shows: its
# query and its rows took half the time.
CASE_ROW_FIELDS = (
    "reference",
    "status",
    "member_name",
    "member_id",
    "drug_name",
    "hcpcs_code",
    "request_type",
    "urgency",
    "line_of_business",
    "received_at",
    "due_at",
    "deadline_flag",
    "not_in_policy",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
    "policy_drug__brand",
    "policy_drug__generic",
    "policy_drug__hcpcs_codes",
    "policy_drug__ndcs",
    "policy_version__number",
    "policy_version__path_initial_name",
    "policy_version__path_continuation_name",
    "policy_version__policy__number",
)


def case_rows(cases: QuerySet[Case], *also: str) -> QuerySet[Case]:
    """Cases as rows of a list (CASE_ROW_FIELDS, and `also`), with their reviewer, drug and
    pinned version in the same query."""
    return cases.select_related("assignee", "policy_drug", "policy_version__policy").only(
        *CASE_ROW_FIELDS, *also
    )


def case_get_for_user(*, user, case_id: int) -> Case:
    if not permissions.can_view_cases(user):
        raise NotFound("No such case.")
    # Joined: what every page of a case shows. The rest (who entered it, the authorization a
    # continuation continues, the deadline rule's row) is read when asked: each table joined
    # costs the planner more than a lookup by key (at a million cases, 7 joins planned in
    # 2.3 ms, up to 6.5 ms, against 0.3 ms for these 3; docs/performance.md).
    return get_object_or_404(
        Case.objects.select_related(
            "policy_drug", "policy_version__policy", "assignee"
        ).prefetch_related(
            "medications",
            *(
                Prefetch(
                    name, queryset=model.objects.select_related("source_document", "recorded_by")
                )
                for name, model in (
                    ("labs", CaseLab),
                    ("therapies", CaseTherapy),
                    ("clinical_events", CaseClinicalEvent),
                )
            ),
        ),
        pk=case_id,
    )


def case_search(
    *,
    user,
    q: str = "",
    status: str = "",
    urgency: str = "",
    line_of_business: str = "",
    drug: str = "",
) -> QuerySet[Case]:
    """Cases matching a reference, member ID or member name, and the filters given."""
    if not permissions.can_view_cases(user):
        return Case.objects.none()
    cases = case_rows(Case.objects.all())
    filters = {"urgency": urgency, "line_of_business": line_of_business, "drug_name": drug}
    cases = cases.filter(**{field: value for field, value in filters.items() if value})
    q = " ".join(q.split())
    if q:
        # A reference is looked up exactly (its unique index); a member ID by its start and a
        # name anywhere, each served on PostgreSQL by an index on the upper-cased column
        # (migration 0027), which is what Django's istartswith/icontains compare.
        cases = cases.filter(
            Q(reference=reference_normal(q))
            | Q(member_id__istartswith=q)
            | Q(member_name__icontains=q)
        )
    if status:
        # One status: open or closed is settled, and (status, due_at) is indexed.
        return cases.filter(status=status).order_by("due_at", "pk")
    # Open cases first (the work), each group soonest due first: the (closed, due_at, id) index.
    return cases.order_by("closed", "due_at", "pk")


def case_documents(*, case: Case) -> QuerySet[Document]:
    return case.documents.select_related("uploaded_by").order_by("uploaded_at", "pk")


def case_timeline(*, case: Case) -> QuerySet[CaseEvent]:
    # Views are audited (the case's audit page shows them); the timeline shows the work.
    return (
        case.events.exclude(kind=CaseEvent.Kind.CASE_VIEWED)
        .select_related("actor")
        .order_by("created_at", "pk")
    )


def document_get_for_user(*, user, case_id: int, document_id: int) -> Document:
    case = case_get_for_user(user=user, case_id=case_id)
    return get_object_or_404(Document.objects.select_related("case"), pk=document_id, case=case)


def case_for_idempotency_key(*, user, key: str, request_hash: str) -> Case | None:
    """The case this user created with this Idempotency-Key, if any. The same key with a
    different request is refused: a new request needs a new key."""
    previous = IdempotencyKey.objects.filter(user=user, key=key).select_related("case").first()
    if previous is None:
        return None
    if previous.request_hash != request_hash:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was used with a different request body; "
            "use a new key for a new request."
        )
    return previous.case


def staged_uploads_for_user(*, user, tokens: list[str]) -> list[StagedUpload]:
    """The user's own staged files among these tokens, oldest first: another user's token,
    an unknown or a stale one names nothing."""
    if not tokens:
        return []
    return list(
        StagedUpload.objects.filter(
            user=user,
            token__in=[t for t in tokens[:100] if isinstance(t, str)],
            created_at__gte=timezone.now() - StagedUpload.MAX_AGE,
        )
    )


FACT_MODELS: dict[str, type[CaseLab | CaseTherapy | CaseClinicalEvent]] = {
    "lab": CaseLab,
    "therapy": CaseTherapy,
    "event": CaseClinicalEvent,
}
Fact = CaseLab | CaseTherapy | CaseClinicalEvent


def case_fact_get(*, case: Case, kind: str, fact_id: int | None, lock: bool = False) -> Fact:
    """One clinical fact of a case (a case you may see); NotFound for another case's."""
    model = FACT_MODELS.get(kind)
    if model is None:
        raise NotFound("No such kind of fact.")
    facts = model.objects.select_related("source_document")
    if lock:
        facts = facts.select_for_update(of=("self",))
    fact = facts.filter(case=case, pk=fact_id).first()
    if fact is None:
        raise NotFound("This case has no such fact.")
    return fact


# ---- queues (nurse and physician): the same filters, search and counts ----------------------


@dataclass(frozen=True)
class QueueFilters:
    urgency: str = ""
    line_of_business: str = ""
    drug: str = ""
    overdue_only: bool = False
    at_risk_only: bool = False  # at risk or overdue, as of now (Case.deadline_state)
    q: str = ""  # a reference, member ID or member name
    mine: bool = False  # claimed by the user asking

    def __bool__(self) -> bool:
        """Whether any filter narrows the queue."""
        return self != NO_FILTERS


NO_FILTERS = QueueFilters()


def queue_filtered(cases: QuerySet[Case], filters: QueueFilters, *, user) -> QuerySet[Case]:
    if filters.mine:
        cases = cases.filter(assignee_id=user.pk)
    if filters.urgency:
        cases = cases.filter(urgency=filters.urgency)
    if filters.line_of_business:
        cases = cases.filter(line_of_business=filters.line_of_business)
    if filters.drug:
        cases = cases.filter(drug_name__iexact=filters.drug)
    if filters.overdue_only:
        cases = cases.filter(due_at__lt=timezone.now())
    if filters.at_risk_only:
        now = timezone.now()
        if (risky := _at_risk_sql(now)) is not None:
            cases = cases.annotate(_risky=risky).filter(Q(due_at__lt=now) | Q(_risky=True))
        else:
            rows = cases.values_list("pk", "received_at", "due_at")
            cases = cases.filter(pk__in=[pk for pk, r, d in rows if deadline_state(r, d, now)])
    q = " ".join(filters.q.split())
    if q:
        cases = cases.filter(
            Q(reference__icontains=q) | Q(member_id__istartswith=q) | Q(member_name__icontains=q)
        )
    return cases


def _at_risk_sql(now) -> RawSQL | None:
    """deadline_state's "at risk" rule as a condition on the case row, true also when overdue
    (less than a quarter of the allowed time left): on PostgreSQL, whose interval
    arithmetic is exact. None elsewhere: SQLite's durations are microsecond counts that
    Django will not multiply, so the embedded database (a few thousand open cases at most)
    reads the rows and applies deadline_state itself."""
    if connection.vendor != "postgresql":
        return None
    return RawSQL(
        '("reviews_case"."due_at" - %s) * 4'
        ' < ("reviews_case"."due_at" - "reviews_case"."received_at")',
        (now,),
        output_field=BooleanField(),
    )


def deadline_counts(cases: QuerySet[Case], now) -> dict[str, int] | None:
    """{"overdue": n, "at_risk": n} as of now, counted by the database; None where the
    database cannot (see _at_risk_sql)."""
    risky = _at_risk_sql(now)
    if risky is None:
        return None
    return cases.annotate(_risky=risky).aggregate(
        overdue=Count("pk", filter=Q(due_at__lt=now)),
        at_risk=Count("pk", filter=Q(due_at__gte=now, _risky=True)),
    )


def queue_counts(cases: QuerySet[Case], *, unclaimed: str, user) -> dict:
    """A queue's counts in one query: total, unclaimed (in status `unclaimed` with no
    assignee), mine, expedited, overdue and at risk. Overdue and at risk are as of now
    (Case.deadline_state), not as of the last sweep."""
    now = timezone.now()
    if (risky := _at_risk_sql(now)) is not None:
        return cases.annotate(_risky=risky).aggregate(
            total=Count("pk"),
            unclaimed=Count("pk", filter=Q(status=unclaimed, assignee__isnull=True)),
            mine=Count("pk", filter=Q(assignee_id=user.pk)),
            expedited=Count("pk", filter=Q(urgency=Case.Urgency.EXPEDITED)),
            overdue=Count("pk", filter=Q(due_at__lt=now)),
            at_risk=Count("pk", filter=Q(due_at__gte=now, _risky=True)),
        )
    rows = cases.values_list("status", "assignee_id", "urgency", "received_at", "due_at")
    counts = dict.fromkeys(["total", "unclaimed", "mine", "expedited", "overdue", "at_risk"], 0)
    for status, assignee_id, urgency, received_at, due_at in rows:
        state = deadline_state(received_at, due_at, now)
        counts["total"] += 1
        counts["unclaimed"] += status == unclaimed and assignee_id is None
        counts["mine"] += assignee_id == user.pk
        counts["expedited"] += urgency == Case.Urgency.EXPEDITED
        if state in ("overdue", "at_risk"):
            counts[state] += 1
    return counts


def queue_drugs(cases: QuerySet[Case]) -> list[str]:
    return list(cases.order_by("drug_name").values_list("drug_name", flat=True).distinct())
