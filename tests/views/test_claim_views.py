"""Claim line pages: an examiner enters a line through the form and lands on its page;
bad input is a 400 with the reason at its field; a pended line is resolved on its page;
the list filters by status; the case page shows units authorized, used and remaining and
the lines counted against its authorization."""

from datetime import date

import pytest
from django.urls import reverse

from reviews.models import ClaimLine
from tests.builders import approved_case
from tests.claims_fixtures import NPI, receive
from tests.review_fixtures import kesimpta_request

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    data = {
        "claim_line_id": "WEB-1",
        "member_id": "M1234567",
        "date_of_service": date.today().isoformat(),
        "hcpcs_code": "J3490",
        "ndc": "",
        "units": "2",
        "modifiers": "JZ",
        "billed_amount": "3000.00",
        "billing_npi": NPI,
        "rendering_npi": NPI,
        "participating": "true",
    }
    data.update(overrides)
    return data


@pytest.fixture
def authorization(kesimpta, nurse):
    return approved_case(kesimpta_request(nurse), nurse)


def test_entering_a_line_adjudicates_it_and_shows_the_result(client, examiner, authorization):
    client.force_login(examiner)
    response = client.post(reverse("reviews:claim-line-create"), form_data())
    line = ClaimLine.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:claim-line-detail", args=[line.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Paid" in page and "Remark code M3M" in page
    assert authorization.authorization_number in page


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"billing_npi": "1234567890"}, "billing_npi", "Not an NPI"),
        ({"hcpcs_code": "J9999"}, "hcpcs_code", "No published policy"),
        ({"modifiers": "JW JZ"}, "modifiers", "contradict"),
        ({"billed_amount": "lots"}, "billed_amount", "An amount in dollars"),
        ({"units": "0"}, "units", "from 1 to"),
        ({"date_of_service": "yesterday"}, "date_of_service", "Enter a valid date"),
    ],
)
def test_bad_input_is_a_400_with_the_reason(client, examiner, kesimpta, overrides, field, words):
    client.force_login(examiner)
    response = client.post(reverse("reviews:claim-line-create"), form_data(**overrides))
    assert response.status_code == 400
    assert words in " ".join(response.context["form"].errors[field])
    assert not ClaimLine.objects.exists()


def test_the_same_id_with_other_contents_is_refused(client, examiner, authorization):
    client.force_login(examiner)
    client.post(reverse("reviews:claim-line-create"), form_data())
    response = client.post(reverse("reviews:claim-line-create"), form_data(units="3"))
    assert response.status_code == 409
    assert "other contents" in response.content.decode()
    again = client.post(reverse("reviews:claim-line-create"), form_data())
    assert again.status_code == 302 and ClaimLine.objects.count() == 1


def test_an_examiner_resolves_a_pended_line(client, examiner, authorization):
    line, _ = receive(examiner, modifiers=[])
    client.force_login(examiner)
    url = reverse("reviews:claim-line-resolve", args=[line.pk])
    refused = client.post(url, {"action": "deny", "reason": ""})
    assert refused.status_code == 400
    response = client.post(url, {"action": "deny", "carc": "50", "reason": "Waste not shown."})
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.status, line.carc, line.resolved_by) == ("denied", "50", examiner)
    again = client.post(url, {"action": "pay", "reason": "Try again."}, follow=True)
    assert "not pended for review" in again.content.decode()


def test_the_list_filters_by_status(client, examiner, authorization, django_assert_max_num_queries):
    receive(examiner, claim_line_id="PAID-1")
    receive(examiner, claim_line_id="PEND-1", modifiers=[])
    client.force_login(examiner)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("reviews:claim-line-list"), {"status": "pended_review"})
    body = page.content.decode()
    assert "PEND-1" in body and "PAID-1" not in body
    assert client.get(reverse("reviews:claim-line-list"), {"status": "nope"}).status_code == 400


def test_the_case_page_shows_units_and_lines(client, nurse, examiner, authorization):
    receive(examiner, claim_line_id="CASE-1", units=4)
    client.force_login(nurse)
    page = client.get(reverse("reviews:case-detail", args=[authorization.case_id]))
    body = page.content.decode()
    assert "15 authorized, 4 used, 11 remaining" in body
    assert "CASE-1" in body
    assert "Claim line CASE-1: 4 of 4 units paid" in body  # the timeline


def test_the_case_page_before_any_claim(client, nurse, authorization):
    client.force_login(nurse)
    body = client.get(reverse("reviews:case-detail", args=[authorization.case_id])).content
    assert b"15 authorized, 0 used, 15 remaining" in body


def test_the_home_page_counts_lines_pended_for_review(client, examiner, authorization):
    receive(examiner, claim_line_id="HOME-1", modifiers=[])
    client.force_login(examiner)
    body = client.get(reverse("home")).content.decode()
    assert "1 line pended for review." in body
    assert "no role yet" not in body
