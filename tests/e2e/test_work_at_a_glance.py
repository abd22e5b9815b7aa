"""Issue 19 in a browser: each role's home page with its numbers, the physician's return to
nurse, and no page wider than a phone (390 px)."""

import os

import pytest
from playwright.sync_api import expect

from reviews.models import Case
from reviews.services import nurse_review
from reviews.services.audit import case_view_record
from reviews.services.documents import document_extract_text
from reviews.services.physician_review import case_claim_physician
from reviews.services.policies import policy_version_clone
from tests.builders import approved_case, escalated_case
from tests.conftest import PASSWORD
from tests.e2e.conftest import ARTIFACTS
from tests.factories import document_for, pdf_bytes
from tests.review_fixtures import kesimpta_request

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
REASON = "PRE-1 was answered from the wrong note; the MRI report shows relapsing MS."
NOTE = (
    "Neurology clinic note. Dr. Elena Marsh, neurologist.\n"
    "Assessment: relapsing-remitting multiple sclerosis (RRMS), diagnosed 2021.\n"
    "No current disease-modifying therapy. Plan: start Kesimpta 20 mg subcutaneous."
)


def signed_in(browser, base, username, **context):
    page = browser.new_context(**context).new_page()
    page.goto(base + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible()
    return page


def shot(page, name):
    os.makedirs(ARTIFACTS, exist_ok=True)
    page.screenshot(path=os.path.join(ARTIFACTS, f"{name}.png"), full_page=True)


def stat(page, role, key):
    return page.locator(f'[data-role="{role}"] [data-stat="{key}"] .stat-number')


def test_each_role_home_page_shows_its_numbers(
    live_server, browser, nurse, physician, auditor, kesimpta
):
    base = live_server.url
    mine = kesimpta_request(nurse, member_name="Maria Mine")
    nurse_review.case_claim(case=mine, nurse=nurse)
    approved_case(kesimpta_request(nurse, member_name="Dora Done"), nurse)
    escalated = escalated_case(kesimpta_request(nurse, member_name="Eli Escalated"), nurse)
    case_view_record(case=escalated, actor=nurse, page="case")

    page = signed_in(browser, base, "nina")
    expect(stat(page, "nurse", "mine")).to_have_text("1")
    expect(stat(page, "nurse", "done_week")).to_have_text("2")  # approved and escalated
    for label in ("My open cases", "Due today", "At risk", "Done this week"):
        expect(page.locator('[data-role="nurse"]').get_by_text(label)).to_be_visible()
    shot(page, "home-nurse")
    page.locator('[data-role="nurse"] [data-stat="mine"]').click()
    expect(page.get_by_role("heading", name="Nurse queue")).to_be_visible()
    expect(page.get_by_label("Mine only")).to_be_checked()
    expect(page.locator("tbody tr")).to_have_count(1)

    page = signed_in(browser, base, "pat")
    expect(page.locator('[data-role="nurse"]')).to_have_count(0)
    expect(stat(page, "physician", "mine")).to_have_text("0")
    expect(stat(page, "physician", "due_today")).to_be_visible()
    case_claim_physician(case=escalated, physician=physician)
    page.reload()
    expect(stat(page, "physician", "mine")).to_have_text("1")
    shot(page, "home-physician")

    page = signed_in(browser, base, "audrey")
    expect(page.get_by_role("heading", name="Recent access")).to_be_visible()
    expect(stat(page, "auditor", "case_views")).to_have_text("1")
    expect(stat(page, "auditor", "sign_ins")).not_to_have_text("0")
    shot(page, "home-auditor")
    page.locator(".latest-access").get_by_role("link", name=escalated.reference).click()
    expect(page).to_have_url(f"{base}/cases/{escalated.pk}/audit/")


def test_a_physician_returns_a_case_to_the_nurse(live_server, browser, nurse, physician, kesimpta):
    base = live_server.url
    case = escalated_case(kesimpta_request(nurse, member_name="Peter Mistaken"), nurse)

    page = signed_in(browser, base, "pat")
    page.goto(base + "/physician/queue/")
    page.get_by_role("button", name=f"Claim {case.reference}").click()
    header = page.locator(".decision-header")
    expect(header).to_contain_text("G35")
    expect(header).to_contain_text(str(Case.objects.get(pk=case.pk).policy_drug))
    page.locator("summary", has_text="Return to nurse review").click()
    form = page.locator("form[action$='/return-to-nurse/']")
    form.get_by_role("button", name="Return to nurse review").click()
    expect(form.locator(".is-invalid")).to_be_visible()  # the reason is required
    page.get_by_label("Why it goes back").fill(REASON)
    shot(page, "return-to-nurse-form")
    page.locator("form[action$='/return-to-nurse/']").get_by_role(
        "button", name="Return to nurse review"
    ).click()
    expect(page.get_by_text(f"{case.reference} returned to nurse review")).to_be_visible()

    page = signed_in(browser, base, "nina")
    page.goto(base + "/nurse/queue/")
    row = page.locator("tr", has_text=case.reference)
    expect(row.locator(".returned-reason")).to_contain_text("the MRI report shows relapsing MS")
    shot(page, "nurse-queue-returned")
    row.get_by_role("link", name=f"Continue review of {case.reference}").click()
    expect(page.locator(".returned-note")).to_contain_text(REASON)


def test_no_page_is_wider_than_a_phone(
    live_server, browser, nurse, physician, auditor, policy_admin, kesimpta, private_storage
):
    """Every page each role uses, at 390 px: nothing scrolls sideways."""
    base = live_server.url
    case = kesimpta_request(nurse, member_name="Maria Alvarez-Montgomery")
    document = document_for(case, user=nurse, content=pdf_bytes([NOTE]), name="note.pdf")
    document_extract_text(document_id=document.pk)
    kesimpta_request(nurse, member_name="Uma Unclaimed", urgency="expedited")
    nurse_review.case_claim(case=case, nurse=nurse)
    nurse_review.criterion_answer_save(case=case, nurse=nurse, label="PRE-1", answer="met")
    escalated = escalated_case(kesimpta_request(nurse, member_name="Eli Escalated"), nurse)
    case_claim_physician(case=escalated, physician=physician)
    escalated_case(kesimpta_request(nurse, member_name="Quinn Queued"), nurse)
    decided = approved_case(kesimpta_request(nurse, member_name="Dora Decided"), nurse).case
    version = f"/policies/versions/{kesimpta.pk}/"
    draft = policy_version_clone(version=kesimpta, actor=policy_admin)
    edit = f"/policies/versions/{draft.pk}/edit"
    question = draft.criteria.get(label="1.A.ii").pk
    pages = {
        "polly": [
            "/",
            "/policies/",
            version,
            f"{edit}/",
            f"{edit}/criteria/{question}/",
            f"{edit}/details/",
            f"{edit}/indications/{draft.indications.first().pk}/",
            f"{edit}/lists/",
            f"{edit}/test-cases/{draft.test_cases.first().pk}/",
            f"{edit}/preview/",
            f"{edit}/publish/",
        ],
        "nina": [
            "/",
            "/nurse/queue/",
            "/cases/",
            f"/cases/{case.pk}/",
            f"/cases/{case.pk}/review/criteria/PRE-1/",
            f"/cases/{case.pk}/review/summary/",
            "/policies/",
            version,
        ],
        "pat": [
            "/",
            "/physician/queue/",
            "/cases/",
            f"/cases/{escalated.pk}/",
            f"/cases/{escalated.pk}/decision/",
            "/policies/",
            version,
        ],
        "audrey": [
            "/",
            "/cases/",
            f"/cases/{decided.pk}/",
            f"/cases/{decided.pk}/audit/",
            "/audit/",
            "/policies/",
            version,
        ],
    }
    too_wide = []
    for username, paths in pages.items():
        page = signed_in(browser, base, username, viewport=PHONE)
        for path in paths:
            response = page.goto(base + path)
            assert response.ok, f"{username} {path}: {response.status}"
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                too_wide.append(f"{username} {path}: {width} px")
        page.context.close()
    assert not too_wide, "Pages wider than a 390 px phone:\n" + "\n".join(too_wide)
