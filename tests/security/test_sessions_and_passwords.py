"""The idle session timeout and the password rules: a session ends after 15 idle minutes
(each request renews it), and a password a user chooses passes Django's validators."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from reviews.models import AccessEvent
from tests.config.test_settings import _settings_value
from tests.conftest import PASSWORD

# Passwords hashed as in production (PBKDF2), not with the suite's fast stand-in.
pytestmark = [pytest.mark.django_db, pytest.mark.real_password_hasher]

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def _sign_in(client, username="nina", password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_a_session_ends_after_15_idle_minutes_and_each_request_renews_it(client, nurse):
    with time_machine.travel(T0, tick=False):
        assert _sign_in(client).status_code == 302
    # Working: a request every 14 minutes keeps the session for an hour.
    for minutes in (14, 28, 42, 56):
        with time_machine.travel(T0 + timedelta(minutes=minutes), tick=False):
            assert client.get(reverse("home")).status_code == 200, minutes
    # Then 16 minutes away from the desk: back to the sign-in page, with the way back kept.
    with time_machine.travel(T0 + timedelta(minutes=56 + 16), tick=False):
        response = client.get(reverse("reviews:nurse-queue"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('reviews:nurse-queue')}"


@pytest.mark.session_renewal
def test_a_request_within_a_minute_of_the_last_renewal_writes_no_session(client, nurse):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with time_machine.travel(T0, tick=False):
        assert _sign_in(client).status_code == 302
    with (
        time_machine.travel(T0 + timedelta(seconds=30), tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        assert client.get(reverse("home")).status_code == 200
    writes = [q["sql"] for q in queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
    assert writes == []
    # A minute after the sign-in the next request renews it: one write, a new expiry.
    with (
        time_machine.travel(T0 + timedelta(seconds=61), tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        assert client.get(reverse("home")).status_code == 200
    writes = [q["sql"] for q in queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
    assert len(writes) == 1
    # 14 idle minutes after that renewal the session still holds; 15 and a second, it is gone.
    with time_machine.travel(T0 + timedelta(seconds=61, minutes=14), tick=False):
        assert client.get(reverse("home")).status_code == 200
    with time_machine.travel(T0 + timedelta(seconds=62, minutes=29), tick=False):
        assert client.get(reverse("home")).status_code == 302


def test_the_idle_timeout_is_configurable_and_the_cookie_dies_with_the_browser():
    assert _settings_value("settings.SESSION_COOKIE_AGE") == "900"
    assert _settings_value("settings.SESSION_COOKIE_AGE", DJANGO_SESSION_IDLE_SECONDS="300") == (
        "300"
    )
    # Renewed by the middleware at most once a minute, not written on every request.
    assert _settings_value("settings.SESSION_SAVE_EVERY_REQUEST") == "False"
    assert _settings_value("settings.SESSION_RENEW_SECONDS") == "60"
    assert _settings_value("settings.SESSION_EXPIRE_AT_BROWSER_CLOSE") == "True"


@pytest.mark.parametrize(
    ("new_password", "message"),
    [
        ("Sh0rt!pw", "This password is too short. It must contain at least 12 characters."),
        ("password1234", "This password is too common."),
        ("804716293518", "This password is entirely numeric."),
        ("nina.lopez@example.or", "The password is too similar to the"),
    ],
)
def test_a_weak_new_password_is_refused_with_the_reason(client, nurse, new_password, message):
    nurse.email = "nina.lopez@example.org"
    nurse.save()
    client.force_login(nurse)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["new_password2"]
    assert any(error.startswith(message) for error in errors), errors
    nurse.refresh_from_db()
    assert nurse.check_password(PASSWORD)
    assert not AccessEvent.objects.filter(kind=AccessEvent.Kind.PASSWORD_CHANGED).exists()


def test_a_wrong_current_password_changes_nothing(client, nurse):
    client.force_login(nurse)
    new = "Glacier-harbor-71-quill"
    response = client.post(
        reverse("password_change"),
        {"old_password": "not my password", "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["old_password"]
    nurse.refresh_from_db()
    assert nurse.check_password(PASSWORD)


def test_a_good_new_password_is_taken_and_the_user_stays_signed_in(client, nurse):
    assert _sign_in(client).status_code == 302
    page = client.get(reverse("password_change")).content.decode()
    assert 'name="csrfmiddlewaretoken"' in page and "at least 12 characters" in page
    new = "Glacier-harbor-71-quill"
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302 and response["Location"] == reverse("password_change_done")
    assert "Password changed" in client.get(response["Location"]).content.decode()
    assert client.get(reverse("reviews:nurse-queue")).status_code == 200  # still signed in
    client.post(reverse("logout"))
    assert _sign_in(client, password=PASSWORD).status_code == 200  # the old one: refused
    assert _sign_in(client, password=new).status_code == 302
    assert AccessEvent.objects.filter(kind=AccessEvent.Kind.LOGIN, user=nurse).count() == 2
    changed = AccessEvent.objects.get(kind=AccessEvent.Kind.PASSWORD_CHANGED)
    assert changed.user == nurse and changed.ip_address == "127.0.0.1"


def test_every_page_links_to_the_password_change(client, nurse):
    client.force_login(nurse)
    assert f'href="{reverse("password_change")}"' in client.get(reverse("home")).content.decode()
