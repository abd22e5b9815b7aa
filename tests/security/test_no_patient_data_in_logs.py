"""No patient data in the application log or on error pages.

A case with a distinctive member name and id goes through intake (with documents, one
refused and one whose text cannot be extracted), search, nurse review (with a bad form),
escalation, a physician's preview and denial, the letter task, 403, 404 and 500 answers,
with every logger captured at DEBUG. Neither the name nor the id may appear in any log
record, and the error pages show neither.
"""

import logging

import pytest
from django.test import Client
from django.urls import reverse

from reviews.models import Case, Letter
from reviews.selectors.review import case_review_state
from reviews.services.letters import letter_render_pdf
from tests.builders import step_answers
from tests.factories import ELF_EXECUTABLE, pdf_bytes, upload
from tests.views.test_case_views import intake

# The real PDF renderer: what WeasyPrint logs about a letter must not name the member either.
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.real_pdf,
    pytest.mark.usefixtures("private_storage"),
]

NAME = "Zebediah Quillfeather"
MEMBER_ID = "QX9931177"
SECRETS = (NAME, "Quillfeather", MEMBER_ID)


def _leaks(caplog) -> list[str]:
    leaked = []
    for record in caplog.records:
        text = record.getMessage()
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            text += record.exc_text
        if any(secret in text for secret in SECRETS):
            leaked.append(f"{record.name} {record.levelname}: {text[:500]}")
    return leaked


def _url(name, case, *args):
    return reverse(f"reviews:{name}", args=[case.pk, *args])


def test_a_case_walked_end_to_end_logs_no_patient_data(
    client, nurse, physician, outsider, kesimpta, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)  # every logger, every level

    # Intake, with the member's name in a document, in a refused file's name, and an
    # encrypted PDF whose text extraction fails.
    client.force_login(nurse)
    files = [
        upload("note.pdf", pdf_bytes([f"Neurology note for {NAME}, member {MEMBER_ID}"])),
        upload(f"{NAME} chart.exe", ELF_EXECUTABLE),
        upload("locked.pdf", pdf_bytes([NAME], encrypt_with="s3cret-pass")),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reviews:case-create"),
            intake(member_name=NAME, member_id=MEMBER_ID, documents=files),
        )
    assert response.status_code == 302
    case = Case.objects.get(member_id=MEMBER_ID)

    # A bad intake (400) with the name in it, and a search by name and id.
    bad = client.post(reverse("reviews:case-create"), intake(member_name=NAME, member_dob="x"))
    assert bad.status_code == 400
    assert client.get(reverse("reviews:case-list"), {"q": NAME}).status_code == 200
    assert client.get(reverse("reviews:case-list"), {"q": MEMBER_ID}).status_code == 200

    # The nurse claims, answers (one bad post first), and escalates.
    client.post(_url("case-claim", case))
    state = case_review_state(case=case)
    first = state.steps[0].node.label
    assert client.post(_url("case-review-step", case, first), {"answer": "?"}).status_code == 400
    for label, answer in step_answers(case).items():
        client.post(_url("case-review-step", case, label), {"answer": answer, "go": "next"})
    client.post(_url("case-escalate", case), {"comment": f"Spoke to {NAME}'s neurologist."})
    case.refresh_from_db()
    assert case.status == Case.Status.PHYSICIAN_QUEUE

    # The physician previews and issues a denial; the letter task renders the PDF.
    client.force_login(physician)
    client.post(_url("case-claim-physician", case))
    data = {"deny-criteria": ["PRE-1"], "deny-rationale": "Records show progressive MS."}
    preview = client.post(_url("case-decide", case, "deny"), {**data, "preview": "1"})
    assert NAME in preview.content.decode()  # shown to staff, as it should be
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url("case-decide", case, "deny"), data)
    letter = Letter.objects.get(determination__case=case)
    letter_render_pdf(letter_id=letter.pk)

    # 403 and 404 answers about this case.
    client.force_login(outsider)
    assert client.get(_url("case-detail", case)).status_code == 404
    client.force_login(nurse)
    missing = client.get(_url("document-file", case, 999999))
    assert missing.status_code == 404
    assert not any(s in missing.content.decode() for s in SECRETS)

    leaked = _leaks(caplog)
    assert not leaked, "\n".join(leaked)
    assert caplog.records  # the capture worked: requests and tasks did log


def test_a_500_shows_and_logs_no_patient_data(nurse, kesimpta, caplog, monkeypatch):
    """An unexpected error while a case is loaded: Django logs the traceback, the page is plain."""
    from reviews.views import cases as case_views

    caplog.set_level(logging.DEBUG)
    client = Client(raise_request_exception=False)
    client.force_login(nurse)
    client.post(reverse("reviews:case-create"), intake(member_name=NAME, member_id=MEMBER_ID))
    case = Case.objects.get(member_id=MEMBER_ID)

    def broken(*args, **kwargs):
        raise RuntimeError("the timeline could not be built")

    monkeypatch.setattr(case_views.selectors, "case_timeline", broken)
    response = client.get(_url("case-detail", case))
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body
    assert not any(s in body for s in SECRETS) and "Traceback" not in body
    assert any(r.name == "django.request" and r.levelno == logging.ERROR for r in caplog.records)
    leaked = _leaks(caplog)
    assert not leaked, "\n".join(leaked)
