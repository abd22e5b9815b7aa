"""The auditor reads the whole story of a denied case in a real browser, then follows the link
to its audit page; at 390 px nothing is wider than the screen."""

import os

import pytest
from playwright.sync_api import expect

from reviews.services import physician_review
from tests.builders import EVIDENCE_QUOTE, OVERRIDE_COMMENT, escalated_case
from tests.conftest import PASSWORD
from tests.e2e.conftest import ARTIFACTS
from tests.review_fixtures import kesimpta_request

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RATIONALE = (
    "Your records show primary progressive multiple sclerosis. This drug is covered only "
    "for relapsing forms of multiple sclerosis."
)


def shot(page, name: str) -> None:
    os.makedirs(ARTIFACTS, exist_ok=True)
    page.screenshot(path=os.path.join(ARTIFACTS, f"{name}.png"), full_page=True)


def sign_in(page, base, username):
    page.goto(base + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login/" not in url)  # the menu is folded on a phone


@pytest.fixture
def denied(nurse, physician, kesimpta, private_storage):
    case = escalated_case(
        kesimpta_request(nurse, member_name="Peter Progressive"),
        nurse,
        comment="MRI: primary progressive.",
        **{"PRE-1": "not_met"},
    )
    physician_review.case_claim_physician(case=case, physician=physician)
    physician_review.case_deny(
        case=case, physician=physician, criteria_cited=["PRE-1"], rationale=RATIONALE
    )
    return case


def test_the_auditor_reads_the_full_story_and_opens_the_audit(
    live_server, browser, auditor, denied
):
    base = live_server.url
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    sign_in(page, base, "audrey")
    page.goto(f"{base}/cases/{denied.pk}/")
    page.get_by_role("link", name="Review record", exact=True).click()
    expect(page.get_by_role("heading", name=f"Review record of {denied.reference}")).to_be_visible()

    # The decision: outcome, who, the criteria cited and the physician's reasoning, the letter.
    decision = page.locator("section", has=page.get_by_role("heading", name="Decision"))
    expect(decision.get_by_text("Denied", exact=True)).to_be_visible()
    expect(decision.get_by_text("Pat Shah, MD")).to_be_visible()
    expect(decision.get_by_text(RATIONALE)).to_be_visible()
    expect(decision.get_by_role("link", name="Read the letter as issued")).to_be_visible()
    # How it moved: the escalation's reasons and the nurse's comment.
    moves = page.locator("section", has=page.get_by_role("heading", name="How the case moved"))
    expect(moves.get_by_text("Escalated to a physician")).to_be_visible()
    expect(moves.get_by_text("Comment: MRI: primary progressive.")).to_be_visible()
    expect(moves.get_by_text("PRE-1 not met:")).to_be_visible()
    # Every answer: PRE-1 overrides its suggestion with a comment; a met answer cites a quote.
    pre1 = page.locator("#criterion-PRE-1")
    expect(pre1.get_by_text("Not met", exact=True)).to_be_visible()
    expect(pre1.get_by_text("overridden")).to_be_visible()
    expect(pre1.get_by_text(OVERRIDE_COMMENT)).to_be_visible()
    expect(page.locator(".record-quote", has_text=EVIDENCE_QUOTE).first).to_be_visible()
    # The cited criterion links to its answer.
    decision.get_by_role("link", name="PRE-1").click()
    expect(pre1).to_be_in_viewport()
    shot(page, "auditor-record-1440")

    # The nurse's summary of a decided case is no 403 for the auditor: it is this record.
    page.goto(f"{base}/cases/{denied.pk}/review/summary/")
    expect(page.get_by_role("heading", name="The nurse's answers")).to_be_visible()

    # The audit page, one click away: each event labelled, the answer's evidence in it.
    page.get_by_role("link", name=f"Audit trail of {denied.reference}").click()
    expect(page.get_by_role("heading", name=f"Audit of {denied.reference}")).to_be_visible()
    rows = page.locator("tbody tr")
    expect(rows.filter(has_text="Denied").first).to_be_visible()
    expect(rows.filter(has_text="Escalated to a physician").first).to_be_visible()
    answered = rows.filter(has_text="Criterion answered")
    expect(answered.filter(has_text=OVERRIDE_COMMENT).first).to_be_visible()
    expect(answered.filter(has_text=EVIDENCE_QUOTE).first).to_be_visible()
    expect(page.get_by_text("Review record").first).to_be_visible()
    context.close()

    # On a phone the record fits the screen.
    phone = browser.new_context(viewport={"width": 390, "height": 844})
    page = phone.new_page()
    sign_in(page, base, "audrey")
    page.goto(f"{base}/cases/{denied.pk}/record/")
    expect(page.locator("#criterion-PRE-1")).to_be_attached()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the review record is {width} px wide at 390 px"
    shot(page, "auditor-record-390")
    page.goto(f"{base}/cases/{denied.pk}/audit/")
    shot(page, "auditor-case-audit-390")
    phone.close()
