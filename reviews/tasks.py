"""Background work. Tasks take ids, call one service, and are safe to run twice."""

from celery import shared_task

from reviews.services import health


@shared_task(name="reviews.tasks.worker_heartbeat")
def worker_heartbeat(worker: str = "") -> str:
    from celery import current_task

    name = worker or (current_task.request.hostname if current_task else "") or "eager"
    beat = health.worker_heartbeat_record(worker=name)
    return beat.seen_at.isoformat()
