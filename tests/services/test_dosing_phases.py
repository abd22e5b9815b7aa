"""Dosing as phases through the services: an infusion with a loading series and a 6-monthly
maintenance, and a policy version without a dosing rule."""

import copy
import re
from datetime import date

import pytest
from django.utils.html import strip_tags

from reviews.letter_html import letter_html
from reviews.models import Determination
from reviews.services import nurse_review as services
from reviews.services.determinations import approval_terms
from tests.policy_fixtures import load_parsed
from tests.review_fixtures import JUDGED_CONTINUATION, JUDGED_INITIAL, kesimpta_request
from tests.services.test_nurse_review import answer_all, claimed

INFUSION_RULE = {
    "phases": [
        {
            "name": "Loading",
            "dose": {"amount": "300", "unit": "mg"},
            "route": "intravenous",
            "schedule": {"at": [0, 14], "unit": "day"},
            "initial_only": True,
        },
        {
            "name": "Maintenance",
            "dose": {"amount": "600", "unit": "mg"},
            "route": "intravenous",
            "schedule": {"every": 6, "unit": "calendar_month", "start": 24, "start_unit": "week"},
        },
    ]
}
CONTINUATION_600 = {
    "phases": [
        {
            "name": "Maintenance",
            "dose": {"amount": "600", "unit": "mg"},
            "route": "intravenous",
            "schedule": {"every": 6, "unit": "calendar_month"},
        }
    ]
}


def _version_with(kesimpta_document, regimen):
    doc = copy.deepcopy(kesimpta_document)
    doc["version"]["indications"][0]["regimen"] = regimen
    doc["version"]["dosing"]["monthly_means"] = None
    return load_parsed(doc)


@pytest.fixture
def infusion(db, kesimpta_document):
    return _version_with(kesimpta_document, INFUSION_RULE)


@pytest.fixture
def no_dosing_rule(db, kesimpta_document):
    return _version_with(kesimpta_document, None)


def test_a_600_mg_continuation_of_the_infusion_is_approved_by_a_nurse(infusion, nurse):
    case = claimed(
        kesimpta_request(
            nurse,
            request_type="continuation",
            therapy_start_date=date(2024, 1, 10),
            regimen=CONTINUATION_600,
        ),
        nurse,
    )
    state = answer_all(case, nurse, {**JUDGED_CONTINUATION, "1.B.ii.b": "not_documented"})
    assert state.dosing_differences == []  # once: "the policy allows 300 mg"
    assert state.can_approve
    determination = services.case_approve_by_nurse(case=case, nurse=nurse)
    # 365 days from day 0: 600 mg on day 0 and 6 calendar months later.
    assert (determination.authorized_doses, determination.authorized_amount) == (2, 1200)
    assert determination.authorized_unit == "mg"


def test_an_initial_infusion_request_of_600_mg_only_goes_to_a_physician(infusion, nurse):
    case = claimed(kesimpta_request(nurse, regimen=CONTINUATION_600), nurse)
    state = answer_all(case, nurse, JUDGED_INITIAL)
    assert not state.can_approve
    assert "Dosing: Loading: requested 600 mg per dose; the policy allows 300 mg." in (
        state.failing_items
    )


def test_a_version_without_a_dosing_rule_approves_the_requested_quantity(no_dosing_rule, nurse):
    case = claimed(kesimpta_request(nurse), nurse)
    state = answer_all(case, nurse, JUDGED_INITIAL)
    assert state.dosing_differences == [] and state.can_approve
    terms = approval_terms(case=case)
    assert terms.as_requested and (terms.doses, terms.amount) == (15, 300)
    determination = services.case_approve_by_nurse(case=case, nurse=nurse)
    assert (determination.authorized_doses, determination.authorized_amount) == (15, 300)
    letter = re.sub(r"\s+", " ", strip_tags(letter_html(determination)))
    assert "15 doses (300 mg), as requested" in letter
    # A partial approval names what was approved, never "as requested".
    determination.outcome = Determination.Outcome.PARTIALLY_APPROVED
    partial = re.sub(r"\s+", " ", strip_tags(letter_html(determination)))
    assert "15 doses (300 mg)" in partial and "as requested" not in partial


def test_an_unreadable_requested_regimen_without_a_rule_is_as_requested_not_a_500(
    no_dosing_rule, nurse
):
    case = kesimpta_request(nurse)
    case.regimen = {"dose_amount": "20"}  # an old shape no migration saw
    terms = approval_terms(case=case)
    assert terms.as_requested and (terms.doses, terms.amount) == (None, None)
