"""A real Celery worker process, against the real Redis, runs a task that writes to the
test database. This is the proof that the wiring (JSON, broker, settings, DB) holds."""

import time

import pytest
from django.conf import settings

from reviews import tasks
from reviews.models import WorkerHeartbeat


@pytest.mark.worker
def test_a_real_worker_runs_a_task_that_writes_to_the_database(celery_worker_process):
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    tasks.worker_heartbeat.apply_async(
        kwargs={"worker": "integration-test"}, queue=celery_worker_process
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if WorkerHeartbeat.objects.filter(worker="integration-test").exists():
            break
        time.sleep(0.25)
    else:
        pytest.fail("the worker did not run the task within 60 s")
