"""The fixed cast of users and the rules for tests that need real services.

A test that needs PostgreSQL, Redis, a Celery worker or Chromium calls `require_service`:
locally it skips with the reason; with CI=true it fails, so CI never passes by skipping.

Sign-in lockout (django-axes) stays on in every test, as in production. Axes needs the
request of each sign-in, so tests sign in with `client.force_login(user)` (no password
check), by posting to /login/, or with `authenticate(request, ...)` /
`client.login(request=HttpRequest(), ...)`; a bare `client.login(...)` raises.

Two stand-ins keep the suite fast, each switched off by a marker where the real thing is
what a test is about:
- passwords are hashed with MD5 (PBKDF2 is slow on purpose), except under
  `@pytest.mark.real_password_hasher`;
- a letter's PDF is not laid out by WeasyPrint: `pdf_renders` records the HTML and returns a
  tiny valid PDF, except under `@pytest.mark.real_pdf` and in the browser (e2e) tests.
"""

import functools
import io
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

pytest_plugins = [
    "tests.policy_fixtures",
    "tests.review_fixtures",
    "tests.physician_fixtures",
    "tests.appeal_fixtures",
    "tests.claims_fixtures",
]

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PASSWORD = "correct-horse-battery-staple"
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def require_service(name: str, available: bool, how: str) -> None:
    if available:
        return
    message = f"{name} is not available: {how}"
    if IN_CI:
        pytest.fail(f"CI requires {message}", pytrace=False)
    pytest.skip(message)


# The tests that start a browser, a worker or servers of their own wait on them most of the
# time; they are handed out first, longest kinds first, so that the CPU-bound rest fills the
# cores around them instead of running after them (`make test`, one pass on pytest-xdist).
SERIAL_KINDS = ("e2e", "worker", "slow")


def pytest_collection_modifyitems(items):
    def kind(item) -> int:
        for rank, name in enumerate(SERIAL_KINDS):
            if item.get_closest_marker(name):
                return rank
        return len(SERIAL_KINDS)

    for item in items:
        if kind(item) < len(SERIAL_KINDS):
            item.add_marker(pytest.mark.serial)
    items.sort(key=kind)  # stable: each kind keeps its collection order


def _flushes(item) -> bool:
    """As pytest-django decides: a transactional test empties every table when it ends."""
    from pytest_django.plugin import validate_django_db

    marker = item.get_closest_marker("django_db")
    transaction, reset_sequences, *_ = validate_django_db(marker) if marker else (False, False)
    fixtures = set(getattr(item, "fixturenames", ()))
    return bool(
        transaction
        or reset_sequences
        or fixtures & {"transactional_db", "live_server", "django_db_reset_sequences"}
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    # The flush also empties what the data migrations made (the role groups, the deadline
    # table, the claim adjustment codes). A test that does not flush expects the database as
    # migrated, and since the order no longer puts it before every transactional test, those
    # rows are made again for it. (Transactional tests already cope with a flushed database:
    # `_user`, the `deadline_rules` fixture and the `examiner` fixture make what they need.)
    result = yield
    if nextitem is not None and _flushes(item) and not _flushes(nextitem):
        from pytest_django.plugin import blocking_manager_key

        from tests.factories import ensure_adjustment_codes, ensure_deadline_rules

        with item.config.stash[blocking_manager_key].unblock():
            roles.roles_sync()
            ensure_deadline_rules()
            ensure_adjustment_codes()
    return result


# ---- stand-ins for slow work no test is about ---------------------------------------------


@pytest.fixture(autouse=True)
def _fast_password_hasher(request, settings):
    if not request.node.get_closest_marker("real_password_hasher"):
        settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS


@pytest.fixture(autouse=True)
def _session_renewed_on_every_request(request, settings):
    """The pinned query counts include the session's renewal on every request, whichever
    request of a test it is; tests marked `session_renewal` keep the real interval."""
    if not request.node.get_closest_marker("session_renewal"):
        settings.SESSION_RENEW_SECONDS = 0


@functools.cache
def tiny_pdf() -> bytes:
    """A one-page blank PDF, valid for any reader."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def pdf_renders(request, monkeypatch) -> list[str] | None:
    """The HTML of each letter rendered in this test, in order (None if rendering is real)."""
    node = request.node
    if node.get_closest_marker("real_pdf") or node.get_closest_marker("e2e"):
        return None
    from reviews.services import letters

    renders: list[str] = []

    def record(html: str) -> bytes:
        renders.append(html)
        return tiny_pdf()

    monkeypatch.setattr(letters, "_pdf", record)
    return renders


# ---- the cast -------------------------------------------------------------------------------


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
