"""The physician's side: the deadline-ordered queue, the decision screen, decisions with a
letter preview before issuing, information requests and peer-to-peer conversations."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from reviews import csp, permissions
from reviews.errors import ReviewError
from reviews.forms.decisions import (
    ApproveForm,
    DenyForm,
    InfoRequestForm,
    PartialApproveForm,
    PeerToPeerLogForm,
    QueueFilterForm,
    ReturnToNurseForm,
)
from reviews.models import Case, PeerToPeer
from reviews.paging import queue_page
from reviews.physician_decisions import DECISIONS, decision_arguments, decision_form
from reviews.selectors.appeals import appeal_summary
from reviews.selectors.cases import case_documents, case_get_for_user, case_timeline
from reviews.selectors.physician import (
    QueueFilters,
    criteria_choices,
    diagnosis_meanings,
    escalation,
    physician_queue,
    physician_queue_counts,
    physician_queue_drugs,
)
from reviews.selectors.review import case_review_state_or_none
from reviews.services import physician_review as services
from reviews.services.appeal_review import OUTCOME_OF
from reviews.services.audit import case_view_record
from reviews.services.determinations import continuation_start


def _physician_case(request, case_id: int) -> Case:
    case = case_get_for_user(user=request.user, case_id=case_id)  # 404 first
    if not permissions.can_review_as_physician(request.user):
        raise PermissionDenied
    return case


@require_GET
def physician_queue_view(request):
    if not permissions.can_review_as_physician(request.user):
        raise PermissionDenied
    form = QueueFilterForm(request.GET, drugs=physician_queue_drugs())
    filters = QueueFilters()
    if form.is_valid():
        filters = QueueFilters(**form.cleaned_data)
    counts = physician_queue_counts(user=request.user)
    page = queue_page(
        physician_queue(user=request.user, filters=filters),
        request.GET.get("page"),
        total=None if filters else counts["total"],
    )
    return render(
        request,
        "reviews/physician_queue.html",
        {
            "form": form,
            "page": page,
            "counts": counts,
            "query": request.GET.urlencode(),
        },
    )


@require_POST
def case_claim_physician_view(request, case_id: int):
    case = _physician_case(request, case_id)
    try:
        services.case_claim_physician(case=case, physician=request.user)
    except ReviewError as error:
        messages.error(request, f"{case.reference}: {error}")
        return redirect("reviews:physician-queue")
    return redirect("reviews:case-decision", case_id=case.pk)


def _decides(case: Case, user) -> bool:
    """The decision forms are this user's: the case is in physician review, claimed by them."""
    return case.status == Case.Status.PHYSICIAN_REVIEW and case.assignee_id == user.pk


def _decision_page(request, case: Case, *, forms=None, preview=None, status=200):
    state = case_review_state_or_none(case=case)
    default = services.default_approval(case)
    initial = {k: default[k] for k in ("approval_start", "approval_end", "authorized_doses")}
    forms = forms or {}
    documents = case_documents(case=case)
    viewer = {str(d.pk): d for d in documents}.get(request.GET.get("doc")) or documents.first()
    return render(
        request,
        "reviews/case_decision.html",
        {
            "case": case,
            "state": state,
            "escalation": escalation(case),
            "diagnoses": diagnosis_meanings(case, state),
            "documents": documents,
            "viewer": viewer,
            "events": case_timeline(case=case),
            "editable": _decides(case, request.user),
            # Prefixed: several forms share field names, and ids must stay unique on the page.
            "approve_form": forms.get("approve") or ApproveForm(initial=initial, prefix="approve"),
            "partial_form": forms.get("partial")
            or PartialApproveForm(initial=initial, prefix="partial"),
            "deny_form": forms.get("deny")
            or DenyForm(
                criteria_choices=criteria_choices(state),
                initial={"criteria": _not_met(state)},
                prefix="deny",
            ),
            "info_form": forms.get("info") or InfoRequestForm(prefix="info"),
            "return_form": forms.get("return") or ReturnToNurseForm(prefix="return"),
            "p2p_form": PeerToPeerLogForm(prefix="p2p"),
            "peer_to_peers": case.peer_to_peers.select_related("offered_by"),
            "preview": preview,
            "continuation_start": continuation_start(case),
            "appeals": appeal_summary(case=case, user=request.user),
        },
        status=status,
    )


def _not_met(state) -> list[str]:
    """The criteria a denial most likely cites: those the nurse found not met."""
    if not state:
        return []
    not_met = [
        label
        for label in state.evaluation.failing
        if label in state.answers and state.answers[label].answer == "not_met"
    ]
    return not_met or list(state.evaluation.failing)


@require_GET
def case_decision_view(request, case_id: int):
    case = _physician_case(request, case_id)
    case_view_record(case=case, actor=request.user, page="decision")
    return _decision_page(request, case)


@require_POST
def case_decide_view(request, case_id: int, decision: str):
    """Approve, partially approve or deny. "Preview letter" shows the letter as it would be
    issued, with the same values kept in the form; "Issue" makes it final."""
    case = _physician_case(request, case_id)
    if decision not in DECISIONS:
        raise PermissionDenied
    _, service, outcome = DECISIONS[decision]
    form = decision_form(case, decision, request.POST, prefix=decision)
    if not form.is_valid():
        return _decision_page(request, case, forms={decision: form}, status=400)
    arguments = decision_arguments(decision, form.cleaned_data)
    if "preview" in request.POST:
        try:
            preview = _letter_preview(case, request.user, outcome, arguments)
        except ReviewError as error:  # e.g. a continuation's period that leaves a gap
            form.add_error(None, str(error))
            return _decision_page(request, case, forms={decision: form}, status=400)
        response = _decision_page(
            request, case, forms={decision: form}, preview={"decision": decision, "html": preview}
        )
        # The preview's <iframe srcdoc> inherits this page's policy: allow its stylesheet.
        return csp.allow_styles_of(response, preview)
    try:
        determination = service(case=case, physician=request.user, **arguments)
    except ReviewError as error:
        form.add_error(None, str(error))
        return _decision_page(request, case, forms={decision: form}, status=400)
    what = determination.get_outcome_display().lower()
    if appeal_summary(case=case, user=request.user)["appeal"]:
        what = f"appeal {OUTCOME_OF[determination.outcome].label.lower()}"
    messages.success(
        request,
        f"{case.reference}: {what} ({determination.authorization_number}). "
        "The letter is being prepared.",
    )
    return redirect("reviews:case-detail", case_id=case.pk)


def _letter_preview(case: Case, user, outcome: str, arguments: dict) -> str:
    """The letter an issue would produce, from an unsaved determination."""
    from reviews.letter_html import letter_html

    start, end = arguments.get("approval_start"), arguments.get("approval_end")
    draft = services.decision_build(
        case=case,
        physician=user,
        outcome=outcome,
        rationale=arguments.get("rationale", ""),
        criteria_cited=arguments.get("criteria_cited", []),
        period=(start, end) if start and end else None,
        doses=arguments.get("authorized_doses"),
    )
    draft.authorization_number += " (preview)"
    return letter_html(draft)


@require_POST
def info_request_view(request, case_id: int):
    case = _physician_case(request, case_id)
    form = InfoRequestForm(request.POST, prefix="info")
    if not form.is_valid():
        return _decision_page(request, case, forms={"info": form}, status=400)
    try:
        services.info_request_create(case=case, physician=request.user, **form.cleaned_data)
    except ReviewError as error:
        form.add_error(None, str(error))
        return _decision_page(request, case, forms={"info": form}, status=400)
    messages.success(
        request,
        f"{case.reference}: information requested; the case returns to "
        "the queue when a document arrives or the wait ends.",
    )
    return redirect("reviews:physician-queue")


@require_POST
def peer_to_peer_offer_view(request, case_id: int):
    case = _physician_case(request, case_id)
    try:
        services.peer_to_peer_offer(case=case, physician=request.user)
    except ReviewError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Peer-to-peer conversation offered and logged.")
    return redirect("reviews:case-decision", case_id=case.pk)


@require_POST
def peer_to_peer_log_view(request, case_id: int, p2p_id: int):
    case = _physician_case(request, case_id)
    p2p = get_object_or_404(PeerToPeer, pk=p2p_id, case=case)
    form = PeerToPeerLogForm(request.POST, prefix="p2p")
    if form.is_valid():
        try:
            services.peer_to_peer_log(p2p=p2p, physician=request.user, **form.cleaned_data)
        except ReviewError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Peer-to-peer conversation logged.")
    else:
        messages.error(
            request,
            "Peer-to-peer not logged: "
            + "; ".join(f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items()),
        )
    return redirect("reviews:case-decision", case_id=case.pk)


@require_POST
def case_return_to_nurse_view(request, case_id: int):
    """A case escalated by mistake goes back to nurse review, with the physician's reason."""
    case = _physician_case(request, case_id)
    form = ReturnToNurseForm(request.POST, prefix="return")
    try:
        if form.is_valid():
            case = services.case_return_to_nurse(
                case=case, physician=request.user, reason=form.cleaned_data["reason"]
            )
    except ReviewError as error:
        form.add_error(None, str(error))
    if form.errors:
        if not _decides(case, request.user):
            # The page shows no return form to this physician: say why on the page instead.
            messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
            return redirect("reviews:case-decision", case_id=case.pk)
        return _decision_page(request, case, forms={"return": form}, status=400)
    to = (case.assignee.get_full_name() or case.assignee.get_username()) if case.assignee else ""
    messages.success(
        request,
        f"{case.reference} returned to nurse review"
        + (f", to {to}." if to else ", unclaimed in the nurse queue."),
    )
    return redirect("reviews:physician-queue")
