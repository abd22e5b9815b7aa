"""The paste page's second step in a browser: what is saved with each pasted line is set in the
line's row, by fields named after its label, and added in one change. At 1280 px the table
fits; at 390 px the table scrolls in itself and the page is no wider than the screen."""

import os
from datetime import date

import pytest
from playwright.sync_api import expect

from reviews.models import Criterion, Indication, PolicyEdit
from reviews.services import policy_outline
from tests.conftest import PASSWORD
from tests.e2e.conftest import ARTIFACTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASTED = (
    "1 Alpha disease\n"
    "    i. Patient is 18 years of age or older.\n"
    "    ii. Alpha severity score is at least 10 within the past 90 days.\n"
    "    iii. Prescriber attests the patient is eligible.\n"
    "2 Initial therapy\n"
    "    A. Tuberculosis screening is documented.\n"
)


@pytest.fixture
def draft(policy_admin):
    version = policy_outline.policy_create(
        number="7700001", title="Exemplar", effective_date=date(2027, 1, 1), actor=policy_admin
    )
    Indication.objects.create(
        version=version, key="alpha", name="Alpha disease", initial_approval_count=6
    )
    return version


@pytest.mark.parametrize("width", [1280, 390])
def test_each_lines_settings_are_set_in_its_row(browser, live_server, draft, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill("polly")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login/" not in url)
    root = Criterion.objects.get(version=draft, parent=None)
    page.goto(f"{live_server.url}/policies/versions/{draft.pk}/edit/criteria/{root.pk}/paste/")
    page.locator("#id_text").fill(PASTED)
    page.get_by_role("button", name="Add these criteria").click()
    expect(page.locator("input[name='use__1.i']")).to_be_checked()

    # Each field is found by its accessible name, which names its criterion.
    evidence = page.get_by_label("Evidence required for 1.iii", exact=True)
    lab = page.get_by_label("Lab test (as named on results) for 1.ii", exact=True)
    expect(evidence).to_be_checked()
    expect(lab).to_have_value("Alpha severity")
    expect(page.get_by_label("Title of 2", exact=True)).to_have_value("Initial therapy")
    expect(page.get_by_label("Path of 2", exact=True)).to_have_value("initial")
    expect(page.get_by_label("Indication of 1", exact=True)).to_have_value("alpha")
    expect(page.get_by_label("Title of root", exact=True)).to_have_value("Exemplar")

    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the paste page is {scroll} px wide at {width} px"
    table = page.locator(".paste-proposals").locator("xpath=..")
    if width >= 1280:
        overflow = table.evaluate("el => el.scrollWidth - el.clientWidth")
        assert overflow <= 0, f"the proposals table scrolls {overflow} px sideways at {width} px"
    os.makedirs(ARTIFACTS, exist_ok=True)
    page.screenshot(path=os.path.join(ARTIFACTS, f"paste-settings-{width}.png"), full_page=True)

    evidence.uncheck()
    lab.fill("ASI")
    page.get_by_label("Title of 2", exact=True).fill("Initial")
    page.get_by_label("Path of 1", exact=True).select_option("continuation")
    page.get_by_label("Years for 1.i", exact=True).fill("")
    page.get_by_label("Title of root", exact=True).fill("Criteria for Exemplar")
    page.get_by_role("button", name="Add these criteria").click()
    # A kept check without its years: nothing added, the error at the field.
    expect(page.locator(".alert-danger").first).to_contain_text("Correct the parameters of 1.i")
    assert Criterion.objects.filter(version=draft).count() == 1
    expect(page.get_by_label("Evidence required for 1.iii", exact=True)).not_to_be_checked()
    page.get_by_label("Years for 1.i", exact=True).fill("21")
    page.get_by_role("button", name="Add these criteria").click()
    expect(page.locator(".alert-success")).to_contain_text("Added 6 criteria under root")

    rows = {c.label: c for c in Criterion.objects.filter(version=draft)}
    assert rows["1.i"].check_params == {"years": 21}
    assert rows["1.ii"].check_params["lab"] == "ASI"
    assert [label for label, row in rows.items() if not row.evidence_required] == ["1.iii"]
    assert (rows["1"].path, rows["1"].indication) == ("continuation", "alpha")
    assert (rows["2"].title, rows["2"].path) == ("Initial", "initial")
    assert rows["root"].title == "Criteria for Exemplar"
    assert PolicyEdit.objects.filter(version=draft).count() == 1
    context.close()
