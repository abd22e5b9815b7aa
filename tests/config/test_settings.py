"""Settings fail closed in production and fall back to the embedded defaults locally."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV_KEYS = (
    "DJANGO_DEBUG",
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "PRIORAUTH_VAR_DIR",
)


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ENV_KEYS}
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _settings_value(expr: str, **env: str) -> str:
    code = (
        "import os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'priorauth.settings');"
        f"from django.conf import settings; print({expr})"
    )
    result = _run(["-c", code], **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_defaults_with_nothing_set_are_sqlite_eager_and_debug():
    assert (
        _settings_value("settings.DATABASES['default']['ENGINE']") == "django.db.backends.sqlite3"
    )
    assert _settings_value("settings.DATABASES['default']['NAME']").endswith("var/db.sqlite3")
    assert _settings_value("settings.CELERY_TASK_ALWAYS_EAGER") == "True"
    assert _settings_value("settings.DEBUG") == "True"
    assert len(_settings_value("settings.SECRET_KEY")) >= 50


def test_environment_selects_postgres_and_redis():
    env = {"DATABASE_URL": "postgres://u@db.internal:5432/pa", "REDIS_URL": "redis://r:6379/1"}
    assert _settings_value("settings.DATABASES['default']['ENGINE']", **env).endswith("postgresql")
    assert _settings_value("settings.CELERY_BROKER_URL", **env) == "redis://r:6379/1"
    assert _settings_value("settings.CELERY_TASK_ALWAYS_EAGER", **env) == "False"
    assert _settings_value("settings.CACHES['default']['BACKEND']", **env).endswith("RedisCache")


def test_the_sqlite_default_is_set_for_several_writers_at_once(tmp_path):
    # WAL (readers and the writer do not block each other), writers wait up to 20 s for the
    # lock instead of failing, and every transaction takes the write lock at BEGIN.
    code = (
        "import os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'priorauth.settings');"
        "import django; django.setup(); from django.db import connection;"
        "c = connection.cursor();"
        "print([c.execute(f'PRAGMA {p}').fetchone()[0]"
        " for p in ('journal_mode', 'synchronous', 'busy_timeout')], connection.transaction_mode)"
    )
    result = _run(["-c", code], PRIORAUTH_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    # synchronous 1 is NORMAL; busy_timeout is in milliseconds.
    assert result.stdout.strip() == "['wal', 1, 20000] IMMEDIATE"
    assert (tmp_path / "db.sqlite3").exists()


def test_postgres_gets_none_of_the_sqlite_options_and_its_own_per_connection():
    options = _settings_value(
        "settings.DATABASES['default'].get('OPTIONS', {})",
        DATABASE_URL="postgres://u@db.internal:5432/pa",
    )
    assert options == "{'options': '-c jit=off -c statement_timeout=0'}"
    web = _settings_value(
        "settings.DATABASES['default']['OPTIONS']['options']",
        DATABASE_URL="postgres://u@db.internal:5432/pa",
        DJANGO_DB_STATEMENT_TIMEOUT_MS="30000",
    )
    assert web == "-c jit=off -c statement_timeout=30000"


def test_celery_accepts_json_only_and_acks_late():
    assert _settings_value("settings.CELERY_ACCEPT_CONTENT") == "['json']"
    assert _settings_value("settings.CELERY_TASK_ACKS_LATE") == "True"
    assert _settings_value("settings.CELERY_TASK_TIME_LIMIT") == "180"


def test_debug_off_refuses_to_start_without_a_secret_key():
    result = _run(
        ["manage.py", "check"], DJANGO_DEBUG="false", DJANGO_ALLOWED_HOSTS="pa.example.org"
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_debug_off_refuses_to_start_without_allowed_hosts():
    result = _run(
        ["manage.py", "check"], DJANGO_DEBUG="false", DJANGO_SECRET_KEY=secrets.token_urlsafe(50)
    )
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must be set" in result.stderr


def test_a_misspelt_boolean_is_refused_not_guessed():
    result = _run(["manage.py", "check"], DJANGO_DEBUG="flase")
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be true or false" in result.stderr


def test_check_deploy_warns_only_about_https_handled_by_the_tls_proxy():
    result = _run(
        ["manage.py", "check", "--deploy"],
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="pa.example.org",
    )
    assert result.returncode == 0, result.stderr
    warnings = set(re.findall(r"\(security\.(W\d+)\)", result.stdout + result.stderr))
    # W008: SSL redirect is the proxy's job. W005/W021: HSTS subdomains and preload are
    # domain-wide decisions for whoever owns the DNS (README, "Deploying").
    assert warnings <= {"W008", "W005", "W021"}, result.stdout + result.stderr
    assert "W008" in warnings


def test_in_process_mode_names_an_in_memory_broker_not_amqp():
    assert _settings_value("settings.CELERY_BROKER_URL") == "memory://"


def test_a_worker_or_beat_without_a_broker_stops_and_says_why(tmp_path):
    for command in (["worker", "--pool=solo"], ["beat", "-s", str(tmp_path / "schedule")]):
        result = _run(
            ["-m", "celery", "-A", "priorauth", *command, "--loglevel=WARNING"],
            PRIORAUTH_VAR_DIR=str(tmp_path),
        )
        assert result.returncode != 0, command
        assert "No broker configured: set REDIS_URL" in result.stderr + result.stdout, command
