"""The Celery app. Its configuration (JSON only, late acks, time limits, the beat schedule)
is in settings.py under the CELERY_ prefix."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "priorauth.settings")

app = Celery("priorauth")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
@signals.beat_init.connect
def _refuse_without_a_broker(**kwargs):
    """`make worker` or `make beat` with no REDIS_URL would wait forever on the in-memory
    transport of the in-process mode: say what is missing instead."""
    if app.conf.task_always_eager:
        raise SystemExit(
            "No broker configured: set REDIS_URL (or CELERY_BROKER_URL) to run a worker or beat."
        )
