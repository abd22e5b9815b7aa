"""Every main page, for every role, under the real Content-Security-Policy in Chromium.

The policy allows no inline script or style. A template that slips one in (an onclick, a
style attribute, a <script> block) is refused by the browser, which reports it on the
console; this test fails on any such report, and checks the pages still look styled.
"""

import os

import pytest
from playwright.sync_api import expect

from reviews.models import PolicyVersion
from reviews.services import nurse_review
from reviews.services import physician_review as physician_services
from tests.builders import escalated_case
from tests.conftest import PASSWORD
from tests.e2e.conftest import ARTIFACTS
from tests.factories import document_for, pdf_bytes, png_bytes
from tests.review_fixtures import kesimpta_request

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("CSP_SHOTS_DIR") or os.path.join(ARTIFACTS, "csp")
# Reports CSP violations on the console. Injected by the browser, so not itself subject
# to the policy.
REPORT_VIOLATIONS = """
document.addEventListener('securitypolicyviolation', (e) => {
  console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + e.blockedURI
                + ' at ' + e.sourceFile + ':' + e.lineNumber);
});
"""


class Browser:
    def __init__(self, browser, base, username=None):
        self.context = browser.new_context()
        self.context.add_init_script(REPORT_VIOLATIONS)
        self.page = self.context.new_page()
        self.base = base
        self.violations: list[str] = []
        self.page.on("console", self._console)
        # Every file a page loads (stylesheet, script, icon) must be there: a 404 or 500 on
        # one of them is a broken page even when the page itself answered 200.
        self.broken: list[str] = []
        self.page.on("response", self._response)
        if username:
            self.goto("/login/")
            self.page.get_by_label("Username").fill(username)
            self.page.get_by_label("Password").fill(PASSWORD)
            self.page.get_by_role("button", name="Sign in").click()
            self.page.wait_for_load_state()

    def _console(self, message):
        text = message.text
        if (
            "Content Security Policy" in text
            or "Content-Security-Policy" in text
            or ("CSP violation" in text)
        ):
            self.violations.append(f"{self.page.url}: {text}")

    def _response(self, response):
        if response.status >= 400 and response.request.resource_type != "document":
            self.broken.append(f"{self.page.url}: {response.status} {response.url}")

    def goto(self, path: str):
        response = self.page.goto(self.base + path)
        self.page.wait_for_load_state("networkidle")
        return response

    def shot(self, name: str):
        os.makedirs(SHOTS, exist_ok=True)
        self.page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)

    def assert_styled(self):
        # app.css gives the body its grey; Bootstrap gives the navbar its flex layout.
        background = self.page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(246, 247, 249)", f"{self.page.url}: app.css not applied"

    def visit(self, path: str, name: str, *, status: int = 200):
        response = self.goto(path)
        assert response.status == status, f"{path}: {response.status}"
        self.shot(name)
        return self.page


def _cases(nurse, physician):
    # A case waiting for the nurse, with a PDF and an image to preview.
    waiting = kesimpta_request(nurse, member_name="Wanda Waiting")
    document_for(waiting, user=nurse, content=pdf_bytes(["MRI report", "Plan: Kesimpta"]))
    document_for(waiting, user=nurse, content=png_bytes(), name="scan.png")
    # One the nurse is reviewing.
    reviewing = kesimpta_request(nurse, member_name="Rita Reviewing")
    nurse_review.case_claim(case=reviewing, nurse=nurse)
    # One the physician is deciding.
    deciding = escalated_case(
        kesimpta_request(nurse, member_name="Peter Progressive"),
        nurse,
        **{"PRE-1": "not_met", "1.A.i": "not_met"},
    )
    physician_services.case_claim_physician(case=deciding, physician=physician)
    # One already decided, with its letter.
    decided = escalated_case(kesimpta_request(nurse, member_name="Della Decided"), nurse)
    physician_services.case_claim_physician(case=decided, physician=physician)
    physician_services.case_approve_by_physician(case=decided, physician=physician)
    return waiting, reviewing, deciding, decided


def test_no_page_breaks_the_content_security_policy(
    live_server, browser, nurse, physician, policy_admin, auditor, kesimpta, private_storage
):
    waiting, reviewing, deciding, decided = _cases(nurse, physician)
    base = live_server.url
    checked: list[Browser] = []

    anonymous = Browser(browser, base)
    checked.append(anonymous)
    page = anonymous.visit("/login/", "login")
    anonymous.assert_styled()
    csp = anonymous.goto("/login/").headers["content-security-policy"]
    assert "unsafe-inline" not in csp and "script-src 'self'" in csp
    # The watch works: an inline style attribute is refused and reported.
    # Waits for our reporter's line, which the browser's own report precedes.
    with page.expect_console_message(lambda message: "CSP violation: style-src" in message.text):
        page.evaluate(
            "document.body.insertAdjacentHTML('beforeend', '<p style=\"color:red\">x</p>')"
        )
    assert any("style-src" in v for v in anonymous.violations), anonymous.violations
    anonymous.violations.clear()
    # The lockout page (for a name nobody uses, so the cast below can still sign in).
    for _ in range(5):
        anonymous.goto("/login/")
        page.get_by_label("Username").fill("somebody")
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", name="Sign-in paused for this account")).to_be_visible()
    anonymous.assert_styled()
    anonymous.shot("locked-out")

    n = Browser(browser, base, "nina")
    checked.append(n)
    for path, name in [
        ("/", "nurse-home"),
        ("/cases/", "case-list"),
        (f"/cases/{waiting.pk}/", "case-page"),
        ("/cases/new/", "intake-form"),
        ("/nurse/queue/", "nurse-queue"),
        (f"/cases/{reviewing.pk}/review/", "review-step"),
        (f"/cases/{reviewing.pk}/review/summary/", "review-summary"),
        ("/policies/", "policies"),
        (f"/policies/versions/{kesimpta.pk}/", "policy-version"),
        ("/no-such-page/", "not-found"),
    ]:
        n.visit(path, name, status=404 if name == "not-found" else 200)
        n.assert_styled()
    # The image document, shown in the case page's viewer.
    n.visit(
        f"/cases/{waiting.pk}/?doc={waiting.documents.get(original_name='scan.png').pk}",
        "case-page-image",
    )
    # The API documentation: Swagger UI from our own static files, its one inline style
    # allowed by hash on that page alone; it renders the operations from the description.
    n.goto("/api/v1/docs/")
    expect(n.page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=15_000)
    expect(n.page.get_by_text("Prior authorization review API")).to_be_visible()
    # Signed-in staff can try it: the session authenticates the call from the page.
    queue = n.page.locator(".opblock", has=n.page.locator("[data-path='/api/v1/queues/nurse/']"))
    queue.locator(".opblock-summary").click()
    queue.get_by_role("button", name="Try it out").click()
    queue.get_by_role("button", name="Execute").click()
    expect(queue.locator(".live-responses-table tbody .response-col_status").first).to_have_text(
        "200", timeout=15_000
    )
    n.shot("api-docs")
    # The Bootstrap menu still opens (scripts from our own origin run).
    n.page.set_viewport_size({"width": 700, "height": 900})
    n.goto("/")
    n.page.get_by_role("button", name="Toggle navigation").click()
    expect(n.page.get_by_role("link", name="Nurse queue", exact=True)).to_be_visible()
    n.page.set_viewport_size({"width": 1280, "height": 900})

    p = Browser(browser, base, "pat")
    checked.append(p)
    p.visit("/physician/queue/", "physician-queue")
    p.assert_styled()
    page = p.visit(f"/cases/{deciding.pk}/decision/", "decision")
    page.locator("summary", has_text="Approve").first.click()
    approve = page.locator("form[action$='/decide/approve/']")
    approve.get_by_role("button", name="Preview letter").click()
    expect(page.get_by_role("heading", name="Letter preview")).to_be_visible()
    page.wait_for_load_state("networkidle")
    letter = page.frame_locator("iframe.letter-preview")
    expect(letter.locator("h1")).to_contain_text("Notice of prior authorization decision")
    # The letter's own stylesheet applied inside the sandboxed srcdoc frame.
    heading = letter.locator("h1")
    expect(heading).to_have_css("color", "rgb(31, 59, 87)")
    page.locator("iframe.letter-preview").scroll_into_view_if_needed()
    p.shot("decision-letter-preview")
    # The issued letter, on its own.
    p.visit(f"/cases/{decided.pk}/letter/", "letter-as-issued")
    expect(p.page.locator("h1")).to_have_css("color", "rgb(31, 59, 87)")
    p.visit(f"/cases/{decided.pk}/", "case-page-decided")

    a = Browser(browser, base, "audrey")
    checked.append(a)
    for path, name in [
        ("/audit/", "audit"),
        (f"/cases/{decided.pk}/audit/", "case-audit"),
        ("/cases/", "case-list-auditor"),
    ]:
        a.visit(path, name)
        a.assert_styled()

    admin = Browser(browser, base, "polly")
    checked.append(admin)
    version = PolicyVersion.objects.get(pk=kesimpta.pk)
    for path, name in [
        ("/admin/", "admin-index"),
        ("/admin/reviews/policyversion/", "admin-policy-versions"),
        (f"/admin/reviews/policyversion/{version.pk}/change/", "admin-policy-version-change"),
        ("/admin/reviews/deadlinerule/", "admin-deadline-rules"),
    ]:
        admin.visit(path, name)
        admin_css = admin.page.evaluate(
            "getComputedStyle(document.querySelector('#header')).backgroundColor"
        )
        assert admin_css != "rgba(0, 0, 0, 0)", f"{path}: the admin lost its stylesheet"
    # The admin's scripts run: the theme toggle and the sidebar are JavaScript.
    admin.goto(f"/admin/reviews/policyversion/{version.pk}/change/")
    assert admin.page.evaluate(
        "typeof django !== 'undefined' && typeof django.jQuery === 'function'"
    )

    violations = [v for b in checked for v in b.violations]
    assert not violations, "\n".join(violations)
    broken = [f for b in checked for f in b.broken]
    assert not broken, "\n".join(broken)
