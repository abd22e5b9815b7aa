"""Background work. Tasks take ids, call one service, and are safe to run twice."""

from celery import shared_task

from reviews.services import health


@shared_task(name="reviews.tasks.worker_heartbeat")
def worker_heartbeat(worker: str = "") -> str:
    from celery import current_task

    name = worker or (current_task.request.hostname if current_task else "") or "eager"
    beat = health.worker_heartbeat_record(worker=name)
    return beat.seen_at.isoformat()


@shared_task(name="reviews.tasks.document_extract_text")
def document_extract_text(document_id: int) -> str:
    """Extract a PDF's text per page; safe to run twice (the service keeps the first result)."""
    from reviews.models import Document
    from reviews.services import documents

    try:
        return documents.document_extract_text(document_id=document_id).extraction_status
    except Document.DoesNotExist:  # its case's upload was rolled back or removed: nothing to do
        return "missing"
