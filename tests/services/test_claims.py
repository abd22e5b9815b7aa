"""Claim lines: pended with the version's remark code, then paid or denied against the
member's authorizations exactly as the rules say; idempotent per claim line id; resolved
by an examiner when pended for review."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from reviews.models import AuthorizationBalance, CaseEvent, ClaimLine, ClaimLineEvent
from reviews.services.claims import (
    ClaimLineConflict,
    ClaimLineInvalid,
    ClaimLineNotPended,
    claim_line_data,
    claim_line_resolve,
)
from reviews.services.physician_review import case_claim_physician, case_deny
from tests.builders import approved_case
from tests.claims_fixtures import line_fields, receive
from tests.review_fixtures import kesimpta_request

pytestmark = pytest.mark.django_db
REASON = "The records show primary progressive disease, which the policy does not cover."


@pytest.fixture
def authorization(kesimpta, nurse):
    """An approved initial request: 15 doses of 20 mg (300 mg), i.e. 15 units of J3490."""
    return approved_case(kesimpta_request(nurse), nurse)


def test_a_line_within_the_authorization_is_paid_and_counted(authorization, examiner):
    line, created = receive(examiner, units=2)
    assert created
    assert (line.status, line.units_paid, line.units_denied, line.carc) == ("paid", 2, 0, "")
    assert line.remark_code == "M3M"  # the version's code for a line with an authorization
    assert line.authorization == authorization
    balance = AuthorizationBalance.objects.get(pk=authorization.pk)
    assert (balance.units_authorized, balance.units_used) == (15, 2)
    kinds = list(ClaimLineEvent.objects.filter(line=line).values_list("kind", "to_status"))
    assert kinds == [("received", "pended"), ("adjudicated", "paid")]
    assert CaseEvent.objects.filter(case=authorization.case, kind="claim_line").count() == 1


def test_more_units_than_remain_pays_what_remains_and_denies_the_rest_198(authorization, examiner):
    receive(examiner, claim_line_id="A", units=14)
    line, _ = receive(examiner, claim_line_id="B", units=3)
    assert (line.status, line.units_paid, line.units_denied) == ("partially_paid", 1, 2)
    assert (line.carc, line.group_code) == ("198", "CO")
    line, _ = receive(examiner, claim_line_id="C", units=1, participating=False)
    assert (line.status, line.units_denied, line.carc, line.group_code) == (
        "denied",
        1,
        "198",
        "PR",
    )
    assert AuthorizationBalance.objects.get(pk=authorization.pk).units_used == 15


def test_no_authorization_is_denied_197_with_the_other_remark_code(kesimpta, examiner):
    line, _ = receive(examiner, member_id="NOBODY")
    assert (line.status, line.carc, line.group_code, line.remark_code) == (
        "denied",
        "197",
        "CO",
        "M4M",
    )
    assert line.authorization is None


def test_a_date_outside_the_period_is_denied_15(authorization, examiner):
    before = authorization.approval_start - timedelta(days=1)
    line, _ = receive(examiner, date_of_service=before)
    assert (line.status, line.carc, line.units_paid) == ("denied", "15", 0)
    after = authorization.approval_end + timedelta(days=1)
    line, _ = receive(examiner, claim_line_id="CL-2", date_of_service=after)
    assert line.carc == "15"


def test_an_authorization_for_another_drug_is_denied_15(two_indications, authorization, examiner):
    # The member's only authorization is for the first policy's drug; this line is for the
    # other policy's code, on a date the authorization covers.
    code = two_indications.policy.drugs.get().hcpcs_codes[0]
    line, _ = receive(examiner, hcpcs_code=code)
    assert (line.status, line.carc) == ("denied", "15")


def test_a_physician_denial_is_denied_50_and_the_participating_provider_writes_it_off(
    escalated, physician, examiner
):
    case = case_claim_physician(case=escalated, physician=physician)
    case_deny(case=case, physician=physician, criteria_cited=["PRE-1"], rationale=REASON)
    line, _ = receive(examiner)
    assert (line.status, line.carc, line.group_code) == ("denied", "50", "CO")
    line, _ = receive(examiner, claim_line_id="CL-2", participating=False)
    assert line.group_code == "PR"


def test_waste_rule_pends_a_line_without_jz_or_with_jw(authorization, examiner):
    line, _ = receive(examiner, modifiers=[])
    assert (line.status, line.units_paid) == ("pended_review", 0)
    assert "JZ" in line.review_reason
    line, _ = receive(examiner, claim_line_id="CL-2", modifiers=["JW"])
    assert line.status == "pended_review" and "JW" in line.review_reason
    assert AuthorizationBalance.objects.get(pk=authorization.pk).units_used == 0


def test_an_examiner_pays_or_denies_a_pended_line(authorization, examiner):
    line, _ = receive(examiner, modifiers=[], units=2)
    paid = claim_line_resolve(line=line, actor=examiner, action="pay", reason="JZ omitted.")
    assert (paid.status, paid.units_paid, paid.resolved_by) == ("paid", 2, examiner)
    assert AuthorizationBalance.objects.get(pk=authorization.pk).units_used == 2
    with pytest.raises(ClaimLineNotPended):
        claim_line_resolve(line=paid, actor=examiner, action="pay", reason="again")
    other, _ = receive(examiner, claim_line_id="CL-2", modifiers=["JW"])
    with pytest.raises(ClaimLineInvalid) as refused:
        claim_line_resolve(line=other, actor=examiner, action="deny", reason="", carc="999")
    assert set(refused.value.problems) == {"reason", "carc"}
    denied = claim_line_resolve(
        line=other, actor=examiner, action="deny", reason="Discard not documented.", carc="50"
    )
    assert (denied.status, denied.carc, denied.group_code, denied.units_denied) == (
        "denied",
        "50",
        "CO",
        1,
    )
    assert ClaimLineEvent.objects.filter(line=other, kind="resolved").exists()


def test_the_same_id_returns_the_first_result_and_other_contents_conflict(authorization, examiner):
    first, created = receive(examiner, units=2)
    again, created_again = receive(examiner, units=2)
    assert created and not created_again and again.pk == first.pk
    assert AuthorizationBalance.objects.get(pk=authorization.pk).units_used == 2
    with pytest.raises(ClaimLineConflict):
        receive(examiner, units=3)
    assert ClaimLine.objects.count() == 1


def test_a_code_no_policy_lists_is_refused(kesimpta, examiner):
    with pytest.raises(ClaimLineInvalid) as refused:
        receive(examiner, hcpcs_code="J9999")
    assert "hcpcs_code" in refused.value.problems


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("claim_line_id", ""),
        ("member_id", "  "),
        ("date_of_service", "2026-01-01"),
        ("hcpcs_code", "3490"),
        ("ndc", "12"),
        ("units", 0),
        ("units", True),
        ("units", "2"),
        ("modifiers", ["JW", "JZ"]),
        ("modifiers", ["J"]),
        ("billed_amount", "-1"),
        ("billed_amount", "abc"),
        ("billed_amount", "1.234"),
        ("billing_npi", "1234567890"),
        ("rendering_npi", None),
        ("participating", "yes"),
    ],
)
def test_bad_input_names_its_field(field, value):
    with pytest.raises(ClaimLineInvalid) as refused:
        claim_line_data(**line_fields(**{field: value}))
    assert field in refused.value.problems


def test_only_a_claims_examiner_enters_lines(kesimpta, nurse):
    with pytest.raises(PermissionDenied):
        receive(nurse)


def test_a_lines_trail_is_append_only(authorization, examiner):
    from django.db import connection, transaction

    line, _ = receive(examiner)
    with pytest.raises(PermissionError):
        ClaimLineEvent.objects.filter(line=line).update(kind="resolved")
    if connection.vendor == "postgresql":  # the database refuses it too
        with (
            pytest.raises(Exception, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("UPDATE reviews_claimlineevent SET kind = 'resolved'")


def test_the_balance_can_never_be_overspent_in_the_database(authorization, examiner):
    from django.db import IntegrityError, transaction
    from django.db.models import F

    receive(examiner, units=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        AuthorizationBalance.objects.filter(pk=authorization.pk).update(
            units_used=F("units_authorized") + 1
        )
