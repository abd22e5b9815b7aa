"""Files from private storage (documents, letter PDFs) as responses: for the pages and the
API alike. The caller has checked access and records the download."""

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404


def private_file_response(
    storage_name: str, *, filename: str, content_type: str, as_attachment: bool, missing: str
) -> FileResponse:
    """The stored file, typed as we recorded it (the browser must not guess another type)
    and never cached; a 404 saying `missing` if storage no longer has it."""
    try:
        handle = default_storage.open(storage_name, "rb")
    except FileNotFoundError:
        raise Http404(missing) from None
    response = FileResponse(
        handle, as_attachment=as_attachment, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
