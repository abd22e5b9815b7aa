"""Audit events that mean something: answers keep their evidence and comment, a document
view is one event per user, document and session (each download is one), a status change
says what it was, kinds have labels, and the search finds users by their full name."""

import pytest
from django.test import Client
from django.urls import reverse

from reviews.models import AccessEvent, CaseEvent
from reviews.models.audit import STATUS_CHANGES, status_change
from reviews.services import nurse_review
from reviews.templatetags.review_tags import payload_items
from tests.builders import OVERRIDE_COMMENT, approved_case, escalated_case
from tests.factories import document_for
from tests.review_fixtures import kesimpta_request

pytestmark = pytest.mark.django_db


def test_an_answer_event_keeps_the_evidence_and_the_comment(nurse, kesimpta, private_storage):
    case = kesimpta_request(nurse)
    document = document_for(case, user=nurse, name="neurology-note.pdf")
    nurse_review.case_claim(case=case, nurse=nurse)
    nurse_review.criterion_answer_save(
        case=case,
        nurse=nurse,
        label="PRE-1",
        answer="met",
        comment="Relapsing MS per the note.",
        evidence_document=document,
        evidence_page=1,
        evidence_quote=" Neurology note ",
    )
    event = CaseEvent.objects.filter(case=case, kind="answer").latest("pk")
    saved = case.answers.get()
    assert saved.suggested == "met"  # the diagnosis code suggests it
    assert event.payload == {
        "criterion": "PRE-1",
        "answer": "met",
        "previous": None,
        "suggested": "met",
        "suggestion_reason": saved.suggestion_reason,
        "overrides_suggestion": False,
        "comment": "Relapsing MS per the note.",
        "evidence_document_id": document.pk,
        "evidence_document": "neurology-note.pdf",
        "evidence_page": 1,
        "evidence_quote": "Neurology note",
    }
    # Shown to people without ids and with words for the codes.
    shown = dict(payload_items(event.payload))
    assert shown["Answer"] == "Met" and shown["Overrides suggestion"] == "no"
    assert shown["Evidence quote"] == "Neurology note" and "Evidence document id" not in shown


def test_an_override_event_keeps_the_suggestion_it_overrode(nurse, kesimpta):
    case = escalated_case(kesimpta_request(nurse), nurse, **{"PRE-1": "not_met"})
    overrides = [
        e.payload
        for e in CaseEvent.objects.filter(case=case, kind="answer")
        if e.payload["overrides_suggestion"]
    ]
    for payload in overrides:
        assert payload["suggested"] and payload["suggestion_reason"]
        assert payload["comment"] == OVERRIDE_COMMENT


def test_a_document_view_is_one_event_per_user_and_session_and_each_download_counts(
    client, nurse, auditor, kesimpta, private_storage
):
    case = kesimpta_request(nurse)
    document = document_for(case, user=nurse, name="note.pdf")
    url = reverse("reviews:document-file", args=[case.pk, document.pk])
    client.force_login(auditor)
    for _ in range(3):  # a page that embeds the PDF, loaded three times
        assert client.get(url).status_code == 200
    views = CaseEvent.objects.filter(case=case, kind="document_viewed")
    assert views.count() == 1 and views.get().actor == auditor
    client.get(url, {"download": "1"})
    client.get(url, {"download": "1"})
    assert CaseEvent.objects.filter(case=case, kind="document_downloaded").count() == 2
    # Another user, and the same user in a new session, are new views.
    other = Client()
    other.force_login(nurse)
    other.get(url)
    client.logout()
    client.force_login(auditor)
    client.get(url)
    assert views.count() == 3
    assert views.filter(actor=auditor).values("payload__session").distinct().count() == 2
    # The session is kept as a digest, never the key itself.
    assert all(client.session.session_key not in str(e.payload) for e in views)


def test_the_review_pages_with_the_viewer_add_one_view_however_often_they_load(
    client, nurse, kesimpta, private_storage
):
    case = kesimpta_request(nurse)
    document_for(case, user=nurse, name="note.pdf")
    nurse_review.case_claim(case=case, nurse=nurse)
    client.force_login(nurse)
    document = case.documents.get()
    frame = reverse("reviews:document-file", args=[case.pk, document.pk])
    for label in ("PRE-1", "1.A.i", "PRE-1"):
        page = client.get(reverse("reviews:case-review-step", args=[case.pk, label]))
        assert frame in page.content.decode()
        client.get(frame)  # what the browser fetches for the embedded viewer
    assert CaseEvent.objects.filter(case=case, kind="document_viewed").count() == 1


def test_every_status_change_says_what_it_was():
    assert status_change("nurse_review", "approved") == ("approved", "Approved")
    assert status_change("physician_review", "denied") == ("denied", "Denied")
    assert status_change("physician_review", "info_requested")[1] == "Information requested"
    assert status_change("nurse_review", "physician_queue")[1] == "Escalated to a physician"
    assert status_change("received", "physician_queue")[0] == "not_in_policy"
    assert status_change("info_requested", "physician_queue")[0] == "info_returned"
    assert status_change("physician_review", "nurse_review")[0] == "returned_to_nurse"
    assert status_change("received", "nurse_review")[0] == "sent_to_nurse"
    assert len({slug for slug, *_ in STATUS_CHANGES}) == len(STATUS_CHANGES)


def test_events_have_labels_and_status_changes_their_meaning(client, auditor, nurse, kesimpta):
    case = escalated_case(kesimpta_request(nurse), nurse, **{"PRE-1": "not_met"})
    labels = {e.label for e in case.events.all()}
    assert {"Request received", "Claimed", "Criterion answered"} <= labels
    assert "Escalated to a physician" in labels and "Status changed" not in labels
    client.force_login(auditor)
    page = client.get(reverse("reviews:case-audit", args=[case.pk])).content.decode()
    assert "Escalated to a physician" in page and "Criterion answered" in page
    assert "<code>answer</code>" not in page and "False" not in page


def test_the_search_filters_status_changes_by_what_they_were(client, auditor, nurse, kesimpta):
    escalated = escalated_case(kesimpta_request(nurse, member_id="M0000001"), nurse)
    approved = approved_case(kesimpta_request(nurse, member_id="M0000002"), nurse).case
    client.force_login(auditor)
    search = reverse("reviews:audit-search")

    def found(kind):
        events = client.get(search, {"kind": kind}).context["events"]
        return {(e.case_id, e.to_status) for e in events}

    assert found("status:escalated") == {(escalated.pk, "physician_queue")}
    assert found("status:approved") == {(approved.pk, "approved")}
    assert found("status:denied") == set()
    assert found("status:sent_to_nurse") == {
        (escalated.pk, "nurse_review"),
        (approved.pk, "nurse_review"),
    }
    assert len(found("status")) == 4  # any status change
    bad = client.get(search, {"kind": "status:made_up"})
    assert bad.status_code == 200 and "No event matches." in bad.content.decode()
    page = client.get(search).content.decode()
    assert '<optgroup label="Status changes">' in page
    assert 'value="status:escalated"' in page


@pytest.mark.parametrize("typed", ["Lopez", "lopez, rn", "Nina Lopez", "nina", "NINA"])
def test_the_search_finds_users_by_full_name_as_well_as_login(
    client, auditor, nurse, nurse2, kesimpta, typed
):
    kesimpta_request(nurse)
    kesimpta_request(nurse2)
    AccessEvent.objects.create(kind="login", user=nurse, username="nina")
    AccessEvent.objects.create(kind="login_failed", username="nina")  # no user: the name typed
    client.force_login(auditor)
    response = client.get(reverse("reviews:audit-search"), {"username": typed})
    actors = {e.actor_id for e in response.context["events"]}
    assert actors == {nurse.pk}
    access = list(response.context["access"])
    assert {a.user_id for a in access if a.user_id} == {nurse.pk}
    if typed.lower() == "nina":
        assert any(a.kind == "login_failed" for a in access)


def test_a_name_that_matches_nobody_finds_nothing(client, auditor, nurse, kesimpta):
    kesimpta_request(nurse)
    client.force_login(auditor)
    response = client.get(reverse("reviews:audit-search"), {"username": "Osei"})
    assert "No event matches." in response.content.decode()
    too_long = client.get(reverse("reviews:audit-search"), {"username": "x" * 151})
    assert too_long.status_code == 200 and "No event matches." in too_long.content.decode()


def test_audit_pages_query_count_does_not_grow_with_events(
    client, auditor, nurse, kesimpta, django_assert_max_num_queries
):
    one = kesimpta_request(nurse, member_id="M0000001")
    many = escalated_case(kesimpta_request(nurse, member_id="M0000002"), nurse)
    assert many.events.count() > one.events.count() + 5
    client.force_login(auditor)
    for name, first, second in (
        ("reviews:case-audit", [one.pk], [many.pk]),
        ("reviews:audit-search", [], []),
    ):
        query = {"reference": one.reference} if not first else {}
        client.get(reverse(name, args=first), query)  # session warmed
        with django_assert_max_num_queries(20) as few:
            client.get(reverse(name, args=first), query)
        query = {"reference": many.reference} if not second else {}
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get(reverse(name, args=second), query)


def test_the_api_gives_each_event_its_label(auditor, nurse, kesimpta):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    case = escalated_case(kesimpta_request(nurse), nurse, **{"PRE-1": "not_met"})
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=auditor).key}")
    events = api.get(f"/api/v1/cases/{case.pk}/").json()["events"]
    labels = {(e["kind"], e["label"]) for e in events}
    assert ("status", "Escalated to a physician") in labels
    assert ("answer", "Criterion answered") in labels
