"""Preview: the steps the nurse would see for an example request, with their suggestions,
and the approval's period and quantity. Read-only: a GET form, nothing is saved."""

from django.urls import path
from django.views.decorators.http import require_GET

from reviews.forms.policy_edit_cases import FactsForms, PreviewForm
from reviews.services.policy_test_cases import policy_preview, test_case_document
from reviews.views.policy_edit.common import editor_render, editor_view


@require_GET
@editor_view
def preview_view(request, version):
    """Three ways in: nothing asked yet (an empty form), "load" a test case (its request,
    facts and answers, shown in the form to change), or "show" what the form says."""
    data = request.GET
    example = (
        version.test_cases.filter(pk=data.get("example")).first()
        if data.get("example", "").isdigit()
        else None
    )
    preview = None
    answers = test_case_document(example)["answers"] if example else None
    if "load" in data and example is not None:
        case = test_case_document(example)
        form = PreviewForm(
            version=version,
            initial={
                "example": str(example.pk),
                "request_type": case["request_type"],
                "indication": case["indication"] or "",
            },
        )
        facts = FactsForms(facts=case["facts"])
        preview = policy_preview(
            version=version,
            request_type=case["request_type"],
            indication=case["indication"],
            facts=case["facts"],
            answers=answers,
        )
    elif "show" in data or "load" in data:
        form = PreviewForm(data, version=version)
        facts = FactsForms(data)
        form_valid = form.is_valid()
        if facts.is_valid() and form_valid:
            preview = policy_preview(
                version=version,
                request_type=form.cleaned_data["request_type"],
                indication=form.cleaned_data["indication"] or None,
                facts=facts.facts(),
                answers=answers,
                start=form.cleaned_data["start"],
            )
    else:
        form = PreviewForm(version=version)
        facts = FactsForms()
    return editor_render(
        request,
        version,
        "preview",
        "reviews/policy_edit/preview.html",
        {"form": form, "facts": facts, "preview": preview, "example": example},
        status=400 if form.errors or facts.has_errors() else 200,
    )


urlpatterns = [
    path(
        "policies/versions/<int:version_id>/edit/preview/", preview_view, name="policy-edit-preview"
    ),
]
