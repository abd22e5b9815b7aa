"""Sign-in lockout (django-axes): per username and address together, lifted after cool-off."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from reviews.client_ip import client_ip
from reviews.models import AccessEvent
from tests.config.test_settings import _settings_value
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
WARD = "10.20.30.40"


def _sign_in(client, username, password, ip=WARD):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def _signed_in_as(client):
    # Call it under the frozen clock: the session expires 15 idle minutes after it.
    return client.session.get("_auth_user_id")


def _fail_five_times(client, username="nina", ip=WARD):
    responses = [_sign_in(client, username, "wrong password!", ip) for _ in range(5)]
    assert [r.status_code for r in responses[:4]] == [200] * 4  # the form, with its error
    return responses[-1]


def test_fifth_wrong_password_locks_that_name_from_that_address(client, nurse):
    with time_machine.travel(T0, tick=False):
        fifth = _fail_five_times(client)
        assert fifth.status_code == 429
        page = fifth.content.decode()
        assert "Sign-in paused" in page
        assert "Traceback" not in page and "wrong password!" not in page
        assert fifth["Retry-After"] == str(15 * 60)

        # The right password no longer helps, from this address.
        refused = _sign_in(client, "nina", PASSWORD)
        assert _signed_in_as(client) is None
    assert refused.status_code == 429
    assert "Try again after" in refused.content.decode()
    assert "contact your supervisor or the IT service desk" in refused.content.decode()


def test_failed_and_refused_sign_ins_are_still_audited(client, nurse):
    with time_machine.travel(T0, tick=False):
        _fail_five_times(client)
        _sign_in(client, "nina", PASSWORD)
    failed = AccessEvent.objects.filter(kind=AccessEvent.Kind.LOGIN_FAILED, username="nina")
    assert failed.count() == 6  # five wrong passwords and the refused right one
    assert set(failed.values_list("ip_address", flat=True)) == {WARD}
    assert not AccessEvent.objects.filter(kind=AccessEvent.Kind.LOGIN).exists()


def test_a_colleague_on_the_same_computer_is_not_locked_out(client, nurse, nurse2):
    with time_machine.travel(T0, tick=False):
        _fail_five_times(client)
        response = _sign_in(client, "noah", PASSWORD)
        assert _signed_in_as(client) == str(nurse2.pk)
    assert response.status_code == 302


def test_the_same_name_from_another_address_is_not_locked_out(client, nurse):
    with time_machine.travel(T0, tick=False):
        _fail_five_times(client, ip="203.0.113.9")  # the attacker's address
        response = _sign_in(client, "nina", PASSWORD, ip=WARD)
        assert _signed_in_as(client) == str(nurse.pk)
    assert response.status_code == 302


def test_the_lock_ends_after_the_cool_off_and_no_sooner(client, nurse):
    with time_machine.travel(T0, tick=False) as traveller:
        _fail_five_times(client)
        traveller.shift(timedelta(minutes=14, seconds=59))
        assert _sign_in(client, "nina", PASSWORD).status_code == 429
        # Trying while locked does not extend the lock: it still ends 15 minutes after the
        # fifth failure, as the page said.
        traveller.shift(timedelta(seconds=2))
        response = _sign_in(client, "nina", PASSWORD)
        assert _signed_in_as(client) == str(nurse.pk)
    assert response.status_code == 302


def test_a_good_password_clears_earlier_typos(client, nurse):
    with time_machine.travel(T0, tick=False):
        for _ in range(4):
            _sign_in(client, "nina", "wrong password!")
        assert _sign_in(client, "nina", PASSWORD).status_code == 302
        client.post("/logout/")
        for _ in range(4):
            assert _sign_in(client, "nina", "wrong password!").status_code == 200
        assert _sign_in(client, "nina", PASSWORD).status_code == 302


def test_axes_reset_username_lifts_the_lock_early(client, nurse):
    with time_machine.travel(T0, tick=False):
        _fail_five_times(client)
        assert AccessAttempt.objects.filter(username="nina").exists()
        call_command("axes_reset_username", "nina")
        response = _sign_in(client, "nina", PASSWORD)
    assert response.status_code == 302


def test_authenticate_with_a_request_is_refused_while_locked(client, nurse):
    """The API's token endpoint calls authenticate(request=...): the same lock applies."""
    with time_machine.travel(T0, tick=False):
        _fail_five_times(client)
        api_request = RequestFactory().post("/api/v1/auth/token/", REMOTE_ADDR=WARD)
        assert authenticate(api_request, username="nina", password=PASSWORD) is None
        other = RequestFactory().post("/api/v1/auth/token/", REMOTE_ADDR="10.9.9.9")
        assert authenticate(other, username="nina", password=PASSWORD) == nurse


def test_lockout_answers_the_api_in_json(nurse, settings):
    from reviews.views.lockout import lockout_response

    with time_machine.travel(T0, tick=False):
        request = RequestFactory().post("/api/v1/auth/token/", REMOTE_ADDR=WARD)
        request.axes_ip_address = WARD
        response = lockout_response(request, None, {"username": "nina"})
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["retry_after_seconds"] == 15 * 60


def test_client_address_behind_trusted_proxies(settings):
    rf = RequestFactory()
    forged = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7")
    settings.PRIORAUTH_TRUSTED_PROXY_COUNT = 0
    assert client_ip(forged) == "10.0.0.2"  # no proxy trusted: the header is ignored
    settings.PRIORAUTH_TRUSTED_PROXY_COUNT = 1
    assert client_ip(forged) == "198.51.100.7"  # what our proxy saw, not the forged entry
    direct = rf.get("/", REMOTE_ADDR="10.0.0.2")
    assert client_ip(direct) == "10.0.0.2"


def test_lockout_settings_come_from_the_environment():
    assert _settings_value("settings.AXES_FAILURE_LIMIT") == "5"
    assert _settings_value("settings.AXES_COOLOFF_TIME") == "0:15:00"
    assert _settings_value("settings.AXES_LOCKOUT_PARAMETERS") == "[['username', 'ip_address']]"
    env = {"DJANGO_LOGIN_FAILURE_LIMIT": "8", "DJANGO_LOGIN_COOLOFF_MINUTES": "30"}
    assert _settings_value("settings.AXES_FAILURE_LIMIT", **env) == "8"
    assert _settings_value("settings.AXES_COOLOFF_TIME", **env) == "0:30:00"
    assert _settings_value("settings.AUTHENTICATION_BACKENDS[0]") == (
        "axes.backends.AxesStandaloneBackend"
    )
