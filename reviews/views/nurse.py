"""The nurse's day: the queue, the guided review one criterion at a time, the summary with
Approve or Escalate. Works from the keyboard and without JavaScript: plain forms and links."""

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reviews import permissions
from reviews.dates import screen_date
from reviews.engine.checks import check_stands_as_evidence
from reviews.errors import ReviewError
from reviews.forms.decisions import QueueFilterForm
from reviews.forms.review import AnswerForm, ApproveConfirmForm, EscalateForm, IndicationForm
from reviews.models import Case
from reviews.paging import queue_page
from reviews.selectors.cases import QueueFilters, case_documents, case_get_for_user
from reviews.selectors.review import (
    case_evidence,
    case_returned,
    case_review_state,
    cases_returned,
    nurse_queue,
    nurse_queue_counts,
    nurse_queue_drugs,
)
from reviews.services import nurse_review as services
from reviews.services.audit import case_view_record
from reviews.services.determinations import approval_terms
from reviews.services.indications import case_indication_choose


def _nurse_case(request, case_id: int) -> Case:
    case = case_get_for_user(user=request.user, case_id=case_id)  # 404 first
    if not permissions.can_review_as_nurse(request.user):
        raise PermissionDenied
    return case


def _editable(case: Case, user) -> bool:
    return case.status == Case.Status.NURSE_REVIEW and case.assignee_id == user.pk


@require_GET
def nurse_queue_view(request):
    if not permissions.can_review_as_nurse(request.user):
        raise PermissionDenied
    form = QueueFilterForm(request.GET, drugs=nurse_queue_drugs())
    filters = QueueFilters(**form.cleaned_data) if form.is_valid() else QueueFilters()
    counts = nurse_queue_counts(user=request.user)
    page = queue_page(
        nurse_queue(user=request.user, filters=filters),
        request.GET.get("page"),
        total=None if filters else counts["total"],
    )
    return render(
        request,
        "reviews/nurse_queue.html",
        {
            "form": form,
            "page": page,
            "counts": counts,
            "returned": cases_returned(cases=page),
            "query": request.GET.urlencode(),
            "filtered": any(v for k, v in request.GET.items() if k != "page"),
        },
    )


@require_POST
def case_claim_view(request, case_id: int):
    case = _nurse_case(request, case_id)
    try:
        services.case_claim(case=case, nurse=request.user)
    except ReviewError as error:
        messages.error(request, f"{case.reference}: {error}")
        return redirect("reviews:nurse-queue")
    return redirect("reviews:case-review", case_id=case.pk)


@require_GET
def case_review_view(request, case_id: int):
    """Continue where the review stopped: the first unanswered criterion, else the summary."""
    case = _nurse_case(request, case_id)
    step = case_review_state(case=case).first_open_step
    if step is None or not _editable(case, request.user):
        return redirect("reviews:case-review-summary", case_id=case.pk)
    return redirect("reviews:case-review-step", case_id=case.pk, label=step.node.label)


@require_http_methods(["GET", "POST"])
def case_review_step_view(request, case_id: int, label: str):
    if request.method == "GET" and (
        other := _read_only_record(request, case_id, "#criterion-" + quote(label, safe=""))
    ):
        return other
    case = _nurse_case(request, case_id)
    state = case_review_state(case=case)
    step = state.step_for(label)
    documents = case_documents(case=case)
    passages = case_evidence(case=case, state=state).get(label, [])
    saved = state.answers.get(label)
    suggestion = state.suggestions.get(label)
    editable = _editable(case, request.user)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        form = AnswerForm(request.POST, documents=documents, passages=passages)
        if form.is_valid():
            try:
                services.criterion_answer_save(
                    case=case, nurse=request.user, label=label, **form.answer_values()
                )
            except ReviewError as error:
                form.add_error(None, str(error))
            else:
                # The answer may add or remove steps (a condition met or no longer met), so
                # the next step is looked up among the steps asked now.
                fresh = case_review_state(case=case)
                return redirect(_next_url(fresh, label, request.POST.get("go")))
    else:
        case_view_record(case=case, actor=request.user, page=f"review {label}")
        form = AnswerForm(
            initial=_initial(saved, suggestion), documents=documents, passages=passages
        )
    return render(
        request,
        "reviews/case_review_step.html",
        {
            "case": case,
            "state": state,
            "step": step,
            "form": form,
            "saved": saved,
            "suggestion": suggestion,
            "suggestion_stands": bool(suggestion)
            and suggestion.stands_as_evidence
            and check_stands_as_evidence(step.node.check),
            "passages": passages,
            "documents": documents,
            "editable": editable,
            "viewer": _viewer_document(request, documents, saved),
            "returned": case_returned(case=case),
        },
        status=400 if form.errors else 200,
    )


def _initial(saved, suggestion) -> dict:
    if saved:
        return {
            "answer": saved.answer,
            "comment": saved.comment,
            "evidence_document": saved.evidence_document_id,
            "evidence_page": saved.evidence_page,
            "evidence_quote": saved.evidence_quote,
            "passage": "other" if saved.evidence_document_id else "",
        }
    return {"answer": suggestion.answer} if suggestion else {}


def _next_url(state, label: str, go: str | None) -> str:
    case_id = state.case.pk
    if go == "back" and (previous := state.step_beside(label, -1)):
        return reverse("reviews:case-review-step", args=[case_id, previous.node.label])
    if go in ("stay", "back"):
        return reverse("reviews:case-review-step", args=[case_id, label])
    if following := state.step_beside(label, 1):
        return reverse("reviews:case-review-step", args=[case_id, following.node.label])
    return reverse("reviews:case-review-summary", args=[case_id])


def _viewer_document(request, documents, saved):
    """The document shown beside the form: ?doc=ID, else the saved evidence, else the first."""
    wanted = request.GET.get("doc") or (saved.evidence_document_id if saved else None)
    by_id = {str(d.pk): d for d in documents}
    return by_id.get(str(wanted)) or next(iter(by_id.values()), None)


def _approval_preview(case: Case, state):
    """(terms, refusal): what an approval would issue now, or why there is none."""
    if refusal := state.approval_refusal:
        return None, refusal
    try:
        return approval_terms(case=case), None
    except ReviewError as error:
        return None, str(error)


def _summary_context(request, case: Case, state, **extra) -> dict:
    terms, refusal = _approval_preview(case, state)
    return {
        "case": case,
        "state": state,
        "editable": _editable(case, request.user),
        "terms": terms,
        "approve_refusal": refusal,
        "escalate_form": EscalateForm(),
        "indication_form": IndicationForm(indications=state.indications),
        "returned": case_returned(case=case),
        **extra,
    }


def _read_only_record(request, case_id: int, anchor: str = ""):
    """For anyone else who may see the case (an auditor, a physician): the review record,
    read only, in place of the nurse's working page; None for a nurse."""
    if permissions.can_review_as_nurse(request.user):
        return None
    case = case_get_for_user(user=request.user, case_id=case_id)  # 404 for who may not see it
    return redirect(reverse("reviews:case-record", args=[case.pk]) + anchor)


@require_GET
def case_review_summary_view(request, case_id: int):
    if other := _read_only_record(request, case_id, "#answers-heading"):
        return other
    case = _nurse_case(request, case_id)
    case_view_record(case=case, actor=request.user, page="review summary")
    state = case_review_state(case=case)
    return render(
        request, "reviews/case_review_summary.html", _summary_context(request, case, state)
    )


@require_GET
def case_approve_confirm_view(request, case_id: int):
    """The second screen of an approval: the terms and the criteria it will cite, then the
    irreversible button. A plain page, so it works without JavaScript."""
    case = _nurse_case(request, case_id)
    state = case_review_state(case=case)
    terms, refusal = _approval_preview(case, state)
    case_view_record(case=case, actor=request.user, page="approval confirmation")
    if refusal or not _editable(case, request.user):
        messages.error(request, refusal or "Claim this case before approving it.")
        return redirect("reviews:case-review-summary", case_id=case.pk)
    return render(
        request,
        "reviews/case_approve_confirm.html",
        {"case": case, "state": state, "terms": terms, "form": ApproveConfirmForm.of(terms)},
    )


@require_POST
def case_approve_view(request, case_id: int):
    case = _nurse_case(request, case_id)
    form = ApproveConfirmForm(request.POST)
    if not form.is_valid():
        # Only the confirmation screen's form approves: the nurse sees the terms first.
        messages.error(request, "Look at the terms of the approval, then confirm them.")
        return redirect("reviews:case-approve-confirm", case_id=case.pk)
    try:
        determination = services.case_approve_by_nurse(
            case=case, nurse=request.user, expected=form.terms()
        )
    except ReviewError as error:
        messages.error(request, str(error))
        return redirect("reviews:case-review-summary", case_id=case.pk)
    messages.success(
        request,
        f"{case.reference} approved: authorization {determination.authorization_number}, "
        f"{screen_date(determination.approval_start)} to "
        f"{screen_date(determination.approval_end)}, {determination.quantity_text}.",
    )
    return redirect("reviews:nurse-queue")


@require_POST
def case_escalate_view(request, case_id: int):
    case = _nurse_case(request, case_id)
    form = EscalateForm(request.POST)
    if not form.is_valid():
        state = case_review_state(case=case)
        return render(
            request,
            "reviews/case_review_summary.html",
            _summary_context(request, case, state, escalate_form=form),
            status=400,
        )
    try:
        services.case_escalate(case=case, nurse=request.user, comment=form.cleaned_data["comment"])
    except ReviewError as error:
        messages.error(request, str(error))
        return redirect("reviews:case-review-summary", case_id=case.pk)
    messages.success(request, f"{case.reference} sent to the physician queue.")
    return redirect("reviews:nurse-queue")


@require_POST
def case_indication_choose_view(request, case_id: int):
    """The nurse says which indication the request is for (or that it fits none), and why."""
    case = _nurse_case(request, case_id)
    state = case_review_state(case=case)
    form = IndicationForm(request.POST, indications=state.indications)
    if not form.is_valid():
        return render(
            request,
            "reviews/case_review_summary.html",
            _summary_context(request, case, state, indication_form=form),
            status=400,
        )
    try:
        case = case_indication_choose(
            case=case, nurse=request.user, indication=form.key(), reason=form.cleaned_data["reason"]
        )
    except ReviewError as error:
        messages.error(request, str(error))
        return redirect("reviews:case-review-summary", case_id=case.pk)
    if case.status == Case.Status.PHYSICIAN_QUEUE:
        messages.success(
            request,
            f"{case.reference} fits none of the policy's indications: sent to the physician "
            "queue, to be reviewed case by case.",
        )
        return redirect("reviews:nurse-queue")
    return redirect("reviews:case-review", case_id=case.pk)
