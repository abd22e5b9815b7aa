"""Clinical facts on the pages: the intake page's rows, the case page, the review's summary,
and the nurse's page to add or correct a fact."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from reviews.models import Case, CaseEvent, FactSource
from reviews.services import nurse_review
from reviews.services.documents import document_extract_text
from tests.builders import EVIDENCE_PAGE, approved_case
from tests.factories import document_for, pdf_bytes
from tests.review_fixtures import kesimpta_request
from tests.views.test_case_views import intake

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]

LAB = {"name": "Hemoglobin", "value": "13.5", "unit": "g/dL", "taken_on": date(2026, 1, 5)}
OLD_LAB = {"name": "Vitamin D", "value": "18", "unit": "ng/mL", "taken_on": date(2025, 3, 1)}
THERAPY = {
    "drug_name": "Tecfidera",
    "dose": "240",
    "dose_unit": "mg",
    "started_on": date(2024, 1, 10),
    "ended_on": date(2025, 3, 1),
    "outcome": "intolerant",
}
EVENT = {"kind": "relapse", "occurred_on": date(2025, 6, 2), "note": "Optic neuritis."}


def rows(prefix: str, *filled: dict, total: int = 3) -> dict:
    data = {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": "0"}
    for i, row in enumerate(filled):
        data.update({f"{prefix}-{i}-{name}": value for name, value in row.items()})
    return data


FACT_ROWS = {
    "weight_kg": "70",
    "height_cm": "175",
    **rows(
        "labs",
        {"name": "Hemoglobin", "value": "13.5", "unit": "g/dL", "taken_on": "2026-01-05"},
        {"name": "", "value": "", "unit": "", "taken_on": "", "loinc": ""},
    ),
    **rows(
        "therapies",
        {
            "drug_name": "Tecfidera",
            "dose": "240",
            "dose_unit": "mg",
            "started_on": "2024-01-10",
            "ended_on": "2025-03-01",
            "outcome": "ineffective",
        },
    ),
    **rows("events", {"kind": "relapse", "occurred_on": "2025-06-02", "note": ""}),
}


# ---- intake ------------------------------------------------------------------------------------


def test_the_intake_page_has_blank_fact_rows(client, nurse):
    client.force_login(nurse)
    page = client.get(reverse("reviews:case-create")).content.decode()
    assert ">Clinical facts</legend>" in page
    for name in (
        "weight_kg",
        "height_cm",
        "labs-3-taken_on",
        "therapies-3-outcome",
        "events-2-kind",
    ):
        assert f'name="{name}"' in page, name
    assert 'name="labs-TOTAL_FORMS"' in page and '<datalist id="event-kind-list">' in page


def test_intake_stores_the_fact_rows(client, nurse, kesimpta):
    client.force_login(nurse)
    response = client.post(reverse("reviews:case-create"), intake(**FACT_ROWS))
    assert response.status_code == 302, response.context and response.context["form"].errors
    case = Case.objects.get()
    assert (case.weight_kg, case.height_cm, case.bmi) == (
        Decimal("70"),
        Decimal("175"),
        Decimal("22.9"),
    )
    lab = case.labs.get()
    assert (lab.name, lab.value, lab.source, lab.recorded_by) == (
        "Hemoglobin",
        Decimal("13.5"),
        FactSource.INTAKE,
        nurse,
    )
    assert case.therapies.get().outcome == "ineffective"
    assert case.clinical_events.get().occurred_on == date(2025, 6, 2)


def test_bad_fact_rows_are_shown_at_their_fields(client, nurse, kesimpta):
    client.force_login(nurse)
    bad = {
        **FACT_ROWS,
        "weight_kg": "7000",
        "labs-0-value": "high",
        "labs-1-name": "Ferritin",  # no value, no date
        "therapies-0-ended_on": "2023-01-01",
        "therapies-0-outcome": "",
        "events-0-occurred_on": "2099-01-01",
    }
    response = client.post(reverse("reviews:case-create"), intake(**bad))
    assert response.status_code == 400
    page = response.content.decode()
    assert "The request was not entered" in page
    assert "Ensure this value is less than or equal to 650." in page
    assert "Enter a number." in page
    assert "This field is required." in page
    assert "The therapy ends before it starts." in page
    assert "The event date is in the future." in page
    assert not Case.objects.exists()
    # The rows typed are kept for the correction.
    assert 'value="Ferritin"' in page


# ---- the case page and the review ------------------------------------------------------------


@pytest.fixture
def case_with_facts(kesimpta, nurse):
    return kesimpta_request(
        nurse,
        labs=[OLD_LAB, LAB],
        therapies=[THERAPY],
        events=[EVENT],
        weight_kg="70",
        height_cm="175",
    )


def test_the_case_page_shows_the_facts(client, nurse, case_with_facts):
    client.force_login(nurse)
    page = client.get(reverse("reviews:case-detail", args=[case_with_facts.pk])).content.decode()
    assert "Clinical facts" in page
    assert "70.0 kg" in page and "175.0 cm" in page and "22.9 kg/m²" in page
    # Labs newest first, with date, value and unit.
    assert page.index("Jan 5, 2026") < page.index("Mar 1, 2025</td>")
    assert "13.5 g/dL" in page and "18 ng/mL" in page
    assert "240 mg" in page and "Mar 1, 2025</span> (13 months)" in page
    assert "Not tolerated" in page
    assert "relapse" in page and "Optic neuritis." in page
    assert "Add or correct a fact" not in page  # the case page only shows them


def test_the_review_summary_shows_the_facts_and_links_to_their_page(client, nurse, case_with_facts):
    nurse_review.case_claim(case=case_with_facts, nurse=nurse)
    client.force_login(nurse)
    url = reverse("reviews:case-review-summary", args=[case_with_facts.pk])
    page = client.get(url).content.decode()
    assert "22.9 kg/m²" in page and "13.5 g/dL" in page
    assert reverse("reviews:case-facts", args=[case_with_facts.pk]) in page


# ---- adding and correcting in review ---------------------------------------------------------


@pytest.fixture
def mine(case_with_facts, nurse):
    nurse_review.case_claim(case=case_with_facts, nurse=nurse)
    document = document_for(
        case_with_facts,
        user=nurse,
        name="labs.pdf",
        content=pdf_bytes([EVIDENCE_PAGE, "Hemoglobin 12.9 g/dL"]),
    )
    document_extract_text(document_id=document.pk)
    return case_with_facts


def test_the_nurse_adds_a_lab_from_a_page(client, nurse, mine):
    client.force_login(nurse)
    url = reverse("reviews:case-fact-add", args=[mine.pk, "lab"])
    page = client.get(url).content.decode()
    document = mine.documents.get()
    assert "Add a lab result" in page and "labs.pdf" in page
    assert f'<option value="{document.pk}" selected>labs.pdf</option>' in page  # the one shown
    response = client.post(
        url,
        {
            "fact-name": "Hemoglobin",
            "fact-value": "12.9",
            "fact-unit": "g/dL",
            "fact-taken_on": "2026-02-01",
            "fact-loinc": "718-7",
            "source-source_document": document.pk,
            "source-source_page": "2",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:case-facts", args=[mine.pk])
    lab = mine.labs.get(taken_on=date(2026, 2, 1))
    assert (lab.value, lab.source, lab.source_page) == (Decimal("12.9"), FactSource.REVIEW, 2)
    assert mine.events.filter(kind=CaseEvent.Kind.FACT_ADDED).exists()
    facts_page = client.get(response["Location"]).content.decode()
    assert "review: labs.pdf p. 2" in facts_page
    assert "Add a prior therapy" in facts_page and "Add or correct a fact" not in facts_page


def test_a_bad_fact_is_shown_at_its_fields(client, nurse, mine):
    client.force_login(nurse)
    response = client.post(
        reverse("reviews:case-fact-add", args=[mine.pk, "event"]),
        {
            "fact-kind": "relapse",
            "fact-occurred_on": "2099-01-01",
            "source-source_document": mine.documents.get().pk,
            "source-source_page": "9",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The event date is in the future." in page
    assert "there is no page 9" in page
    assert not mine.events.filter(kind=CaseEvent.Kind.FACT_ADDED).exists()


def test_the_nurse_corrects_a_therapy_and_the_timeline_keeps_the_old_one(client, nurse, mine):
    client.force_login(nurse)
    therapy = mine.therapies.get()
    url = reverse("reviews:case-fact-correct", args=[mine.pk, "therapy", therapy.pk])
    page = client.get(url).content.decode()
    assert 'value="Tecfidera"' in page and "The audit trail keeps what it said before" in page
    response = client.post(
        url,
        {
            "fact-drug_name": "Tecfidera",
            "fact-dose": "120",
            "fact-dose_unit": "mg",
            "fact-started_on": "2024-01-10",
            "fact-ended_on": "2025-03-01",
            "fact-outcome": "intolerant",
            "source-source_document": mine.documents.get().pk,
            "source-source_page": "1",
        },
    )
    assert response.status_code == 302
    therapy.refresh_from_db()
    assert therapy.dose == Decimal("120")
    event = mine.events.get(kind=CaseEvent.Kind.FACT_CORRECTED)
    assert event.payload["previous"]["dose"] == "240"
    detail = client.get(reverse("reviews:case-detail", args=[mine.pk])).content.decode()
    assert (
        "Clinical fact corrected: Tecfidera 120 mg, 2024-01-10 to 2025-03-01 (13 months) "
        "(intolerant) (was Tecfidera 240 mg, 2024-01-10 to 2025-03-01 (13 months) (intolerant))"
    ) in detail


def test_the_nurse_corrects_weight_and_height(client, nurse, mine):
    client.force_login(nurse)
    response = client.post(
        reverse("reviews:case-measurements-correct", args=[mine.pk]),
        {
            "fact-weight_kg": "82",
            "fact-height_cm": "175",
            "source-source_document": mine.documents.get().pk,
            "source-source_page": "1",
        },
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.bmi == Decimal("26.8")


def test_a_decided_cases_facts_page_is_read_only(client, nurse, kesimpta):
    case = kesimpta_request(nurse, labs=[LAB])
    approved_case(case, nurse)
    client.force_login(nurse)
    page = client.get(reverse("reviews:case-facts", args=[case.pk])).content.decode()
    assert "This case is decided: its facts cannot change." in page
    url = reverse("reviews:case-fact-correct", args=[case.pk, "lab", case.labs.get().pk])
    assert client.post(url, {"fact-name": "x"}).status_code == 403
    assert case.labs.get().value == Decimal("13.5")


def test_an_unknown_kind_or_another_cases_fact_is_404(client, nurse, mine, kesimpta):
    other = kesimpta_request(nurse, member_name="Other Member", labs=[LAB])
    client.force_login(nurse)
    assert (
        client.get(reverse("reviews:case-fact-add", args=[mine.pk, "horoscope"])).status_code == 404
    )
    url = reverse("reviews:case-fact-correct", args=[mine.pk, "lab", other.labs.get().pk])
    assert client.get(url).status_code == 404
