"""Background work. Tasks take ids, call one service, and are safe to run twice."""

from celery import shared_task
from django.db import OperationalError

from reviews import task_names
from reviews.models import Document
from reviews.services import deadlines, documents, health, letters, outbox


@shared_task(name=task_names.WORKER_HEARTBEAT)
def worker_heartbeat(worker: str = "") -> str:
    from celery import current_task

    name = worker or (current_task.request.hostname if current_task else "") or "eager"
    beat = health.worker_heartbeat_record(worker=name)
    return beat.seen_at.isoformat()


@shared_task(name=task_names.DOCUMENT_EXTRACT_TEXT)
def document_extract_text(document_id: int) -> str:
    """Extract a PDF's text per page; safe to run twice (the service keeps the first result)."""
    try:
        return documents.document_extract_text(document_id=document_id).extraction_status
    except Document.DoesNotExist:  # its case's upload was rolled back or removed: nothing to do
        return "missing"


@shared_task(name=task_names.DEADLINE_SWEEP)
def deadline_sweep() -> dict[str, int]:
    """Flag cases at risk and overdue, return cases whose wait ended. Celery beat runs it
    every 5 minutes; two at once do nothing twice (see services.deadlines)."""
    return deadlines.deadline_sweep()


@shared_task(
    name=task_names.LETTER_RENDER,
    autoretry_for=(OSError, MemoryError, OperationalError),
    max_retries=3,
    retry_backoff=True,
    retry_jitter=True,
)
def letter_render(letter_id: int) -> str:
    """Render a letter's PDF; safe to run twice (a rendered letter is left as it is)."""
    return letters.letter_render_pdf(letter_id=letter_id).status


@shared_task(name=task_names.OUTBOX_DISPATCH)
def outbox_dispatch() -> dict[str, int]:
    """Send the outbox rows left pending (the broker was down when their work committed),
    and delete the rows sent long ago. Celery beat runs it every minute; two at once never
    send a row twice (SKIP LOCKED)."""
    result = outbox.outbox_dispatch_pending()
    return {**result, "pruned": outbox.outbox_prune()}


@shared_task(name=task_names.STAGED_UPLOADS_PURGE)
def staged_uploads_purge() -> int:
    """Delete files kept for a corrected intake that never came (older than a day). Beat
    runs it every hour; running it twice deletes nothing twice."""
    return documents.staged_uploads_purge_stale()
