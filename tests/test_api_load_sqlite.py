"""Two API clients at once against `manage.py runserver` on SQLite, the way `make run` serves:
no 5xx, and every case reaches the state its client drove it to.

The server runs in a subprocess on a SQLite file of its own, so this runs whatever database
the suite itself uses (PostgreSQL in CI).
"""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "kesimpta-2020910.yaml"
PASSWORD = "load-test-password-2026"
pytestmark = pytest.mark.slow

_DROP = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE")
NURSES = """
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from reviews import roles
for name in ("nurse-a", "nurse-b"):
    user = get_user_model().objects.create_user(name, password="{password}", last_name="RN")
    user.groups.add(Group.objects.get(name=roles.NURSE))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _manage(env: dict, *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def sqlite_server(tmp_path_factory):
    """runserver (threaded, as `make run`) on a migrated SQLite file with two nurses."""
    tmp_path = tmp_path_factory.mktemp("sqlite-server")
    env = {
        **{k: v for k, v in os.environ.items() if k not in _DROP},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "PRIORAUTH_VAR_DIR": str(tmp_path),
        "PRIORAUTH_PRIVATE_STORAGE": str(tmp_path / "private"),
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    _manage(env, "migrate", "--no-input", "-v0")
    _manage(env, "load_policy", str(POLICY))
    _manage(env, "shell", "-c", NURSES.format(password=PASSWORD))
    port = _free_port()
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/health/", timeout=2):  # noqa: S310
                    break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, (tmp_path / "server.log").read_text()
                assert time.monotonic() < deadline, "runserver did not answer in 30 s"
                time.sleep(0.3)
        yield base, tmp_path / "server.log"
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


def _client(base: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "scripts/api_load_client.py",
            "--base-url",
            base,
            "--password",
            PASSWORD,
            *args,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_two_api_clients_at_once_on_the_sqlite_runserver_get_no_5xx(sqlite_server):
    base, server_log = sqlite_server
    clients = {
        "approve": _client(base, "--username", "nurse-a", "--cases", "2", "--label", "A"),
        "escalate": _client(
            base, "--username", "nurse-b", "--cases", "2", "--decision", "escalate", "--label", "B"
        ),
    }
    out = {name: client.communicate(timeout=120)[0] for name, client in clients.items()}

    log = server_log.read_text()
    for name, client in clients.items():
        assert client.returncode == 0, out[name] + log[-5000:]
        assert "5xx=0 " in out[name] and "failures=0 " in out[name], out[name]
    assert "finals={'approved': 2}" in out["approve"]
    assert "finals={'physician_queue': 2}" in out["escalate"]
    assert '" 500 ' not in log and "database is locked" not in log


def test_the_client_fails_loudly_when_it_cannot_sign_in(sqlite_server):
    base, _ = sqlite_server
    client = _client(base, "--username", "nobody", "--password", "wrong-password-here")
    output = client.communicate(timeout=60)[0]

    assert client.returncode == 1
    assert "cannot start: POST auth/token/: 400" in output


def test_the_client_fails_loudly_when_no_server_answers():
    client = _client(f"http://127.0.0.1:{_free_port()}")
    output = client.communicate(timeout=60)[0]

    assert client.returncode == 1
    assert "cannot start:" in output and "Connection refused" in output


def test_the_client_refuses_a_base_url_that_is_not_http():
    client = _client("file:///etc/passwd")
    output = client.communicate(timeout=60)[0]

    assert client.returncode == 2
    assert "--base-url must start with http:// or https://" in output
