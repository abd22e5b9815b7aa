"""seed_demo's cases: every state, matching clinical-note PDFs, and nothing new the second time."""

import pytest
from django.core.management import call_command

from reviews.models import Case, CaseEvent, Document, DocumentPage, Policy
from reviews.services.documents import document_extract_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    call_command("seed_demo")


def test_seed_loads_the_policies_and_about_35_cases_in_every_state(seeded):
    assert Policy.objects.filter(number="2020910").exists()
    assert 30 <= Case.objects.count() <= 40
    # Every state a case rests in: intake moves a request out of "received" at once, so no
    # demo case stays there (a case found there has a "send to its queue" action).
    resting = set(Case.Status.values) - {Case.Status.RECEIVED}
    assert set(Case.objects.values_list("status", flat=True)) == resting
    not_in_policy = Case.objects.filter(not_in_policy=True)
    assert not_in_policy.exists()
    assert all(c.status == Case.Status.PHYSICIAN_QUEUE for c in not_in_policy)
    assert not Case.objects.filter(not_in_policy=False, policy_version__isnull=True).exists()
    # Every state was reached through recorded events.
    for case in Case.objects.all():
        last = case.events.filter(kind="status").order_by("-pk").first()
        assert last is not None and last.to_status == case.status


def test_each_case_has_clinical_pdfs_whose_text_matches_it(seeded):
    for document in Document.objects.filter(extraction_status="pending"):
        document_extract_text(document_id=document.pk)
    kinds = set(Document.objects.values_list("kind", flat=True))
    assert {"clinical_note", "mri_report", "medication_list"} <= kinds
    for case in Case.objects.prefetch_related("documents"):
        documents = list(case.documents.all())
        assert len(documents) >= 2
        assert all(d.content_type == "application/pdf" for d in documents)
        for document in documents:
            assert document.extraction_status == "done", document.extraction_error
            text = " ".join(
                DocumentPage.objects.filter(document=document).values_list("text", flat=True)
            )
            assert case.member_name in text
            assert f"{case.member_dob:%Y-%m-%d}" in text
            if document.kind == "clinical_note":
                assert case.diagnosis_codes[0] in text and case.prescriber_name in text


def test_a_second_run_creates_nothing(seeded):
    counts = (
        Case.objects.count(),
        Document.objects.count(),
        CaseEvent.objects.count(),
        Policy.objects.count(),
    )
    call_command("seed_demo")
    assert (
        Case.objects.count(),
        Document.objects.count(),
        CaseEvent.objects.count(),
        Policy.objects.count(),
    ) == counts
