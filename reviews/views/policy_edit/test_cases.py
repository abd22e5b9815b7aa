"""Test cases: the draft's list with Run all, and one form per case (add, edit), plus copy
and delete. Plain forms; the page works without JavaScript."""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reviews.errors import NotFound
from reviews.forms.policy_edit_cases import ALL_MET_DONE, NewTestCaseForm, TestCaseForms
from reviews.models import PolicyTestCase
from reviews.services import policy_test_cases as services
from reviews.services.policies import assert_draft
from reviews.views.policy_edit.common import back_to, editor_render, editor_view

TAB = "test_cases"
LIST = "reviews:policy-edit-test-cases"


def _test_case(version, test_case_id: int) -> PolicyTestCase:
    found = version.test_cases.filter(pk=test_case_id).first()
    if found is None:
        raise NotFound("No such test case in this version.")
    return found


@require_GET
@editor_view
def test_cases_view(request, version):
    report = services.test_cases_run(version=version) if request.GET.get("run") else None
    results = {result.name: result for result in report.results} if report else {}
    cases = [(case, results.get(case.name)) for case in version.test_cases.all()]
    return editor_render(
        request,
        version,
        TAB,
        "reviews/policy_edit/test_cases.html",
        {"cases": cases, "report": report, "new_case": NewTestCaseForm(version=version)},
    )


@require_http_methods(["GET", "POST"])
@editor_view
def test_case_add_view(request, version):
    return _case_page(request, version, None)


@require_http_methods(["GET", "POST"])
@editor_view
def test_case_edit_view(request, version, test_case_id: int):
    return _case_page(request, version, _test_case(version, test_case_id))


def _case_page(request, version, test_case: PolicyTestCase | None):
    """Add (test_case None) or change one. A refused case comes back with the document's
    problems at its fields, and nothing saved."""
    case = services.test_case_document(test_case) if test_case else None
    status = 200
    if request.method == "POST":
        assert_draft(version)  # a published version answers 409 before any form is judged
        forms = TestCaseForms(request.POST, version=version, case=case)
        if "all_met" in request.POST:
            forms.answer_all_met()
            forms.forget_errors()
            messages.info(request, ALL_MET_DONE)
        elif forms.is_valid():
            try:
                if test_case is None:
                    saved = services.test_case_add(
                        version=version, actor=request.user, case=forms.case()
                    )
                else:
                    saved = services.test_case_change(
                        version=version,
                        actor=request.user,
                        test_case_id=test_case.pk,
                        case=forms.case(),
                    )
            except services.TestCaseRefused as refused:
                forms.add_document_problems(refused.problems)
            else:
                messages.success(request, f"Test case “{saved.name}” saved.")
                if request.POST.get("add_another"):
                    # The next case for the same request type and indication, answered as a
                    # new one from the list page is.
                    query = urlencode(
                        {"request_type": saved.request_type, "indication": saved.indication or ""}
                    )
                    add = reverse("reviews:policy-edit-test-case-add", args=[version.pk])
                    return redirect(f"{add}?{query}")
                return back_to(LIST, version, f"case-{saved.pk}")
        if forms.has_errors():
            status = 400
    else:
        if test_case is None:
            case = _new_case(request, version)
        forms = TestCaseForms(version=version, case=case)
    return editor_render(
        request,
        version,
        TAB,
        "reviews/policy_edit/test_case_form.html",
        {"forms": forms, "form": forms.form, "facts": forms.facts, "test_case": test_case},
        status=status,
    )


def _new_case(request, version) -> dict | None:
    """The case the list page's "Add a test case" asks for (?request_type=…&indication=…):
    those two set, every question answered met with no condition applying. None for a plain
    add page, and for values this version does not have: those are ignored, and said so."""
    if not {"request_type", "indication"} & request.GET.keys():
        return None
    chosen = NewTestCaseForm(request.GET, version=version)
    if not chosen.is_valid():
        messages.warning(request, chosen.refusal())
        return None
    messages.info(request, ALL_MET_DONE)
    return chosen.case()


@require_POST
@editor_view
def test_case_copy_view(request, version, test_case_id: int):
    try:
        copy = services.test_case_copy(
            version=version, actor=request.user, test_case_id=test_case_id
        )
    except services.TestCaseRefused as refused:
        messages.error(request, str(refused))
        return back_to(LIST, version)
    messages.success(request, f"Copied as “{copy.name}”: change what differs.")
    return redirect("reviews:policy-edit-test-case", version.pk, copy.pk)


@require_POST
@editor_view
def test_case_delete_view(request, version, test_case_id: int):
    try:
        name = services.test_case_delete(
            version=version, actor=request.user, test_case_id=test_case_id
        )
    except services.TestCaseRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"Test case “{name}” deleted (Undo brings it back).")
    return back_to(LIST, version)


_BASE = "policies/versions/<int:version_id>/edit/test-cases/"
urlpatterns = [
    path(_BASE, test_cases_view, name="policy-edit-test-cases"),
    path(f"{_BASE}new/", test_case_add_view, name="policy-edit-test-case-add"),
    path(f"{_BASE}<int:test_case_id>/", test_case_edit_view, name="policy-edit-test-case"),
    path(
        f"{_BASE}<int:test_case_id>/copy/", test_case_copy_view, name="policy-edit-test-case-copy"
    ),
    path(
        f"{_BASE}<int:test_case_id>/delete/",
        test_case_delete_view,
        name="policy-edit-test-case-delete",
    ),
]
