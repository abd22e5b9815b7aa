"""From a nurse's escalation to a physician's denial letter, in a real browser."""

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from reviews.models import Case, Letter
from reviews.services.letters import letter_render_pdf
from tests.conftest import PASSWORD
from tests.review_fixtures import kesimpta_request

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REASON = (
    "Your records show primary progressive multiple sclerosis. Kesimpta is covered only "
    "for relapsing forms of multiple sclerosis."
)


def sign_in(page, base, username):
    page.goto(base + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_escalation_to_denial_letter(
    live_server, browser, nurse, physician, kesimpta, private_storage, screenshot
):
    base = live_server.url
    case = kesimpta_request(nurse, member_name="Peter Progressive")

    # The nurse finds primary progressive MS and escalates.
    nurse_page = browser.new_page()
    sign_in(nurse_page, base, "nina")
    nurse_page.goto(f"{base}/nurse/queue/")
    nurse_page.get_by_role("button", name=f"Claim {case.reference}").click()
    nurse_page.get_by_label("Not met", exact=True).check()
    nurse_page.get_by_label("Comment").fill("MRI report: primary progressive MS.")
    nurse_page.get_by_role("button", name="Save and continue").click()
    nurse_page.goto(f"{base}/cases/{case.pk}/review/summary/")
    expect(nurse_page.get_by_text("PRE-1 not met: The patient does NOT have")).to_be_visible()
    nurse_page.get_by_label("Comment for the physician reviewer").fill("PPMS per MRI.")
    screenshot_page(nurse_page, "nurse-summary-not-met")
    nurse_page.get_by_role("button", name="Escalate").click()
    expect(nurse_page.get_by_text(f"{case.reference} sent to the physician queue.")).to_be_visible()

    # The physician claims it from the queue, previews the denial letter, then issues it.
    page = browser.new_page()
    sign_in(page, base, "pat")
    page.get_by_role("link", name="Physician queue").first.click()
    expect(page.get_by_role("heading", name="Physician queue")).to_be_visible()
    screenshot_page(page, "physician-queue")
    page.get_by_role("button", name=f"Claim {case.reference}").click()
    expect(page.get_by_text("Nurse's comment: PPMS per MRI.")).to_be_visible()
    page.locator("summary", has_text="Deny").click()
    deny = page.locator("form[action$='/decide/deny/']")
    expect(deny.get_by_label("PRE-1 The patient does NOT have", exact=False)).to_be_checked()
    deny.get_by_label("Reason, in plain language", exact=False).fill(REASON)
    screenshot_page(page, "physician-decision")
    deny.get_by_role("button", name="Preview letter").click()
    expect(page.get_by_role("heading", name="Letter preview")).to_be_visible()
    letter = page.frame_locator("iframe.letter-preview")
    expect(letter.get_by_text("primary progressive multiple sclerosis").first).to_be_visible()
    page.locator("iframe.letter-preview").scroll_into_view_if_needed()
    screenshot_page(page, "physician-letter-preview")
    assert Case.objects.get(pk=case.pk).status == "physician_review"
    issue = page.locator("form[action$='/decide/deny/']").get_by_role("button", name="Issue denial")
    issue.scroll_into_view_if_needed()  # it sits below the preview iframe
    expect(issue).to_be_enabled()
    issue.click()
    # Without a broker (the local default) the PDF renders inside this request: allow time.
    expect(page.get_by_text("denied (AU-")).to_be_visible(timeout=30_000)

    # The worker's job, run here: the real-worker test is tests/tasks/test_letter_worker.py.
    letter = Letter.objects.get(determination__case=case)
    letter_render_pdf(letter_id=letter.pk)
    page.reload()
    screenshot_page(page, "physician-case-denied")
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF", exact=False).first.click()
    pdf = PdfReader(io.BytesIO(download.value.path().read_bytes()))
    text = "".join(p.extract_text() for p in pdf.pages)
    # The member reads the criterion in plain words, never its internal label.
    assert "PRE-1" not in text and "primary progressive" in text
    assert "2020910" in text and "appeal" in text.lower()


def screenshot_page(page, name):
    import os

    from tests.e2e.conftest import ARTIFACTS

    os.makedirs(ARTIFACTS, exist_ok=True)
    page.screenshot(path=os.path.join(ARTIFACTS, f"{name}.png"), full_page=True)
