"""Appeal intake: from a denied (or partially approved) case, record who appealed, when it
was received, why, and their documents; the appeal then waits in the physician queue."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from reviews import permissions
from reviews.dates import screen_moment
from reviews.errors import ReviewError
from reviews.forms.appeals import AppealFileForm
from reviews.selectors.appeals import appeal_summary
from reviews.selectors.cases import case_get_for_user
from reviews.services import appeals as services


@require_http_methods(["GET", "POST"])
def appeal_file_view(request, case_id: int):
    case = case_get_for_user(user=request.user, case_id=case_id)  # 404 first
    if not permissions.can_intake(request.user):
        raise PermissionDenied("Only nurses and physicians take in appeals.")
    if request.method == "GET":
        return _page(request, case, AppealFileForm())
    form = AppealFileForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, case, form, status=400)
    try:
        appeal, rejected = services.appeal_file(
            original=case, actor=request.user, **form.service_arguments()
        )
    except ReviewError as error:
        form.add_error(None, str(error))
        return _page(request, case, form, status=400)
    messages.success(
        request,
        f"Appeal {appeal.case.reference} of {case.reference} taken in: in the physician queue, "
        f"due {screen_moment(appeal.case.due_at)}.",
    )
    for refusal in rejected:
        messages.warning(request, str(refusal))
    return redirect("reviews:case-detail", case_id=appeal.case.pk)


def _page(request, case, form, status=200):
    return render(
        request,
        "reviews/appeal_file.html",
        {"case": case, "form": form, "appeals": appeal_summary(case=case, user=request.user)},
        status=status,
    )
