"""Case pages: the list, intake, the case page, document upload and the document file itself.

Thin: fetch through a selector (404 for anyone who may not see the case), validate a form,
call one service, redirect or render.
"""

from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reviews import permissions
from reviews.dates import screen_moment
from reviews.errors import ReviewError
from reviews.forms.cases import CaseSearchForm, DocumentUploadForm
from reviews.forms.facts import EVENT_KINDS, intake_fact_formsets
from reviews.forms.intake import SPECIALTIES, CaseIntakeForm, MedicationFormSet
from reviews.intake import IntakeInvalid
from reviews.paging import CappedPaginator
from reviews.selectors import cases as selectors
from reviews.selectors.appeals import appeal_summary
from reviews.selectors.claims import authorization_units
from reviews.selectors.renewals import case_renewal
from reviews.selectors.review import case_returned
from reviews.services import cases as case_services
from reviews.services import documents as document_services
from reviews.services.audit import case_view_record
from reviews.views.files import private_file_response

CASES_PER_PAGE = 25


@require_GET
def case_list_view(request):
    if not permissions.can_view_cases(request.user):
        raise PermissionDenied
    form = CaseSearchForm(request.GET)
    if not form.is_valid():
        # A search that cannot be run lists nothing, rather than every case, and says why.
        page = CappedPaginator([], CASES_PER_PAGE).get_page(1)
        context = {"form": form, "page": page, "q": request.GET.get("q", ""), "status": ""}
        return render(request, "reviews/case_list.html", context, status=400)
    q, status = form.cleaned_data["q"], form.cleaned_data["status"]
    cases = selectors.case_search(user=request.user, q=q, status=status)
    page = CappedPaginator(cases, CASES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request, "reviews/case_list.html", {"form": form, "page": page, "q": q, "status": status}
    )


@require_http_methods(["GET", "POST"])
def case_create_view(request):
    if not permissions.can_intake(request.user):
        raise PermissionDenied
    if request.method == "GET":
        form, medications = CaseIntakeForm(), MedicationFormSet(prefix="meds")
        return intake_page(request, form, medications, intake_fact_formsets())
    return intake_submit(request)


def intake_submit(request, *, authorization=None):
    """Enter the request posted on the intake page; `authorization`: the Determination a
    continuation continues (the continuation page), None for any other request."""
    form = CaseIntakeForm(request.POST, request.FILES)
    medications = MedicationFormSet(request.POST, prefix="meds")
    facts = intake_fact_formsets(request.POST)
    refused = partial(_intake_refused, authorization=authorization)
    # Files kept from an earlier attempt that failed: the user's own, less those removed.
    removed = request.POST.getlist("staged_remove")
    if removed:
        document_services.staged_upload_discard(user=request.user, tokens=removed)
    staged = selectors.staged_uploads_for_user(
        user=request.user, tokens=request.POST.getlist("staged")
    )
    # Every part is validated, so the page shows every problem at once.
    valid = [part.is_valid() for part in (form, medications, *facts.values())]
    if not all(valid):
        return refused(request, form, medications, facts, staged)
    try:
        case, rejected = case_services.case_create(
            actor=request.user,
            fields=form.case_fields(),
            medications=medications.medications(),
            **{name: formset.rows() for name, formset in facts.items()},
            documents=form.cleaned_data["documents"],
            staged=staged,
            document_kind=form.cleaned_data["document_kind"],
            continues=authorization.pk if authorization else None,
        )
    except IntakeInvalid as invalid:  # the rules ran again at storing, e.g. a clock moved on
        form.add_intake_errors(invalid)
        return refused(request, form, medications, facts, staged)
    except ReviewError as error:
        form.add_error(None, str(error))
        return refused(request, form, medications, facts, staged)
    messages.success(
        request,
        f"{case.reference} entered: {case.get_status_display().lower()}, "
        f"due {screen_moment(case.due_at)}.",
    )
    for refusal in rejected:
        messages.warning(request, str(refusal))
    return redirect("reviews:case-detail", case_id=case.pk)


def _intake_refused(request, form, medications, facts, staged, authorization=None):
    """The page again, with the files just sent kept for the corrected submission (a browser
    cannot refill a file input); a file that cannot be kept says why, at the files field."""
    kept, refused = document_services.staged_upload_create_many(
        user=request.user, files=request.FILES.getlist("documents")
    )
    for refusal in refused:
        form.add_error("documents", str(refusal))
    return intake_page(
        request,
        form,
        medications,
        facts,
        staged=[*staged, *kept],
        status=400,
        authorization=authorization,
    )


def intake_page(request, form, medications, facts, staged=(), status=200, authorization=None):
    return render(
        request,
        "reviews/case_create.html",
        {
            "form": form,
            "medications": medications,
            "fact_formsets": facts,
            "fact_errors": sum(formset.total_error_count() for formset in facts.values()),
            "event_kinds": EVENT_KINDS,
            "specialties": SPECIALTIES,
            "staged": staged,
            "authorization": authorization,
        },
        status=status,
    )


@require_GET
def case_detail_view(request, case_id: int):
    case = selectors.case_get_for_user(user=request.user, case_id=case_id)
    case_view_record(case=case, actor=request.user, page="case")
    return _detail_page(request, case, DocumentUploadForm())


def _detail_page(request, case, upload_form, status=200):
    documents = list(selectors.case_documents(case=case))
    preview = documents[0] if documents else None
    # Compared as text: int() would refuse "²" (a digit to str.isdigit) with a 500.
    wanted = request.GET.get("preview", "")
    preview = next((d for d in documents if str(d.pk) == wanted), preview)
    events = list(selectors.case_timeline(case=case))
    return render(
        request,
        "reviews/case_detail.html",
        {
            "case": case,
            "documents": documents,
            "preview": preview,
            "events": events,
            "upload_form": upload_form,
            "can_upload": permissions.can_intake(request.user),
            "returned": case_returned(case=case, timeline=events),
            "renewal": case_renewal(case=case),
            "appeals": appeal_summary(case=case, user=request.user),
            "can_file_appeal": permissions.can_intake(request.user),
            "units": authorization_units(case=case),
        },
        status=status,
    )


@require_POST
def case_route_view(request, case_id: int):
    case = selectors.case_get_for_user(user=request.user, case_id=case_id)
    if not permissions.can_intake(request.user):
        raise PermissionDenied
    try:
        case = case_services.case_route(case=case, actor=request.user)
    except ReviewError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{case.reference} sent to {case.get_status_display().lower()}.")
    return redirect("reviews:case-detail", case_id=case.pk)


@require_POST
def document_upload_view(request, case_id: int):
    case = selectors.case_get_for_user(user=request.user, case_id=case_id)
    if not permissions.can_intake(request.user):
        raise PermissionDenied
    form = DocumentUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail_page(request, case, form, status=400)
    accepted, rejected = document_services.document_add_many(
        case=case,
        actor=request.user,
        files=form.cleaned_data["files"],
        kind=form.cleaned_data["kind"],
    )
    if accepted:
        names = ", ".join(d.original_name for d in accepted)
        messages.success(request, f"Added {len(accepted)} document(s): {names}.")
    for refusal in rejected:
        messages.warning(request, str(refusal))
    return redirect("reviews:case-detail", case_id=case.pk)


# An uploaded file shown on its own (or in the case page's <iframe>): a sandboxed document
# (no script, an opaque origin) that may load nothing, framed only by our own pages.
# Chromium's PDF viewer still shows PDFs under it (tests/e2e/test_csp.py).
DOCUMENT_FILE_CSP = "sandbox; default-src 'none'; img-src 'self'; frame-ancestors 'self'"


@never_cache
@xframe_options_sameorigin  # the case page previews documents in an <iframe>
@require_GET
def document_file_view(request, case_id: int, document_id: int):
    document = selectors.document_get_for_user(
        user=request.user, case_id=case_id, document_id=document_id
    )
    download = request.GET.get("download") == "1"
    response = private_file_response(
        document.storage_name,
        filename=document.original_name,
        content_type=document.content_type,  # the type we sniffed on upload
        as_attachment=download,
        missing="The file is missing from storage.",
    )
    document_services.document_record_download(
        document=document,
        actor=request.user,
        download=download,
        session=request.session.session_key or "",
    )
    # Should a file ever be opened as a document, it may run and fetch nothing.
    response["Content-Security-Policy"] = DOCUMENT_FILE_CSP
    return response
