"""The appeal intake page: it works, refuses what it must with a reason, and who may use it."""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from reviews.models import Appeal, CaseEvent
from tests.appeal_fixtures import APPEAL_REASON
from tests.factories import pdf_bytes

pytestmark = pytest.mark.django_db


def _form(**changes) -> dict:
    return {
        "appellant_kind": "prescriber",
        "appellant_name": "Dr. Elena Marsh",
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "urgency": "standard",
        "reason": APPEAL_REASON,
        "document_kind": "letter_of_medical_necessity",
    } | changes


def test_the_denied_case_offers_an_appeal_until_its_last_day(client, nurse, denied):
    client.force_login(nurse)
    page = client.get(reverse("reviews:case-detail", args=[denied.pk])).content.decode()
    assert "This decision may be appealed until" in page
    assert reverse("reviews:appeal-file", args=[denied.pk]) in page
    page = client.get(reverse("reviews:appeal-file", args=[denied.pk])).content.decode()
    assert "180 days from the notice" in page and "45 CFR 147.136" in page


def test_filing_with_a_document_opens_the_appeal_case(client, nurse, denied, private_storage):
    client.force_login(nurse)
    letter = SimpleUploadedFile(
        "lmn.pdf", pdf_bytes(["Letter of medical necessity"]), content_type="application/pdf"
    )
    response = client.post(
        reverse("reviews:appeal-file", args=[denied.pk]), _form(documents=[letter])
    )
    appeal = Appeal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:case-detail", args=[appeal.case_id])
    assert appeal.case.documents.get().kind == "letter_of_medical_necessity"
    assert appeal.case.status == "physician_queue"
    page = client.get(response["Location"]).content.decode()
    assert "Appeal of" in page and denied.reference in page and "Dr. Elena Marsh" in page
    # The original case says it is under appeal, with a link.
    page = client.get(reverse("reviews:case-detail", args=[denied.pk])).content.decode()
    assert appeal.case.reference in page


def test_a_late_appeal_is_refused_with_its_last_day_and_recorded(client, nurse, denied):
    received = timezone.localtime(denied.determination.decided_at) + timedelta(days=181)
    with time_machine.travel(received + timedelta(hours=1)):
        client.force_login(nurse)
        response = client.post(
            reverse("reviews:appeal-file", args=[denied.pk]),
            _form(received_at=received.strftime("%Y-%m-%dT%H:%M")),
        )
    assert response.status_code == 400
    assert "too late" in response.content.decode()
    assert not Appeal.objects.exists()
    assert CaseEvent.objects.filter(case=denied, kind=CaseEvent.Kind.APPEAL_REFUSED).exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"appellant_kind": ""}, "This field is required"),
        ({"reason": ""}, "This field is required"),
        ({"received_at": "yesterday"}, "Enter a valid date/time"),
        ({"reason": "no"}, "why the appellant disagrees"),
    ],
)
def test_bad_input_is_answered_at_the_form(client, nurse, denied, changes, message):
    client.force_login(nurse)
    response = client.post(reverse("reviews:appeal-file", args=[denied.pk]), _form(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Appeal.objects.exists()


def test_an_approved_or_already_appealed_case_says_why_not(client, nurse, appeal, denied):
    client.force_login(nurse)
    page = client.get(reverse("reviews:appeal-file", args=[denied.pk])).content.decode()
    assert "already under appeal" in page
    response = client.post(reverse("reviews:appeal-file", args=[denied.pk]), _form())
    assert response.status_code == 400
    assert Appeal.objects.count() == 1


def test_roles(client, denied, auditor, outsider, policy_admin):
    url = reverse("reviews:appeal-file", args=[denied.pk])
    client.force_login(auditor)
    assert client.get(url).status_code == 403
    assert client.post(url, _form()).status_code == 403
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(policy_admin)
    assert client.post(url, _form()).status_code == 404
    assert not Appeal.objects.exists()


def test_the_decision_screen_reads_as_an_appeal(client, appeal, physician, physician2):
    client.force_login(physician2)
    client.post(reverse("reviews:case-claim-physician", args=[appeal.case_id]))
    page = client.get(reverse("reviews:case-decision", args=[appeal.case_id])).content.decode()
    assert "Overturn (approve)" in page and "Uphold the denial" in page
    assert "Return to nurse review" not in page
    # The physician who denied sees why they may not take it.
    client.force_login(physician)
    page = client.get(reverse("reviews:case-decision", args=[appeal.case_id])).content.decode()
    assert "took no part" in page


def test_the_physician_queue_marks_an_appeal(client, appeal, physician2, denied):
    client.force_login(physician2)
    page = client.get(reverse("reviews:physician-queue")).content.decode()
    assert f"Appeal of {denied.reference}" in page


def test_the_appeal_cases_record_and_audit_pages_read(client, appeal, auditor):
    client.force_login(auditor)
    for name in ("reviews:case-record", "reviews:case-audit", "reviews:case-detail"):
        response = client.get(reverse(name, args=[appeal.case_id]))
        assert response.status_code == 200, name
    page = client.get(reverse("reviews:case-audit", args=[appeal.original_id])).content.decode()
    assert "Appeal filed" in page
