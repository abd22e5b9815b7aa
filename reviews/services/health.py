"""Worker heartbeat: how /health/ knows a Celery worker is alive."""

from django.utils import timezone

from reviews.models import WorkerHeartbeat


def worker_heartbeat_record(*, worker: str) -> WorkerHeartbeat:
    beat, _ = WorkerHeartbeat.objects.update_or_create(
        worker=worker[:200], defaults={"seen_at": timezone.now()}
    )
    return beat
