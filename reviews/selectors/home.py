"""The numbers on each role's home page: a nurse's and a physician's work at a glance, an
auditor's recent access. Each counts as of now, in a few queries."""

from datetime import datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from reviews import permissions
from reviews.errors import NotFound
from reviews.models import AccessEvent, Case, CaseEvent
from reviews.models.deadlines import deadline_state
from reviews.selectors.cases import deadline_counts

S = Case.Status
NURSE_OPEN = [S.NURSE_REVIEW]
PHYSICIAN_OPEN = [S.PHYSICIAN_QUEUE, S.PHYSICIAN_REVIEW]
# What a case is viewed, opened or downloaded as: the access an auditor looks at first.
ACCESS_KINDS = [
    CaseEvent.Kind.CASE_VIEWED,
    CaseEvent.Kind.DOCUMENT_VIEWED,
    CaseEvent.Kind.DOCUMENT_DOWNLOADED,
    CaseEvent.Kind.LETTER_DOWNLOADED,
]
RECENT = timedelta(hours=24)


def _local_midnight(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _week_start() -> datetime:
    """Monday 00:00, local time, of this week."""
    today = timezone.localdate()
    return _local_midnight(today - timedelta(days=today.weekday()))


def _queue_numbers(cases: QuerySet[Case], *, user, work_status: str, done_from: str) -> dict:
    """mine (claimed by the user), due_today (due before local midnight tonight, overdue
    ones included), at_risk (at risk or overdue now), done_week (cases the user moved out
    of `done_from` since Monday)."""
    now = timezone.now()
    tonight = _local_midnight(timezone.localdate() + timedelta(days=1))
    deadlines = deadline_counts(cases, now)
    if deadlines is not None:
        numbers = cases.aggregate(
            open=Count("pk"),
            mine=Count("pk", filter=Q(status=work_status, assignee_id=user.pk)),
            due_today=Count("pk", filter=Q(due_at__lt=tonight)),
        )
        numbers["at_risk"] = deadlines["at_risk"] + deadlines["overdue"]
        numbers["overdue"] = deadlines["overdue"]
    else:
        numbers = dict.fromkeys(["open", "mine", "due_today", "at_risk", "overdue"], 0)
        for status, assignee_id, received_at, due_at in cases.values_list(
            "status", "assignee_id", "received_at", "due_at"
        ):
            state = deadline_state(received_at, due_at, now)
            numbers["open"] += 1
            numbers["mine"] += status == work_status and assignee_id == user.pk
            numbers["due_today"] += due_at < tonight
            numbers["at_risk"] += state in ("at_risk", "overdue")
            numbers["overdue"] += state == "overdue"
    numbers["done_week"] = (
        CaseEvent.objects.filter(
            kind=CaseEvent.Kind.STATUS,
            actor=user,
            from_status=done_from,
            created_at__gte=_week_start(),
        )
        .values("case_id")
        .distinct()
        .count()
    )
    return numbers


def nurse_home(*, user) -> dict:
    """The nurse queue at a glance for this nurse."""
    if not permissions.can_review_as_nurse(user):
        raise NotFound
    return _queue_numbers(
        Case.objects.filter(status__in=NURSE_OPEN),
        user=user,
        work_status=S.NURSE_REVIEW,
        done_from=S.NURSE_REVIEW,
    )


def physician_home(*, user) -> dict:
    """The physician queue at a glance for this physician."""
    if not permissions.can_review_as_physician(user):
        raise NotFound
    return _queue_numbers(
        Case.objects.filter(status__in=PHYSICIAN_OPEN),
        user=user,
        work_status=S.PHYSICIAN_REVIEW,
        done_from=S.PHYSICIAN_REVIEW,
    )


def auditor_home(*, user, latest: int = 10) -> dict:
    """Recent access, the last 24 hours: case and document views and downloads, sign-ins and
    failed sign-ins, with the latest views of cases and documents."""
    if not permissions.can_view_audit(user):
        raise NotFound
    since = timezone.now() - RECENT
    views = CaseEvent.objects.filter(kind__in=ACCESS_KINDS, created_at__gte=since)
    by_kind = dict.fromkeys(ACCESS_KINDS, 0)
    by_kind.update(views.values_list("kind").annotate(n=Count("pk")).order_by())
    sign_ins = AccessEvent.objects.filter(created_at__gte=since)
    return {
        "since": since,
        "case_views": by_kind[CaseEvent.Kind.CASE_VIEWED],
        "document_views": by_kind[CaseEvent.Kind.DOCUMENT_VIEWED]
        + by_kind[CaseEvent.Kind.DOCUMENT_DOWNLOADED]
        + by_kind[CaseEvent.Kind.LETTER_DOWNLOADED],
        "people": views.exclude(actor=None).values("actor_id").distinct().count(),
        "sign_ins": sign_ins.filter(kind=AccessEvent.Kind.LOGIN).count(),
        "failed_sign_ins": sign_ins.filter(kind=AccessEvent.Kind.LOGIN_FAILED).count(),
        "latest": list(
            CaseEvent.objects.filter(kind__in=ACCESS_KINDS)
            .select_related("actor", "case")
            .order_by("-created_at", "-pk")[:latest]
        ),
    }
