"""The deadline sweep task: thin, scheduled by beat, and run by a real worker."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from reviews import tasks
from reviews.models import Case, CaseEvent
from tests.factories import CaseFactory


def test_beat_runs_the_sweep_every_five_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["deadline-sweep"]
    assert entry["task"] == tasks.deadline_sweep.name == "reviews.tasks.deadline_sweep"
    assert entry["schedule"] == timedelta(minutes=5)


@pytest.mark.django_db
def test_the_task_called_directly_sweeps_and_returns_counts():
    now = timezone.now()
    case = CaseFactory(received_at=now - timedelta(days=16), due_at=now - timedelta(days=1))
    assert tasks.deadline_sweep() == {"returned": 0, "at_risk": 0, "overdue": 1, "cleared": 0}
    assert tasks.deadline_sweep()["overdue"] == 0  # idempotent
    case.refresh_from_db()
    assert case.deadline_flag == "overdue"


@pytest.mark.worker
def test_a_real_worker_runs_the_sweep(celery_worker_process):
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    now = timezone.now()
    case = CaseFactory(received_at=now - timedelta(days=16), due_at=now - timedelta(days=1))
    tasks.deadline_sweep.apply_async(queue=celery_worker_process)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if Case.objects.filter(pk=case.pk, deadline_flag="overdue").exists():
            break
        time.sleep(0.25)
    else:
        pytest.fail("the worker did not run the sweep within 60 s")
    assert CaseEvent.objects.filter(case=case, kind="deadline_flag").count() == 1
