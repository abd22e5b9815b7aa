"""Documents of a case: accept uploads, extract their text, record who opened them.

A file's type is sniffed from its first bytes (filetype), never taken from its name or the
browser's word. Files are stored under settings.MEDIA_ROOT with a random name; only
views.cases.document_file_view serves them, after checking access.
"""

import hashlib
import logging
import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from reviews import permissions, task_names
from reviews.models import Case, CaseEvent, Document, DocumentPage, StagedUpload
from reviews.services.outbox import outbox_enqueue

log = logging.getLogger(__name__)

ALLOWED_TYPES = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/tiff": "tif",
}
HEAD_BYTES = 8192  # filetype needs at most 8 KiB to recognise a format


def max_upload_bytes() -> int:
    # A setting, so a deployment (or a test) can change the limit.
    return settings.PRIORAUTH_MAX_UPLOAD_BYTES


OOXML = "application/vnd.openxmlformats-officedocument"
FOUND_TYPES = {
    "application/x-executable": "a program (executable)",
    "application/x-msdownload": "a Windows program (executable)",
    "application/x-sh": "a shell script",
    "application/zip": "a ZIP archive",
    "application/msword": "a Word document",
    f"{OOXML}.wordprocessingml.document": "a Word document (.docx)",
    f"{OOXML}.spreadsheetml.sheet": "an Excel workbook (.xlsx)",
}


def _describe(kind) -> str:
    return FOUND_TYPES.get(kind.mime, f"a .{kind.extension} file ({kind.mime})")


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{size / 1024:.1f} KB"


@dataclass(frozen=True)
class Rejected:
    name: str
    reason: str

    def __str__(self) -> str:
        return f"{self.name} was not added: {self.reason}"


@dataclass(frozen=True)
class _Checked:
    upload: UploadedFile
    content_type: str
    size: int
    sha256: str


def _check(upload: UploadedFile) -> _Checked | Rejected:
    name = upload.name or "unnamed file"
    size = upload.size or 0
    if size == 0:
        return Rejected(name, "the file is empty.")
    limit = max_upload_bytes()
    if size > limit:
        return Rejected(name, f"it is {_size(size)}; the limit is {_size(limit)}.")
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        found = _describe(kind) if kind else "not a file type we know"
        return Rejected(
            name, f"its content is {found}; only PDF, PNG, JPEG and TIFF files are accepted."
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return _Checked(upload, kind.mime, size, digest.hexdigest())


def _store(checked: _Checked) -> str:
    token = secrets.token_hex(16)
    name = f"documents/{token[:2]}/{token}.{ALLOWED_TYPES[checked.content_type]}"
    return default_storage.save(name, checked.upload)


@transaction.atomic
def document_add_many(
    *, case: Case, actor, files: list[UploadedFile], kind: str = Document.Kind.OTHER
) -> tuple[list[Document], list[Rejected]]:
    """Add each acceptable file to the case; return the documents added and the files refused.

    One bad file does not stop the others. PDFs are queued for text extraction once the
    transaction commits; images are marked not applicable (no OCR).
    """
    if not permissions.can_intake(actor) or not permissions.can_view_cases(actor):
        raise PermissionDenied("Only intake staff may add documents to a case.")

    accepted: list[Document] = []
    rejected: list[Rejected] = []
    known = dict(case.documents.values_list("sha256", "original_name"))
    for upload in files:
        checked = _check(upload)
        if isinstance(checked, Rejected):
            rejected.append(checked)
            continue
        if checked.sha256 in known:
            rejected.append(
                Rejected(
                    upload.name,
                    f"it is the same file as {known[checked.sha256]}, already on this case.",
                )
            )
            continue
        storage_name = _store(checked)
        try:
            # A savepoint: a concurrent upload of the same file loses on the unique
            # constraint without undoing the rest of this upload.
            with transaction.atomic():
                document = Document.objects.create(
                    case=case,
                    kind=kind,
                    original_name=(upload.name or "unnamed")[:255],
                    content_type=checked.content_type,
                    size=checked.size,
                    sha256=checked.sha256,
                    storage_name=storage_name,
                    uploaded_by=actor,
                    extraction_status=(
                        Document.Extraction.PENDING
                        if checked.content_type == "application/pdf"
                        else Document.Extraction.NOT_APPLICABLE
                    ),
                )
        except IntegrityError:
            default_storage.delete(storage_name)
            rejected.append(Rejected(upload.name, "the same file was just added to this case."))
            continue
        known[checked.sha256] = document.original_name
        accepted.append(document)
        CaseEvent.objects.create(
            case=case,
            actor=actor,
            kind=CaseEvent.Kind.DOCUMENT_ADDED,
            payload={
                "document_id": document.pk,
                "name": document.original_name,
                "kind": document.kind,
                "content_type": document.content_type,
                "size": document.size,
                "sha256": document.sha256,
            },
        )
        if document.extraction_status == Document.Extraction.PENDING:
            outbox_enqueue(
                task_name=task_names.DOCUMENT_EXTRACT_TEXT, kwargs={"document_id": document.pk}
            )
    if rejected:
        CaseEvent.objects.create(
            case=case,
            actor=actor,
            kind=CaseEvent.Kind.DOCUMENTS_REJECTED,
            payload={"files": [{"name": r.name, "reason": r.reason} for r in rejected]},
        )
    if accepted:
        # A case waiting for information returns to the physician queue when a document
        # arrives, in this transaction; a no-op for a case that is not waiting.
        from reviews.models import InfoRequest
        from reviews.services.deadlines import info_request_return

        info_request_return(
            case=case, resolution=InfoRequest.Resolution.DOCUMENT_ARRIVED, actor=actor
        )
    return accepted, rejected


def document_record_download(
    *, document: Document, actor, download: bool, session: str = ""
) -> CaseEvent | None:
    """Audit: who opened which document, and whether as a download or a view.

    Every download is recorded. A view is recorded once per user, document and `session`
    (the sign-in session's key, stored only as a digest): a preview embedded in a page that
    is loaded again and again is the same view, not a new event each time. None when the
    view was already recorded. Without a session (the API), every view is recorded.
    """
    if not permissions.can_view_cases(actor):
        raise PermissionDenied
    payload = {"document_id": document.pk, "name": document.original_name}
    kind = CaseEvent.Kind.DOCUMENT_DOWNLOADED if download else CaseEvent.Kind.DOCUMENT_VIEWED
    if session and not download:
        payload["session"] = hashlib.sha256(session.encode()).hexdigest()[:16]
        seen = CaseEvent.objects.filter(
            case_id=document.case_id,
            actor=actor,
            kind=kind,
            payload__document_id=document.pk,
            payload__session=payload["session"],
        )
        if seen.exists():
            return None
    return CaseEvent.objects.create(
        case_id=document.case_id, actor=actor, kind=kind, payload=payload
    )


# ---- text extraction ------------------------------------------------------------------------


class ExtractionFailed(Exception):
    pass


def _pdf_pages(path: str) -> list[str]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            # An owner password alone (printing and copying limits) still opens with "".
            try:
                opened = reader.decrypt("")
            except (PyPdfError, NotImplementedError) as error:
                raise ExtractionFailed(f"The PDF is encrypted ({error}).") from None
            if not opened:
                raise ExtractionFailed(
                    "The PDF is encrypted with a password; ask the sender for an open copy."
                )
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
    except ExtractionFailed:
        raise
    except Exception as error:  # pypdf raises many kinds on a damaged file; all mean "corrupt"
        raise ExtractionFailed(
            f"The PDF could not be read; it may be damaged ({type(error).__name__}: "
            f"{str(error)[:200]})."
        ) from None
    if not pages:
        raise ExtractionFailed("The PDF has no pages.")
    if not any(pages):
        raise ExtractionFailed(
            f"No text on any of its {len(pages)} page(s): probably a scan. Text is not read "
            "from images (no OCR); read it in the preview."
        )
    return pages


def document_extract_text(*, document_id: int) -> Document:
    """Extract a PDF's text page by page. Idempotent: a document already done stays as it is."""
    document = Document.objects.get(pk=document_id)
    if document.extraction_status != Document.Extraction.PENDING:
        return document
    try:
        pages = _pdf_pages(default_storage.path(document.storage_name))
        error = ""
    except ExtractionFailed as failure:
        pages, error = [], str(failure)
    status = Document.Extraction.FAILED if error else Document.Extraction.DONE
    with transaction.atomic():
        # Conditional: if a second delivery of the task finished first, keep its result.
        claimed = Document.objects.filter(
            pk=document.pk, extraction_status=Document.Extraction.PENDING
        ).update(extraction_status=status, extraction_error=error)
        if claimed != 1:
            document.refresh_from_db()
            return document
        DocumentPage.objects.bulk_create(
            DocumentPage(document=document, number=number, text=text)
            for number, text in enumerate(pages, start=1)
        )
        CaseEvent.objects.create(
            case_id=document.case_id,
            actor=None,
            kind=CaseEvent.Kind.DOCUMENT_TEXT_FAILED
            if error
            else CaseEvent.Kind.DOCUMENT_TEXT_EXTRACTED,
            payload={
                "document_id": document.pk,
                "name": document.original_name,
                **({"reason": error} if error else {"pages": len(pages)}),
            },
        )
    if error:
        log.info("text extraction failed for document %s: %s", document.pk, error)
    document.extraction_status, document.extraction_error = status, error
    return document


# ---- files kept across a failed intake -----------------------------------------------------


def staged_upload_create_many(
    *, user, files: list[UploadedFile]
) -> tuple[list[StagedUpload], list[Rejected]]:
    """Keep the acceptable files of an intake that failed validation, for its sender's next
    submission; return them and the files refused (the same checks as a document's)."""
    if not permissions.can_intake(user):
        raise PermissionDenied("Only intake staff may add documents.")
    staged_uploads_purge_stale()
    kept: list[StagedUpload] = []
    rejected: list[Rejected] = []
    for upload in files:
        checked = _check(upload)
        if isinstance(checked, Rejected):
            rejected.append(checked)
            continue
        token = secrets.token_urlsafe(24)
        name = f"staged/{secrets.token_hex(16)}.{ALLOWED_TYPES[checked.content_type]}"
        storage_name = default_storage.save(name, checked.upload)
        kept.append(
            StagedUpload.objects.create(
                token=token,
                user=user,
                original_name=(upload.name or "unnamed")[:255],
                content_type=checked.content_type,
                size=checked.size,
                sha256=checked.sha256,
                storage_name=storage_name,
            )
        )
    return kept, rejected


def staged_upload_discard(*, user, tokens: list[str]) -> int:
    """Drop the user's staged files with these tokens (the "remove" boxes); others' are
    untouched, whatever tokens are sent."""
    staged = list(StagedUpload.objects.filter(user=user, token__in=tokens[:100]))
    _staged_delete(staged)
    return len(staged)


def staged_uploads_purge_stale(*, now: datetime | None = None) -> int:
    """Delete staged files older than their MAX_AGE (a corrected submission abandoned)."""
    cutoff = (now or timezone.now()) - StagedUpload.MAX_AGE
    stale = list(StagedUpload.objects.filter(created_at__lt=cutoff))
    _staged_delete(stale)
    return len(stale)


def _staged_delete(staged: list[StagedUpload]) -> None:
    if not staged:
        return
    StagedUpload.objects.filter(pk__in=[s.pk for s in staged]).delete()
    names = [s.storage_name for s in staged]
    # The files go once the rows are gone for good; a rollback keeps both.
    transaction.on_commit(lambda: [default_storage.delete(n) for n in names])


@contextmanager
def staged_files(staged: list[StagedUpload]):
    """The staged files opened as uploads, under their original names; closed on exit."""
    opened = []
    try:
        for item in staged:
            opened.append(File(default_storage.open(item.storage_name, "rb"), item.original_name))
        yield opened
    finally:
        for handle in opened:
            handle.close()


def staged_uploads_attach(*, case: Case, actor, staged: list[StagedUpload], kind: str):
    """Attach the actor's staged files to a case (as document_add_many) and forget them."""
    if any(item.user_id != actor.pk for item in staged):
        raise PermissionDenied("A staged file belongs to another user.")
    if not staged:
        return [], []
    with staged_files(staged) as files:
        result = document_add_many(case=case, actor=actor, files=files, kind=kind)
    _staged_delete(staged)
    return result
