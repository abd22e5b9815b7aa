"""The review record: the whole story of a decided case, read only, for anyone who may see
the case (auditors first); the review's own pages send other roles to it."""

import pytest
from django.urls import reverse

from reviews.models import CaseEvent
from reviews.services import nurse_review, physician_review
from tests.builders import EVIDENCE_QUOTE, OVERRIDE_COMMENT, approved_case, escalated_case
from tests.review_fixtures import kesimpta_request

pytestmark = pytest.mark.django_db

RATIONALE = (
    "Your records show primary progressive multiple sclerosis. This drug is covered only "
    "for relapsing forms of MS."
)


def url(name, case, *args):
    return reverse(f"reviews:{name}", args=[case.pk, *args])


@pytest.fixture
def denied(escalated, physician):
    physician_review.case_claim_physician(case=escalated, physician=physician)
    physician_review.case_deny(
        case=escalated, physician=physician, criteria_cited=["PRE-1"], rationale=RATIONALE
    )
    escalated.refresh_from_db()
    return escalated


def test_the_auditor_reads_the_whole_story_of_a_denied_case(client, auditor, denied):
    client.force_login(auditor)
    response = client.get(url("case-record", denied))
    assert response.status_code == 200
    page = response.content.decode()
    record = response.context["record"]
    # Every answer, with its evidence and comment; the override of a suggestion named.
    assert {"PRE-1", "1.A.i"} <= {row.label for row in record.rows}
    assert all(row.answer is not None for row in record.rows)
    assert 'id="criterion-PRE-1"' in page
    assert EVIDENCE_QUOTE in page and "page 1" in page
    assert OVERRIDE_COMMENT in page
    overridden = [row for row in record.rows if row.answer.overrides_suggestion]
    assert overridden and "overridden" in page
    # The escalation with its reasons and the nurse's comment; the decision and its reasons.
    assert "Escalated to a physician" in page and "Please review." in page
    assert "PRE-1 not met:" in page
    assert "Denied" in page and RATIONALE in page and "Physician's reasoning" in page
    assert [c.label for c in record.cited] == ["PRE-1"]
    assert url("letter-preview", denied) in page
    # The audit page, one click away.
    assert url("case-audit", denied) in page
    # Read only: no form posts anything.
    assert "<form" not in page.split("<main", 1)[-1].split("</main>", 1)[0]
    # Opening it is itself recorded.
    assert CaseEvent.objects.filter(
        case=denied, actor=auditor, kind="case_viewed", payload={"page": "record"}
    ).exists()


def test_a_case_page_links_the_record_and_for_an_auditor_the_audit(client, auditor, nurse, denied):
    client.force_login(auditor)
    page = client.get(url("case-detail", denied)).content.decode()
    assert url("case-record", denied) in page and url("case-audit", denied) in page
    client.force_login(nurse)
    page = client.get(url("case-detail", denied)).content.decode()
    assert url("case-record", denied) in page and url("case-audit", denied) not in page
    record = client.get(url("case-record", denied)).content.decode()
    assert url("case-audit", denied) not in record


def test_the_audit_page_links_back_to_the_record(client, auditor, denied):
    client.force_login(auditor)
    assert url("case-record", denied) in client.get(url("case-audit", denied)).content.decode()


def test_a_nurse_approval_shows_its_terms_and_evidence(client, auditor, nurse, kesimpta):
    determination = approved_case(kesimpta_request(nurse), nurse)
    client.force_login(auditor)
    page = client.get(url("case-record", determination.case)).content.decode()
    assert "Approved" in page and determination.authorization_number in page
    assert "nurse reviewer" in page
    assert "Computed from the request" in page or EVIDENCE_QUOTE in page


def test_an_open_case_and_a_case_in_no_policy_read_plainly(client, auditor, nurse, kesimpta):
    open_case = kesimpta_request(nurse)
    client.force_login(auditor)
    page = client.get(url("case-record", open_case)).content.decode()
    assert "Not decided yet" in page
    unlisted = kesimpta_request(nurse, drug_name="nothing-we-know")
    page = client.get(url("case-record", unlisted)).content.decode()
    assert "in no policy" in page


@pytest.mark.parametrize("who", ["auditor", "physician"])
def test_the_review_summary_and_steps_send_other_roles_to_the_record(client, request, who, denied):
    client.force_login(request.getfixturevalue(who))
    summary = client.get(url("case-review-summary", denied))
    assert summary.status_code == 302
    assert summary["Location"] == url("case-record", denied) + "#answers-heading"
    step = client.get(url("case-review-step", denied, "1.A.i"))
    assert step["Location"] == url("case-record", denied) + "#criterion-1.A.i"
    # A label with a line break in it cannot split the redirect's header (no 500).
    odd = client.get(url("case-review-step", denied, "a\r\nSet-Cookie: x=1"))
    assert odd.status_code == 302 and "\n" not in odd["Location"]


@pytest.mark.parametrize("who", ["policy_admin", "outsider"])
def test_the_record_is_404_to_who_may_not_see_cases(client, request, who, denied):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url("case-record", denied)).status_code == 404
    assert client.get(url("case-review-summary", denied)).status_code == 404


def test_the_record_is_get_only_and_missing_cases_are_404(client, auditor, denied):
    client.force_login(auditor)
    assert client.post(url("case-record", denied)).status_code == 405
    assert client.get(reverse("reviews:case-record", args=[999999])).status_code == 404


def test_query_count_does_not_grow_with_answers(
    client, auditor, nurse, kesimpta, django_assert_max_num_queries
):
    """One query per part of the record, not one per answer or event."""
    few = kesimpta_request(nurse, member_id="M0000001")
    nurse_review.case_claim(case=few, nurse=nurse)
    nurse_review.criterion_answer_save(case=few, nurse=nurse, label="PRE-1", answer="met")
    many = escalated_case(
        kesimpta_request(nurse, member_id="M0000002"),
        nurse,
        **{"PRE-1": "not_met", "1.A.i": "not_met"},
    )
    assert many.answers.count() > few.answers.count() + 2
    client.force_login(auditor)
    client.get(url("case-record", few))  # parsed version cached, session warmed
    with django_assert_max_num_queries(30) as first:
        client.get(url("case-record", few))
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url("case-record", many))


def test_a_busy_cases_audit_is_paged_oldest_first(client, auditor, denied):
    """A case opened hundreds of times: its audit page lists 200 events a page, with the way
    to the earlier and later ones; a page past the end or not a number shows a real page."""
    CaseEvent.objects.bulk_create(
        CaseEvent(case=denied, actor=auditor, kind=CaseEvent.Kind.CASE_VIEWED, payload={})
        for n in range(250)
    )
    total = denied.events.count()
    client.force_login(auditor)
    first = client.get(url("case-audit", denied))
    assert first.status_code == 200
    events = first.context["events"]
    assert len(events) == 200 and events.paginator.count == total
    assert events[0] == denied.events.order_by("created_at", "pk").first()
    page = first.content.decode()
    assert f"Events 1 to 200 of {total}" in page and "?page=2" in page
    last = client.get(url("case-audit", denied) + "?page=2")
    assert len(last.context["events"]) == total - 200
    assert "Earlier events" in last.content.decode()
    for bad in ("999", "abc", "-1"):
        response = client.get(url("case-audit", denied) + f"?page={bad}")
        assert response.status_code == 200 and len(response.context["events"]) > 0
