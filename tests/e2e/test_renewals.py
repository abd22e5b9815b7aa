"""A nurse renews: the Renewals list from her navigation, sorted by member, a continuation
started from an authorization (the form filled in from it), entered, and linked both ways.
Screenshots at 1280 and 390 px wide."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reviews.models import Case
from tests.conftest import PASSWORD
from tests.e2e.conftest import ARTIFACTS, laid_out
from tests.services.test_renewals import authorization

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("RENEWALS_SHOTS", ARTIFACTS)
WIDTHS = {"wide": (1280, 900), "narrow": (390, 844)}


def shoot(page, name: str) -> None:
    os.makedirs(SHOTS, exist_ok=True)
    for label, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        laid_out(page)
        page.screenshot(path=os.path.join(SHOTS, f"renewals-{name}-{label}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_nurse_starts_a_continuation_from_the_renewals_list(
    live_server, page, nurse, kesimpta, deadline_rules, private_storage
):
    today = timezone.localdate()
    soon = authorization(
        nurse,
        start=today - timedelta(days=340),
        end=today + timedelta(days=20),
        member_name="Zara Young",
        member_id="M2000001",
    )
    authorization(
        nurse,
        start=today - timedelta(days=300),
        end=today + timedelta(days=45),
        member_name="Adam Baker",
        member_id="M2000002",
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill("nina")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Renewals", exact=True).click()
    expect(page.get_by_role("heading", name="Renewals due")).to_be_visible()
    rows = page.locator("tbody tr")
    expect(rows.first).to_contain_text("Zara Young")  # soonest end first
    shoot(page, "list")
    page.get_by_role("link", name="Member").click()
    expect(rows.first).to_contain_text("Adam Baker")
    page.goto(live_server.url + "/renewals/?sort=nonsense")
    expect(page.get_by_role("alert")).to_contain_text("is not a way to sort this list")
    shoot(page, "list-bad-sort")

    page.goto(live_server.url + "/renewals/")
    page.get_by_role("link", name=f"Start a continuation of {soon.authorization_number}").click()
    expect(
        page.get_by_role(
            "heading", name=f"Continuation of authorization {soon.authorization_number}"
        )
    ).to_be_visible()
    expect(page.locator("#id_member_id")).to_have_value("M2000001")
    expect(page.locator("#id_request_type_1")).to_be_checked()
    expect(page.locator("#id_therapy_start_date")).to_have_value(soon.approval_start.isoformat())
    expect(page.locator("#id_phase0_name")).to_have_value("Maintenance")
    shoot(page, "continuation-form")
    page.get_by_role("button", name="Enter request").click()

    expect(
        page.locator("dd", has_text=f"Authorization {soon.authorization_number}")
    ).to_be_visible()
    expect(page.get_by_text("Continuation started: continues authorization")).to_be_visible()
    case = Case.objects.get(continues=soon)
    assert page.url.endswith(f"/cases/{case.pk}/")
    shoot(page, "continuation-case")
    page.get_by_role("link", name=soon.case.reference).click()
    expect(page.get_by_text("Continued by:")).to_be_visible()
    shoot(page, "prior-case")
