"""Letters: issue a determination's letter with its HTML, then render the PDF in the background.

The HTML is stored as issued, so the PDF (and any later re-render) says exactly what the
preview said. The PDF is stored privately under a random name; only views.letters serves it.
"""

import hashlib
import logging
import secrets

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from reviews import permissions, task_names
from reviews.letter_html import letter_html
from reviews.models import CaseEvent, Determination, Letter
from reviews.services.outbox import outbox_enqueue

log = logging.getLogger(__name__)

# Rendering errors worth a retry: the machine (memory, files), not the letter. Anything else
# fails the same way every time, so the letter is marked failed and the task stops.
TRANSIENT_ERRORS = (OSError, MemoryError)


@transaction.atomic
def letter_issue(*, determination: Determination) -> Letter:
    """Keep the letter as issued and render its PDF once the decision commits.

    Called inside the deciding service's transaction: the letter and its outbox row commit
    with the decision or not at all, and the task is sent only after the commit (later, by
    the outbox dispatcher, if the broker is down then).
    """
    letter = Letter.objects.create(determination=determination, html=letter_html(determination))
    CaseEvent.objects.create(
        case_id=determination.case_id,
        actor=determination.decided_by,
        kind=CaseEvent.Kind.LETTER_ISSUED,
        payload={
            "letter_id": letter.pk,
            "authorization_number": determination.authorization_number,
        },
    )
    outbox_enqueue(task_name=task_names.LETTER_RENDER, kwargs={"letter_id": letter.pk})
    return letter


def _pdf(html: str) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # data: URIs only: a letter never makes the worker fetch from the network or the disk.
    fetcher = URLFetcher(allowed_protocols=["data"])
    return HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()


def _fail(letter: Letter, error: BaseException) -> Letter:
    reason = f"{type(error).__name__}: {str(error)[:500]}"
    with transaction.atomic():
        # Conditional: a render that succeeded meanwhile is never turned into a failure.
        changed = (
            Letter.objects.filter(pk=letter.pk)
            .exclude(status=Letter.Status.RENDERED)
            .update(status=Letter.Status.FAILED, error=reason)
        )
        if changed:
            CaseEvent.objects.create(
                case_id=letter.determination.case_id,
                actor=None,
                kind=CaseEvent.Kind.LETTER_RENDER_FAILED,
                payload={"letter_id": letter.pk, "reason": reason},
            )
    log.warning("letter %s could not be rendered: %s", letter.pk, reason)
    letter.refresh_from_db()
    return letter


def letter_render_pdf(*, letter_id: int) -> Letter:
    """Render and store the PDF. Idempotent: a rendered letter is returned unchanged.

    A failed letter is rendered again when asked (after the cause is fixed). Transient errors
    are re-raised after marking the letter failed, so the task retries them.
    """
    letter = Letter.objects.select_related("determination").get(pk=letter_id)
    if letter.status == Letter.Status.RENDERED:
        return letter
    # Rendering takes a second or more: it runs outside any lock or transaction.
    try:
        pdf = _pdf(letter.html)
    except TRANSIENT_ERRORS as error:
        _fail(letter, error)
        raise
    except Exception as error:  # WeasyPrint raises many kinds on a document it cannot lay out
        return _fail(letter, error)
    name = ""
    try:
        with transaction.atomic():
            # Two deliveries of the task may render at once; the row lock lets one store its
            # file, and the other finds the letter rendered and returns it.
            locked = Letter.objects.select_for_update().get(pk=letter_id)
            if locked.status == Letter.Status.RENDERED:
                return locked
            name = default_storage.save(f"letters/{secrets.token_hex(16)}.pdf", ContentFile(pdf))
            locked.status = Letter.Status.RENDERED
            locked.error = ""
            locked.storage_name = name
            locked.sha256 = hashlib.sha256(pdf).hexdigest()
            locked.size = len(pdf)
            locked.rendered_at = timezone.now()
            locked.save(
                update_fields=["status", "error", "storage_name", "sha256", "size", "rendered_at"]
            )
            CaseEvent.objects.create(
                case_id=letter.determination.case_id,
                actor=None,
                kind=CaseEvent.Kind.LETTER_RENDERED,
                payload={"letter_id": letter_id, "sha256": locked.sha256, "size": locked.size},
            )
    except BaseException:
        if name:  # the row did not commit: no file without its row
            default_storage.delete(name)
        raise
    return locked


def letter_record_download(*, letter: Letter, actor) -> CaseEvent:
    """Audit: who downloaded which letter."""
    if not permissions.can_view_cases(actor):
        raise PermissionDenied
    return CaseEvent.objects.create(
        case_id=letter.determination.case_id,
        actor=actor,
        kind=CaseEvent.Kind.LETTER_DOWNLOADED,
        payload={"letter_id": letter.pk, "sha256": letter.sha256},
    )
