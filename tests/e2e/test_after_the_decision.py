"""Issue 20's journey, end to end in a real browser: a denial; its appeal by the prescriber,
taken in by a nurse; refused to the physician who denied; overturned by a second physician,
which issues the authorization; then a claims examiner's first claim line pays against it and
a second exceeds the units left (CARC 198); the case shows the units. Screenshots of each
step in artifacts/screenshots/ (after-decision-*.png)."""

import os
from datetime import date

import pytest
from playwright.sync_api import expect

from reviews.models import Appeal, ClaimLine, Determination
from reviews.selectors.claims import authorization_units
from tests.claims_fixtures import NPI
from tests.conftest import PASSWORD
from tests.factories import pdf_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = os.path.join(os.path.dirname(__file__), "..", "..", "artifacts", "screenshots")


def sign_in(browser, base, username):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(base + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return page


def shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, f"after-decision-{name}.png"), full_page=True)


def claim_line(page, base, line_id, member_id, units):
    page.goto(base + "/claims/new/")
    page.get_by_label("Claim line id").fill(line_id)
    page.get_by_label("Member id").fill(member_id)
    page.get_by_label("Date of service").fill(date.today().isoformat())
    page.get_by_label("HCPCS code").fill("J3490")
    page.get_by_label("Units").fill(str(units))
    page.get_by_label("Modifiers").fill("JZ")
    page.get_by_label("Billed amount ($)").fill("2450.00")
    page.get_by_label("Billing NPI").fill(NPI)
    page.get_by_label("Rendering NPI").fill(NPI)
    page.get_by_role("button", name="Receive and adjudicate").click()


def test_denial_appeal_overturn_authorization_and_claims(
    live_server, browser, private_storage, denied, nurse, physician, physician2, examiner, tmp_path
):
    base = live_server.url
    letter = tmp_path / "letter-of-medical-necessity.pdf"
    letter.write_bytes(pdf_bytes(["Letter of medical necessity: new MRI, active lesions."]))

    # A claim for the denied request before any appeal: denied on medical necessity.
    page = sign_in(browser, base, "cleo")
    claim_line(page, base, "JOURNEY-0", denied.member_id, 1)
    expect(page.get_by_role("heading", name="Claim line JOURNEY-0 Denied")).to_be_visible()
    expect(page.get_by_text("50:").first).to_be_visible()
    shot(page, "claim-before-appeal")

    # The nurse takes in the prescriber's appeal, with its letter.
    page = sign_in(browser, base, "nina")
    page.goto(f"{base}/cases/{denied.pk}/")
    page.get_by_role("link", name="Take in an appeal").click()
    page.get_by_label("Prescriber").check()
    page.get_by_label("Appellant's name").fill("Dr. Elena Marsh")
    page.get_by_label("Why the appellant disagrees").fill(
        "The new MRI shows active lesions: the MS is relapsing, not progressive."
    )
    page.get_by_label("Files sent with the appeal").set_input_files(str(letter))
    page.get_by_role("button", name="Take in the appeal").click()
    appeal = Appeal.objects.get()
    expect(
        page.get_by_text(f"Appeal {appeal.case.reference} of {denied.reference}")
    ).to_be_visible()
    shot(page, "appeal")

    # The physician who denied may not take it.
    page = sign_in(browser, base, "pat")
    page.goto(f"{base}/cases/{appeal.case_id}/decision/")
    page.get_by_role("button", name="Claim this case to decide it").click()
    expect(page.get_by_text("took no part").first).to_be_visible()
    shot(page, "denier-refused")

    # A second physician overturns: the authorization is issued.
    page = sign_in(browser, base, "quinn")
    page.goto(f"{base}/physician/queue/")
    page.get_by_role("button", name=f"Claim {appeal.case.reference}").click()
    page.locator("summary", has_text="Overturn (approve)").click()
    approve = page.locator("form[action$='/decide/approve/']")
    approve.get_by_label("Note (optional)").fill("The new MRI shows relapsing disease.")
    approve.get_by_role("button", name="Issue approval").click()
    expect(page.get_by_text("Overturned (approved)").first).to_be_visible(timeout=60000)
    authorization = Determination.objects.get(case_id=appeal.case_id)
    expect(page.get_by_text(authorization.authorization_number).first).to_be_visible()
    shot(page, "overturned")
    units = authorization_units(case=authorization.case).authorized
    assert units > 4
    expect(page.locator("#authorization-units")).to_have_text(
        f"{units} authorized, 0 used, {units} remaining"
    )

    # Claims: the first pays; the second asks for more than is left and is partly denied.
    page = sign_in(browser, base, "cleo")
    claim_line(page, base, "JOURNEY-1", denied.member_id, 4)
    expect(page.get_by_role("heading", name="Claim line JOURNEY-1 Paid")).to_be_visible()
    shot(page, "claim-paid")
    claim_line(page, base, "JOURNEY-2", denied.member_id, units)
    expect(page.get_by_role("heading", name="Claim line JOURNEY-2 Partially paid")).to_be_visible()
    expect(page.get_by_text("198:").first).to_be_visible()
    shot(page, "claim-exceeds")
    second = ClaimLine.objects.get(claim_line_id="JOURNEY-2")
    assert (second.units_paid, second.units_denied, second.carc) == (units - 4, 4, "198")
    assert second.authorization_id == authorization.pk

    # The nurse reads the units on the appeal case.
    page = sign_in(browser, base, "nina")
    page.goto(f"{base}/cases/{appeal.case_id}/")
    expect(page.locator("#authorization-units")).to_have_text(
        f"{units} authorized, {units} used, 0 remaining"
    )
    shot(page, "units")
