"""A claims examiner, in a real browser: a line that pays against an authorization, a second
that exceeds the units left (198), a third pended for review by the waste rule and resolved;
the case page shows the units and the lines. Screenshots at 1280 and 390 px."""

import os
from datetime import date

import pytest
from playwright.sync_api import expect

from reviews.models import ClaimLine
from tests.builders import approved_case
from tests.claims_fixtures import NPI
from tests.conftest import PASSWORD
from tests.e2e.conftest import laid_out
from tests.review_fixtures import kesimpta_request

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("CLAIMS_SHOTS", "/tmp/shots-claims")  # noqa: S108 - screenshots to look at


@pytest.fixture(autouse=True)
def _no_letter_rendering(monkeypatch):
    from reviews import tasks

    monkeypatch.setattr(tasks.letter_render, "apply_async", lambda **kwargs: None)


def sign_in(page, base, username):
    page.goto(base + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def shots(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        laid_out(page)
        page.screenshot(path=os.path.join(SHOTS, f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def enter_line(page, base, line_id, units, modifiers):
    page.goto(base + "/claims/new/")
    page.get_by_label("Claim line id").fill(line_id)
    page.get_by_label("Member id").fill("M1234567")
    page.get_by_label("Date of service").fill(date.today().isoformat())
    page.get_by_label("HCPCS code").fill("J3490")
    page.get_by_label("Units").fill(str(units))
    page.get_by_label("Modifiers").fill(modifiers)
    page.get_by_label("Billed amount ($)").fill("2450.00")
    page.get_by_label("Billing NPI").fill(NPI)
    page.get_by_label("Rendering NPI").fill(NPI)
    page.get_by_role("button", name="Receive and adjudicate").click()


def test_claim_lines_against_an_authorization(live_server, browser, kesimpta, nurse, examiner):
    base = live_server.url
    authorization = approved_case(kesimpta_request(nurse), nurse)  # 15 units
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, base, "cleo")

    # Bad input first: the reason is at its field, nothing is received.
    page.goto(base + "/claims/new/")
    page.get_by_label("Billing NPI").fill("1234567890")
    page.get_by_role("button", name="Receive and adjudicate").click()
    expect(page.get_by_text("Not received. Fix what is marked below.")).to_be_visible()
    shots(page, "claim-entry-errors")

    enter_line(page, base, "E2E-1", 4, "JZ")
    expect(page.get_by_role("heading", name="Claim line E2E-1 Paid")).to_be_visible()
    expect(page.get_by_text("Remark code M3M")).to_be_visible()
    shots(page, "claim-line-paid")

    enter_line(page, base, "E2E-2", 14, "JZ")
    expect(page.get_by_role("heading", name="Claim line E2E-2 Partially paid")).to_be_visible()
    expect(page.get_by_text("198: Precertification/notification/authorization")).to_be_visible()
    shots(page, "claim-line-partial")

    # Another authorization's member, no JZ: pended for review, then paid by the examiner.
    approved_case(kesimpta_request(nurse, member_id="M7654321"), nurse)
    # Nothing left on the first: denied 198 in full.
    enter_line(page, base, "E2E-3", 1, "JZ")
    expect(page.get_by_role("heading", name="Claim line E2E-3 Denied")).to_be_visible()
    page.goto(base + "/claims/new/")
    page.get_by_label("Claim line id").fill("E2E-4")
    page.get_by_label("Member id").fill("M7654321")
    page.get_by_label("Date of service").fill(date.today().isoformat())
    page.get_by_label("HCPCS code").fill("J3490")
    page.get_by_label("Units").fill("1")
    page.get_by_label("Billed amount ($)").fill("2450.00")
    page.get_by_label("Billing NPI").fill(NPI)
    page.get_by_label("Rendering NPI").fill(NPI)
    page.get_by_role("button", name="Receive and adjudicate").click()
    expect(page.get_by_role("heading", name="Claim line E2E-4 Pended for review")).to_be_visible()
    shots(page, "claim-line-pended")
    page.get_by_label("Pay (units left on the authorization)").check()
    page.get_by_label("Why").fill("Pen fully used; JZ omitted by the office.")
    page.get_by_role("button", name="Resolve").click()
    expect(page.get_by_text("The line is resolved.")).to_be_visible()
    expect(page.get_by_role("heading", name="Claim line E2E-4 Paid")).to_be_visible()

    page.goto(base + "/claims/?status=partially_paid")
    expect(page.get_by_role("link", name="E2E-2")).to_be_visible()
    expect(page.get_by_role("link", name="E2E-1")).to_have_count(0)
    page.goto(base + "/claims/")
    shots(page, "claim-line-list")

    # The nurse reads the units on the case page.
    nurse_page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(nurse_page, base, "nina")
    nurse_page.goto(f"{base}/cases/{authorization.case_id}/")
    expect(nurse_page.locator("#authorization-units")).to_have_text(
        "15 authorized, 15 used, 0 remaining"
    )
    shots(nurse_page, "case-page-claim-units")
    assert ClaimLine.objects.filter(authorization=authorization).count() == 3
