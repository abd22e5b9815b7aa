"""The fixed cast of users and the rules for tests that need real services.

A test that needs PostgreSQL, Redis, a Celery worker or Chromium calls `require_service`:
locally it skips with the reason; with CI=true it fails, so CI never passes by skipping.
"""

import os

import pytest
from django.contrib.auth.models import Group

from reviews import roles

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
        user.groups.add(Group.objects.get(name=role))
    return user


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


from tests.policy_fixtures import kesimpta, statin_policy  # noqa: E402, F401
