"""A real Celery worker process, against the real Redis, runs a task that writes to the
test database. This is the proof that the wiring (JSON, broker, settings, DB) holds."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from reviews import tasks
from reviews.models import WorkerHeartbeat
from tests import services_available
from tests.conftest import require_service

ROOT = Path(__file__).resolve().parents[2]


def _database_url_for_worker() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def celery_worker_process(transactional_db):
    require_service("Redis", services_available.redis(), "set REDIS_URL to a running Redis")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url_for_worker(),
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "priorauth.settings",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "priorauth",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "-Q",
            queue,
            "-n",
            f"{queue}@%h",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield queue
    finally:
        worker.terminate()
        try:
            output, _ = worker.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
        print(output)


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
