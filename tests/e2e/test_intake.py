import pytest
from playwright.sync_api import expect

from reviews import tasks
from reviews.models import Case
from tests.conftest import PASSWORD
from tests.factories import VALID_NPI, pdf_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_nurse_enters_a_request_with_a_pdf_and_sees_it_on_the_case_page(
    live_server, page, nurse, kesimpta, deadline_rules, private_storage, screenshot, monkeypatch
):
    # Extraction runs in this process (as in `make run`) rather than waiting for a worker.
    monkeypatch.setattr(
        tasks.document_extract_text,
        "apply_async",  # how the outbox sends it
        lambda kwargs=None, **options: tasks.document_extract_text.apply(kwargs=kwargs),
    )
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill("nina")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="New request").first.click()
    expect(page.get_by_role("heading", name="New prior-authorization request")).to_be_visible()

    page.locator("#id_member_name").fill("Maria Alvarez")
    page.locator("#id_member_id").fill("M123")
    page.locator("#id_member_dob").fill("1988-04-12")
    page.locator("#id_prescriber_name").fill("Dr. Elena Marsh")
    page.locator("#id_prescriber_npi").fill(VALID_NPI)
    page.locator("#id_prescriber_specialty").fill("Neurology")
    page.locator("#id_diagnosis_codes").fill("G35.A")
    page.locator("#id_drug_name").fill("Kesimpta")
    page.locator("#id_hcpcs_code").fill("J3490")
    page.locator("#id_phase0_amount").fill("20")
    page.locator("#id_phase0_at").fill("0, 1, 2")
    page.locator("#id_phase0_unit").select_option("week")
    page.locator("#id_phase0_initial_only").check()
    page.locator("details:has(#id_phase1_amount) > summary").click()
    page.locator("#id_phase1_amount").fill("20")
    page.locator("#id_phase1_every").fill("1")
    page.locator("#id_phase1_unit").select_option("calendar_month")
    page.locator("#id_phase1_start").fill("4")
    page.locator("#id_phase1_start_unit").select_option("week")
    page.get_by_label("Medication 1", exact=True).fill("Tecfidera")
    page.get_by_label("Medication 1 continues or stops").select_option("stops")
    page.get_by_label("Medication 1 stop date").fill("2026-12-31")
    page.locator("#id_documents").set_input_files(
        [
            {
                "name": "neurology-note.pdf",
                "mimeType": "application/pdf",
                "buffer": pdf_bytes(["Neurology note for Maria Alvarez", "Plan: Kesimpta"]),
            }
        ]
    )
    screenshot("e2e-intake-filled")
    page.get_by_role("button", name="Enter request").click()

    case = Case.objects.get()
    expect(page.get_by_role("heading", name=case.reference)).to_be_visible()
    expect(page.get_by_text("Nurse review").first).to_be_visible()
    expect(page.get_by_text("neurology-note.pdf").first).to_be_visible()
    expect(page.locator("iframe.preview-frame")).to_have_attribute(
        "src", f"/cases/{case.pk}/documents/{case.documents.get().pk}/"
    )
    expect(page.get_by_text("Tecfidera — stops Dec 31, 2026")).to_be_visible()
    expect(page.get_by_text("Text extracted", exact=True)).to_be_visible()
    chosen = case.events.get(kind="indication_chosen").payload["name"]
    expect(page.locator(".timeline-indication_chosen")).to_contain_text(
        f"Indication chosen: {chosen} (from the diagnosis codes)"
    )
    screenshot("e2e-case-page")

    page.get_by_role("link", name="Cases", exact=True).first.click()
    expect(page.get_by_role("link", name=case.reference)).to_be_visible()
    screenshot("case-list")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone, held upright
    screenshot("case-list-narrow")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    screenshot("e2e-case-page-narrow")
