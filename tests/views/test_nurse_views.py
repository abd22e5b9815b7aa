"""The nurse's pages: the STYLE.md checklist for each view, and their query counts."""

import pytest
from django.urls import reverse

from reviews.models import Case, CaseEvent, CriterionAnswer, Determination
from reviews.services import nurse_review as services
from tests.builders import step_answers, step_evidence
from tests.review_fixtures import kesimpta_request

pytestmark = pytest.mark.django_db


def url(name, case, *args):
    return reverse(f"reviews:{name}", args=[case.pk, *args])


@pytest.fixture
def mine(clear_case, nurse):
    services.case_claim(case=clear_case, nurse=nurse)
    clear_case.refresh_from_db()
    return clear_case


def walk(client, case):
    """Post every step as a nurse would: judged answers with their evidence (a document,
    page and quote), suggestions confirmed."""
    answers = step_answers(case)
    case.refresh_from_db()
    cited = step_evidence(case, case.assignee, answers)
    for label, answer in answers.items():
        data = {"answer": answer, "go": "next"}
        if label in cited:
            evidence = cited[label]
            data |= {
                "passage": "other",
                "evidence_document": evidence["evidence_document"].pk,
                "evidence_page": evidence["evidence_page"],
                "evidence_quote": evidence["evidence_quote"],
            }
        response = client.post(url("case-review-step", case, label), data)
        assert response.status_code == 302, response.content.decode()[:2000]


def approve(client, case):
    """Approve as the page does: the confirmation screen's form, with the terms it shows."""
    page = client.get(url("case-approve-confirm", case))
    assert page.status_code == 200, page.status_code
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields}
    return client.post(
        url("case-approve", case), {k: v for k, v in data.items() if v is not None}, follow=True
    )


# ---- the queue ---------------------------------------------------------------------------


def test_queue_lists_cases_earliest_due_first_with_time_left(client, nurse, kesimpta):
    late = kesimpta_request(nurse, member_name="Late Case", urgency="standard")
    soon = kesimpta_request(nurse, member_name="Soon Case", urgency="expedited")
    client.force_login(nurse)
    body = client.get(reverse("reviews:nurse-queue")).content.decode()
    assert body.index(soon.reference) < body.index(late.reference)
    assert "left" in body and "Claim" in body


def test_queue_query_count_does_not_grow_with_cases(
    client, nurse, nurse2, kesimpta, django_assert_num_queries
):
    for i in range(3):
        case = kesimpta_request(nurse, member_id=f"M{i:07d}")
        services.case_claim(case=case, nurse=nurse2 if i else nurse)
    client.force_login(nurse)
    # session, user, permissions, groups (nav), the drugs (filter), the counts (the total pages
    # the whole queue), page of cases, the returns of the page's cases, session save (3)
    with django_assert_num_queries(11):
        client.get(reverse("reviews:nurse-queue"))
    for i in range(3, 8):
        kesimpta_request(nurse, member_id=f"M{i:07d}")
    with django_assert_num_queries(11):
        response = client.get(reverse("reviews:nurse-queue"))
    assert response.content.decode().count("Claim<span") == 5


def test_a_filtered_queue_is_paged_by_its_own_count(client, nurse, kesimpta):
    """Unfiltered, the queue's pages come from the header's total; filtered, from a count of
    the matching cases alone."""
    for i in range(3):
        kesimpta_request(nurse, member_id=f"M{i:07d}", urgency="standard")
    kesimpta_request(nurse, member_id="M0000009", urgency="expedited")
    client.force_login(nurse)
    whole = client.get(reverse("reviews:nurse-queue")).context
    assert (whole["page"].paginator.count, whole["counts"]["total"]) == (4, 4)
    urgent = client.get(reverse("reviews:nurse-queue"), {"urgency": "expedited"}).context
    assert (urgent["page"].paginator.count, urgent["counts"]["total"]) == (1, 4)
    assert len(urgent["page"].object_list) == 1


def test_queue_checklist(client, physician, outsider):
    queue = reverse("reviews:nurse-queue")
    assert client.get(queue).status_code == 302
    client.force_login(physician)
    assert client.get(queue).status_code == 403
    client.force_login(outsider)
    assert client.get(queue).status_code == 403
    client.force_login(physician)
    assert client.post(queue).status_code == 405


# ---- claim -------------------------------------------------------------------------------


def test_claim_view(client, nurse, nurse2, clear_case):
    client.force_login(nurse)
    assert client.get(url("case-claim", clear_case)).status_code == 405
    response = client.post(url("case-claim", clear_case))
    assert response.status_code == 302 and response["Location"] == url("case-review", clear_case)
    assert Case.objects.get(pk=clear_case.pk).assignee == nurse
    client.force_login(nurse2)
    response = client.post(url("case-claim", clear_case), follow=True)
    assert "Nina Lopez, RN has already claimed this case" in response.content.decode()


def test_claim_view_roles(client, physician, outsider, clear_case):
    client.force_login(outsider)
    assert client.post(url("case-claim", clear_case)).status_code == 404
    client.force_login(physician)
    assert client.post(url("case-claim", clear_case)).status_code == 403
    assert Case.objects.get(pk=clear_case.pk).assignee is None


# ---- the guided form -----------------------------------------------------------------------


def test_review_starts_at_the_first_open_criterion_and_resumes_there(client, nurse, mine):
    client.force_login(nurse)
    assert client.get(url("case-review", mine))["Location"] == url(
        "case-review-step", mine, "PRE-1"
    )
    client.post(url("case-review-step", mine, "PRE-1"), {"answer": "met", "go": "next"})
    assert client.get(url("case-review", mine))["Location"] == url(
        "case-review-step", mine, "PRE-2"
    )


def test_step_shows_the_policy_words_and_the_suggestion_prefilled(client, nurse, mine):
    client.force_login(nurse)
    body = client.get(url("case-review-step", mine, "PRE-2")).content.decode()
    assert "The patient will not use the requested medication concurrently" in body
    assert "Zeposia® (ozanimod capsules)" in body  # the note, word for word
    assert "Suggested by a computed check: Met." in body
    assert 'value="met" class="form-check-input" id="id_answer_0" checked' in body or (
        'value="met"' in body and "checked" in body
    )
    assert "1.B.i" not in body  # the other path is hidden


def test_an_unknown_continuing_medication_is_shown_as_not_documented(client, nurse, kesimpta):
    case = kesimpta_request(nurse, medications=[{"name": "Zorvexa 10 mg daily"}])
    services.case_claim(case=case, nurse=nurse)
    client.force_login(nurse)
    body = client.get(url("case-review-step", case, "PRE-2")).content.decode()
    assert "Suggested by a computed check: Not documented." in body
    assert "Cannot classify Zorvexa 10 mg daily: verify whether it is one of Other" in body
    assert "Suggested by a computed check: Met." not in body


def test_step_query_count_does_not_grow_with_answers_or_documents(
    client, nurse, mine, django_assert_num_queries
):
    from tests.factories import document_for, pdf_bytes

    client.force_login(nurse)
    step = url("case-review-step", mine, "1.A.ii")

    def add_note(i):
        document_for(
            mine,
            user=nurse,
            name=f"note-{i}.pdf",
            content=pdf_bytes([f"Neurology note {i}: relapsing-remitting MS."]),
        )

    add_note(0)
    # The published version was read once in this process, when intake chose the case's
    # indication; no page reads it again.
    with django_assert_num_queries(QUERIES_PER_STEP):
        client.get(step)
    for label in ("PRE-1", "PRE-2", "1.A.i"):
        client.post(url("case-review-step", mine, label), {"answer": "met", "go": "stay"})
    add_note(1)
    add_note(2)
    with django_assert_num_queries(QUERIES_PER_STEP):
        client.get(step)


# session, user, perms, groups (nav), case, medications, labs, therapies, clinical events,
# answers, documents, pages (evidence), the viewed document's pages, the case-view audit row,
# session save (3), the return to nurse (if any). The published version (version, criteria,
# lists, items, test cases, indications) is parsed once per process.
QUERIES_PER_STEP = 19


def test_saving_a_step_moves_on_and_keeps_the_answer(client, nurse, mine):
    client.force_login(nurse)
    response = client.post(
        url("case-review-step", mine, "1.A.i"),
        {"answer": "not_documented", "comment": "No neurology note yet.", "go": "next"},
    )
    assert response["Location"] == url("case-review-step", mine, "1.A.ii")
    answer = CriterionAnswer.objects.get(case=mine, criterion__label="1.A.i")
    assert (answer.answer, answer.comment) == ("not_documented", "No neurology note yet.")
    body = client.get(url("case-review-step", mine, "1.A.i")).content.decode()
    assert "No neurology note yet." in body


def test_bad_step_input_gets_messages_not_errors(client, nurse, mine):
    client.force_login(nurse)
    response = client.post(url("case-review-step", mine, "1.A.ii"), {"answer": "maybe"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    response = client.post(url("case-review-step", mine, "1.A.ii"), {"answer": "not_met"})
    assert response.status_code == 400
    assert "Say in a comment why you answer otherwise" in response.content.decode()
    response = client.post(
        url("case-review-step", mine, "PRE-1"), {"answer": "met", "evidence_page": "3"}
    )
    assert "Choose the document the page belongs to" in response.content.decode()
    response = client.post(
        url("case-review-step", mine, "PRE-1"),
        {"answer": "met", "evidence_page": "-4", "comment": "x" * 5000},
    )
    assert response.status_code == 400
    assert not CriterionAnswer.objects.filter(case=mine).exists()
    assert client.get(url("case-review-step", mine, "no-such-label")).status_code == 404


def test_step_checklist(client, nurse2, physician, outsider, mine):
    step = url("case-review-step", mine, "PRE-1")
    client.force_login(outsider)
    assert client.get(step).status_code == 404
    client.force_login(physician)  # another role reads the review record instead
    response = client.get(step)
    assert response.status_code == 302
    assert response["Location"] == url("case-record", mine) + "#criterion-PRE-1"
    assert client.post(step, {"answer": "met"}).status_code == 403
    client.force_login(nurse2)  # another nurse: read-only page, and a forged POST is refused
    assert "Claim the case from the nurse queue" in client.get(step).content.decode()
    assert client.post(step, {"answer": "met"}).status_code == 403
    assert client.delete(step).status_code == 405
    assert not CriterionAnswer.objects.filter(case=mine).exists()


# ---- summary, approve, escalate ------------------------------------------------------------


def test_walk_then_approve(client, nurse, mine):
    client.force_login(nurse)
    walk(client, mine)
    summary = client.get(url("case-review-summary", mine)).content.decode()
    assert "Every criterion met" in summary and "Review and approve…" in summary
    assert "matches the policy's dosing rule" in summary
    response = approve(client, mine)
    body = response.content.decode()
    assert f"{mine.reference} approved: authorization AU-" in body
    assert "15 doses (300 mg)" in body
    mine.refresh_from_db()
    assert mine.status == "approved"
    assert Determination.objects.get(case=mine).decided_by == nurse


def test_summary_lists_failing_items_and_offers_no_approve(client, nurse, mine):
    client.force_login(nurse)
    client.post(
        url("case-review-step", mine, "PRE-1"),
        {"answer": "not_met", "comment": "PPMS per MRI report."},
    )
    body = client.get(url("case-review-summary", mine)).content.decode()
    assert "PRE-1 not met: The patient does NOT have" in body
    assert "Approve</button>" not in body
    response = client.post(url("case-approve", mine), follow=True)  # forged approve
    assert "A nurse can approve only when every criterion is met" in response.content.decode()
    assert Case.objects.get(pk=mine.pk).status == "nurse_review"


def test_escalate_view(client, nurse, mine):
    client.force_login(nurse)
    client.post(url("case-review-step", mine, "PRE-1"), {"answer": "not_met", "comment": "PPMS"})
    response = client.post(url("case-escalate", mine), {"comment": "Please review."})
    assert response.status_code == 302
    event = CaseEvent.objects.get(case=mine, to_status="physician_queue")
    assert event.actor == nurse and event.payload["comment"] == "Please review."
    assert client.get(url("case-escalate", mine)).status_code == 405


def test_escalate_with_everything_met_requires_a_comment(client, nurse, mine):
    client.force_login(nurse)
    walk(client, mine)
    response = client.post(url("case-escalate", mine), {"comment": ""}, follow=True)
    assert "say why this case needs a physician" in response.content.decode()
    assert Case.objects.get(pk=mine.pk).status == "nurse_review"
    response = client.post(url("case-escalate", mine), {"comment": "y" * 4001})
    assert response.status_code == 400


def test_approve_and_escalate_roles(client, physician, outsider, nurse2, mine):
    for user, expected in ((outsider, 404), (physician, 403)):
        client.force_login(user)
        assert client.post(url("case-approve", mine)).status_code == expected
        assert client.post(url("case-escalate", mine), {"comment": "x"}).status_code == expected
    client.force_login(nurse2)
    client.post(url("case-approve", mine))
    client.post(url("case-escalate", mine), {"comment": "x"})
    assert Case.objects.get(pk=mine.pk).status == "nurse_review"


def test_answers_are_read_only_after_approval(client, nurse, mine):
    client.force_login(nurse)
    walk(client, mine)
    approve(client, mine)
    page = client.get(url("case-review-step", mine, "PRE-1")).content.decode()
    assert "read-only since" in page and "Save and continue" not in page
    assert (
        client.post(
            url("case-review-step", mine, "PRE-1"), {"answer": "not_met", "comment": "x"}
        ).status_code
        == 403
    )
