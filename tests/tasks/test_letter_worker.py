"""A real Celery worker renders a letter's PDF from the database into private storage."""

import io
import time

import pytest
from django.core.files.storage import default_storage
from pypdf import PdfReader

from reviews import tasks
from reviews.letter_html import letter_html
from reviews.models import Letter
from tests.services.test_letters import denial, words


@pytest.mark.worker
@pytest.mark.real_pdf
def test_a_real_worker_renders_a_letter(
    private_storage, celery_worker_process, clear_case, physician
):
    # Created directly: letter_issue would also send the task to the default queue on commit.
    det = denial(clear_case, physician)
    letter = Letter.objects.create(determination=det, html=letter_html(det))
    tasks.letter_render.apply_async(kwargs={"letter_id": letter.pk}, queue=celery_worker_process)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        letter.refresh_from_db()
        if letter.status != Letter.Status.PENDING:
            break
        time.sleep(0.25)
    else:
        pytest.fail("the worker did not render the letter within 90 s")
    assert letter.status == Letter.Status.RENDERED, letter.error
    with default_storage.open(letter.storage_name, "rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = words(" ".join(page.extract_text() for page in reader.pages))
    # The member reads the cited criterion in plain words, never its internal label.
    assert "PRE-1" not in text and "relapsing forms of multiple sclerosis" in text
    assert "policy 2020910, version 1" in text and "appeal" in text
