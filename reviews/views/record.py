"""The review record of a case: the whole story of its decision, read only (auditors first,
and anyone who may see the case)."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from reviews.selectors.cases import case_get_for_user
from reviews.selectors.record import case_record
from reviews.services.audit import case_view_record


@require_GET
def case_record_view(request, case_id: int):
    case = case_get_for_user(user=request.user, case_id=case_id)
    case_view_record(case=case, actor=request.user, page="record")
    return render(
        request, "reviews/case_record.html", {"case": case, "record": case_record(case=case)}
    )
