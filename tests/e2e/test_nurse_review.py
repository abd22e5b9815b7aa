"""A nurse's whole walk in a real browser: queue, claim, each criterion, summary, approval.

Counts the clicks and keystrokes it takes (after signing in) for a clear-cut initial Kesimpta
request: the number reported in the issue's closing note.
"""

import pytest
from playwright.sync_api import expect

from reviews.models import Case, Determination
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


class Counter:
    def __init__(self, page):
        self.page, self.clicks, self.keys = page, 0, 0

    def click(self, locator):
        locator.click()
        self.clicks += 1

    def press(self, key):
        self.page.keyboard.press(key)
        self.keys += 1


def test_nurse_walks_a_clear_case_from_the_queue_to_approval(
    live_server, page, nurse, case_with_notes, screenshot
):
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill("nina")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    count = Counter(page)

    count.click(page.get_by_role("link", name="Nurse queue").first)
    expect(page.get_by_role("heading", name="Nurse queue")).to_be_visible()
    screenshot("nurse-queue")
    count.click(page.get_by_role("button", name=f"Claim {case_with_notes.reference}"))

    # PRE-1: the diagnosis code (G35.A) suggests met, which alone is no evidence: the nurse
    # reads the suggested passage of the clinic note and picks it.
    expect(page.get_by_role("heading", name="PRE-1")).to_be_visible()
    passage = page.locator("label.form-check-label", has_text="Assessment: relapsing-remitting")
    expect(passage).to_be_visible()
    screenshot("nurse-step-pre-1")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone, held upright
    screenshot("nurse-step-pre-1-narrow")
    page.set_viewport_size({"width": 1280, "height": 720})
    expect(page.get_by_label("Met", exact=True)).to_be_checked()
    count.click(passage)
    count.click(page.get_by_role("button", name="Save and continue"))

    # PRE-2: the concurrent-agents check suggests met because no medication is listed, which
    # is no evidence: the nurse picks the note's passage on current therapy.
    expect(page.get_by_text("Suggested by a computed check: Met.")).to_be_visible()
    count.click(
        page.locator("label.form-check-label", has_text="No current disease-modifying therapy")
    )
    count.click(page.get_by_role("button", name="Save and continue"))

    # 1.A.i: suggested from the diagnosis code too, with the same note as evidence.
    expect(page.get_by_role("heading", name="1.A.i")).to_be_visible()
    expect(page.get_by_label("Met", exact=True)).to_be_checked()
    count.click(page.locator("label.form-check-label", has_text="Assessment: relapsing-remitting"))
    count.click(page.get_by_role("button", name="Save and continue"))

    # 1.A.ii (age) and 1.A.iii (specialty): computed suggestions, confirmed.
    for label in ("1.A.ii", "1.A.iii"):
        expect(page.get_by_role("heading", name=label)).to_be_visible()
        expect(page.get_by_label("Met", exact=True)).to_be_checked()
        count.click(page.get_by_role("button", name="Save and continue"))

    expect(page.get_by_text("Every criterion met")).to_be_visible()
    expect(page.locator(".approval-terms")).to_contain_text("300 mg")
    screenshot("nurse-summary")
    count.click(page.get_by_role("link", name="Review and approve…"))
    # The second screen: the terms and the criteria cited, then the irreversible button.
    expect(page.get_by_role("heading", name="Confirm the approval")).to_be_visible()
    expect(page.locator(".approval-criteria")).to_contain_text("PRE-1")
    screenshot("nurse-approve-confirm")
    count.click(page.get_by_role("button", name="Issue the approval"))
    # Without a broker the approval letter renders inside this request: allow time.
    expect(page.get_by_text("approved: authorization AU-")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("15 doses (300 mg)")).to_be_visible()
    screenshot("nurse-approved")

    case = Case.objects.get(pk=case_with_notes.pk)
    assert case.status == "approved"
    determination = Determination.objects.get(case=case)
    assert determination.decided_by == nurse and determination.authorized_doses == 15
    evidence = case.answers.get(criterion__label="PRE-1")
    assert evidence.evidence_document is not None and evidence.evidence_page == 1
    print(f"\nclear-cut initial approval: {count.clicks} clicks, {count.keys} keystrokes")
    assert count.clicks + count.keys <= 12
