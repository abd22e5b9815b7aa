"""The transactional outbox: background work survives a broker that is down at commit time.

`outbox_enqueue` writes a row in the caller's transaction, so the work commits with the
decision or not at all. Once the transaction commits it tries to send the task at once; if
the broker is unreachable the failure is logged (ids only) and the row stays pending, and
`outbox_dispatch_pending` (the `reviews.tasks.outbox_dispatch` beat entry, every minute)
sends it once the broker is back. Delivery is at least once: a row may be sent twice (a
crash between sending and marking it), which is why every task is idempotent.

Without a broker (CELERY_TASK_ALWAYS_EAGER, `make run`) the task runs in-process at commit,
as it did before the outbox, and its errors propagate as they did.
"""

import logging
from datetime import timedelta
from typing import Any

from celery import current_app
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from reviews.models import TaskOutbox

log = logging.getLogger(__name__)

# One quick retry, then give up: a stopped Redis must not hold the nurse's request. (Measured
# against a stopped Redis: this policy fails in milliseconds, while `retry=False` spent about
# 6 s in kombu's connection set-up.) The row stays pending and the beat dispatcher retries.
PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.1,
    "interval_max": 0.1,
}
BATCH = 100
# Sent rows are kept this long (to see what was sent when, after an outage), then deleted.
KEEP_SENT = timedelta(days=30)


def _eager() -> bool:
    return bool(current_app.conf.task_always_eager)


def _task(task_name: str):
    # reviews.tasks registered itself when the app was ready (reviews/apps.py).
    return current_app.tasks[task_name]


def outbox_enqueue(*, task_name: str, kwargs: dict[str, Any]) -> TaskOutbox:
    """Record a task in the current transaction and send it once the transaction commits.

    `kwargs` are ids only (they are stored and may be logged). A task name that is not
    registered is refused now rather than failing later in the dispatcher.
    """
    _task(task_name)  # KeyError (celery NotRegistered) for a typo
    row = TaskOutbox.objects.create(task_name=task_name, kwargs=kwargs)
    outbox_id = row.pk
    if _eager():
        transaction.on_commit(lambda: _run_in_process(outbox_id, task_name, kwargs))
    else:
        transaction.on_commit(lambda: _dispatch_one(outbox_id))
    return row


def outbox_dispatch_pending(*, limit: int = 1000) -> dict[str, int]:
    """Send pending rows, oldest first; stop at the first broker failure.

    Rows are locked with SKIP LOCKED (PostgreSQL), so two dispatchers, or a dispatcher and
    the send right after a commit, never send the same row at once.
    """
    if _eager():
        sent = 0
        for row in _pending().order_by("pk")[:limit]:
            sent += _run_in_process(row.pk, row.task_name, row.kwargs)
        return {"sent": sent, "failed": 0}
    sent = failed = 0
    while sent + failed < limit:
        with transaction.atomic():
            rows = list(
                _pending()
                .select_for_update(skip_locked=True)
                .order_by("pk")[: min(BATCH, limit - sent - failed)]
            )
            if not rows:
                break
            batch_sent, batch_failed, broker_down = _send_locked(rows)
        sent, failed = sent + batch_sent, failed + batch_failed
        if broker_down or len(rows) < BATCH:
            break
    return {"sent": sent, "failed": failed}


def outbox_prune(*, now=None) -> int:
    """Delete rows sent more than KEEP_SENT ago; pending rows are never deleted."""
    cutoff = (now or timezone.now()) - KEEP_SENT
    deleted, _ = TaskOutbox.objects.filter(dispatched_at__lt=cutoff).delete()
    return deleted


def _pending():
    return TaskOutbox.objects.filter(dispatched_at__isnull=True)


def _dispatch_one(outbox_id: int) -> None:
    """Right after the commit: send this row unless a dispatcher holds or has sent it."""
    with transaction.atomic():
        row = _pending().select_for_update(skip_locked=True).filter(pk=outbox_id).first()
        if row is not None:
            _send_locked([row])


def _send_locked(rows: list[TaskOutbox]) -> tuple[int, int, bool]:
    """Publish each row (locked by the caller's transaction) and mark the ones sent.

    Returns (sent, failed, broker_down). A broker failure stops the batch: the rest would
    fail the same way, each after its own timeout.
    """
    sent: list[int] = []
    failed = 0
    broker_down = False
    for row in rows:
        try:
            _task(row.task_name).apply_async(
                kwargs=row.kwargs, retry=True, retry_policy=PUBLISH_RETRY_POLICY
            )
        except Exception as error:  # a broker error, or a task renamed since the row was written
            failed += 1
            reason = f"{type(error).__name__}: {error}"[:500]
            TaskOutbox.objects.filter(pk=row.pk).update(
                attempts=F("attempts") + 1, last_error=reason
            )
            # Ids only: the row's kwargs are ids, and nothing about the patient is logged.
            log.warning(
                "task outbox row %s (%s) not sent, left pending: %s", row.pk, row.task_name, reason
            )
            if isinstance(error, BrokerUnavailable | OSError):
                broker_down = True
                break
            continue
        sent.append(row.pk)
    if sent:
        TaskOutbox.objects.filter(pk__in=sent).update(
            dispatched_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
        )
    return len(sent), failed, broker_down


def _run_in_process(outbox_id: int, task_name: str, kwargs: dict[str, Any]) -> int:
    """Eager mode: claim the row, then run the task here, as `delay` did before the outbox."""
    claimed = (
        _pending()
        .filter(pk=outbox_id)
        .update(dispatched_at=timezone.now(), attempts=F("attempts") + 1)
    )
    if claimed:
        _task(task_name).apply_async(kwargs=kwargs)
    return claimed
