"""A physician's three decisions, shared by the decision page and the API: the form that
checks each (with what it needs of the case), the service that issues it, and the outcome
it records."""

from reviews.forms.decisions import ApproveForm, DenyForm, PartialApproveForm
from reviews.models import Case, Determination
from reviews.selectors.physician import criteria_choices
from reviews.selectors.review import case_review_state_or_none
from reviews.services import physician_review

DECISIONS = {
    "approve": (
        ApproveForm,
        physician_review.case_approve_by_physician,
        Determination.Outcome.APPROVED,
    ),
    "partial": (
        PartialApproveForm,
        physician_review.case_partially_approve,
        Determination.Outcome.PARTIALLY_APPROVED,
    ),
    "deny": (DenyForm, physician_review.case_deny, Determination.Outcome.DENIED),
}


def decision_form(case: Case, decision: str, data, **kwargs):
    """The decision's form on `data`: a denial chooses among the criteria of the case's
    path; an approval's doses are checked against the requested dose."""
    form_class = DECISIONS[decision][0]
    if decision == "deny":
        state = case_review_state_or_none(case=case)
        return form_class(data, criteria_choices=criteria_choices(state), **kwargs)
    return form_class(data, dose=physician_review.authorized_total(case, 1), **kwargs)


def decision_arguments(decision: str, cleaned: dict) -> dict:
    """The service's keyword arguments from the form's cleaned data."""
    if decision == "deny":
        return {"criteria_cited": cleaned["criteria"], "rationale": cleaned["rationale"]}
    return dict(cleaned)
