"""Faults, with real processes: a Redis this test starts and stops itself, and real workers.

- Redis stopped while a nurse approves: the decision commits, the request returns at once,
  the letter's outbox row waits; once Redis is back the dispatcher sends it and a worker
  renders the letter exactly once.
- A worker killed in the middle of rendering a letter: the task is delivered again (late
  acknowledgement), and the renders that follow change nothing twice (one PDF, one event).

Every Redis here is private to the test (its own port, no persistence), so stopping it
disturbs nobody, and the workers listen to it alone.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis as redis_client
from celery import current_app
from django.urls import reverse
from kombu import pools as kombu_pools

from reviews import tasks
from reviews.models import CaseEvent, Determination, Letter, TaskOutbox, WorkerHeartbeat
from reviews.selectors.review import case_review_state
from reviews.services import nurse_review, outbox
from tests import services_available
from tests.builders import answered_case, approve_form_data
from tests.conftest import ROOT, _database_url_for_worker, require_service

pytestmark = [
    pytest.mark.worker,
    pytest.mark.real_pdf,
    pytest.mark.usefixtures("private_storage"),
]

WAIT = 90  # seconds: a worker starting and rendering on a busy 2-core machine


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OwnRedis:
    """A redis-server on a free port, with no persistence, that the test starts and stops."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.directory = directory
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                *("--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.directory)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if self.client().ping():
                    return
            except redis_client.RedisError:
                time.sleep(0.05)
        pytest.fail(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        self.process = None

    def client(self) -> redis_client.Redis:
        return redis_client.Redis(port=self.port, socket_timeout=2)


@pytest.fixture
def own_redis(tmp_path):
    require_service(
        "PostgreSQL",
        services_available.postgres(),
        "set DATABASE_URL to PostgreSQL (a worker process shares the test database)",
    )
    require_service("redis-server", bool(shutil.which("redis-server")), "install redis-server")
    server = OwnRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _reset_broker_connections(app) -> None:
    """Drop the app's broker pools: the next send connects to whatever broker_url says."""
    kombu_pools.reset()  # closes and forgets every pool (a closed one must not be reused)
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker(own_redis, monkeypatch):
    """This process's Celery sends to the test's own Redis (and not eagerly)."""
    app = current_app
    monkeypatch.setitem(app.conf, "broker_url", own_redis.url)
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    _reset_broker_connections(app)
    yield own_redis
    _reset_broker_connections(app)  # the next test connects to its own broker afresh


# A worker started as `celery worker` is, plus two test-only settings given on the command
# line: transport options (a short visibility timeout) and, to catch a render mid-flight,
# a hold on the first render only (it writes its pid to a file, then sleeps until killed).
WORKER_BOOT = """
import json, os, sys, time
import django
django.setup()
from priorauth.celery import app
config = json.loads(sys.argv[1])
app.conf.broker_transport_options = {
    **app.conf.broker_transport_options, **config["transport_options"]
}
marker = config["hold_first_render"]
if marker:
    from reviews.services import letters
    render = letters._pdf
    def _pdf_held_on_first_delivery_for_tests(html):
        if not os.path.exists(marker):
            with open(marker, "w") as out:
                out.write(str(os.getpid()))
            time.sleep(90)
        return render(html)
    letters._pdf = _pdf_held_on_first_delivery_for_tests
app.worker_main(["worker", *sys.argv[2:]])
"""


@pytest.fixture
def start_worker(broker, transactional_db, tmp_path):
    """Start real workers on the test's Redis; each in its own process group."""
    started: list[tuple[subprocess.Popen, Path]] = []

    def start(*, pool: str = "solo", hold_first_render: Path | None = None, **transport):
        name = f"fault-{uuid.uuid4().hex[:8]}"
        log = tmp_path / f"{name}.log"
        env = {
            **os.environ,
            "DATABASE_URL": _database_url_for_worker(),
            "REDIS_URL": broker.url,
            "CELERY_BROKER_URL": broker.url,
            "DJANGO_SETTINGS_MODULE": "priorauth.settings",
        }
        config = {
            "transport_options": transport,
            "hold_first_render": str(hold_first_render or ""),
        }
        with log.open("w") as out:
            process = subprocess.Popen(
                [
                    *(sys.executable, "-c", WORKER_BOOT, json.dumps(config)),
                    *(f"--pool={pool}", "--concurrency=1", "-Q", "celery", "-n", f"{name}@%h"),
                    *("--without-heartbeat", "--without-gossip", "--without-mingle"),
                    "--loglevel=INFO",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: killed with its pool
            )
        started.append((process, log))
        return process, log

    yield start
    for process, log in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        print(f"---- {log.name}\n{log.read_text()}")


def wait_for(condition, what: str, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    pytest.fail(f"{what} within {timeout:.0f} s")


def approved_by_nurse(case, nurse) -> Determination:
    case = answered_case(case, nurse)
    assert case_review_state(case=case).all_met
    return nurse_review.case_approve_by_nurse(case=case, nurse=nurse)


def received(log: Path) -> list[str]:
    """The ids of the letter_render deliveries a worker logged, in order."""
    return re.findall(
        r"Task reviews\.tasks\.letter_render\[([0-9a-f-]+)\] received", log.read_text()
    )


def letter_rendered(letter: Letter) -> bool:
    letter.refresh_from_db()
    return letter.status != Letter.Status.PENDING


def pdfs(private_storage) -> list[Path]:
    return sorted((private_storage / "letters").glob("*.pdf"))


def assert_rendered_once(letter: Letter, private_storage) -> None:
    letter.refresh_from_db()
    assert letter.status == Letter.Status.RENDERED, letter.error
    assert [p.name for p in pdfs(private_storage)] == [Path(letter.storage_name).name]
    events = CaseEvent.objects.filter(kind="letter_rendered", payload__letter_id=letter.pk)
    assert events.count() == 1


# ---- Redis stopped while a nurse approves ---------------------------------------------------


def test_redis_down_at_approval_the_decision_commits_and_the_letter_follows_once_it_is_back(
    client, clear_case, nurse, broker, start_worker, private_storage, caplog, monkeypatch
):
    case = answered_case(clear_case, nurse)
    assert case_review_state(case=case).all_met
    client.force_login(nurse)
    send, sends = tasks.letter_render.apply_async, []

    def timed_send(*args, **options):
        began = time.monotonic()
        try:
            return send(*args, **options)
        finally:
            sends.append(time.monotonic() - began)

    monkeypatch.setattr(tasks.letter_render, "apply_async", timed_send)
    broker.stop()

    began = time.monotonic()
    response = client.post(reverse("reviews:case-approve", args=[case.pk]), approve_form_data(case))
    took = time.monotonic() - began

    # The request neither failed nor hung on the stopped broker: one send, which failed.
    # (Bounds against a hang only, loose for a busy machine; the quick retry policy itself
    # is pinned without a clock in tests/tasks/test_outbox.py.)
    assert response.status_code == 302
    assert len(sends) == 1
    assert sends[0] < 5, f"the send took {sends[0]:.2f} s"
    assert took < 15, f"the approve request took {took:.1f} s with Redis stopped"
    case.refresh_from_db()
    determination = Determination.objects.get(case=case)
    assert case.status == "approved" and determination.decided_by == nurse
    letter = Letter.objects.get(determination=determination)
    assert letter.status == Letter.Status.PENDING
    # The clinic note cited as evidence has its own row, for its text, sent before the stop.
    assert sorted(TaskOutbox.objects.values_list("task_name", flat=True)) == sorted(
        [tasks.document_extract_text.name, tasks.letter_render.name]
    )
    row = TaskOutbox.objects.get(task_name=tasks.letter_render.name)
    assert (row.task_name, row.kwargs) == (tasks.letter_render.name, {"letter_id": letter.pk})
    assert row.dispatched_at is None and row.attempts == 1
    assert row.last_error.startswith("OperationalError")
    # The failure is logged with ids only: nothing about the member.
    logged = [r.getMessage() for r in caplog.records if r.name == "reviews.services.outbox"]
    assert len(logged) == 1 and f"row {row.pk} " in logged[0]
    for patient_data in ("Dana Whitfield", "M1234567", case.reference):
        assert patient_data not in caplog.text

    # While Redis is down the dispatcher leaves the row pending; it is sent once it is back.
    assert outbox.outbox_dispatch_pending() == {"sent": 0, "failed": 1}
    broker.start()
    assert outbox.outbox_dispatch_pending() == {"sent": 1, "failed": 0}
    assert outbox.outbox_dispatch_pending() == {"sent": 0, "failed": 0}
    row.refresh_from_db()
    assert row.dispatched_at is not None and row.attempts == 3
    assert broker.client().llen("celery") == 1

    start_worker()
    wait_for(lambda: letter_rendered(letter), "the worker did not render the letter")
    assert_rendered_once(letter, private_storage)


# ---- a worker killed in the middle of a task ------------------------------------------------


def then_run_twice_more(letter: Letter, private_storage) -> None:
    """Deliver the task twice more, through the worker and in this process: nothing changes."""
    before = Letter.objects.values("storage_name", "sha256", "rendered_at").get(pk=letter.pk)
    for _ in range(2):
        tasks.letter_render.apply_async(kwargs={"letter_id": letter.pk})
    # One worker process runs tasks in order: when this heartbeat lands, both renders ran.
    tasks.worker_heartbeat.apply_async(kwargs={"worker": "after-the-renders"})
    wait_for(
        lambda: WorkerHeartbeat.objects.filter(worker="after-the-renders").exists(),
        "the worker did not run the tasks sent after the render",
    )
    assert tasks.letter_render(letter_id=letter.pk) == "rendered"
    after = Letter.objects.values("storage_name", "sha256", "rendered_at").get(pk=letter.pk)
    assert after == before
    assert_rendered_once(letter, private_storage)


def test_a_render_whose_pool_process_is_killed_is_delivered_again(
    clear_case, nurse, start_worker, private_storage, tmp_path, broker
):
    held = tmp_path / "render-started"
    worker, log = start_worker(pool="prefork", hold_first_render=held)
    letter = approved_by_nurse(clear_case, nurse).letter  # the outbox sends it on commit
    assert TaskOutbox.objects.get(task_name=tasks.letter_render.name).dispatched_at is not None

    child = int(wait_for(lambda: held.exists() and held.read_text(), "the render did not start"))
    assert child != worker.pid  # the pool process running the task, not the worker itself
    # Mid-flight: received, not acknowledged (late acknowledgement), not rendered.
    assert broker.client().hlen("unacked") == 1
    assert Letter.objects.get(pk=letter.pk).status == Letter.Status.PENDING
    os.kill(child, signal.SIGKILL)

    # reject_on_worker_lost: the worker puts the message back and a new pool process runs it.
    wait_for(lambda: letter_rendered(letter), "the task was not delivered again")
    assert_rendered_once(letter, private_storage)
    assert "WorkerLostError" in log.read_text()
    first_delivery, second_delivery = received(log)[:2]
    assert first_delivery == second_delivery  # the same message again, not a new send
    then_run_twice_more(letter, private_storage)


def test_a_render_whose_worker_is_killed_is_delivered_to_a_new_worker(
    clear_case, nurse, start_worker, private_storage, tmp_path, broker
):
    held = tmp_path / "render-started"
    first, first_log = start_worker(pool="solo", hold_first_render=held)
    letter = approved_by_nurse(clear_case, nurse).letter

    wait_for(held.exists, "the render did not start")
    assert broker.client().hlen("unacked") == 1
    os.killpg(first.pid, signal.SIGKILL)  # the whole worker, as when its machine dies
    first.wait(timeout=20)
    assert broker.client().hlen("unacked") == 1  # still owed: nobody acknowledged it

    # Redis hands an unacknowledged message to another worker after the visibility timeout
    # (an hour in production; seconds here so the test does not wait an hour).
    _, second_log = start_worker(
        pool="solo", visibility_timeout=3, unacked_restore_interval=1, unacked_restore_throttle=1
    )
    wait_for(lambda: letter_rendered(letter), "the new worker did not get the task")
    assert received(first_log) == received(second_log)[:1]  # the same message, delivered again
    assert_rendered_once(letter, private_storage)
    then_run_twice_more(letter, private_storage)
