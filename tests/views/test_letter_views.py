"""The letter pages: the STYLE.md checklist for the preview and the PDF download."""

import pytest
from django.urls import reverse

from reviews.models import CaseEvent, Letter
from reviews.services import letters as services
from tests.services.test_letters import approve_as_nurse, denial, issued

pytestmark = [pytest.mark.django_db, pytest.mark.real_pdf]


def preview_url(case):
    return reverse("reviews:letter-preview", args=[case.pk])


def pdf_url(case):
    return reverse("reviews:letter-pdf", args=[case.pk])


@pytest.fixture
def denied(clear_case, physician):
    issued(denial(clear_case, physician))
    return clear_case


@pytest.fixture
def rendered(denied, private_storage):
    services.letter_render_pdf(letter_id=denied.determination.letter.pk)
    return denied


def test_preview_shows_the_letter_as_issued(client, nurse, denied):
    client.force_login(nurse)
    response = client.get(preview_url(denied))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response.content.decode() == denied.determination.letter.html
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["Cache-Control"] == "private, no-store"


def test_preview_refuses_post(client, nurse, denied):
    client.force_login(nurse)
    assert client.post(preview_url(denied)).status_code == 405
    assert client.post(pdf_url(denied)).status_code == 405


def test_outsider_gets_404(client, outsider, rendered):
    client.force_login(outsider)
    assert client.get(preview_url(rendered)).status_code == 404
    assert client.get(pdf_url(rendered)).status_code == 404
    assert not CaseEvent.objects.filter(kind="letter_downloaded").exists()


def test_anonymous_is_sent_to_login(client, rendered):
    for url in (preview_url(rendered), pdf_url(rendered)):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_no_letter_yet_is_404(client, nurse, clear_case):
    client.force_login(nurse)
    assert client.get(preview_url(clear_case)).status_code == 404
    assert client.get(pdf_url(clear_case)).status_code == 404


def test_pdf_is_404_with_a_reason_until_rendered(client, nurse, denied):
    client.force_login(nurse)
    response = client.get(pdf_url(denied))
    assert response.status_code == 404
    assert "still being rendered" in response.content.decode()
    Letter.objects.filter(determination__case=denied).update(status="failed", error="Boom: x")
    response = client.get(pdf_url(denied))
    assert response.status_code == 404 and "could not be rendered" in response.content.decode()
    assert not CaseEvent.objects.filter(kind="letter_downloaded").exists()


def test_pdf_download_is_served_and_recorded(client, nurse, rendered):
    client.force_login(nurse)
    response = client.get(pdf_url(rendered))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"{rendered.reference}-letter.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF-")
    letter = Letter.objects.get(determination__case=rendered)
    event = CaseEvent.objects.get(case=rendered, kind="letter_downloaded")
    assert event.actor == nurse
    assert event.payload == {"letter_id": letter.pk, "sha256": letter.sha256}


def test_case_page_shows_the_determination_and_letter_links(client, nurse, clear_case):
    det = approve_as_nurse(clear_case, nurse)
    client.force_login(nurse)
    body = client.get(reverse("reviews:case-detail", args=[clear_case.pk])).content.decode()
    assert "Determination" in body and det.authorization_number in body
    assert det.quantity_text in body
    assert preview_url(clear_case) in body
    assert "PDF being rendered" in body
    assert pdf_url(clear_case) not in body


def test_case_page_links_the_pdf_once_rendered(client, nurse, rendered):
    client.force_login(nurse)
    body = client.get(reverse("reviews:case-detail", args=[rendered.pk])).content.decode()
    assert pdf_url(rendered) in body and "Denied" in body and "PRE-1" in body


def test_case_page_without_a_determination_has_no_card(client, nurse, clear_case):
    client.force_login(nurse)
    body = client.get(reverse("reviews:case-detail", args=[clear_case.pk])).content.decode()
    assert 'id="determination-heading"' not in body
