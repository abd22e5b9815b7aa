"""The transactional outbox: a row commits with the work it follows, is sent after the commit,
waits when the broker is down, and is sent once by the dispatcher when it is back."""

import logging
import threading
from datetime import timedelta

import pytest
from celery import current_app
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from reviews import tasks
from reviews.models import Case, Letter, TaskOutbox, WorkerHeartbeat
from reviews.services import letters, outbox
from reviews.services.documents import document_add_many
from tests import services_available
from tests.conftest import require_service
from tests.factories import CaseFactory, pdf_bytes, png_bytes, upload
from tests.services.test_letters import denial

HEARTBEAT = "reviews.tasks.worker_heartbeat"
REFUSED = "Error 111 connecting to 127.0.0.1:6399. Connection refused."


def record_sends(monkeypatch, task) -> list[tuple[dict, dict]]:
    """Configure a broker (not eager) and record what would be published to it."""
    monkeypatch.setitem(current_app.conf, "task_always_eager", False)
    sent: list[tuple[dict, dict]] = []
    monkeypatch.setattr(
        task, "apply_async", lambda kwargs=None, **options: sent.append((kwargs, options))
    )
    return sent


@pytest.fixture
def broker(monkeypatch):
    return record_sends(monkeypatch, tasks.worker_heartbeat)


@pytest.fixture
def broker_down(monkeypatch):
    """A broker is configured but refuses connections: every publish fails as kombu's does."""
    monkeypatch.setitem(current_app.conf, "task_always_eager", False)
    tried: list[dict] = []

    def refuse(kwargs=None, **options):
        tried.append(kwargs)
        raise OperationalError(REFUSED)

    monkeypatch.setattr(tasks.worker_heartbeat, "apply_async", refuse)
    return tried


def enqueue(worker: str = "w1") -> TaskOutbox:
    return outbox.outbox_enqueue(task_name=HEARTBEAT, kwargs={"worker": worker})


# ---- enqueue ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_row_commits_with_the_work_and_is_sent_only_after_commit(
    broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        row = enqueue()
        assert TaskOutbox.objects.filter(pk=row.pk, dispatched_at__isnull=True).exists()
        assert broker == []  # nothing is sent while the transaction is open
    assert len(callbacks) == 1
    [(kwargs, options)] = broker
    assert kwargs == {"worker": "w1"}
    # A short publish retry: a stopped broker must not hold the request for seconds.
    assert options["retry_policy"]["max_retries"] <= 1
    row.refresh_from_db()
    assert row.dispatched_at is not None and row.attempts == 1 and row.last_error == ""


@pytest.mark.django_db
def test_a_rolled_back_transaction_leaves_no_row_and_sends_nothing(
    broker, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        enqueue()
        raise RuntimeError("the decision failed")
    assert callbacks == [] and broker == []
    assert not TaskOutbox.objects.exists()


@pytest.mark.django_db
def test_with_the_broker_down_the_row_stays_pending_and_the_log_has_ids_only(
    broker_down, django_capture_on_commit_callbacks, caplog
):
    caplog.set_level(logging.WARNING, logger="reviews.services.outbox")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        row = enqueue(worker="kwargs-are-not-logged")
    # The commit stands and nothing was raised to the caller; the row waits for the broker.
    assert broker_down == [{"worker": "kwargs-are-not-logged"}]
    row.refresh_from_db()
    assert row.dispatched_at is None and row.attempts == 1
    assert row.last_error == f"OperationalError: {REFUSED}"
    [record] = caplog.records
    assert record.levelno == logging.WARNING and f"row {row.pk} " in record.getMessage()
    assert "kwargs-are-not-logged" not in caplog.text


@pytest.mark.django_db
def test_an_unknown_task_name_is_refused_at_enqueue():
    with pytest.raises(KeyError):
        outbox.outbox_enqueue(task_name="reviews.tasks.no_such_task", kwargs={})
    assert not TaskOutbox.objects.exists()


@pytest.mark.django_db
def test_without_a_broker_the_task_runs_in_process_at_commit(
    monkeypatch, django_capture_on_commit_callbacks
):
    # `make run`: no broker, tasks eager. The behaviour from before the outbox holds.
    monkeypatch.setitem(current_app.conf, "task_always_eager", True)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        row = enqueue(worker="eager-run")
        assert not WorkerHeartbeat.objects.exists()
    assert WorkerHeartbeat.objects.filter(worker="eager-run").exists()
    row.refresh_from_db()
    assert row.dispatched_at is not None and row.attempts == 1
    # Already run: the dispatcher leaves it alone.
    assert outbox.outbox_dispatch_pending() == {"sent": 0, "failed": 0}


# ---- dispatch -----------------------------------------------------------------------------


def pending_rows(*workers: str) -> list[TaskOutbox]:
    return [TaskOutbox.objects.create(task_name=HEARTBEAT, kwargs={"worker": w}) for w in workers]


@pytest.mark.django_db
def test_dispatch_sends_each_pending_row_once_oldest_first(broker):
    pending_rows("a", "b", "c")
    TaskOutbox.objects.create(
        task_name=HEARTBEAT, kwargs={"worker": "old"}, attempts=1, dispatched_at=timezone.now()
    )
    assert outbox.outbox_dispatch_pending() == {"sent": 3, "failed": 0}
    assert [kwargs for kwargs, _ in broker] == [{"worker": "a"}, {"worker": "b"}, {"worker": "c"}]
    assert not TaskOutbox.objects.filter(dispatched_at__isnull=True).exists()
    # Idempotent: a second run (the next minute's beat) sends nothing again.
    assert outbox.outbox_dispatch_pending() == {"sent": 0, "failed": 0}
    assert len(broker) == 3
    assert set(TaskOutbox.objects.values_list("attempts", flat=True)) == {1}


@pytest.mark.django_db
def test_dispatch_stops_at_the_first_broker_failure(broker_down):
    first, second, third = pending_rows("a", "b", "c")
    assert outbox.outbox_dispatch_pending() == {"sent": 0, "failed": 1}
    assert broker_down == [{"worker": "a"}]  # not one timeout per row while it is down
    first.refresh_from_db()
    assert first.attempts == 1 and first.last_error.startswith("OperationalError")
    assert TaskOutbox.objects.filter(pk__in=[second.pk, third.pk], attempts=0).count() == 2


@pytest.mark.django_db
def test_a_row_whose_task_no_longer_exists_does_not_block_the_others(broker):
    gone = TaskOutbox.objects.create(task_name="reviews.tasks.renamed_since", kwargs={})
    pending_rows("a")
    assert outbox.outbox_dispatch_pending() == {"sent": 1, "failed": 1}
    gone.refresh_from_db()
    assert gone.dispatched_at is None and "NotRegistered" in gone.last_error


@pytest.mark.django_db
def test_a_row_the_dispatcher_sent_is_not_sent_again_by_the_commit_hook(
    broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue()
    assert outbox.outbox_dispatch_pending() == {"sent": 1, "failed": 0}
    callbacks[0]()  # the send right after the commit, arriving late
    assert len(broker) == 1


@pytest.mark.django_db
def test_the_dispatch_task_runs_the_service(broker):
    pending_rows("a")
    assert tasks.outbox_dispatch() == {"sent": 1, "failed": 0, "pruned": 0}


@pytest.mark.django_db
def test_sent_rows_are_deleted_after_30_days_and_pending_rows_never(broker):
    now = timezone.now()
    for days in (31, 29):
        TaskOutbox.objects.create(
            task_name=HEARTBEAT,
            kwargs={"worker": f"sent {days} days ago"},
            dispatched_at=now - timedelta(days=days),
            attempts=1,
        )
    old_pending = TaskOutbox.objects.create(task_name=HEARTBEAT, kwargs={"worker": "stuck"})
    TaskOutbox.objects.filter(pk=old_pending.pk).update(created_at=now - timedelta(days=90))
    assert outbox.outbox_prune(now=now) == 1
    kept = set(TaskOutbox.objects.values_list("kwargs__worker", flat=True))
    assert kept == {"sent 29 days ago", "stuck"}


def test_beat_runs_the_dispatcher_every_minute():
    entry = next(
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == tasks.outbox_dispatch.name
    )
    assert entry["schedule"].total_seconds() == 60
    assert tasks.outbox_dispatch.name in current_app.tasks


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_never_send_the_same_row_at_once(broker):
    require_service(
        "PostgreSQL",
        services_available.postgres(),
        "set DATABASE_URL to PostgreSQL: SKIP LOCKED needs row locks",
    )
    pending_rows("a", "b")
    locked, release = threading.Event(), threading.Event()

    def other_dispatcher_holding_the_rows():
        try:
            with transaction.atomic():
                list(TaskOutbox.objects.select_for_update().all())
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    other = threading.Thread(target=other_dispatcher_holding_the_rows)
    other.start()
    try:
        assert locked.wait(timeout=30)
        assert outbox.outbox_dispatch_pending() == {"sent": 0, "failed": 0}  # skipped, not waited
    finally:
        release.set()
        other.join()
    assert outbox.outbox_dispatch_pending() == {"sent": 2, "failed": 0}
    assert len(broker) == 2


# ---- the services that enqueue through it -------------------------------------------------


@pytest.mark.django_db
def test_a_letter_is_rendered_through_the_outbox(
    monkeypatch, clear_case, physician, django_capture_on_commit_callbacks
):
    sent = record_sends(monkeypatch, tasks.letter_render)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        letter = letters.letter_issue(determination=denial(clear_case, physician))
    row = TaskOutbox.objects.get()
    assert (row.task_name, row.kwargs) == (tasks.letter_render.name, {"letter_id": letter.pk})
    assert row.dispatched_at is not None
    assert [kwargs for kwargs, _ in sent] == [{"letter_id": letter.pk}]
    assert Letter.objects.get().status == Letter.Status.PENDING  # the worker renders it


@pytest.mark.django_db
@pytest.mark.usefixtures("private_storage")
def test_a_pdf_is_extracted_through_the_outbox(
    monkeypatch, nurse, django_capture_on_commit_callbacks
):
    sent = record_sends(monkeypatch, tasks.document_extract_text)
    case = CaseFactory(status=Case.Status.NURSE_REVIEW)
    files = [upload("a.pdf", pdf_bytes(["A"])), upload("b.png", png_bytes(), "image/png")]
    with django_capture_on_commit_callbacks(execute=True):
        accepted, _ = document_add_many(case=case, actor=nurse, files=files)
    pdf = next(d for d in accepted if d.content_type == "application/pdf")
    row = TaskOutbox.objects.get()  # the PDF only: images are not extracted
    assert (row.task_name, row.kwargs) == (
        tasks.document_extract_text.name,
        {"document_id": pdf.pk},
    )
    assert [kwargs for kwargs, _ in sent] == [{"document_id": pdf.pk}]
