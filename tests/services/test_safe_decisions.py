"""Safe nurse decisions: evidence for every "met", the terms shown before an approval, the
criteria an approval cites, and no case left in a state nobody can move it from."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from reviews.dates import screen_date
from reviews.engine import document
from reviews.errors import EvidenceMissing, ReviewError, StaleCase, TermsChanged
from reviews.models import Case, Determination
from reviews.selectors.review import case_review_state
from reviews.services import nurse_review as services
from reviews.services.cases import case_route
from reviews.services.determinations import ApprovalTerms, approval_terms
from reviews.services.documents import document_extract_text
from reviews.services.policies import policy_load
from reviews.workflow import TRANSITIONS
from tests.factories import CaseFactory, document_for, pdf_bytes
from tests.policy_fixtures import KESIMPTA_FILE
from tests.review_fixtures import JUDGED_CONTINUATION, JUDGED_INITIAL, kesimpta_request

pytestmark = pytest.mark.django_db


def claimed(case, nurse):
    services.case_claim(case=case, nurse=nurse)
    case.refresh_from_db()
    return case


def answer(case, nurse, judged, *, evidence=None, skip_evidence=()):
    """Accept each suggestion; give the judged answers, with `evidence` (a document) cited
    for each judged "met" unless its label is in skip_evidence."""
    state = case_review_state(case=case)
    for step in state.steps:
        label = step.node.label
        suggestion = state.suggestions.get(label)
        value = judged.get(label) or (suggestion and suggestion.answer)
        cite = {}
        needs = label in judged or (suggestion and not suggestion.stands_as_evidence)
        if evidence is not None and needs and label not in skip_evidence:
            cite = {
                "evidence_document": evidence,
                "evidence_page": 1,
                "evidence_quote": f"Chart supports {label}.",
            }
        services.criterion_answer_save(case=case, nurse=nurse, label=label, answer=value, **cite)
    return case_review_state(case=case)


# ---- evidence for every "met" ----------------------------------------------------------


def test_met_without_evidence_on_a_case_without_documents_is_not_approved(clear_case, nurse):
    case = claimed(clear_case, nurse)
    state = answer(case, nurse, JUDGED_INITIAL)
    assert state.all_met  # the criteria hold, the file does not
    # PRE-2's "no medication listed" suggests met, but rests on an absence: no evidence.
    assert state.evidence_missing == ["PRE-1", "PRE-2", "1.A.i"]
    assert not state.can_approve
    with pytest.raises(EvidenceMissing, match=r"Missing for: PRE-1, PRE-2, 1\.A\.i") as raised:
        services.case_approve_by_nurse(case=case, nurse=nurse)
    assert raised.value.labels == ["PRE-1", "PRE-2", "1.A.i"]
    case.refresh_from_db()
    assert case.status == Case.Status.NURSE_REVIEW
    assert not Determination.objects.filter(case=case).exists()


def test_computed_checks_from_the_request_stand_as_evidence(kesimpta, nurse):
    case = claimed(kesimpta_request(nurse, medications=[{"name": "baclofen 10 mg"}]), nurse)
    note = document_for(case, user=nurse)
    state = answer(case, nurse, JUDGED_INITIAL, evidence=note)
    assert state.evidence_missing == []
    kinds = {label: e.kind for label, e in state.evidence.items()}
    assert kinds == {
        "PRE-1": "document",
        "PRE-2": "computed",
        "1.A.i": "document",
        "1.A.ii": "computed",
        "1.A.iii": "computed",
    }
    assert state.evidence["PRE-1"].text == "note.pdf, p. 1: “Chart supports PRE-1.”"
    determination = services.case_approve_by_nurse(case=case, nurse=nurse)
    assert determination.outcome == "approved"


def test_no_medication_listed_suggests_met_but_is_no_evidence(clear_case, nurse):
    # An empty list may mean the field was not filled in: the nurse cites the chart.
    case = claimed(clear_case, nurse)
    note = document_for(case, user=nurse)
    state = answer(case, nurse, JUDGED_INITIAL, evidence=note, skip_evidence={"PRE-2"})
    assert state.suggestions["PRE-2"].answer == "met"
    assert state.evidence_missing == ["PRE-2"]
    with pytest.raises(EvidenceMissing, match="Missing for: PRE-2"):
        services.case_approve_by_nurse(case=case, nurse=nurse)
    services.criterion_answer_save(
        case=case,
        nurse=nurse,
        label="PRE-2",
        answer="met",
        evidence_document=note,
        evidence_page=1,
        evidence_quote="No other agent.",
    )
    assert case_review_state(case=case).evidence["PRE-2"].kind == "document"


def test_a_cited_page_must_exist_and_hold_the_quote(clear_case, nurse):
    case = claimed(clear_case, nurse)
    note = document_for(
        case, user=nurse, content=pdf_bytes(["Relapsing-remitting MS since 2021.", "Plan."])
    )
    document_extract_text(document_id=note.pk)

    def cite(page, quote):
        return services.criterion_answer_save(
            case=case,
            nurse=nurse,
            label="PRE-1",
            answer="met",
            evidence_document=note,
            evidence_page=page,
            evidence_quote=quote,
        )

    with pytest.raises(ReviewError, match="has 2 page\\(s\\); there is no page 3"):
        cite(3, "Plan.")
    with pytest.raises(ReviewError, match="That quote is not on page 2"):
        cite(2, "Relapsing-remitting MS since 2021.")
    # Case and line breaks do not matter; the words do.
    assert cite(1, "relapsing-remitting\nMS since 2021").has_evidence


def test_a_document_without_page_or_quote_is_not_evidence(clear_case, nurse):
    case = claimed(clear_case, nurse)
    note = document_for(case, user=nurse)
    answer(case, nurse, JUDGED_INITIAL, evidence=note)
    services.criterion_answer_save(
        case=case, nurse=nurse, label="1.A.i", answer="met", evidence_document=note
    )
    assert case_review_state(case=case).evidence_missing == ["1.A.i"]
    services.criterion_answer_save(
        case=case,
        nurse=nurse,
        label="1.A.i",
        answer="met",
        evidence_document=note,
        evidence_page=2,
        evidence_quote="   ",
    )
    assert case_review_state(case=case).evidence_missing == ["1.A.i"]


def test_an_overridden_suggestion_needs_documentary_evidence(kesimpta, nurse):
    # The check suggests not met (17 years old); a nurse who answers met must cite a record.
    case = claimed(
        kesimpta_request(nurse, member_dob=timezone.localdate() - timedelta(days=17 * 366)), nurse
    )
    note = document_for(case, user=nurse)
    answer(case, nurse, JUDGED_INITIAL, evidence=note)
    services.criterion_answer_save(
        case=case, nurse=nurse, label="1.A.ii", answer="met", comment="Birth certificate."
    )
    assert case_review_state(case=case).evidence_missing == ["1.A.ii"]


def test_an_attestation_criterion_needs_no_document(db, nurse):
    doc = document.parse(KESIMPTA_FILE.read_text(encoding="utf-8"))
    pre_1 = doc["version"]["criteria"]["children"][0]
    assert pre_1["label"] == "PRE-1"
    pre_1["evidence_required"] = False
    version, _ = policy_load(doc=doc)
    assert version.criteria.get(label="PRE-1").evidence_required is False
    case = claimed(kesimpta_request(nurse), nurse)
    note = document_for(case, user=nurse)
    state = answer(case, nurse, JUDGED_INITIAL, evidence=note, skip_evidence={"PRE-1"})
    assert state.evidence["PRE-1"].kind == "attestation"
    assert state.evidence_missing == []
    services.case_approve_by_nurse(case=case, nurse=nurse)


def test_summary_names_each_criterion_s_evidence_or_none(client, clear_case, nurse):
    case = claimed(clear_case, nurse)
    note = document_for(case, user=nurse)
    answer(case, nurse, JUDGED_INITIAL, evidence=note, skip_evidence={"1.A.i"})
    client.force_login(nurse)
    body = client.get(reverse("reviews:case-review-summary", args=[case.pk])).content.decode()
    assert "note.pdf, p. 1: “Chart supports PRE-1.”" in body
    assert "Computed from the request:" in body
    assert ">none</span>" in body
    assert "a “met” without evidence cannot be approved" in body
    assert reverse("reviews:case-review-step", args=[case.pk, "1.A.i"]) in body
    assert reverse("reviews:case-approve-confirm", args=[case.pk]) not in body


def test_api_refuses_approval_naming_the_criteria_without_evidence(client, clear_case, nurse):
    case = claimed(clear_case, nurse)
    answer(case, nurse, JUDGED_INITIAL)
    client.force_login(nurse)
    response = client.post(reverse("api:case-approve", args=[case.pk]))
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "evidence_missing"
    assert sorted(body["errors"]) == ["1.A.i", "PRE-1", "PRE-2"]
    assert "Missing for: PRE-1, PRE-2, 1.A.i" in body["detail"]


# ---- the terms, shown and confirmed ----------------------------------------------------


def test_approval_terms_are_the_policy_s_and_a_continuation_needs_an_extended_period(
    clear_case, nurse
):
    today = timezone.localdate()
    terms = approval_terms(case=clear_case)
    assert terms == ApprovalTerms(
        start=today, end=today + timedelta(days=364), doses=15, amount=300, unit="mg"
    )
    assert terms.days == 365


def test_summary_shows_the_terms_and_approval_goes_through_a_confirmation(
    client, clear_case, nurse
):
    case = claimed(clear_case, nurse)
    answer(case, nurse, JUDGED_INITIAL, evidence=document_for(case, user=nurse))
    client.force_login(nurse)
    today = timezone.localdate()
    end = today + timedelta(days=364)
    summary = client.get(reverse("reviews:case-review-summary", args=[case.pk])).content.decode()
    for shown in (screen_date(today), f"{screen_date(end)} (365 days)", ">15<", "300 mg"):
        assert shown in summary
    confirm_url = reverse("reviews:case-approve-confirm", args=[case.pk])
    assert confirm_url in summary
    assert 'action="' + reverse("reviews:case-approve", args=[case.pk]) not in summary

    page = client.get(confirm_url).content.decode()
    assert "It cannot be undone" in page and "Issue the approval" in page
    for label in ("PRE-1", "PRE-2", "1.A.i", "1.A.ii", "1.A.iii"):
        assert f"<strong>{label}</strong>" in page

    # A bare POST (no confirmed terms) issues nothing and leads to the confirmation.
    response = client.post(reverse("reviews:case-approve", args=[case.pk]))
    assert response.status_code == 302 and response["Location"] == confirm_url
    assert not Determination.objects.filter(case=case).exists()

    response = client.post(
        reverse("reviews:case-approve", args=[case.pk]),
        {
            "approval_start": today,
            "approval_end": end,
            "authorized_doses": 15,
            "amount": "300",
            "unit": "mg",
        },
    )
    assert response.status_code == 302
    determination = Determination.objects.get(case=case)
    assert (determination.approval_start, determination.approval_end) == (today, end)


def test_approval_with_terms_that_changed_issues_nothing(clear_case, nurse):
    case = claimed(clear_case, nurse)
    answer(case, nurse, JUDGED_INITIAL, evidence=document_for(case, user=nurse))
    stale = approval_terms(case=case, start=timezone.localdate() - timedelta(days=1))
    with pytest.raises(TermsChanged, match="look at them again"):
        services.case_approve_by_nurse(case=case, nurse=nurse, expected=stale)
    assert not Determination.objects.filter(case=case).exists()


def test_api_approval_with_other_terms_is_a_conflict(client, clear_case, nurse):
    case = claimed(clear_case, nurse)
    answer(case, nurse, JUDGED_INITIAL, evidence=document_for(case, user=nurse))
    client.force_login(nurse)
    today = timezone.localdate()
    url = reverse("api:case-approve", args=[case.pk])
    wrong = {"approval_start": today, "approval_end": today + timedelta(days=400)}
    assert client.post(url, wrong, content_type="application/json").status_code == 409
    half = {"approval_start": today}
    assert client.post(url, half, content_type="application/json").status_code == 400
    right = {"approval_start": today, "approval_end": today + timedelta(days=364)}
    response = client.post(url, right, content_type="application/json")
    assert response.status_code == 200, response.content


def test_approval_cites_only_the_met_criteria_of_the_path_taken(kesimpta, nurse):
    case = claimed(
        kesimpta_request(nurse, request_type="continuation", therapy_start_date=date(2024, 1, 10)),
        nurse,
    )
    judged = {**JUDGED_CONTINUATION, "1.B.ii.b": "not_documented"}
    answer(case, nurse, judged, evidence=document_for(case, user=nurse))
    determination = services.case_approve_by_nurse(case=case, nurse=nurse)
    assert determination.criteria_cited == [
        "PRE-1",
        "PRE-2",
        "1.B.duration",
        "1.B.i",
        "1.B.ii.a",
        "1.B.iii",
        "1.B.iv",
    ]


# ---- no stranded state -------------------------------------------------------------------

# Who moves a case on from each open status, and the form or link on the case page they use.
NEXT_MOVE = {
    Case.Status.RECEIVED: ("nurse", "reviews:case-route"),
    Case.Status.NURSE_REVIEW: ("nurse", "reviews:case-claim"),
    Case.Status.PHYSICIAN_QUEUE: ("physician", "reviews:case-claim-physician"),
    Case.Status.PHYSICIAN_REVIEW: ("physician", "reviews:case-decision"),
    # A document from the prescriber returns it to the queue (the sweep does when the wait ends).
    Case.Status.INFO_REQUESTED: ("nurse", "reviews:document-upload"),
}


def test_every_open_status_has_a_role_and_a_visible_action(client, kesimpta, nurse, physician):
    open_statuses = {status for status, moves in TRANSITIONS.items() if moves}
    assert open_statuses == set(NEXT_MOVE), "a status nobody can move a case from"
    users = {"nurse": nurse, "physician": physician}
    for status, (role, url_name) in NEXT_MOVE.items():
        case = CaseFactory(status=status, policy_version=kesimpta, policy=kesimpta.policy)
        if status == Case.Status.PHYSICIAN_REVIEW:
            Case.objects.filter(pk=case.pk).update(assignee=physician)
        client.force_login(users[role])
        body = client.get(reverse("reviews:case-detail", args=[case.pk])).content.decode()
        assert reverse(url_name, args=[case.pk]) in body, (status, role)


def test_a_case_left_in_received_is_sent_to_its_queue(client, kesimpta, nurse):
    case = CaseFactory(status=Case.Status.RECEIVED, policy_version=kesimpta, policy=kesimpta.policy)
    client.force_login(nurse)
    response = client.post(reverse("reviews:case-route", args=[case.pk]), follow=True)
    case.refresh_from_db()
    assert case.status == Case.Status.NURSE_REVIEW
    assert "sent to nurse review" in response.content.decode()
    with pytest.raises(StaleCase, match="already past intake"):
        case_route(case=case, actor=nurse)


def test_a_received_case_in_no_policy_goes_to_a_physician(kesimpta, nurse, auditor):
    case = CaseFactory(status=Case.Status.RECEIVED, policy=None, policy_version=None)
    with pytest.raises(PermissionDenied, match="Only nurses and physicians"):
        case_route(case=case, actor=auditor)
    case = case_route(case=case, actor=nurse)
    assert case.status == Case.Status.PHYSICIAN_QUEUE
    assert "Reviewed case by case" in case.events.get(to_status="physician_queue").payload["reason"]


def test_issuing_refuses_a_nurse_denial_whoever_calls_it(clear_case, nurse):
    from reviews.services.determinations import determination_build, determination_issue

    case = claimed(clear_case, nurse)
    for outcome in (Determination.Outcome.DENIED, Determination.Outcome.PARTIALLY_APPROVED):
        forged = determination_build(
            case=case,
            outcome=outcome,
            decided_by=nurse,
            role=Determination.Role.NURSE,
            rationale="Forged.",
            criteria_cited=["PRE-1"],
            terms=None,
        )
        with pytest.raises(PermissionDenied):
            determination_issue(determination=forged, payload={})
    assert not Determination.objects.filter(case=case).exists()
    case.refresh_from_db()
    assert case.status == Case.Status.NURSE_REVIEW
