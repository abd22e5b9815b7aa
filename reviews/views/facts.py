"""Clinical facts during nurse review: the list with its links, and one page to add a fact
or correct one, with the case's documents beside the form. Plain forms, no JavaScript."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from reviews import permissions
from reviews.errors import NotFound, ReviewError
from reviews.forms.facts import EVENT_KINDS, add_rule_errors, fact_review_forms
from reviews.intake import IntakeInvalid
from reviews.models import Case
from reviews.selectors.cases import FACT_MODELS, case_documents, case_fact_get, case_get_for_user
from reviews.services import facts as services

KIND_NAMES = {
    "lab": "lab result",
    "therapy": "prior therapy",
    "event": "clinical event",
    "measurements": "weight and height",
}


def _nurse_case(request, case_id: int) -> Case:
    case = case_get_for_user(user=request.user, case_id=case_id)  # 404 first
    if not permissions.can_review_as_nurse(request.user):
        raise PermissionDenied
    return case


def _editable(case: Case, user) -> bool:
    return case.status == Case.Status.NURSE_REVIEW and case.assignee_id == user.pk


@require_GET
def case_facts_view(request, case_id: int):
    case = _nurse_case(request, case_id)
    return render(
        request,
        "reviews/case_facts.html",
        {"case": case, "editable": _editable(case, request.user), "kinds": KIND_NAMES},
    )


@require_http_methods(["GET", "POST"])
def case_fact_add_view(request, case_id: int, kind: str):
    if kind not in FACT_MODELS:
        raise NotFound("No such kind of fact.")
    return _fact_page(request, _nurse_case(request, case_id), kind, fact=None)


@require_http_methods(["GET", "POST"])
def case_fact_correct_view(request, case_id: int, kind: str, fact_id: int | None = None):
    case = _nurse_case(request, case_id)
    if kind == services.MEASUREMENTS:
        return _fact_page(request, case, kind, fact=case)
    fact = case_fact_get(case=case, kind=kind, fact_id=fact_id)
    return _fact_page(request, case, kind, fact=fact)


def _fact_page(request, case: Case, kind: str, *, fact):
    """Add (fact None) or correct (fact: the row, or the case for its measurements)."""
    documents = case_documents(case=case)
    editable = _editable(case, request.user)
    initial = services.fact_values(fact, kind) if fact is not None else None
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        form, source = fact_review_forms(kind, request.POST, documents=documents, initial=initial)
        if form.is_valid() and source.is_valid():
            arguments = {
                "case": case,
                "nurse": request.user,
                "kind": kind,
                "values": form.values(),
                **source.cleaned_data,
            }
            try:
                if fact is None:
                    services.case_fact_add(**arguments)
                else:
                    services.case_fact_correct(
                        **arguments, fact_id=None if fact is case else fact.pk
                    )
            except IntakeInvalid as invalid:
                add_rule_errors(form, {k: v for k, v in invalid.errors.items() if k in form.fields})
                add_rule_errors(
                    source, {k: v for k, v in invalid.errors.items() if k not in form.fields}
                )
            except (ReviewError, NotFound) as error:
                form.add_error(None, str(error))
            else:
                done = "added" if fact is None else "corrected"
                messages.success(request, f"{case.reference}: {KIND_NAMES[kind]} {done}.")
                return redirect("reviews:case-facts", case_id=case.pk)
    wanted = request.GET.get("doc") or request.POST.get("source-source_document")
    by_id = {str(d.pk): d for d in documents}
    viewer = by_id.get(str(wanted)) or next(iter(by_id.values()), None)
    if request.method != "POST":
        form, source = fact_review_forms(kind, documents=documents, initial=initial)
        # The document shown beside the form is the likely source.
        source.initial["source_document"] = viewer.pk if viewer else None
    return render(
        request,
        "reviews/case_fact_form.html",
        {
            "case": case,
            "kind": kind,
            "kind_name": KIND_NAMES[kind],
            "fact": fact,
            "correcting": fact is not None,
            "form": form,
            "source": source,
            "editable": editable,
            "documents": documents,
            "viewer": viewer,
            "event_kinds": EVENT_KINDS,
        },
        status=400 if form.errors or source.errors else 200,
    )
