"""Beat's schedule names only tasks the worker knows, each by its constant."""

import pytest
from celery import current_app
from django.conf import settings

from reviews import task_names, tasks


def test_every_scheduled_task_is_registered_under_its_constant():
    names = {value for key, value in vars(task_names).items() if key.isupper()}
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled <= names
    assert names <= set(current_app.tasks)


@pytest.mark.django_db
def test_the_staged_uploads_purge_runs_and_is_harmless_twice():
    assert tasks.staged_uploads_purge() == 0
    assert tasks.staged_uploads_purge() == 0
