"""The guided review from the keyboard alone: sign in, claim, answer every criterion with its
evidence, and approve, with Tab, Shift+Tab, Space and Enter only (no mouse at all).

`tab_to` presses Tab until the wanted control has the focus, so a control that cannot be
reached by Tab (a div with a click handler, a hidden input, a focus trap) fails the test.
"""

import pytest
from playwright.sync_api import expect

from reviews.models import Case, Determination
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MAX_TABS = 80


class Keyboard:
    def __init__(self, page):
        self.page, self.presses = page, 0

    def press(self, key: str):
        self.page.keyboard.press(key)
        self.presses += 1

    def type(self, text: str):
        self.page.keyboard.type(text)
        self.presses += len(text)

    def tab_to(self, locator):
        """Tab forward until `locator` has the focus; fail if it never does."""
        for _ in range(MAX_TABS):
            if locator.evaluate("el => el === document.activeElement"):
                focus_ring = locator.evaluate(
                    "el => getComputedStyle(el).outlineStyle !== 'none'"
                    " || getComputedStyle(el).boxShadow !== 'none'"
                )
                assert focus_ring, f"no visible focus on {locator}"
                return
            self.press("Tab")
        raise AssertionError(f"{locator} cannot be reached with Tab")

    def choose(self, radio):
        """Tab into the radio's group, then arrow to it (arrows select, as in any browser)."""
        name = radio.get_attribute("name")
        group = f"el => el === document.activeElement || (document.activeElement.name === {name!r})"
        for _ in range(MAX_TABS):
            if radio.evaluate(group):
                break
            self.press("Tab")
        else:
            raise AssertionError(f"the {name} choices cannot be reached with Tab")
        for _ in range(10):
            if radio.is_checked():
                return
            self.press("ArrowDown")
        raise AssertionError(f"{radio} cannot be chosen with the arrow keys")


def test_a_nurse_reviews_and_approves_without_a_mouse(
    live_server, page, nurse, case_with_notes, screenshot
):
    keys = Keyboard(page)
    page.goto(live_server.url + "/login/")
    keys.tab_to(page.get_by_label("Username"))
    keys.type("nina")
    keys.press("Tab")
    keys.type(PASSWORD)
    keys.press("Enter")
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible()

    keys.tab_to(page.get_by_role("link", name="Nurse queue").first)
    keys.press("Enter")
    keys.tab_to(page.get_by_role("button", name=f"Claim {case_with_notes.reference}"))
    keys.press("Enter")

    # The criteria judged on the clinic note's words, and the passage each cites.
    passages = {
        "PRE-1": "Assessment: relapsing-remitting",
        "PRE-2": "No current disease-modifying therapy",
        "1.A.i": "Assessment: relapsing-remitting",
    }
    for label in ("PRE-1", "PRE-2", "1.A.i", "1.A.ii", "1.A.iii"):
        expect(page.get_by_role("heading", name=label)).to_be_visible()
        met = page.get_by_label("Met", exact=True)
        if not met.is_checked():
            keys.choose(met)
        if label in passages:
            keys.choose(page.get_by_role("radio", name=passages[label]).first)
        keys.tab_to(page.get_by_role("button", name="Save and continue"))
        keys.press("Enter")

    expect(page.get_by_text("Every criterion met")).to_be_visible()
    keys.tab_to(page.get_by_role("link", name="Review and approve…"))
    keys.press("Enter")
    expect(page.get_by_role("heading", name="Confirm the approval")).to_be_visible()
    keys.tab_to(page.get_by_role("button", name="Issue the approval"))
    screenshot("keyboard-approve-focused")
    keys.press("Enter")
    expect(page.get_by_text("approved: authorization AU-")).to_be_visible(timeout=30_000)

    case = Case.objects.get(pk=case_with_notes.pk)
    assert case.status == Case.Status.APPROVED
    assert Determination.objects.get(case=case).decided_by == nurse
    evidence = case.answers.get(criterion__label="PRE-1")
    assert evidence.evidence_document is not None and evidence.evidence_page == 1
    print(f"\nkeyboard only, sign-in to approval: {keys.presses} key presses")


def test_a_policy_admin_builds_criteria_without_a_mouse(live_server, page, policy_admin):
    """The policy editor from the keyboard: a new policy, a group, a question under it with a
    check, a move, and undo, with Tab, Enter, Space and typing only."""
    keys = Keyboard(page)
    page.goto(live_server.url + "/login/")
    keys.tab_to(page.get_by_label("Username"))
    keys.type("polly")
    keys.press("Tab")
    keys.type(PASSWORD)
    keys.press("Enter")
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible()

    keys.tab_to(page.get_by_role("link", name="Policies").first)
    keys.press("Enter")
    keys.tab_to(page.get_by_role("link", name="New policy"))
    keys.press("Enter")
    keys.tab_to(page.get_by_label("Policy number"))
    keys.type("7700003")
    keys.tab_to(page.get_by_label("Effective date"))
    keys.type("01012027")  # a date field: month, day, year as the browser shows it
    keys.tab_to(page.get_by_label("Title (the SUBJECT line)"))
    keys.type("Keyboard policy")
    keys.press("Enter")
    # A new policy opens on its text; the Criteria tab is a link like any other.
    expect(page.get_by_label("Title (SUBJECT line)")).to_be_visible()
    keys.tab_to(page.locator("ul.editor-tabs a", has_text="Criteria"))
    keys.press("Enter")
    expect(page.get_by_role("heading", name="Criteria")).to_be_visible()

    # A group under the root, then a question under the group with a check.
    keys.tab_to(page.get_by_role("link", name="+ Child under root"))
    keys.press("Enter")
    expect(page.get_by_label("Policy text (verbatim)")).to_be_focused()  # autofocus
    keys.type("Patient meets all of the following:")
    kind = page.get_by_label("Kind")
    keys.tab_to(kind)
    kind.select_option("all")  # a native select: the keyboard opens it; Playwright picks
    keys.tab_to(page.get_by_role("button", name="Save and add under it"))
    keys.press("Enter")
    expect(page.get_by_label("Label")).to_have_value("1.A")
    keys.type("Patient is 18 years of age or older.")
    check = page.get_by_label("Computed check")
    keys.tab_to(check)
    check.select_option("age_at_least")
    keys.tab_to(page.locator("#id_p-age_at_least-years"))
    keys.type("18")
    expect(page.locator("output.check-words")).to_contain_text("at least 18 years old")
    keys.tab_to(page.get_by_role("button", name="Save and add the next"))
    keys.press("Enter")
    expect(page.get_by_label("Label")).to_have_value("1.B")
    keys.type("Prescribed by a specialist.")
    keys.tab_to(page.get_by_role("button", name="Save", exact=True))
    keys.press("Enter")

    # Move 1.B up, then take the move back.
    keys.tab_to(page.get_by_role("button", name="Move 1.B up"))
    keys.press("Enter")
    expect(page.locator(".outline-node.depth-2 .criterion-label").first).to_have_text("1.B")
    keys.tab_to(page.get_by_role("button", name="Undo"))
    keys.press("Enter")
    expect(page.locator(".outline-node.depth-2 .criterion-label").first).to_have_text("1.A")
