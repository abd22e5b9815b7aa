"""axe-core on the main pages of each role: no "serious" or "critical" violation.

axe-core comes from npm into var/axe/ (ignored by git); .ci/run installs it before the tests:

    npm install --no-save --prefix var/axe axe-core@4

Without it the test skips locally and fails in CI (tests.conftest.require_service). Findings
of lesser impact ("minor", "moderate") are printed, not failed on.
"""

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reviews.services import nurse_review
from reviews.services.documents import document_extract_text
from reviews.services.physician_review import case_claim_physician, info_request_create
from tests.builders import answered_case, escalated_case
from tests.conftest import PASSWORD, require_service
from tests.e2e.conftest import ARTIFACTS
from tests.factories import document_for, pdf_bytes
from tests.review_fixtures import kesimpta_request

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(
    os.environ.get(
        "AXE_CORE_PATH", ROOT / "var" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
    )
)
FAILING_IMPACTS = {"serious", "critical"}
NOTE = (
    "Neurology clinic note. Dr. Elena Marsh, neurologist.\n"
    "Assessment: relapsing-remitting multiple sclerosis (RRMS), diagnosed 2021.\n"
    "No current disease-modifying therapy. Plan: start Kesimpta 20 mg subcutaneous."
)


@pytest.fixture
def axe_script():
    require_service(
        "axe-core",
        AXE.is_file(),
        f"{AXE} is missing; run `npm install --no-save --prefix var/axe axe-core@4`",
    )
    return str(AXE)


class Audit:
    """Runs axe on pages and keeps every violation, to report them all at the end."""

    def __init__(self, browser, base, script):
        self.browser, self.base, self.script = browser, base, script
        self.failures: list[str] = []
        self.contexts = []

    def new_page(self, username=None):
        # bypass_csp: injecting axe must keep working when the CSP gets strict.
        context = self.browser.new_context(bypass_csp=True)
        self.contexts.append(context)
        page = context.new_page()
        if username:
            page.goto(self.base + "/login/")
            page.get_by_label("Username").fill(username)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        return page

    def check(self, page, name: str, path: str | None = None):
        if path is not None:
            response = page.goto(self.base + path)
            assert response.ok, f"{name}: {path} answered {response.status}"
        page.add_script_tag(path=self.script)
        violations = page.evaluate(
            """async () => {
                const result = await axe.run(document, {resultTypes: ["violations"]});
                return result.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => ({
                        target: n.target.join(" "), summary: n.failureSummary,
                    })),
                }));
            }"""
        )
        for v in violations:
            nodes = "\n".join(f"      {n['target']}: {n['summary']}" for n in v["nodes"][:5])
            more = f"\n      ... and {len(v['nodes']) - 5} more" if len(v["nodes"]) > 5 else ""
            line = f"{name}: [{v['impact']}] {v['id']}: {v['help']}\n{nodes}{more}"
            print(line)
            if v["impact"] in FAILING_IMPACTS:
                self.failures.append(line)
        if not violations:
            print(f"{name}: no violations")
        # Every page checked is also a screenshot to look at (artifacts/, ignored by git).
        os.makedirs(ARTIFACTS, exist_ok=True)
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        page.screenshot(path=os.path.join(ARTIFACTS, f"page-{slug}.png"), full_page=True)

    def assert_clean(self):
        assert not self.failures, "axe found serious or critical violations:\n" + "\n".join(
            self.failures
        )


@pytest.fixture
def audit(axe_script, live_server, browser):
    audit = Audit(browser, live_server.url, axe_script)
    yield audit
    for context in audit.contexts:
        context.close()


def test_login_page(audit):
    page = audit.new_page()
    audit.check(page, "login", "/login/")
    page.get_by_label("Username").fill("nobody")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".alert-danger")).to_be_visible()
    audit.check(page, "login with an error")
    audit.assert_clean()


def test_nurse_pages(audit, nurse, kesimpta, deadline_rules, private_storage):
    case = kesimpta_request(nurse, member_name="Maria Alvarez")
    document = document_for(case, user=nurse, content=pdf_bytes([NOTE]), name="note.pdf")
    document_extract_text(document_id=document.pk)
    kesimpta_request(nurse, member_name="Uma Unclaimed")  # an unclaimed row in the queue
    nurse_review.case_claim(case=case, nurse=nurse)
    nurse_review.criterion_answer_save(case=case, nurse=nurse, label="PRE-1", answer="met")

    page = audit.new_page("nina")
    audit.check(page, "home (nurse)", "/")
    audit.check(page, "nurse queue", "/nurse/queue/")
    audit.check(page, "guided review step", f"/cases/{case.pk}/review/criteria/1.A.i/")
    audit.check(page, "review summary", f"/cases/{case.pk}/review/summary/")
    ready = answered_case(kesimpta_request(nurse, member_name="Rosa Ready"), nurse)
    audit.check(page, "review summary, ready to approve", f"/cases/{ready.pk}/review/summary/")
    audit.check(page, "approval confirmation", f"/cases/{ready.pk}/approve/confirm/")
    audit.check(page, "case list", "/cases/")
    assert page.goto(audit.base + "/cases/?q=" + "x" * 101).status == 400
    audit.check(page, "case list, a search that cannot run")
    audit.check(page, "password change", "/password/")
    audit.check(page, "case page", f"/cases/{case.pk}/")
    audit.check(page, "case page with a preview", f"/cases/{case.pk}/?preview={document.pk}")
    audit.check(page, "intake form", "/cases/new/")
    # Past the browser's own checks, so the server answers every field with its error.
    page.locator("form.intake-form").evaluate("form => { form.noValidate = true; }")
    page.get_by_role("button", name="Enter request").click()
    expect(page.locator(".alert-danger").first).to_be_visible()
    expect(page.locator(".is-invalid").first).to_be_visible()
    audit.check(page, "intake form with errors")
    audit.assert_clean()


def test_renewal_pages(audit, nurse, physician, kesimpta, private_storage):
    from tests.services.test_renewals import _in_physician_review, authorization, continuation

    today = timezone.localdate()
    due = authorization(nurse, start=today - timedelta(days=340), end=today + timedelta(20))
    page = audit.new_page("nina")
    audit.check(page, "renewals", "/renewals/")
    audit.check(page, "renewals sorted by member", "/renewals/?sort=member")
    assert page.goto(audit.base + "/renewals/?sort=nonsense").status == 400
    audit.check(page, "renewals, a sort that is refused")
    audit.check(page, "continuation form", f"/cases/{due.case.pk}/continue/")
    audit.check(page, "case page, an authorization to continue", f"/cases/{due.case.pk}/")
    escalated = _in_physician_review(continuation(nurse, due), nurse, physician)
    audit.check(page, "case page, a continuation", f"/cases/{escalated.pk}/")
    doctor = audit.new_page("pat")
    audit.check(doctor, "decision screen, a continuation", f"/cases/{escalated.pk}/decision/")
    audit.assert_clean()


def test_physician_pages(audit, nurse, physician, kesimpta, private_storage):
    case = escalated_case(
        kesimpta_request(nurse, member_name="Peter Progressive"), nurse, **{"PRE-1": "not_met"}
    )
    waiting = escalated_case(kesimpta_request(nurse, member_name="Walter Waiting"), nurse)
    escalated_case(kesimpta_request(nurse, member_name="Quinn Queued"), nurse)
    case_claim_physician(case=waiting, physician=physician)
    info_request_create(
        case=waiting,
        physician=physician,
        missing="The most recent neurology note.",
        wait_until=timezone.now() + timedelta(days=2),
    )
    case_claim_physician(case=case, physician=physician)

    page = audit.new_page("pat")
    audit.check(page, "home (physician)", "/")
    audit.check(page, "physician queue", "/physician/queue/")
    audit.check(page, "decision screen", f"/cases/{case.pk}/decision/")
    for summary in (
        "Approve",
        "Partially approve",
        "Deny",
        "Request more information",
        "Return to nurse review",
    ):
        page.locator("summary", has_text=summary).first.click()
    audit.check(page, "decision screen, every form open")
    page.locator("form[action$='/decide/deny/']").get_by_role("button", name="Issue denial").click()
    expect(page.locator("form[action$='/decide/deny/'] .is-invalid").first).to_be_visible()
    audit.check(page, "decision screen with errors")
    audit.check(page, "case list (physician)", "/cases/")
    audit.check(page, "case page, information requested", f"/cases/{waiting.pk}/")
    audit.assert_clean()


def test_policy_and_other_role_pages(audit, nurse, policy_admin, auditor, outsider, kesimpta):
    case = kesimpta_request(nurse, member_name="Maria Alvarez")
    page = audit.new_page("polly")
    audit.check(page, "home (policy admin)", "/")
    audit.check(page, "policy list", "/policies/")
    audit.check(page, "policy version", f"/policies/versions/{kesimpta.pk}/")
    page = audit.new_page("audrey")
    audit.check(page, "home (auditor)", "/")
    audit.check(page, "case page (auditor)", f"/cases/{case.pk}/")
    audit.check(page, "audit search", "/audit/")
    audit.check(page, "case audit", f"/cases/{case.pk}/audit/")
    decided = escalated_case(kesimpta_request(nurse, member_name="Ezra Escalated"), nurse)
    audit.check(page, "review record (auditor)", f"/cases/{decided.pk}/record/")
    audit.check(page, "case audit, escalated (auditor)", f"/cases/{decided.pk}/audit/")
    audit.check(audit.new_page("oscar"), "home (no role)", "/")
    audit.assert_clean()


def test_policy_editor_pages(audit, policy_admin, kesimpta):
    """Every page of the editor on a draft of a real policy, and its forms with errors."""
    from reviews.services.policies import policy_version_clone

    draft = policy_version_clone(version=kesimpta, actor=policy_admin)
    node = draft.criteria.get(label="1.A.ii")
    group = draft.criteria.get(label="1.A")
    indication = draft.indications.first()
    policy_list = draft.lists.first()
    test_case = draft.test_cases.first()
    edit = f"/policies/versions/{draft.pk}/edit"
    page = audit.new_page("polly")
    audit.check(page, "new policy", "/policies/new/")
    audit.check(page, "import a policy", "/policies/import/")
    audit.check(page, "editor: criteria outline", f"{edit}/")
    audit.check(page, "editor: a question with its check", f"{edit}/criteria/{node.pk}/")
    page.locator("#id_p-age_at_least-years").fill("")
    page.locator("button[name=save]").click()
    audit.check(page, "editor: a question with errors")
    audit.check(page, "editor: a new node", f"{edit}/criteria/{group.pk}/add/child/")
    audit.check(page, "editor: paste criteria", f"{edit}/criteria/{group.pk}/paste/")
    page.locator("#id_text").fill(
        "Z1 Initial therapy\n"
        "    i. Patient is 18 years of age or older.\n"
        "    ii. LDL-C is at least 190 mg/dL within the past 90 days."
    )
    page.get_by_role("button", name="Add these criteria").click()
    page.locator("input[name='use__Z1.i']").wait_for()
    audit.check(page, "editor: paste criteria with the checks their words propose")
    page.get_by_label("Years for Z1.i", exact=True).fill("")
    page.get_by_role("button", name="Add these criteria").click()
    page.locator(".alert-danger").first.wait_for()
    audit.check(page, "editor: paste criteria with a proposal's parameters in error")
    audit.check(page, "editor: delete a subtree", f"{edit}/criteria/{group.pk}/delete/")
    audit.check(page, "editor: policy text", f"{edit}/details/")
    audit.check(page, "editor: drugs", f"{edit}/drugs/")
    audit.check(page, "editor: indications", f"{edit}/indications/")
    audit.check(
        page, "editor: an indication and its dosing", f"{edit}/indications/{indication.pk}/"
    )
    audit.check(page, "editor: lists", f"{edit}/lists/")
    audit.check(page, "editor: a list", f"{edit}/lists/{policy_list.pk}/")
    audit.check(page, "editor: test cases, run", f"{edit}/test-cases/?run=all")
    audit.check(page, "editor: a test case", f"{edit}/test-cases/{test_case.pk}/")
    audit.check(page, "editor: preview", f"{edit}/preview/")
    audit.check(page, "editor: check and publish", f"{edit}/publish/?run=1")


def test_returned_case_and_filtered_queue_pages(audit, nurse, physician, kesimpta):
    """Issue 19: a case a physician returned to nurse review, as the nurse sees it, and the
    nurse queue's filters with nothing found."""
    from reviews.services.physician_review import case_return_to_nurse

    case = escalated_case(kesimpta_request(nurse, member_name="Rhea Returned"), nurse)
    case_claim_physician(case=case, physician=physician)
    case_return_to_nurse(
        case=case, physician=physician, reason="PRE-1 was answered from the wrong note."
    )
    page = audit.new_page("nina")
    audit.check(page, "nurse queue, a returned case", "/nurse/queue/")
    audit.check(page, "nurse queue, nothing found", "/nurse/queue/?q=nobody&urgency=expedited")
    audit.check(page, "review summary, returned", f"/cases/{case.pk}/review/summary/")
    audit.check(page, "case page, returned", f"/cases/{case.pk}/")
    audit.assert_clean()


def test_appeal_pages(audit, private_storage, denied, nurse, physician, physician2):
    """Issue 20: the appeal intake page (empty and with errors), the appeal on the case page,
    and its decision screen for the physician who denied (refused) and for another."""
    from reviews.services import appeals

    page = audit.new_page("nina")
    audit.check(page, "case page, a denial that may be appealed", f"/cases/{denied.pk}/")
    audit.check(page, "appeal intake", f"/cases/{denied.pk}/appeal/")
    page.get_by_role("button", name="Take in the appeal").click()
    expect(page.locator(".is-invalid").first).to_be_visible()
    audit.check(page, "appeal intake with errors")
    appeal, _ = appeals.appeal_file(
        original=denied,
        actor=nurse,
        appellant_kind="prescriber",
        appellant_name="Dr. Elena Marsh",
        received_at=timezone.now(),
        urgency="standard",
        reason="The new MRI shows active lesions: relapsing MS.",
    )
    audit.check(page, "case page, the appeal", f"/cases/{appeal.case_id}/")
    audit.check(page, "case page, under appeal", f"/cases/{denied.pk}/")
    audit.check(
        audit.new_page("pat"),
        "appeal decision screen, the denier",
        f"/cases/{appeal.case_id}/decision/",
    )
    case_claim_physician(case=appeal.case, physician=physician2)
    page = audit.new_page("quinn")
    audit.check(page, "appeal decision screen", f"/cases/{appeal.case_id}/decision/")


def test_claims_examiner_pages(audit, nurse, examiner, kesimpta):
    from tests.builders import approved_case
    from tests.claims_fixtures import receive

    authorization = approved_case(kesimpta_request(nurse, member_name="Anna Approved"), nurse)
    paid, _ = receive(examiner, claim_line_id="AXE-1", units=2)
    pended, _ = receive(examiner, claim_line_id="AXE-2", modifiers=[])
    receive(examiner, claim_line_id="AXE-3", member_id="NOBODY")

    page = audit.new_page("cleo")
    audit.check(page, "home (claims examiner)", "/")
    audit.check(page, "claim lines", "/claims/")
    audit.check(page, "claim lines, pended for review", "/claims/?status=pended_review")
    audit.check(page, "claim line entry", "/claims/new/")
    page.get_by_role("button", name="Receive and adjudicate").click()
    expect(page.locator(".alert-danger").first).to_be_visible()
    audit.check(page, "claim line entry with errors")
    audit.check(page, "claim line, paid", f"/claims/{paid.pk}/")
    audit.check(page, "claim line, pended for review", f"/claims/{pended.pk}/")
    nurse_page = audit.new_page("nina")
    audit.check(nurse_page, "case page with claim units", f"/cases/{authorization.case_id}/")
    audit.assert_clean()
