"""The renewals pages: the nurses' list (sortable, bad sorts answered with a message) and a
continuation started from an authorization (the intake page, filled in, linked)."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from reviews.models import Case, CaseEvent
from tests.factories import VALID_NPI
from tests.services.test_renewals import _in_physician_review, authorization, continuation

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def due(kesimpta, nurse):
    """An authorization that ends in 20 days."""
    return authorization(nurse, start=TODAY() - timedelta(days=340), end=TODAY() + timedelta(20))


def test_the_list_shows_what_ends_soon_with_its_way_to_continue(client, nurse, due):
    client.force_login(nurse)
    response = client.get(reverse("reviews:renewals"))
    assert response.status_code == 200
    html = response.content.decode()
    assert due.authorization_number in html and due.case.member_name in html
    assert reverse("reviews:case-continue", args=[due.case.pk]) in html
    assert 'aria-sort="ascending"' in html and "?sort=-end" in html
    # The nurse's navigation and home page lead here.
    home = client.get(reverse("home")).content.decode()
    assert reverse("reviews:renewals") in home


def test_a_bad_sort_is_answered_with_a_message_not_a_500(client, nurse, due):
    client.force_login(nurse)
    for bad in ("case__member_dob", "'; drop table", "é" * 500, ""):
        response = client.get(reverse("reviews:renewals"), {"sort": bad})
        if bad:
            assert response.status_code == 400
            assert "is not a way to sort this list" in response.content.decode()
        assert due.authorization_number in response.content.decode()
    for good in ("end", "-end", "member", "-member", "drug", "-drug"):
        assert client.get(reverse("reviews:renewals"), {"sort": good}).status_code == 200


def test_the_list_query_count_is_pinned(client, nurse, kesimpta, django_assert_num_queries):
    for i in range(5):
        authorization(
            nurse,
            start=TODAY() - timedelta(days=300),
            end=TODAY() + timedelta(days=i),
            member_id=f"M10000{i}",
        )
    client.force_login(nurse)
    # Session, user, permissions (the user's and their roles' in one), the user's groups (nav),
    # the count, the page of authorizations with their cases and drugs in one join, their
    # continuations, and the session's renewal (a savepoint, the update, its release):
    # however many rows.
    with django_assert_num_queries(10):
        response = client.get(reverse("reviews:renewals"))
    assert len(response.context["page"].object_list) == 5


def test_the_list_is_the_nurses(client, physician, auditor, due):
    for user in (physician, auditor):
        client.force_login(user)
        assert client.get(reverse("reviews:renewals")).status_code == 403


def test_the_continuation_page_starts_from_the_authorization(client, nurse, due):
    client.force_login(nurse)
    response = client.get(reverse("reviews:case-continue", args=[due.case.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Continuation of authorization {due.authorization_number}" in html
    assert 'value="M1234567"' in html and 'value="Dr. Elena Marsh"' in html
    assert 'value="continuation"  id="id_request_type_1" required checked' in html
    assert response.context["form"].initial["therapy_start_date"] == due.approval_start
    viewed = due.case.events.filter(kind=CaseEvent.Kind.CASE_VIEWED).last()
    assert viewed.payload == {"page": "continue"}


def continuation_post(**changes) -> dict:
    data = {
        "member_name": "Dana Whitfield",
        "member_id": "M1234567",
        "member_dob": "1990-05-14",
        "prescriber_name": "Dr. Elena Marsh",
        "prescriber_npi": VALID_NPI,
        "prescriber_specialty": "Neurology",
        "diagnosis_codes": "G35.A",
        "drug_name": "Kesimpta",
        "hcpcs_code": "J3490",
        "phase0_name": "Maintenance",
        "phase0_amount": "20",
        "phase0_dose_unit": "mg",
        "phase0_route": "subcutaneous",
        "phase0_every": "1",
        "phase0_unit": "calendar_month",
        "request_type": "continuation",
        "therapy_start_date": (TODAY() - timedelta(days=340)).isoformat(),
        "urgency": "standard",
        "line_of_business": "commercial",
        "received_at": "",
        "document_kind": "clinical_note",
        "meds-TOTAL_FORMS": "0",
        "meds-INITIAL_FORMS": "0",
        **{
            f"{prefix}-{name}": "0"
            for prefix in ("labs", "therapies", "events")
            for name in ("TOTAL_FORMS", "INITIAL_FORMS")
        },
    }
    data.update(changes)
    return data


def test_entering_the_continuation_links_it(client, nurse, due):
    client.force_login(nurse)
    response = client.post(
        reverse("reviews:case-continue", args=[due.case.pk]), continuation_post()
    )
    assert response.status_code == 302
    case = Case.objects.get(continues=due)
    assert response["Location"] == reverse("reviews:case-detail", args=[case.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Continues" in page and due.authorization_number in page
    prior_page = client.get(reverse("reviews:case-detail", args=[due.case.pk])).content.decode()
    assert "Continued by:" in prior_page and case.reference in prior_page
    assert "No continuation can be started" in prior_page  # it is continued, once
    assert f"Continuation requested: {case.reference} continues {due.authorization_number}" in (
        prior_page
    )
    assert f"Continuation started: continues authorization {due.authorization_number}" in page
    # The list now points at the continuation instead of offering another.
    listed = client.get(reverse("reviews:renewals")).content.decode()
    assert case.reference in listed
    assert reverse("reviews:case-continue", args=[due.case.pk]) not in listed


def test_a_refused_link_is_a_form_error_and_nothing_is_entered(client, nurse, due):
    client.force_login(nurse)
    response = client.post(
        reverse("reviews:case-continue", args=[due.case.pk]),
        continuation_post(member_id="M999", member_dob="1970-01-01"),
    )
    assert response.status_code == 400
    assert "is for another member" in response.content.decode()
    assert not Case.objects.filter(continues=due).exists()
    # An empty form: the intake's own errors, a 400.
    empty = client.post(reverse("reviews:case-continue", args=[due.case.pk]), {})
    assert empty.status_code == 400


def test_no_continuation_of_a_denial_or_of_a_case_not_decided(client, kesimpta, nurse, physician):
    denied = authorization(physician, start=None, end=None, outcome="denied")
    client.force_login(nurse)
    response = client.get(reverse("reviews:case-continue", args=[denied.case.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:case-detail", args=[denied.case.pk])
    assert any("was denied" in str(m) for m in get_messages(response.wsgi_request))
    posted = client.post(
        reverse("reviews:case-continue", args=[denied.case.pk]), continuation_post()
    )
    assert posted.status_code == 302 and not Case.objects.filter(continues=denied).exists()


def test_an_undecided_case_has_nothing_to_continue(client, kesimpta, nurse):
    from tests.review_fixtures import kesimpta_request

    case = kesimpta_request(nurse)
    client.force_login(nurse)
    assert client.get(reverse("reviews:case-continue", args=[case.pk])).status_code == 404


def test_the_physician_preview_of_a_gap_is_a_form_error(client, nurse, physician, due):
    case = _in_physician_review(continuation(nurse, due), nurse, physician)
    client.force_login(physician)
    response = client.post(
        reverse("reviews:case-decide", args=[case.pk, "approve"]),
        {
            "approve-approval_start": TODAY().isoformat(),
            "approve-approval_end": (TODAY() + timedelta(days=200)).isoformat(),
            "approve-authorized_doses": "6",
            "preview": "1",
        },
    )
    assert response.status_code == 400
    assert "the day after authorization" in response.content.decode()
    first = due.approval_end + timedelta(days=1)
    page = client.get(reverse("reviews:case-decision", args=[case.pk]))
    assert page.context["approve_form"].initial["approval_start"] == first
    assert f"starts on <strong>{first:%b} {first.day}, {first.year}</strong>" in (
        page.content.decode()
    )
