"""A denial, its appeal by the prescriber taken in by a nurse, refused to the physician who
denied, and overturned by a second physician: the authorization is issued. At 1280 and 390
pixels wide, with screenshots of each page (artifacts/screenshots/, and SHOTS_DIR if set)."""

import os

import pytest
from playwright.sync_api import expect

from reviews.models import Appeal, Determination
from tests.conftest import PASSWORD
from tests.factories import pdf_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SHOTS_DIR") or os.path.join(
    os.path.dirname(__file__), "..", "..", "artifacts", "screenshots"
)


def sign_in(browser, base, username, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(base + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Welcome", exact=False)).to_be_visible()
    return page


def shot(page, name, width):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, f"appeal-{name}-{width}.png"), full_page=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_denial_appeal_overturn_authorization(
    live_server, browser, private_storage, denied, nurse, physician, physician2, tmp_path, width
):
    base = live_server.url
    letter = tmp_path / "letter-of-medical-necessity.pdf"
    letter.write_bytes(pdf_bytes(["Letter of medical necessity: new MRI, active lesions."]))

    # The nurse takes in the prescriber's appeal from the denied case.
    page = sign_in(browser, base, "nina", width)
    page.goto(f"{base}/cases/{denied.pk}/")
    expect(page.get_by_text("This decision may be appealed until")).to_be_visible()
    page.get_by_role("link", name="Take in an appeal").click()
    page.get_by_label("Prescriber").check()
    page.get_by_label("Appellant's name").fill("Dr. Elena Marsh")
    page.get_by_label("Why the appellant disagrees").fill(
        "The new MRI shows active lesions: the MS is relapsing, not progressive."
    )
    page.get_by_label("Files sent with the appeal").set_input_files(str(letter))
    shot(page, "intake", width)
    page.get_by_role("button", name="Take in the appeal").click()
    appeal = Appeal.objects.get()
    expect(
        page.get_by_text(f"Appeal {appeal.case.reference} of {denied.reference}")
    ).to_be_visible()
    expect(page.get_by_text("letter-of-medical-necessity.pdf").first).to_be_visible()
    shot(page, "case", width)

    # The physician who denied is refused, whatever they press.
    page = sign_in(browser, base, "pat", width)
    page.goto(f"{base}/cases/{appeal.case_id}/decision/")
    expect(page.get_by_text("took no part").first).to_be_visible()
    shot(page, "decision-denier", width)
    page.get_by_role("button", name="Claim this case to decide it").click()
    expect(page.get_by_text("took no part").first).to_be_visible()
    assert appeal.case.__class__.objects.get(pk=appeal.case_id).status == "physician_queue"

    # A second physician claims it from the queue and overturns: the authorization is issued.
    page = sign_in(browser, base, "quinn", width)
    page.goto(f"{base}/physician/queue/")
    page.get_by_role("button", name=f"Claim {appeal.case.reference}").click()
    page.locator("summary", has_text="Overturn (approve)").click()
    approve = page.locator("form[action$='/decide/approve/']")
    approve.get_by_label("Note (optional)").fill(
        "The new MRI shows relapsing disease; the criteria are met."
    )
    shot(page, "decision", width)
    # In one column the embedded viewer would load below the form and scroll the page to
    # itself; its link stands in for it there.
    viewer = page.locator("iframe.doc-viewer")
    if width >= 1200:
        expect(viewer).to_be_visible()
    else:
        expect(viewer).to_be_hidden()
    expect(
        page.get_by_role("link", name="Open letter-of-medical-necessity.pdf in a new tab")
    ).to_be_visible()
    approve.get_by_role("button", name="Issue approval").click()
    expect(page.get_by_text("Overturned (approved)").first).to_be_visible(timeout=60000)
    determination = Determination.objects.get(case_id=appeal.case_id)
    expect(page.get_by_text(determination.authorization_number).first).to_be_visible()
    shot(page, "overturned", width)
    appeal.refresh_from_db()
    assert appeal.outcome == "overturned"
    assert determination.outcome == "approved" and determination.approval_end
