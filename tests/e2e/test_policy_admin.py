"""A policy admin clones the published Kesimpta version, edits a criterion, and publishes."""

import pytest
from playwright.sync_api import expect

from reviews.models import PolicyVersion
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _sign_in(page, base, username):
    page.goto(base + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _run_action(page, base, version_label, action):
    page.goto(base + "/admin/reviews/policyversion/")
    row = page.locator("#result_list tr", has_text=version_label)
    row.locator("input.action-select").check()
    page.locator("select[name=action]").select_option(label=action)
    page.locator("button[name=index]").click()  # the admin's action button


def test_clone_edit_a_criterion_and_publish(live_server, page, policy_admin, kesimpta, screenshot):
    base = live_server.url
    _sign_in(page, base, "polly")
    expect(page.get_by_role("link", name="Policy administration", exact=True)).to_be_visible()

    _run_action(page, base, "2020910 v1", "Clone to a new draft")
    expect(page.get_by_text("cloned to draft version 2")).to_be_visible()
    screenshot("policy-admin-cloned")

    page.get_by_role("link", name="2020910 v2 (draft)").click()
    page.locator("#id_effective_date").fill("2027-01-01")
    label = page.locator("input[name$='-label'][value='1.A.iii']")
    prefix = label.get_attribute("name").removesuffix("-label")
    page.locator(f"textarea[name='{prefix}-note']").fill(
        "Note: A consultation within the past 12 months counts."
    )
    screenshot("policy-admin-editing")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    _run_action(page, base, "2020910 v2", "Publish (after checking)")
    expect(page.get_by_text("is published and can no longer change")).to_be_visible()
    screenshot("policy-admin-published")
    v2 = PolicyVersion.objects.get(number=2)
    assert v2.status == "published"
    assert v2.criteria.get(label="1.A.iii").note.startswith("Note: A consultation")

    page.goto(base + f"/policies/versions/{kesimpta.pk}/compare/{v2.pk}/")
    expect(page.locator("ins", has_text="A consultation within the past 12 months")).to_be_visible()
    screenshot("policy-admin-compare")


def test_a_nurse_cannot_reach_policy_administration(live_server, page, nurse):
    _sign_in(page, live_server.url, "nina")
    expect(page.get_by_role("link", name="Policy administration", exact=True)).to_have_count(0)
    response = page.goto(live_server.url + "/admin/reviews/policyversion/")
    # The app's 403, saying who may use it; not the admin's "log in as another user" page.
    assert response.status == 403
    expect(page.get_by_text("Policy administration is for policy admins only.")).to_be_visible()
