import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_nurse_signs_in_and_out_in_a_real_browser(live_server, page, nurse, screenshot):
    page.goto(live_server.url + "/")
    expect(page).to_have_url(f"{live_server.url}/login/?next=/")
    screenshot("login")
    page.get_by_label("Username").fill("nina")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Welcome, Nina Lopez, RN")).to_be_visible()
    expect(page.get_by_text("Nurse reviewer")).to_be_visible()
    screenshot("home-nurse")
    page.goto(live_server.url + "/physician/queue/")  # not a nurse's page
    expect(page.get_by_role("heading", name="You are not allowed to do that")).to_be_visible()
    screenshot("error-403")
    page.goto(live_server.url + "/cases/999999/")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    screenshot("error-404")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_server.url}/login/")


def test_a_user_without_a_role_is_told_so(live_server, page, outsider, screenshot):
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill("oscar")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Your account has no role yet")).to_be_visible()
    screenshot("home-no-role")


def test_wrong_passwords_pause_sign_in(live_server, page, nurse, screenshot):
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill("nina")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".alert-danger")).to_be_visible()
    screenshot("login-error")
    for _ in range(10):
        if page.get_by_role("heading", name="Sign-in paused for this account").count():
            break
        page.get_by_label("Username").fill("nina")
        page.get_by_label("Password").fill("wrong")
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Sign-in paused for this account")).to_be_visible()
    screenshot("login-locked-out")
