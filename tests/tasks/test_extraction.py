"""Text extraction as background work: the task, and a real worker extracting a real PDF."""

import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from reviews import tasks
from reviews.models import Case, Document, DocumentPage
from tests.factories import CaseFactory, UserFactory, pdf_bytes

PAGES = [
    "Neurology clinic note. Patient: Maria Alvarez. Relapsing-remitting multiple sclerosis.",
    "MRI brain: three new T2 lesions, one gadolinium-enhancing lesion.",
    "Plan: start Kesimpta 20 mg subcutaneously at weeks 0, 1 and 2, then monthly.",
    "Electronically signed by Dr. Elena Marsh, Neurology.",
]


def stored_pdf(content: bytes) -> Document:
    """A pending PDF document, stored the way uploads are, without enqueuing anything."""
    import hashlib

    user = UserFactory()
    case = CaseFactory(status=Case.Status.NURSE_REVIEW, created_by=user)
    name = default_storage.save("documents/test/note.pdf", ContentFile(content))
    return Document.objects.create(
        case=case,
        kind=Document.Kind.CLINICAL_NOTE,
        original_name="note.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        storage_name=name,
        uploaded_by=user,
    )


@pytest.mark.django_db
@pytest.mark.usefixtures("private_storage")
def test_the_task_takes_an_id_and_is_idempotent():
    document = stored_pdf(pdf_bytes(PAGES))
    assert tasks.document_extract_text(document.pk) == "done"
    assert tasks.document_extract_text(document.pk) == "done"
    assert DocumentPage.objects.filter(document=document).count() == len(PAGES)


@pytest.mark.django_db
def test_a_task_for_a_document_that_is_gone_does_nothing():
    assert tasks.document_extract_text(987654) == "missing"


@pytest.mark.worker
def test_a_real_worker_extracts_a_multi_page_pdf(private_storage, celery_worker_process):
    document = stored_pdf(pdf_bytes(PAGES))
    tasks.document_extract_text.apply_async(
        kwargs={"document_id": document.pk}, queue=celery_worker_process
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        document.refresh_from_db()
        if document.extraction_status != Document.Extraction.PENDING:
            break
        time.sleep(0.25)
    else:
        pytest.fail("the worker did not extract the document within 60 s")
    assert document.extraction_status == Document.Extraction.DONE, document.extraction_error
    pages = list(document.pages.order_by("number").values_list("number", "text"))
    assert [n for n, _ in pages] == [1, 2, 3, 4]
    assert "Maria Alvarez" in pages[0][1] and "gadolinium-enhancing" in pages[1][1]
    assert "Dr. Elena Marsh" in pages[3][1]
    assert document.case.events.get(kind="document_text_extracted").payload["pages"] == 4
