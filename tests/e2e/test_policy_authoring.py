"""A policy analyst enters a policy from nothing in the editor, and edits the Kesimpta draft.

The first journey enters tests/fixtures/policies/authoring-target.yaml (about 30 criteria,
two indications, a conditional, a two-phase dosing rule, two lists, five test cases) through
the editor's pages only, runs the test cases and publishes; the entered version must then be
the file's policy exactly. Every interaction (click, fill, choice, checkbox) is counted and
printed, to compare with scripts/admin_entry_count.py, which enters the same file in the
Django admin with the same counting.
"""

from collections import Counter
from pathlib import Path

import pytest
from playwright.sync_api import expect

from reviews.engine import document
from reviews.models import Policy, PolicyVersion
from reviews.policy_documents import version_document, version_prefetched
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ADMIN_INTERACTIONS = 307
TARGET = Path(__file__).resolve().parents[1] / "fixtures" / "policies" / "authoring-target.yaml"

# The criteria as the policy document reads them (indented as a word processor copies them).
CRITERIA_TEXT = """\
PRE-1 Prescribed by or in consultation with a dermatologist or rheumatologist.
PRE-2 Patient is 18 years of age or older.
PRE-3 Exemplar is not used with another prior biologic agent.
IND Patient meets 1 or 2:
    1 Alpha disease
        i. Patient has alpha disease.
        ii. Alpha severity score is at least 10 within the past 90 days.
        iii. Patient tried and failed at least one prior biologic agent.
        iv. Body surface area involved is at least 10%.
    2 Beta disease
        i. Patient has moderate to severe beta disease.
        ii. Patient had at least 3 flares in the past 12 months.
        iii. Patient meets a or b:
            a. Oral antibiotics for 90 days did not help.
            b. Oral antibiotics cannot be used.
3 If the patient is under 25 years of age
    3.if Patient is under 25 years of age.
    3.then Tuberculosis screening is documented.
4 Initial therapy
    4.A A baseline severity score is documented.
    4.B Prescriber attests the patient has no active infection.
5 Continuation of therapy
    5.A Patient has received Exemplar for at least 6 months.
    5.B Patient meets i or ii:
        i. Severity score fell by at least 50% from baseline.
        ii. Flares fell by at least half.
    5.C No serious adverse event on Exemplar.
6 Exemplar is not combined with a JAK inhibitor.
7 Dose does not exceed the labeled dose.
"""


class Analyst:
    """The page, with every interaction counted as scripts/admin_entry_count.py counts them:
    each click, fill, choice and checkbox is one; a field that already holds the value (a
    default, a suggested label) is left alone and not counted."""

    def __init__(self, page, base: str, shot=None):
        self.page, self.base, self.shot = page, base, shot
        self.count: Counter = Counter()
        self.typed = 0  # characters typed, all fills together

    def click(self, target) -> None:
        self._loc(target).click()
        self.count["clicks"] += 1

    def fill(self, target, value: str) -> None:
        locator = self._loc(target)
        if locator.input_value() == value:
            return
        locator.fill(value)
        self.count["fills"] += 1
        self.typed += len(value)

    def select(self, target, value: str) -> None:
        """Choose an option by its value ("" is the blank first option)."""
        locator = self._loc(target)
        if locator.input_value() == value:
            return
        if value == "":
            locator.select_option(index=0)
        else:
            locator.select_option(value=value)
        self.count["selects"] += 1

    def check(self, target) -> None:
        self._tick(target, True)

    def uncheck(self, target) -> None:
        self._tick(target, False)

    def _tick(self, target, on: bool) -> None:
        locator = self._loc(target)
        if locator.is_checked() == on:
            return
        locator.set_checked(on)
        self.count["checkboxes"] += 1

    def tab(self, name: str) -> None:
        """Go to an editor tab, unless its page is the one shown."""
        link = self.page.locator("ul.editor-tabs a.nav-link", has_text=name)
        here = self.page.url.split("#")[0].split("?")[0]
        if here != link.evaluate("a => a.href"):
            self.click(link)

    def node(self, label: str) -> None:
        """Open a criterion's form from the outline (its label is the link)."""
        self.tab("Criteria")
        self.click(self.page.get_by_role("link", name=f"Edit {label}", exact=True))

    def saved(self) -> None:
        expect(self.page.locator(".alert-danger")).to_have_count(0)

    def _loc(self, target):
        return self.page.locator(target) if isinstance(target, str) else target

    @property
    def total(self) -> int:
        return sum(self.count.values())


def _sign_in(page, base):
    page.goto(base + "/login/")
    page.get_by_label("Username").fill("polly")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _enter_policy(a: Analyst) -> None:
    page = a.page
    # The policy and its first draft.
    page.goto(a.base + "/policies/")
    a.click(page.get_by_role("link", name="New policy"))
    a.fill("#id_number", "9100017")
    a.fill("#id_title", "Exemplar (examplimab), an invented policy to measure authoring")
    a.fill("#id_effective_date", "2026-12-01")
    a.click(page.get_by_role("button", name="Create the draft"))
    a.saved()

    # Policy text: a new draft opens on it; "Save and go on" walks the tabs in order.
    a.fill(
        "#id_overview",
        "Exemplar is an invented injection used to measure how long a policy takes to enter.",
    )
    a.fill("#id_statement", "Exemplar is covered when the criteria below are met.")
    a.fill("#id_criteria_intro", "Exemplar is covered for members who meet all of the following:")
    a.fill("#id_dosing_condition", "Alpha disease; beta disease")
    a.fill("#id_dosing_text", "See each indication.")
    a.select("#id_dosing_benefit", "medical")
    a.select("#id_monthly_means", "every_4_weeks")
    a.fill("#id_monthly_means_note", 'The label\'s "monthly" is read as every 4 weeks.')
    a.click(page.get_by_role("button", name="Save the policy text and go on to Drugs"))
    a.saved()

    # The drug.
    a.fill("#id_drug-0-brand", "Exemplar")
    a.fill("#id_drug-0-generic", "examplimab")
    a.fill("#id_drug-0-hcpcs_codes", "J3590")
    a.click(page.get_by_role("button", name="Save the drugs and go on to Indications & dosing"))
    a.saved()

    # Indications: keys made from their names, periods in calendar months unless changed,
    # the dosing rule typed as the policy reads it.
    a.click(page.get_by_role("link", name="Add an indication"))
    a.fill("#id_name", "Alpha disease")
    a.fill("#id_diagnosis_codes", "L40")
    a.fill("#id_initial_approval_count", "6")
    a.fill("#id_extended_approval_count", "12")
    a.fill(
        "#id_phases_words",
        "Loading: 150 mg subcutaneous at weeks 0, 1 and 2 (initial only)\n"
        "Maintenance: 150 mg subcutaneous every 4 weeks from week 4",
    )
    a.click(page.get_by_role("button", name="Add the indication, then another"))
    a.saved()
    a.fill("#id_name", "Beta disease")
    a.fill("#id_diagnosis_codes", "L73.2")
    a.fill("#id_initial_approval_count", "16")
    a.select("#id_initial_approval_unit", "week")
    a.fill("#id_phases_words", "Every 2 weeks: 300 mg subcutaneous every 2 weeks")
    a.click(page.get_by_role("button", name="Add the indication", exact=True))
    a.saved()

    # Lists: keys made from their titles, the items pasted as the policy prints them.
    a.tab("Lists")
    a.click(page.get_by_role("link", name="Add a list"))
    for title, lines, button in (
        (
            "Dermatologist or rheumatologist",
            "Dermatology; dermatologist\nRheumatology; rheumatologist",
            "Add the list, then another",
        ),
        (
            "Prior biologic agents",
            "• Samplex (samplimab)\n• Modelon (modelizumab)\n• Protyx (protoxumab)",
            "Add the list",
        ),
    ):
        a.fill("#id_title", title)
        a.fill("#id_lines", lines)
        a.click(page.get_by_role("button", name=button, exact=True))
        a.saved()

    # The criteria: pasted. The page then shows what their words propose (checks, a group's
    # indication or path), each kept unless unticked, beside the settings the words do not
    # give, fixed there before anything is added: the outline's title, a group's title and
    # path, a question needing no evidence (an attestation), and what the proposals took
    # loosely (the lab's name as the policy's lab results carry it, the outcomes the plan
    # counts as a failed trial).
    a.tab("Criteria")
    a.click(page.get_by_role("link", name="Paste criteria under root"))
    a.fill("#id_text", CRITERIA_TEXT)
    a.click(page.get_by_role("button", name="Add these criteria"))
    expect(page.locator("input[name^=use__]:checked")).to_have_count(10)
    a.fill("[name='anchor_title']", "Criteria for Exemplar")
    a.fill("[name='title__IND']", "Indication")
    a.select("[name='path__IND']", "initial")
    a.uncheck("[name='evidence__4.B']")
    a.fill("[name='p-1.ii-lab_value-lab']", "ASI")
    a.fill("[name='p-1.iii-tried_and_failed_at_least-outcomes']", "failed, intolerant")
    a.shot("authoring-paste-proposals")
    a.click(page.get_by_role("button", name="Add these criteria"))
    a.saved()


def _test_case(
    a: Analyst,
    name: str,
    request_type: str,
    indication: str,
    changes: dict,
    result: str,
    *,
    failing: tuple[str, ...] | None = None,
    facts: dict | None = None,
    suggestions: dict | None = None,
    opened: bool = False,
    then_another: bool = False,
) -> None:
    """One test case, added for its request type and indication from the list page (or
    opened so by the case before it), which answers every question so that each criterion is
    met with no condition applying; then the few answers that differ, the facts, and what is
    expected."""
    page = a.page
    if not opened:
        a.tab("Test cases")
        a.select("#id_new-request_type", request_type)
        a.select("#id_new-indication", indication)
        a.click(page.get_by_role("button", name="Add a test case"))
    a.fill("#id_name", name)
    for label, answer in changes.items():
        a.select(f"[name='answer__{label}']", answer)
    for field, value in (facts or {}).items():
        if field.endswith("outcome"):
            a.select(f"[name='facts-{field}']", value)
        else:
            a.fill(f"[name='facts-{field}']", value)
    for label, answer in (suggestions or {}).items():
        a.select(f"[name='suggest__{label}']", answer)
    a.select("#id_expect_result", result)
    if failing == ():
        a.select("#id_expect_failing_compare", "exact")  # none fails
    for label in failing or ():
        a.check(f"[name='failing__{label}']")  # a ticked leaf compares them
    if facts:
        a.shot("authoring-test-case-form")
    button = "Save test case, then add another like it" if then_another else "Save test case"
    a.click(page.get_by_role("button", name=button, exact=True))
    a.saved()


def _enter_test_cases(a: Analyst) -> None:
    _test_case(
        a,
        "alpha, initial: every criterion met",
        "initial",
        "alpha_disease",
        {},
        "met",
        failing=(),
        then_another=True,
    )
    _test_case(
        a,
        "alpha, initial: facts suggest an adult with a failed prior agent",
        "initial",
        "alpha_disease",
        {"PRE-1": "", "PRE-2": "", "1.iii": "", "3.if": ""},
        "met",
        facts={
            "request_date": "2026-12-15",
            "member_dob": "1980-03-01",
            "prescriber_specialty": "Dermatology",
            "prior_therapies-0-name": "Samplex",
            "prior_therapies-0-outcome": "ineffective",
            "prior_therapies-0-start": "2025-01-01",
            "prior_therapies-0-end": "2025-09-01",
        },
        suggestions={"PRE-1": "met", "PRE-2": "met", "1.iii": "met", "3.if": "not_met"},
        opened=True,
    )
    _test_case(
        a,
        "beta, initial: too few flares (2.ii not met)",
        "initial",
        "beta_disease",
        {"2.ii": "not_met", "2.iii.b": ""},
        "not_met",
        failing=("2.ii",),
    )
    _test_case(
        a,
        "alpha, initial: under 25 without TB screening (unknown)",
        "initial",
        "alpha_disease",
        {"3.if": "met", "3.then": "not_documented"},
        "unknown",
        failing=("3.then",),
    )
    _test_case(
        a,
        "beta, continuation: improved after 6 months",
        "continuation",
        "beta_disease",
        {"5.B.i": ""},
        "met",
        failing=(),
    )


def _nodes(doc: dict) -> dict[str, dict]:
    """Each criterion by label, without its children (a readable difference)."""
    out = {}

    def walk(node):
        out[node["label"]] = {k: v for k, v in node.items() if k != "children"}
        out[node["label"]]["children"] = [c["label"] for c in node.get("children", [])]
        for child in node.get("children", []):
            walk(child)

    walk(doc["version"]["criteria"])
    return out


def _expected_document() -> dict:
    doc = document.parse(TARGET.read_text(encoding="utf-8"))
    doc["version"]["status"] = "draft"
    return doc


def test_a_policy_is_entered_from_nothing_tested_and_published(
    live_server, page, policy_admin, screenshot
):
    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in(page, live_server.url)
    a = Analyst(page, live_server.url, screenshot)
    _enter_policy(a)
    screenshot("authoring-outline")
    _enter_test_cases(a)

    a.tab("Test cases")
    a.click(page.get_by_role("button", name="Run all"))
    expect(page.get_by_role("status")).to_contain_text("5 passed, 0 failed.")
    expect(page.locator(".badge", has_text="Pass")).to_have_count(5)
    screenshot("authoring-test-cases-run")

    version = Policy.objects.get(number="9100017").versions.get()
    entered = version_document(version_prefetched(version.pk))
    expected = _expected_document()
    assert _nodes(entered) == _nodes(expected)
    for section in ("lists", "indications", "test_cases", "dosing"):
        assert entered["version"][section] == expected["version"][section], section
    assert entered == expected

    a.tab("Check & publish")
    a.click(page.get_by_role("button", name="Publish version 1"))
    expect(page.get_by_text("published", exact=False).first).to_be_visible()
    screenshot("authoring-published")
    version.refresh_from_db()
    assert version.status == PolicyVersion.Status.PUBLISHED

    # The same file entered in today's Django admin (scripts/admin_entry_count.py, measured
    # on 2026-11-30): 307 interactions and 9 saves. The editor must take at most a third of
    # the interactions alone.
    assert a.total * 3 <= ADMIN_INTERACTIONS, dict(a.count)
    print(
        f"\nEntering the policy in the editor took {a.total} interactions "
        f"({dict(a.count)}), {a.typed} characters typed."
    )


def test_the_kesimpta_draft_is_edited_warned_fixed_and_published(
    live_server, page, policy_admin, kesimpta, screenshot
):
    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in(page, live_server.url)
    page.goto(live_server.url + "/policies/")
    page.get_by_role("button", name="Clone to a new draft from version 1").click()
    draft = PolicyVersion.objects.get(policy=kesimpta.policy, number=2)
    expect(page).to_have_url(f"{live_server.url}/policies/versions/{draft.pk}/edit/")

    # Move a subtree: the continuation group (and everything under it) before the initial one.
    page.get_by_role("button", name="Move 1.B up").click()
    groups = page.locator("li.outline-node.depth-2 .criterion-label")
    expect(groups.first).to_have_text("1.B")
    assert [c.label for c in draft.criteria.get(label="1").children.order_by("position")] == [
        "1.B",
        "1.A",
    ]

    # Change a check's parameter: the age becomes 17 while the policy's words say 18.
    page.get_by_role("link", name="Edit 1.A.ii", exact=True).click()
    age = page.locator("#id_p-age_at_least-years")
    expect(age).to_have_value("18")
    age.fill("17")
    expect(page.locator("output.check-words")).to_contain_text("17 years")
    page.locator("button[name=save]").click()

    page.locator("ul.editor-tabs a", has_text="Check & publish").click()
    warnings = page.locator("#warnings-heading + p + ul")
    expect(warnings).to_contain_text("1.A.ii")
    expect(warnings).to_contain_text("17")
    screenshot("authoring-kesimpta-warned")

    # Fix it (the policy's words are verbatim: the parameter goes back), and the annual
    # review date the cloned draft still carries.
    page.locator("ul.editor-tabs a", has_text="Criteria").click()
    page.get_by_role("link", name="Edit 1.A.ii", exact=True).click()
    page.locator("#id_p-age_at_least-years").fill("18")
    page.locator("button[name=save]").click()
    page.locator("ul.editor-tabs a", has_text="Policy text").click()
    page.locator("#id_annual_review_date").fill("2027-09-21")
    page.get_by_role("button", name="Save the policy text", exact=True).click()

    page.locator("ul.editor-tabs a", has_text="Check & publish").click()
    expect(page.locator("#warnings-heading .badge")).to_have_text("0")
    page.get_by_role("button", name="Publish version 2").click()
    draft.refresh_from_db()
    assert draft.status == PolicyVersion.Status.PUBLISHED
    assert [c.label for c in draft.criteria.get(label="1").children.order_by("position")] == [
        "1.B",
        "1.A",
    ]
    assert draft.criteria.get(label="1.A.ii").check_params == {"years": 18}
    screenshot("authoring-kesimpta-published")
