"""The embedded default (SQLite, tasks in-process) holds several reviewers writing at once.

tests/sqlite_writers.py runs the writers in threads against a SQLite file of its own, in a
subprocess, so this runs whatever database the suite itself uses (PostgreSQL in CI).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow

# Whatever the suite runs with, the script gets a SQLite file and in-process tasks.
_DROP = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE")


def run_writers(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in _DROP}
    return subprocess.run(
        [sys.executable, "-m", "tests.sqlite_writers", *args],
        cwd=ROOT,
        env={
            **clean,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
            "PRIORAUTH_VAR_DIR": str(tmp_path),
            "PRIORAUTH_PRIVATE_STORAGE": str(tmp_path / "private"),
            "DJANGO_LOG_LEVEL": "WARNING",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_eight_reviewers_intake_answer_and_decide_at_once_without_a_lock_error(tmp_path):
    result = run_writers(tmp_path, "--threads", "8", "--cases", "2", "--escalate-every", "4")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "database is locked" not in result.stdout + result.stderr
    # 16 cases: every 4th escalated, the others approved by the nurse (answers with evidence).
    assert "cases=16 " in result.stdout
    assert "approved=12 escalated=4 errors=0 database_is_locked=0" in result.stdout


def test_the_same_load_on_djangos_sqlite_defaults_is_caught_failing(tmp_path):
    # Proves the script sees the bug it guards against: DEFERRED transactions that read
    # first cannot wait for the write lock, whatever the timeout.
    result = run_writers(
        tmp_path,
        "--threads",
        "8",
        "--cases",
        "2",
        DJANGO_SETTINGS_MODULE="tests.sqlite_django_defaults",
    )

    assert result.returncode == 1, result.stdout + result.stderr
    assert "OperationalError: database is locked" in result.stderr
    assert "database_is_locked=0" not in result.stdout


@pytest.mark.parametrize(
    "args, env, message",
    [
        ([], {"DATABASE_URL": "postgres://u@127.0.0.1:5432/x"}, "set DATABASE_URL to a SQLite"),
        ([], {"DATABASE_URL": "sqlite:///:memory:"}, "set DATABASE_URL to a SQLite"),
        (["--threads", "0"], {}, "must be at least 1"),
        (["--cases", "many"], {}, "invalid int value"),
    ],
)
def test_the_script_refuses_bad_usage_before_touching_a_database(tmp_path, args, env, message):
    result = run_writers(tmp_path, *args, **env)

    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr
    assert not (tmp_path / "x.sqlite3").exists()
