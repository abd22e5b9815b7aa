"""A physician asks for more information; the case comes back when a document arrives or
when the wait ends, in a real browser."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reviews import tasks
from reviews.models import Case, InfoRequest
from reviews.services.deadlines import info_requests_expire
from reviews.services.physician_review import case_claim_physician, info_request_create
from tests.builders import escalated_case
from tests.conftest import PASSWORD
from tests.factories import pdf_bytes
from tests.review_fixtures import kesimpta_request

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MISSING = "The MRI report named in the neurology note, and the date MS was diagnosed."


def sign_in(page, base, username):
    page.goto(base + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def queue_row(page, case):
    return page.locator("tbody tr", has=page.get_by_role("link", name=case.reference, exact=True))


@pytest.fixture
def in_process_extraction(monkeypatch):
    """Text extraction runs in this process (as in `make run`) rather than on a worker."""
    monkeypatch.setattr(
        tasks.document_extract_text,
        "apply_async",  # how the outbox sends it
        lambda kwargs=None, **options: tasks.document_extract_text.apply(kwargs=kwargs),
    )


def test_information_requested_then_a_document_returns_the_case(
    live_server,
    page,
    nurse,
    physician,
    kesimpta,
    private_storage,
    in_process_extraction,
    screenshot,
):
    base = live_server.url
    case = kesimpta_request(nurse, member_name="Irene Incomplete")
    case = escalated_case(case, nurse, **{"PRE-1": "not_met"})
    assert case.status == Case.Status.PHYSICIAN_QUEUE

    # The physician claims the case from the queue and asks for what is missing.
    sign_in(page, base, "pat")
    page.goto(f"{base}/physician/queue/")
    page.get_by_role("button", name=f"Claim {case.reference}").click()
    expect(page.get_by_role("heading", name="Decide")).to_be_visible()
    page.locator("summary", has_text="Request more information").click()
    info = page.locator("form[action$='/request-information/']")
    info.get_by_label("What is missing").fill(MISSING)
    wait_until = timezone.localtime() + timedelta(days=3)
    info.get_by_label("Wait until").fill(wait_until.strftime("%Y-%m-%dT%H:%M"))
    screenshot("info-request-form")
    info.get_by_role("button", name="Request information").click()

    expect(page.get_by_text(f"{case.reference}: information requested")).to_be_visible()
    expect(queue_row(page, case)).to_have_count(0)  # waiting, so not in the queue
    case.refresh_from_db()
    assert case.status == Case.Status.INFO_REQUESTED and case.assignee is None
    request = InfoRequest.objects.get(case=case)
    assert request.missing == MISSING and request.resolved_at is None
    assert timezone.localtime(request.wait_until).replace(second=0, microsecond=0) == (
        wait_until.replace(second=0, microsecond=0)
    )

    # The case page says so; the missing document is uploaded there.
    page.goto(f"{base}/cases/{case.pk}/")
    heading = page.get_by_role("heading", name=case.reference)
    expect(heading).to_contain_text("Information requested")
    expect(page.get_by_text(f"Missing: {MISSING}")).to_be_visible()  # in the timeline
    screenshot("info-requested-case")
    page.get_by_label("Files").set_input_files(
        [
            {
                "name": "mri-report.pdf",
                "mimeType": "application/pdf",
                "buffer": pdf_bytes(["MRI brain: new T2 lesions, consistent with RRMS."]),
            }
        ]
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("Added 1 document(s): mri-report.pdf.")).to_be_visible()
    expect(heading).to_contain_text("Physician queue")
    back = page.locator(".timeline-item", has_text="Back in the physician queue")
    expect(back.filter(has_text="A document arrived")).to_be_visible()
    screenshot("info-returned-case")

    case.refresh_from_db()
    assert case.status == Case.Status.PHYSICIAN_QUEUE and case.assignee is None
    request.refresh_from_db()
    assert request.resolved_at is not None
    assert request.resolution == InfoRequest.Resolution.DOCUMENT_ARRIVED

    # Back in the queue, unclaimed: any physician may take it again.
    page.goto(f"{base}/physician/queue/")
    expect(queue_row(page, case)).to_contain_text("unclaimed")
    expect(page.get_by_role("button", name=f"Claim {case.reference}")).to_be_visible()
    screenshot("info-returned-queue")


def test_a_case_returns_to_the_queue_when_its_wait_ends(
    live_server, page, nurse, physician, kesimpta, screenshot
):
    base = live_server.url
    case = escalated_case(kesimpta_request(nurse, member_name="Walter Waiting"), nurse)
    case_claim_physician(case=case, physician=physician)
    request = info_request_create(
        case=case,
        physician=physician,
        missing="The most recent neurology note.",
        wait_until=timezone.now() + timedelta(days=2),
    )

    sign_in(page, base, "pat")
    page.goto(f"{base}/physician/queue/")
    expect(page.get_by_role("heading", name="Physician queue")).to_be_visible()
    expect(queue_row(page, case)).to_have_count(0)

    # Not yet: the sweep before the wait ends leaves the case waiting.
    assert info_requests_expire(now=request.wait_until - timedelta(minutes=1)) == 0
    page.reload()
    expect(queue_row(page, case)).to_have_count(0)

    # The wait ends; the sweep (run here; Celery beat runs it in production) returns it.
    assert info_requests_expire(now=request.wait_until + timedelta(minutes=1)) == 1
    page.reload()
    expect(queue_row(page, case)).to_contain_text("unclaimed")
    expect(page.get_by_role("button", name=f"Claim {case.reference}")).to_be_visible()
    screenshot("info-wait-ended-queue")

    case.refresh_from_db()
    assert case.status == Case.Status.PHYSICIAN_QUEUE
    request.refresh_from_db()
    assert request.resolution == InfoRequest.Resolution.WAIT_ENDED

    page.goto(f"{base}/cases/{case.pk}/")
    expect(page.get_by_role("heading", name=case.reference)).to_contain_text("Physician queue")
    expect(page.get_by_text("The wait for information ended")).to_be_visible()
