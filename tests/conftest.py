"""The fixed cast of users and the rules for tests that need real services.

A test that needs PostgreSQL, Redis, a Celery worker or Chromium calls `require_service`:
locally it skips with the reason; with CI=true it fails, so CI never passes by skipping.

Sign-in lockout (django-axes) stays on in every test, as in production. Axes needs the
request of each sign-in, so tests sign in with `client.force_login(user)` (no password
check), by posting to /login/, or with `authenticate(request, ...)` /
`client.login(request=HttpRequest(), ...)`; a bare `client.login(...)` raises.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection

from reviews import roles
from tests import services_available

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PASSWORD = "correct-horse-battery-staple"


def require_service(name: str, available: bool, how: str) -> None:
    if available:
        return
    message = f"{name} is not available: {how}"
    if IN_CI:
        pytest.fail(f"CI requires {message}", pytrace=False)
    pytest.skip(message)


def _user(django_user_model, username: str, role: str | None, **extra):
    user = django_user_model.objects.create_user(
        username=username, password=PASSWORD, first_name=username.title(), **extra
    )
    if role:
        if not Group.objects.filter(name=role).exists():
            # Transactional tests flush the tables, data migrations' groups included.
            roles.roles_sync()
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture(autouse=True)
def _parsed_versions_forgotten():
    """Each test's database reuses version ids: no parsed version outlives its test."""
    from reviews.policy_documents import version_parsed_forget

    version_parsed_forget()
    yield
    version_parsed_forget()


@pytest.fixture
def nurse(django_user_model):
    return _user(django_user_model, "nina", roles.NURSE, last_name="Lopez, RN")


@pytest.fixture
def nurse2(django_user_model):
    return _user(django_user_model, "noah", roles.NURSE, last_name="Kim, RN")


@pytest.fixture
def physician(django_user_model):
    return _user(django_user_model, "pat", roles.PHYSICIAN, last_name="Shah, MD")


@pytest.fixture
def policy_admin(django_user_model):
    return _user(django_user_model, "polly", roles.POLICY_ADMIN, is_staff=True)


@pytest.fixture
def auditor(django_user_model):
    return _user(django_user_model, "audrey", roles.AUDITOR)


@pytest.fixture
def outsider(django_user_model):
    """Signed in, but in no role group."""
    return _user(django_user_model, "oscar", None)


# ---- cases and documents -------------------------------------------------------------------


@pytest.fixture
def private_storage(settings, tmp_path, monkeypatch):
    """Uploaded documents go to a temporary directory (a worker started after this sees it)."""
    settings.MEDIA_ROOT = tmp_path / "private"
    monkeypatch.setenv("PRIORAUTH_PRIVATE_STORAGE", str(settings.MEDIA_ROOT))
    return settings.MEDIA_ROOT


@pytest.fixture
def deadline_rules(db):
    """The seeded deadline table (transactional tests flush what the data migration made)."""
    from tests.factories import ensure_deadline_rules

    ensure_deadline_rules()


# ---- a real Celery worker (tests/tasks/) ---------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]


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


from tests.physician_fixtures import escalated  # noqa: E402, F401
from tests.policy_fixtures import kesimpta, statin_policy  # noqa: E402, F401
from tests.review_fixtures import clear_case  # noqa: E402, F401
