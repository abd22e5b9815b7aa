"""Clinical facts: stored at intake, read by the engine (case_facts), added and corrected by
the nurse during review from a document page, with permissions and the audit trail."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from reviews.engine.checks import ClinicalEvent, LabResult, PriorTherapy
from reviews.errors import NotFound, ReviewError, StaleCase
from reviews.intake import IntakeInvalid
from reviews.models import CaseClinicalEvent, CaseEvent, CaseLab, CaseTherapy, FactSource
from reviews.selectors.review import case_facts
from reviews.services import nurse_review
from reviews.services.documents import document_extract_text
from reviews.services.facts import FactsLocked, case_fact_add, case_fact_correct
from tests.builders import EVIDENCE_PAGE, approved_case, escalated_case
from tests.factories import document_for, pdf_bytes
from tests.review_fixtures import kesimpta_request

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]

LAB = {"name": "Hemoglobin", "value": "13.5", "unit": "g/dL", "taken_on": date(2026, 1, 5)}
THERAPY = {
    "drug_name": "Tecfidera",
    "dose": "240",
    "dose_unit": "mg",
    "started_on": date(2024, 1, 10),
    "ended_on": date(2025, 3, 1),
    "outcome": "ineffective",
}
EVENT = {"kind": "relapse", "occurred_on": date(2025, 6, 2), "note": "Optic neuritis."}


def read_document(case, user, pages=("Labs: hemoglobin 12.9 g/dL", "Relapse in June")):
    """A two-page PDF of the case, its text read (so its pages are known)."""
    document = document_for(case, user=user, name="labs.pdf", content=pdf_bytes(list(pages)))
    return document_extract_text(document_id=document.pk)


@pytest.fixture
def mine(kesimpta, nurse):
    """A case with facts from intake, claimed by the nurse, with a two-page document."""
    case = kesimpta_request(
        nurse, labs=[LAB], therapies=[THERAPY], events=[EVENT], weight_kg="70", height_cm="175"
    )
    nurse_review.case_claim(case=case, nurse=nurse)
    case.refresh_from_db()
    return case


@pytest.fixture
def document(mine, nurse):
    return read_document(mine, nurse)


# ---- intake and the engine -------------------------------------------------------------------


def test_intake_stores_the_facts_as_from_intake(mine, nurse):
    lab = mine.labs.get()
    assert (lab.name, lab.value, lab.unit, lab.taken_on) == (
        "Hemoglobin",
        Decimal("13.5"),
        "g/dL",
        date(2026, 1, 5),
    )
    assert lab.source == FactSource.INTAKE and lab.recorded_by == nurse
    assert lab.source_document is None and lab.source_page is None
    therapy = mine.therapies.get()
    assert (therapy.dose, therapy.outcome) == (Decimal("240"), "ineffective")
    assert therapy.duration_text == "2024-01-10 to 2025-03-01 (13 months)"
    assert mine.clinical_events.get().kind == "relapse"
    assert (mine.weight_kg, mine.height_cm) == (Decimal("70"), Decimal("175"))


def test_case_facts_fills_the_engines_facts_with_bmi(mine):
    facts = case_facts(mine)
    assert facts.labs == (LabResult("Hemoglobin", Decimal("13.5"), "g/dL", date(2026, 1, 5), ""),)
    assert facts.prior_therapies == (
        PriorTherapy(
            "Tecfidera",
            "ineffective",
            dose=Decimal("240"),
            dose_unit="mg",
            start=date(2024, 1, 10),
            end=date(2025, 3, 1),
        ),
    )
    assert facts.events == (ClinicalEvent("relapse", date(2025, 6, 2), "Optic neuritis."),)
    assert (facts.weight_kg, facts.height_cm) == (Decimal("70"), Decimal("175"))
    assert facts.bmi == Decimal("22.9")  # 70 / 1.75² = 22.857...
    assert mine.bmi == Decimal("22.9")
    # Figures as written, not in the columns' fixed places: a reason reads "240 mg".
    written = (facts.labs[0].value, facts.prior_therapies[0].dose, facts.weight_kg)
    assert [str(n) for n in written] == ["13.5", "240", "70"]


def test_without_weight_or_height_there_is_no_bmi(kesimpta, nurse):
    case = kesimpta_request(nurse, weight_kg="70")
    facts = case_facts(case)
    assert facts.labs == () and facts.prior_therapies == () and facts.events == ()
    assert facts.weight_kg == Decimal("70") and facts.height_cm is None and facts.bmi is None


def test_labs_and_events_list_newest_first(kesimpta, nurse):
    older = {**LAB, "taken_on": date(2025, 1, 1)}
    case = kesimpta_request(
        nurse, labs=[older, LAB], events=[EVENT, {**EVENT, "occurred_on": date(2026, 2, 1)}]
    )
    assert [lab.taken_on for lab in case.labs.all()] == [date(2026, 1, 5), date(2025, 1, 1)]
    assert [e.occurred_on for e in case.clinical_events.all()] == [
        date(2026, 2, 1),
        date(2025, 6, 2),
    ]


# ---- add -------------------------------------------------------------------------------------


def test_a_nurse_adds_a_lab_from_a_document_page_and_it_is_audited(mine, nurse, document):
    lab = case_fact_add(
        case=mine,
        nurse=nurse,
        kind="lab",
        values={**LAB, "value": "12.9", "loinc": "718-7"},
        source_document=document,
        source_page=1,
    )
    assert lab.source == FactSource.REVIEW and lab.recorded_by == nurse
    assert (lab.source_document, lab.source_page) == (document, 1)
    assert lab.source_text == "review: labs.pdf p. 1"
    event = mine.events.filter(kind=CaseEvent.Kind.FACT_ADDED).get()
    assert event.actor == nurse
    assert event.payload["fact"] == "lab" and event.payload["id"] == lab.pk
    assert event.payload["values"]["value"] == "12.9"
    assert event.payload["source_document"] == document.pk and event.payload["source_page"] == 1
    assert len(case_facts(mine).labs) == 2


@pytest.mark.parametrize(
    "kind, values, model",
    [("therapy", THERAPY, CaseTherapy), ("event", EVENT, CaseClinicalEvent)],
)
def test_a_nurse_adds_a_therapy_or_an_event(mine, nurse, document, kind, values, model):
    fact = case_fact_add(
        case=mine, nurse=nurse, kind=kind, values=values, source_document=document, source_page=2
    )
    assert isinstance(fact, model) and model.objects.filter(case=mine).count() == 2


def test_bad_values_and_a_bad_source_are_named_together_and_nothing_is_written(
    mine, nurse, document
):
    events = mine.events.count()
    with pytest.raises(IntakeInvalid) as caught:
        case_fact_add(
            case=mine,
            nurse=nurse,
            kind="lab",
            values={**LAB, "value": "high"},
            source_document=document,
            source_page=3,
        )
    assert caught.value.errors["value"] == ["Enter a number."]
    assert "labs.pdf has 2 page(s); there is no page 3." in caught.value.errors["source_page"]
    assert mine.labs.count() == 1 and mine.events.count() == events


@pytest.mark.parametrize(
    "source, page, field, message",
    [
        (None, None, "source_document", "Choose the document"),
        ("mine", None, "source_page", "Give the page"),
        ("mine", 0, "source_page", "Pages count from 1."),
        ("other", 1, "source_document", "a document of this case"),
    ],
)
def test_a_fact_read_in_review_names_a_document_of_the_case_and_its_page(
    mine, nurse, document, kesimpta, source, page, field, message
):
    other = read_document(kesimpta_request(nurse, member_name="Other Member"), nurse)
    chosen = {"mine": document, "other": other, None: None}[source]
    with pytest.raises(IntakeInvalid) as caught:
        case_fact_add(
            case=mine,
            nurse=nurse,
            kind="event",
            values=EVENT,
            source_document=chosen,
            source_page=page,
        )
    assert any(message in m for m in caught.value.errors[field]), caught.value.errors


# ---- correct ---------------------------------------------------------------------------------


def test_a_correction_keeps_the_old_value_in_the_audit(mine, nurse, document):
    lab = mine.labs.get()
    corrected = case_fact_correct(
        case=mine,
        nurse=nurse,
        kind="lab",
        fact_id=lab.pk,
        values={**LAB, "value": "12.9"},
        source_document=document,
        source_page=1,
    )
    assert corrected.pk == lab.pk and corrected.value == Decimal("12.9")
    lab.refresh_from_db()
    assert lab.value == Decimal("12.9") and lab.source == FactSource.REVIEW
    assert (lab.source_document, lab.source_page) == (document, 1)
    event = mine.events.filter(kind=CaseEvent.Kind.FACT_CORRECTED).get()
    assert event.payload["previous"]["value"] == "13.5"
    assert event.payload["values"]["value"] == "12.9"
    assert event.payload["previous_source"]["source"] == "intake"
    assert event.payload["previous_summary"] == "Hemoglobin 13.5 g/dL on 2026-01-05"


def test_weight_and_height_are_corrected_with_the_old_values_kept(mine, nurse, document):
    case = case_fact_correct(
        case=mine,
        nurse=nurse,
        kind="measurements",
        values={"weight_kg": "82", "height_cm": "175"},
        source_document=document,
        source_page=2,
    )
    mine.refresh_from_db()
    assert mine.weight_kg == Decimal("82") and case.bmi == Decimal("26.8")
    event = mine.events.filter(kind=CaseEvent.Kind.FACT_CORRECTED).get()
    assert event.payload["previous"] == {"weight_kg": "70", "height_cm": "175"}
    assert event.payload["values"] == {"weight_kg": "82", "height_cm": "175"}


def test_a_correction_that_changes_nothing_is_refused(mine, nurse, document):
    lab = mine.labs.get()
    arguments = {"case": mine, "nurse": nurse, "kind": "lab", "fact_id": lab.pk, "values": LAB}
    case_fact_correct(**arguments, source_document=document, source_page=1)
    with pytest.raises(ReviewError, match="nothing to correct"):
        case_fact_correct(**arguments, source_document=document, source_page=1)


def test_another_cases_fact_cannot_be_corrected(mine, nurse, document, kesimpta):
    other = kesimpta_request(nurse, member_name="Other Member", labs=[LAB])
    with pytest.raises(NotFound):
        case_fact_correct(
            case=mine,
            nurse=nurse,
            kind="lab",
            fact_id=other.labs.get().pk,
            values=LAB,
            source_document=document,
            source_page=1,
        )
    assert other.labs.get().source == FactSource.INTAKE


# ---- who may, and when -------------------------------------------------------------------------


def add_event(case, user, document):
    return case_fact_add(
        case=case, nurse=user, kind="event", values=EVENT, source_document=document, source_page=1
    )


@pytest.mark.parametrize("who", ["physician", "auditor", "nurse2"])
def test_only_the_nurse_holding_the_case_changes_its_facts(mine, document, request, who):
    with pytest.raises(PermissionDenied):
        add_event(mine, request.getfixturevalue(who), document)
    assert mine.clinical_events.count() == 1
    assert not mine.events.filter(kind=CaseEvent.Kind.FACT_ADDED).exists()


def test_a_case_out_of_nurse_review_is_refused(kesimpta, nurse, physician):
    case = escalated_case(kesimpta_request(nurse), nurse, **{"PRE-1": "not_met"})
    document = read_document(case, nurse)
    with pytest.raises(StaleCase, match="not in nurse review"):
        add_event(case, nurse, document)


def test_the_facts_of_a_decided_case_never_change(kesimpta, nurse):
    case = kesimpta_request(nurse, labs=[LAB])
    # The approval cites the case's first document (tests.builders).
    document = read_document(case, nurse, pages=(EVIDENCE_PAGE, "Relapse in June"))
    approved_case(case, nurse)
    with pytest.raises(FactsLocked, match="decided"):
        add_event(case, nurse, document)
    with pytest.raises(FactsLocked):
        case_fact_correct(
            case=case,
            nurse=nurse,
            kind="lab",
            fact_id=case.labs.get().pk,
            values={**LAB, "value": "1"},
            source_document=document,
            source_page=1,
        )
    assert case.labs.get().value == Decimal("13.5")
    assert not CaseLab.objects.filter(source=FactSource.REVIEW).exists()
