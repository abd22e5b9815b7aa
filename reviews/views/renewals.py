"""Renewals: the nurses' list of authorizations that end soon, and starting a continuation
of one (the intake page, filled in from the authorization)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from reviews import permissions
from reviews.forms.facts import intake_fact_formsets
from reviews.forms.intake import CaseIntakeForm, MedicationFormSet
from reviews.selectors.cases import case_get_for_user
from reviews.selectors.renewals import (
    authorization_get_for_user,
    continuation_initial,
    continuation_refusal,
    renewals_due,
)
from reviews.services.audit import case_view_record
from reviews.views.cases import intake_page, intake_submit

RENEWALS_PAGE_SIZE = 50


@require_GET
def renewals_view(request):
    if not permissions.can_review_as_nurse(request.user):
        raise PermissionDenied("The renewals list is the nurse reviewers'.")
    renewals = renewals_due(user=request.user, sort=request.GET.get("sort", ""))
    page = Paginator(renewals.rows, RENEWALS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reviews/renewals.html",
        {"renewals": renewals, "page": page},
        status=400 if renewals.sort_refused else 200,
    )


@require_http_methods(["GET", "POST"])
def case_continue_view(request, case_id: int):
    """Start a continuation of the case's authorization: the intake page, filled in."""
    case = case_get_for_user(user=request.user, case_id=case_id)  # 404 first
    if not permissions.can_intake(request.user):
        raise PermissionDenied("Only nurses and physicians may enter requests.")
    authorization = authorization_get_for_user(user=request.user, case_id=case.pk)
    if refusal := continuation_refusal(authorization=authorization):
        messages.error(request, f"No continuation can be started: {refusal}")
        return redirect("reviews:case-detail", case_id=case.pk)
    if request.method == "POST":
        return intake_submit(request, authorization=authorization)
    case_view_record(case=case, actor=request.user, page="continue")
    form = CaseIntakeForm(initial=continuation_initial(authorization=authorization))
    return intake_page(
        request,
        form,
        MedicationFormSet(prefix="meds"),
        intake_fact_formsets(),
        authorization=authorization,
    )
