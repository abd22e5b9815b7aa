"""Claim line pages for claims examiners: the list (by status), entering a line, a line's
page, and resolving a line pended for review. Thin: the claims service judges and writes."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reviews import permissions
from reviews.forms.claims import ClaimLineFilterForm, ClaimLineForm, ClaimLineResolveForm
from reviews.selectors import claims as selectors
from reviews.services import claims as services

LINES_PER_PAGE = 50


@require_GET
def claim_line_list_view(request):
    if not permissions.can_examine_claims(request.user):
        raise PermissionDenied
    form = ClaimLineFilterForm(request.GET)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    lines = selectors.claim_line_list(user=request.user, status=status)
    page = Paginator(lines, LINES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "reviews/claim_line_list.html",
        {"form": form, "page": page, "status": status},
        status=200 if form.is_valid() else 400,
    )


@require_http_methods(["GET", "POST"])
def claim_line_create_view(request):
    if not permissions.can_examine_claims(request.user):
        raise PermissionDenied
    form = ClaimLineForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                data = services.claim_line_data(**form.cleaned_data)
                line, created = services.claim_line_receive(actor=request.user, data=data)
            except services.ClaimLineInvalid as error:
                for field, message in error.problems.items():
                    form.add_error(field if field in form.fields else None, message)
            except services.ClaimLineConflict as error:
                form.add_error("claim_line_id", str(error))
                status = 409
            else:
                if not created:
                    messages.info(request, "This claim line id was received before: its result.")
                return redirect("reviews:claim-line-detail", line_id=line.pk)
    return render(request, "reviews/claim_line_create.html", {"form": form}, status=status)


@require_GET
def claim_line_detail_view(request, line_id: int):
    line = selectors.claim_line_get_for_user(user=request.user, line_id=line_id)
    return _detail(request, line, ClaimLineResolveForm(codes=_carcs()))


def _carcs():
    return [c for c in selectors.adjustment_codes().values() if c.kind == c.Kind.CARC]


def _detail(request, line, resolve_form, status=200):
    return render(
        request,
        "reviews/claim_line_detail.html",
        {
            "line": line,
            "events": selectors.claim_line_events(line=line),
            "codes": selectors.adjustment_codes(),
            "resolve_form": resolve_form,
        },
        status=status,
    )


@require_POST
def claim_line_resolve_view(request, line_id: int):
    line = selectors.claim_line_get_for_user(user=request.user, line_id=line_id)
    form = ClaimLineResolveForm(request.POST, codes=_carcs())
    if not form.is_valid():
        return _detail(request, line, form, status=400)
    try:
        services.claim_line_resolve(
            line=line,
            actor=request.user,
            action=form.cleaned_data["action"],
            reason=form.cleaned_data["reason"],
            carc=form.cleaned_data["carc"],
        )
    except services.ClaimLineInvalid as error:
        for field, message in error.problems.items():
            form.add_error(field if field in form.fields else None, message)
        return _detail(request, line, form, status=400)
    except services.ClaimLineNotPended as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The line is resolved.")
    return redirect("reviews:claim-line-detail", line_id=line.pk)
