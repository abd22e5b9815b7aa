"""Issue 19, the nurse's and physician's work: home numbers, the nurse queue's filters and
counts, the decision header, return to nurse, review actions within reach."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.models import Case, CaseEvent
from reviews.services import nurse_review
from reviews.services import physician_review as services
from tests.builders import answered_case
from tests.review_fixtures import kesimpta_request

pytestmark = pytest.mark.django_db

REASON = "PRE-1 was answered from the wrong note; the MRI report shows relapsing MS."


def url(name, case, *args):
    return reverse(f"reviews:{name}", args=[case.pk, *args])


@pytest.fixture
def mine(escalated, physician):
    services.case_claim_physician(case=escalated, physician=physician)
    escalated.refresh_from_db()
    return escalated


# ---- home pages -----------------------------------------------------------------------------


def test_the_nurse_home_page_shows_her_numbers(client, kesimpta, nurse):
    case = kesimpta_request(nurse)
    nurse_review.case_claim(case=case, nurse=nurse)
    client.force_login(nurse)
    body = client.get(reverse("home")).content.decode()
    assert 'data-role="nurse"' in body and 'data-role="physician"' not in body
    for label in ("My open cases", "Due today", "At risk", "Done this week"):
        assert label in body
    assert 'data-role="auditor"' not in body
    assert f'href="{reverse("reviews:nurse-queue")}?mine=on"' in body
    assert f'href="{reverse("reviews:nurse-queue")}?at_risk_only=on"' in body


def test_the_physician_and_auditor_home_pages(client, mine, physician, auditor):
    client.force_login(physician)
    body = client.get(reverse("home")).content.decode()
    assert 'data-role="physician"' in body and 'data-role="nurse"' not in body
    assert reverse("reviews:physician-queue") in body
    client.force_login(auditor)
    client.get(url("case-detail", mine))  # an auditor's own view is access too
    body = client.get(reverse("home")).content.decode()
    assert 'data-role="auditor"' in body and "Recent access" in body
    assert mine.reference in body and reverse("reviews:case-audit", args=[mine.pk]) in body


# ---- the nurse queue ------------------------------------------------------------------------


def test_the_nurse_queue_filters_searches_and_counts(client, kesimpta, nurse):
    urgent = kesimpta_request(nurse, member_name="Hannah Urgent", urgency="expedited")
    kesimpta_request(nurse, member_name="Sam Standard")
    # At risk: under a quarter of its time left.
    Case.objects.filter(pk=urgent.pk).update(
        received_at=timezone.now() - timedelta(hours=20),
        due_at=timezone.now() + timedelta(hours=2),
    )
    client.force_login(nurse)
    body = client.get(reverse("reviews:nurse-queue")).content.decode()
    assert "2 awaiting review" in body and "1 at risk" in body and "1 expedited" in body
    assert '<span class="badge text-bg-warning">At risk</span>' in body
    body = client.get(reverse("reviews:nurse-queue"), {"q": "hannah"}).content.decode()
    assert "Hannah Urgent" in body and "Sam Standard" not in body
    # The home page's "At risk" leads here: at risk or overdue, by the counts' own rule.
    body = client.get(reverse("reviews:nurse-queue"), {"at_risk_only": "on"}).content.decode()
    assert "Hannah Urgent" in body and "Sam Standard" not in body
    body = client.get(reverse("reviews:nurse-queue"), {"urgency": "standard"}).content.decode()
    assert "Sam Standard" in body and "Hannah Urgent" not in body
    nurse_review.case_claim(case=urgent, nurse=nurse)
    body = client.get(reverse("reviews:nurse-queue"), {"mine": "on"}).content.decode()
    assert "Hannah Urgent" in body and "Sam Standard" not in body
    body = client.get(reverse("reviews:nurse-queue"), {"q": "nobody"}).content.decode()
    assert "No case in the nurse queue matches these filters." in body


@pytest.mark.parametrize(
    "query",
    [{"urgency": "soon"}, {"drug": "<script>"}, {"q": "x" * 500}, {"page": "last"}, {"page": "-1"}],
)
def test_bad_queue_filters_are_answered_not_crashed(client, kesimpta, nurse, query):
    kesimpta_request(nurse)
    client.force_login(nurse)
    response = client.get(reverse("reviews:nurse-queue"), query)
    assert response.status_code == 200


# ---- the decision header --------------------------------------------------------------------


def test_the_decision_header_shows_what_the_physician_needs(client, mine, physician):
    Case.objects.filter(pk=mine.pk).update(diagnosis_codes=["G35.A", "Z99.9"])
    mine.medications.create(name="Vitamin D 1000 IU daily")
    client.force_login(physician)
    body = client.get(url("case-decision", mine)).content.decode()
    header = body[body.index("decision-header") : body.index("Escalated")]
    assert mine.member_name in header and f"{mine.member_age} years old" in header
    assert "G35.A</strong> — Relapsing forms of multiple sclerosis" in header
    assert "Z99.9</strong> <span" in header and "no description in the policy" in header
    assert mine.get_line_of_business_display() in header
    assert "Standard" in header and "due " in header
    assert str(mine.policy_drug) in header  # "Brand (generic)", as the policy names it
    assert mine.regimen_text in header
    assert "Vitamin D 1000 IU daily" in header


# ---- return to nurse ------------------------------------------------------------------------


def test_return_to_nurse_from_the_decision_page(client, mine, physician, nurse):
    client.force_login(physician)
    body = client.get(url("case-decision", mine)).content.decode()
    assert url("case-return-to-nurse", mine) in body
    response = client.post(url("case-return-to-nurse", mine), {"return-reason": REASON})
    assert response.status_code == 302 and response.url == reverse("reviews:physician-queue")
    mine.refresh_from_db()
    assert mine.status == Case.Status.NURSE_REVIEW and mine.assignee == nurse
    assert CaseEvent.objects.filter(case=mine, from_status="physician_review").count() == 1
    # The nurse sees the reason in her queue, on the case and in the review.
    client.force_login(nurse)
    for page in (
        reverse("reviews:nurse-queue"),
        url("case-detail", mine),
        url("case-review-summary", mine),
    ):
        body = client.get(page).content.decode()
        assert "Returned" in body and "the MRI report shows relapsing MS" in body, page


@pytest.mark.parametrize("reason", ["", "short", " " * 30])
def test_return_to_nurse_needs_a_reason(client, mine, physician, reason):
    client.force_login(physician)
    response = client.post(url("case-return-to-nurse", mine), {"return-reason": reason})
    assert response.status_code == 400
    assert "Say why the case goes back" in response.content.decode()
    assert Case.objects.get(pk=mine.pk).status == Case.Status.PHYSICIAN_REVIEW


def test_return_to_nurse_of_a_case_not_claimed_says_why(client, escalated, physician, nurse):
    client.force_login(physician)
    response = client.post(
        url("case-return-to-nurse", escalated), {"return-reason": REASON}, follow=True
    )
    assert response.redirect_chain == [(url("case-decision", escalated), 302)]
    assert "not in physician review" in response.content.decode()
    client.force_login(nurse)
    response = client.post(url("case-return-to-nurse", escalated), {"return-reason": REASON})
    assert response.status_code == 403


# ---- review actions within reach ------------------------------------------------------------


def test_the_review_pages_keep_their_primary_action_in_reach(client, kesimpta, nurse):
    case = answered_case(kesimpta_request(nurse), nurse)
    client.force_login(nurse)
    body = client.get(url("case-review-step", case, "PRE-1")).content.decode()
    assert 'class="d-flex flex-wrap gap-2 review-actions"' in body  # sticky (app.css)
    body = client.get(url("case-review-summary", case)).content.decode()
    top = body[: body.index('id="indication-heading"')]
    assert url("case-approve-confirm", case) in top and "#escalate-heading" in top
