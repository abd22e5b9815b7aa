"""Documents: sniffed types, limits, duplicates, private storage, audit, and text extraction."""

import hashlib
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage

from reviews import tasks
from reviews.models import Case, CaseEvent, Document, DocumentPage
from reviews.services.documents import (
    document_add_many,
    document_extract_text,
    document_record_download,
)
from tests.factories import (
    ELF_EXECUTABLE,
    WINDOWS_EXECUTABLE,
    CaseFactory,
    docx_bytes,
    pdf_bytes,
    png_bytes,
    tiff_bytes,
    upload,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]


@pytest.fixture
def case():
    return CaseFactory(status=Case.Status.NURSE_REVIEW)


def jpeg_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, format="JPEG")
    return out.getvalue()


def add(case, user, *files, kind=Document.Kind.CLINICAL_NOTE):
    return document_add_many(case=case, actor=user, files=list(files), kind=kind)


def test_accepts_the_four_types_and_trusts_the_content_not_the_name(case, nurse):
    accepted, rejected = add(
        case,
        nurse,
        upload("note.pdf", pdf_bytes(["Neurology note"])),
        # A PNG named .pdf and claimed as a PDF by the browser is still a PNG.
        upload("scan.pdf", png_bytes(), "application/pdf"),
        upload("photo.jpg", jpeg_bytes(), "image/jpeg"),
        upload("fax.tif", tiff_bytes(), "image/tiff"),
    )
    assert rejected == []
    assert [(d.original_name, d.content_type) for d in accepted] == [
        ("note.pdf", "application/pdf"),
        ("scan.pdf", "image/png"),
        ("photo.jpg", "image/jpeg"),
        ("fax.tif", "image/tiff"),
    ]
    assert [d.extraction_status for d in accepted] == [
        "pending",
        "not_applicable",
        "not_applicable",
        "not_applicable",
    ]


def test_a_file_is_stored_privately_under_a_random_name_with_its_hash_and_size(
    case, nurse, private_storage
):
    content = pdf_bytes(["Neurology note for Maria Alvarez"])
    (document,), _ = add(case, nurse, upload("alvarez-note.pdf", content))
    assert document.size == len(content)
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert "alvarez" not in document.storage_name and document.storage_name.endswith(".pdf")
    path = default_storage.path(document.storage_name)
    assert path.startswith(str(private_storage))
    with open(path, "rb") as stored:
        assert stored.read() == content
    assert document.uploaded_by == nurse


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("invoice.pdf", ELF_EXECUTABLE, "its content is a program (executable)"),
        ("setup.pdf", WINDOWS_EXECUTABLE, "its content is a Windows program"),
        ("letter.docx", docx_bytes(), "its content is a Word document (.docx)"),
        ("empty.pdf", b"", "the file is empty"),
        ("notes.txt", b"plain text, not a PDF", "its content is not a file type we know"),
    ],
)
def test_a_bad_file_is_refused_by_name_with_the_reason_and_the_others_are_kept(
    case, nurse, name, content, reason
):
    good = upload("note.pdf", pdf_bytes(["Neurology note"]))
    accepted, rejected = add(case, nurse, upload(name, content), good)
    assert [d.original_name for d in accepted] == ["note.pdf"]
    assert len(rejected) == 1 and rejected[0].name == name
    assert reason in rejected[0].reason
    assert str(rejected[0]).startswith(f"{name} was not added: ")
    refused = case.events.get(kind="documents_rejected")
    assert refused.payload["files"][0]["name"] == name


def test_the_size_limit_is_a_setting(case, nurse, settings):
    settings.PRIORAUTH_MAX_UPLOAD_BYTES = 2000
    big = pdf_bytes(["x " * 4000])
    assert len(big) > 2000
    accepted, rejected = add(case, nurse, upload("big.pdf", big), upload("p.png", png_bytes()))
    assert [d.original_name for d in accepted] == ["p.png"]
    assert rejected[0].name == "big.pdf" and "the limit is 2.0 KB" in rejected[0].reason


def test_the_same_file_twice_on_one_case_is_refused_with_a_message(case, nurse):
    content = pdf_bytes(["MRI report"])
    add(case, nurse, upload("mri.pdf", content))
    accepted, rejected = add(case, nurse, upload("mri-again.pdf", content))
    assert accepted == []
    assert "same file as mri.pdf, already on this case" in rejected[0].reason
    assert case.documents.count() == 1


def test_the_same_file_twice_in_one_upload_is_added_once(case, nurse):
    content = pdf_bytes(["MRI report"])
    accepted, rejected = add(case, nurse, upload("a.pdf", content), upload("b.pdf", content))
    assert [d.original_name for d in accepted] == ["a.pdf"]
    assert rejected[0].name == "b.pdf" and "same file as a.pdf" in rejected[0].reason


def test_the_same_file_on_another_case_is_fine(case, nurse):
    content = pdf_bytes(["MRI report"])
    add(case, nurse, upload("mri.pdf", content))
    other = CaseFactory()
    accepted, _ = add(other, nurse, upload("mri.pdf", content))
    assert len(accepted) == 1


def test_each_added_document_is_an_event_and_pdfs_are_queued_after_commit(
    case, nurse, django_capture_on_commit_callbacks, mocker_delay
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        accepted, _ = add(
            case, nurse, upload("a.pdf", pdf_bytes(["A"])), upload("b.png", png_bytes())
        )
        assert mocker_delay == []  # nothing is sent while the transaction is open
    events = case.events.filter(kind="document_added").order_by("pk")
    assert [e.payload["name"] for e in events] == ["a.pdf", "b.png"]
    assert events[0].actor == nurse and events[0].payload["sha256"] == accepted[0].sha256
    assert len(callbacks) == 1  # the PDF only: images are not extracted
    callbacks[0]()
    assert mocker_delay == [{"document_id": accepted[0].pk}]


@pytest.fixture
def mocker_delay(monkeypatch):
    """Record what would be sent to the broker instead of sending it."""
    sent = []
    monkeypatch.setattr(
        tasks.document_extract_text,
        "apply_async",
        lambda kwargs=None, **opts: sent.append(kwargs),  # what the outbox sends
    )
    return sent


@pytest.mark.parametrize("who", ["auditor", "policy_admin", "outsider"])
def test_only_intake_staff_may_add_documents(case, who, request):
    with pytest.raises(PermissionDenied):
        add(case, request.getfixturevalue(who), upload("a.pdf", pdf_bytes(["A"])))
    assert not Document.objects.exists()


def test_a_download_is_recorded(case, nurse, auditor):
    (document,), _ = add(case, nurse, upload("a.pdf", pdf_bytes(["A"])))
    document_record_download(document=document, actor=auditor, download=True)
    document_record_download(document=document, actor=auditor, download=False)
    kinds = list(
        CaseEvent.objects.filter(actor=auditor).order_by("pk").values_list("kind", flat=True)
    )
    assert kinds == ["document_downloaded", "document_viewed"]
    with pytest.raises(PermissionDenied):
        document_record_download(document=document, actor=CaseFactory().created_by, download=False)


# ---- text extraction ------------------------------------------------------------------------


def test_text_is_extracted_page_by_page_and_a_second_run_changes_nothing(case, nurse):
    pages = ["Neurology clinic note. Relapsing MS.", "EDSS 2.0", "Plan: start Kesimpta."]
    (document,), _ = add(case, nurse, upload("note.pdf", pdf_bytes(pages)))
    result = document_extract_text(document_id=document.pk)
    assert result.extraction_status == Document.Extraction.DONE
    stored = list(DocumentPage.objects.filter(document=document).order_by("number"))
    assert [p.number for p in stored] == [1, 2, 3]
    assert "Relapsing MS" in stored[0].text and "start Kesimpta" in stored[2].text
    event = case.events.get(kind="document_text_extracted")
    assert event.actor is None and event.payload["pages"] == 3

    again = document_extract_text(document_id=document.pk)
    assert again.extraction_status == Document.Extraction.DONE
    assert DocumentPage.objects.filter(document=document).count() == 3
    assert case.events.filter(kind="document_text_extracted").count() == 1


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (pdf_bytes(["secret"], encrypt_with="s3cret"), "encrypted with a password"),
        (pdf_bytes(["Hello"])[:400], "could not be read; it may be damaged"),
        (pdf_bytes(["", ""]), "No text on any of its 2 page(s)"),
    ],
    ids=["encrypted", "corrupt", "image-only"],
)
def test_a_pdf_without_readable_text_fails_cleanly_with_the_reason(case, nurse, content, reason):
    (document,), _ = add(case, nurse, upload("bad.pdf", content))
    result = document_extract_text(document_id=document.pk)
    assert result.extraction_status == Document.Extraction.FAILED
    assert reason in result.extraction_error
    document.refresh_from_db()
    assert document.extraction_status == "failed" and reason in document.extraction_error
    assert not document.pages.exists()
    assert reason in case.events.get(kind="document_text_failed").payload["reason"]


def test_an_image_is_not_extracted(case, nurse):
    (document,), _ = add(case, nurse, upload("scan.png", png_bytes()))
    result = document_extract_text(document_id=document.pk)
    assert result.extraction_status == Document.Extraction.NOT_APPLICABLE
    assert not document.pages.exists()


def test_the_task_calls_the_service(case, nurse):
    (document,), _ = add(case, nurse, upload("note.pdf", pdf_bytes(["One", "Two"])))
    assert tasks.document_extract_text(document.pk) == "done"
    assert document.pages.count() == 2
