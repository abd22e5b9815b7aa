"""The deadline sweep: flag open cases at risk or overdue, and return cases whose wait for
information has ended (../shared/DESIGN.md, "Deadlines" and "Case states").

Celery beat runs `deadline_sweep` every few minutes (reviews.tasks.deadline_sweep). Every part
is idempotent, and two sweeps running at once never do the same thing twice: each flag change
and each return is written, with its audit event, exactly once.
"""

import logging
from datetime import datetime
from itertools import groupby

from django.db import connection, transaction
from django.db.models import DateTimeField, DurationField, ExpressionWrapper, F, Q, Value
from django.utils import timezone

from reviews.errors import StaleCase
from reviews.models import Case, CaseEvent, InfoRequest
from reviews.workflow import CLOSED, case_move

log = logging.getLogger(__name__)

AT_RISK, OVERDUE, NO_FLAG = "at_risk", "overdue", ""
# Rows changed per transaction: bounds lock time and the size of each IN list (SQLite
# allows 32,766 parameters per statement).
BATCH = 5000


class _LostRace(Exception):
    """A batch found a row already changed by someone else: roll the batch back."""


def _flag_conditions(now: datetime) -> tuple[dict[str, Q], dict[str, ExpressionWrapper]]:
    """The flag each case should carry at `now`, as three disjoint conditions (and the
    aliases they use).

    The same rule as reviews.models.case.deadline_state, in SQL: "overdue" after the due
    time; "at_risk" while less than a quarter of the whole span is left, i.e.
    (due_at - now) * 4 < (due_at - received_at), so exactly a quarter left is not yet at risk.
    """
    at = Value(now, output_field=DateTimeField())
    left_x4 = ExpressionWrapper((F("due_at") - at) * 4, output_field=DurationField())
    span = ExpressionWrapper(F("due_at") - F("received_at"), output_field=DurationField())
    is_open = ~Q(status__in=CLOSED)
    overdue = is_open & Q(due_at__lt=now)
    at_risk = is_open & Q(due_at__gte=now) & Q(_left_x4__lt=F("_span"))
    return {
        OVERDUE: overdue,
        AT_RISK: at_risk,
        NO_FLAG: ~overdue & ~at_risk,
    }, {"_left_x4": left_x4, "_span": span}


def deadline_flags_update(*, now: datetime | None = None) -> dict[str, int]:
    """Set deadline_flag on every case whose flag should change; one event per change.

    Set-based: per target flag, one query finds a batch of rows to change and one UPDATE per
    old value changes them; no per-case loop, so 100,000 cases stay fast.

    Two sweeps at once: the batch is read with SELECT ... FOR UPDATE SKIP LOCKED on
    PostgreSQL, so rows another sweep is changing are skipped, and a row it already changed
    no longer matches (FOR UPDATE re-checks the condition on the newest row version). So the
    rows we read are exactly the rows we change, and we write their events. SQLite has no
    row locks: it serializes writers, and a second transaction whose read went stale fails
    with "database is locked" rather than writing. Either way the UPDATE repeats the old flag
    in its WHERE and must change every row we read; if not, the batch is rolled back.
    """
    now = now or timezone.now()
    conditions, aliases = _flag_conditions(now)
    lock = connection.features.has_select_for_update_skip_locked
    changed = {OVERDUE: 0, AT_RISK: 0, NO_FLAG: 0}
    for flag, condition in conditions.items():
        pending = (
            Case.objects.alias(**aliases)
            .filter(condition)
            .exclude(deadline_flag=flag)
            .order_by("deadline_flag", "pk")
            .values_list("pk", "deadline_flag")
        )
        while True:
            try:
                done = _flags_set_batch(pending, flag=flag, lock=lock)
            except _LostRace:
                log.warning("deadline sweep: lost a race setting %r; the next sweep retries", flag)
                break
            if not done:
                break
            changed[flag] += done
    return changed


@transaction.atomic
def _flags_set_batch(pending, *, flag: str, lock: bool) -> int:
    if lock:
        pending = pending.select_for_update(skip_locked=True)
    rows = list(pending[:BATCH])
    for old, group in groupby(rows, key=lambda row: row[1]):
        ids = [pk for pk, _ in group]
        updated = Case.objects.filter(pk__in=ids, deadline_flag=old).update(deadline_flag=flag)
        if updated != len(ids):
            raise _LostRace
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(
                case_id=pk, actor=None, kind=CaseEvent.Kind.DEADLINE_FLAG, payload={"flag": flag}
            )
            for pk, _ in rows
        ],
        batch_size=500,
    )
    return len(rows)


def info_request_return(*, case: Case, resolution: str, actor=None) -> Case:
    """Resolve the case's open information request and return the case to the physician
    queue, in one transaction. `actor` is the uploader for a document, None for the system.

    Idempotent and race-safe: resolving the request is a conditional UPDATE (only while it
    is still open), so of two calls at once exactly one wins (on PostgreSQL the second waits
    for the first's row lock, then matches nothing) and the other does nothing; a case no
    longer waiting for information is left as it is. Neither raises.
    No role check: this is the consequence of an upload or of the clock, not a decision.
    """
    returned = _return_once(case=case, resolution=resolution, actor=actor)
    if returned is None:
        case.refresh_from_db()
        return case
    return returned


def _return_once(*, case: Case, resolution: str, actor) -> Case | None:
    """The returned case, or None when there was nothing (left) to do."""
    try:
        # A savepoint inside a caller's transaction (a document upload): losing the race
        # undoes our claim of the request and nothing else.
        with transaction.atomic():
            return _info_request_return(case=case, resolution=resolution, actor=actor)
    except StaleCase:
        return None


def _info_request_return(*, case: Case, resolution: str, actor) -> Case | None:
    current = Case.objects.filter(pk=case.pk).only("pk", "status").first()
    if current is None or current.status != Case.Status.INFO_REQUESTED:
        return None
    request = InfoRequest.objects.filter(case_id=case.pk, resolved_at__isnull=True).first()
    if request is not None:
        claimed = InfoRequest.objects.filter(pk=request.pk, resolved_at__isnull=True).update(
            resolved_at=timezone.now(), resolution=resolution
        )
        if claimed != 1:  # another call resolved it first; that call moves the case
            return None
    # Conditional on "info_requested": StaleCase if the case moved since we read it.
    # Back in the queue, unclaimed: any physician may take it.
    case_move(
        case=current,
        to=Case.Status.PHYSICIAN_QUEUE,
        actor=actor,
        payload={"resolution": resolution, "info_request_id": request.pk if request else None},
        assignee=None,
    )
    case.status, case.assignee, case.updated_at = current.status, None, current.updated_at
    return case


def info_requests_expire(*, now: datetime | None = None) -> int:
    """Return to the physician queue every case whose wait for information has ended."""
    now = now or timezone.now()
    # inforequest_open_idx serves this: open requests whose wait has ended.
    case_ids = list(
        InfoRequest.objects.filter(
            resolved_at__isnull=True,
            wait_until__lte=now,
            case__status=Case.Status.INFO_REQUESTED,
        )
        .order_by("wait_until")
        .values_list("case_id", flat=True)
    )
    returned = 0
    for case in Case.objects.filter(pk__in=case_ids):
        moved = _return_once(case=case, resolution=InfoRequest.Resolution.WAIT_ENDED, actor=None)
        returned += moved is not None
    return returned


def deadline_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Both halves of the periodic sweep; counts for the task result and the log.

    Expired waits go first, so a returned case is flagged in the same sweep.
    """
    now = now or timezone.now()
    returned = info_requests_expire(now=now)
    flags = deadline_flags_update(now=now)
    return {
        "returned": returned,
        "at_risk": flags[AT_RISK],
        "overdue": flags[OVERDUE],
        "cleared": flags[NO_FLAG],
    }
