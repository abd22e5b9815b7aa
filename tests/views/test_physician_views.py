from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.models import Case, Determination, InfoRequest, PeerToPeer
from reviews.services import physician_review as services
from tests.builders import escalated_case
from tests.review_fixtures import kesimpta_request

pytestmark = pytest.mark.django_db

REASON = (
    "Your records show primary progressive multiple sclerosis. Kesimpta is covered only "
    "for relapsing forms of MS."
)


def url(name, case, *args):
    return reverse(f"reviews:{name}", args=[case.pk, *args])


@pytest.fixture
def mine(escalated, physician):
    services.case_claim_physician(case=escalated, physician=physician)
    escalated.refresh_from_db()
    return escalated


def test_queue_orders_by_due_time_with_badges_and_counts(client, physician, nurse, kesimpta):
    later = escalated_case(
        kesimpta_request(nurse, member_id="M0000001"), nurse, **{"PRE-1": "not_met"}
    )
    sooner = escalated_case(
        kesimpta_request(nurse, member_id="M0000002", urgency="expedited"),
        nurse,
        **{"PRE-1": "not_met"},
    )
    Case.objects.filter(pk=sooner.pk).update(due_at=timezone.now() - timedelta(hours=1))
    client.force_login(physician)
    body = client.get(reverse("reviews:physician-queue")).content.decode()
    assert body.index(sooner.reference) < body.index(later.reference)
    assert "Overdue</span>" in body and "2 waiting" in body and "1 overdue" in body
    filtered = client.get(reverse("reviews:physician-queue"), {"overdue_only": "on"})
    assert later.reference not in filtered.content.decode()
    by_urgency = client.get(reverse("reviews:physician-queue"), {"urgency": "standard"})
    assert sooner.reference not in by_urgency.content.decode()
    bad = client.get(reverse("reviews:physician-queue"), {"urgency": "<script>", "page": "x"})
    assert bad.status_code == 200


def test_queue_query_count_is_fixed(client, physician, nurse, kesimpta, django_assert_num_queries):
    for i in range(2):
        escalated_case(
            kesimpta_request(nurse, member_id=f"M{i:07d}"), nurse, **{"PRE-1": "not_met"}
        )
    client.force_login(physician)
    # session, user, perms, groups (nav), drugs, counts (the total pages the whole queue),
    # cases, session save (3)
    with django_assert_num_queries(10):
        client.get(reverse("reviews:physician-queue"))
    for i in range(2, 6):
        escalated_case(
            kesimpta_request(nurse, member_id=f"M{i:07d}"), nurse, **{"PRE-1": "not_met"}
        )
    with django_assert_num_queries(10):
        client.get(reverse("reviews:physician-queue"))


def test_queue_and_claim_checklist(client, nurse, outsider, physician, escalated):
    queue = reverse("reviews:physician-queue")
    assert client.get(queue).status_code == 302
    client.force_login(nurse)
    assert client.get(queue).status_code == 403
    assert client.post(url("case-claim-physician", escalated)).status_code == 403
    client.force_login(outsider)
    assert client.post(url("case-claim-physician", escalated)).status_code == 404
    client.force_login(physician)
    assert client.post(queue).status_code == 405
    assert client.get(url("case-claim-physician", escalated)).status_code == 405
    response = client.post(url("case-claim-physician", escalated))
    assert response["Location"] == url("case-decision", escalated)
    assert Case.objects.get(pk=escalated.pk).status == "physician_review"


def test_decision_screen_shows_the_nurse_review_and_the_failing_criteria(client, physician, mine):
    client.force_login(physician)
    body = client.get(url("case-decision", mine)).content.decode()
    assert "PRE-1 not met: The patient does NOT have" in body  # escalation reason
    assert "Nurse's comment: Please review." in body
    assert "See the MRI report." in body  # the nurse's comment on the answer
    assert "Issue denial" in body and "Request information" in body
    assert 'value="PRE-1" class="form-check-input" id="id_criteria_0" checked' in body or (
        'value="PRE-1"' in body
    )


def test_nurse_forging_a_denial_is_refused_and_nothing_changes(client, nurse, mine):
    client.force_login(nurse)
    for decision in ("deny", "approve", "partial"):
        response = client.post(
            url("case-decide", mine, decision),
            {f"{decision}-criteria": ["PRE-1"], f"{decision}-rationale": REASON},
        )
        assert response.status_code == 403
    assert (
        client.post(url("case-request-info", mine), {"info-missing": "x" * 20}).status_code == 403
    )
    assert not Determination.objects.exists()
    assert Case.objects.get(pk=mine.pk).status == "physician_review"


def test_deny_with_preview_then_issue(client, physician, mine):
    client.force_login(physician)
    data = {"deny-criteria": ["PRE-1"], "deny-rationale": REASON}
    preview = client.post(url("case-decide", mine, "deny"), {**data, "preview": "1"})
    assert preview.status_code == 200
    body = preview.content.decode()
    assert "Letter preview" in body and "srcdoc=" in body and "relapsing forms" in body
    assert not Determination.objects.exists()
    response = client.post(url("case-decide", mine, "deny"), data)
    assert response.status_code == 302
    determination = Determination.objects.get(case=mine)
    assert determination.outcome == "denied" and determination.criteria_cited == ["PRE-1"]


@pytest.mark.parametrize(
    "decision,data,message",
    [
        ("deny", {"rationale": REASON}, "Name at least one criterion that is not met."),
        ("deny", {"criteria": ["PRE-1"], "rationale": "no"}, "plain language"),
        ("deny", {"criteria": ["ZZ"], "rationale": REASON}, "Select a valid choice"),
        (
            "partial",
            {
                "approval_start": "2027-02-30",
                "approval_end": "2027-03-01",
                "authorized_doses": "3",
                "rationale": "Approved in part for now.",
            },
            "Enter a valid date",
        ),
        (
            "approve",
            {"approval_start": "2027-03-01", "approval_end": "2027-02-01", "authorized_doses": "3"},
            "The period ends before it starts",
        ),
        (
            "approve",
            {
                "approval_start": "2027-03-01",
                "approval_end": "2027-04-01",
                "authorized_doses": "-3",
            },
            "greater than or equal to 1",
        ),
    ],
)
def test_bad_decisions_get_messages(client, physician, mine, decision, data, message):
    client.force_login(physician)
    response = client.post(
        url("case-decide", mine, decision),
        {f"{decision}-{key}": value for key, value in data.items()},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Determination.objects.exists()


def test_unknown_decision_and_wrong_method(client, physician, mine):
    client.force_login(physician)
    assert client.post(url("case-decide", mine, "maybe")).status_code == 403
    assert client.get(url("case-decide", mine, "deny")).status_code == 405


def test_request_information_view(client, physician, mine):
    client.force_login(physician)
    wait = (timezone.localtime() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        url("case-request-info", mine),
        {"info-missing": "The latest brain MRI report.", "info-wait_until": wait},
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=mine.pk).status == "info_requested"
    assert InfoRequest.objects.filter(case=mine).count() == 1
    Case.objects.filter(pk=mine.pk).update(status="physician_review", assignee=mine.assignee)
    bad = client.post(
        url("case-request-info", mine), {"info-missing": "", "info-wait_until": "tomorrow"}
    )
    assert bad.status_code == 400
    assert "Enter a valid date/time" in bad.content.decode()
    assert "This field is required" in bad.content.decode()


def test_peer_to_peer_views(client, physician, mine):
    client.force_login(physician)
    client.post(url("peer-to-peer-offer", mine))
    p2p = PeerToPeer.objects.get(case=mine)
    held = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        url("peer-to-peer-log", mine, p2p.pk),
        {"p2p-held_at": held, "p2p-with_whom": "Dr. Marsh", "p2p-outcome": "Agreed."},
        follow=True,
    )
    assert "Peer-to-peer conversation logged." in response.content.decode()
    bad = client.post(url("peer-to-peer-log", mine, p2p.pk), {"p2p-held_at": "nope"}, follow=True)
    assert "Peer-to-peer not logged: Held at: Enter a valid date/time." in bad.content.decode()
    assert client.post(url("peer-to-peer-log", mine, 9999), {}).status_code == 404


def test_a_decided_case_says_whether_it_was_decided_on_time(client, physician, mine):
    services.case_deny(case=mine, physician=physician, criteria_cited=["PRE-1"], rationale=REASON)
    determination = Determination.objects.get(case=mine)
    client.force_login(physician)
    page = client.get(url("case-detail", mine)).content.decode()
    assert determination.on_time and "decided on time, " in page and " early" in page

    # Late: the same decision, recorded after the due time (NCQA counts it as untimely).
    Case.objects.filter(pk=mine.pk).update(due_at=determination.decided_at - timedelta(hours=5))
    determination = Determination.objects.get(case=mine)
    assert not determination.on_time
    assert determination.timeliness == "decided 5 hours 0 min late"
    page = client.get(url("case-detail", mine)).content.decode()
    assert "decided 5 hours 0 min late" in page
