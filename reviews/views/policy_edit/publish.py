"""Check & publish: what stops publishing, what to read before it, and versions in and out
(clone to a new draft, export as YAML, import a YAML file as a new draft)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reviews import permissions
from reviews.engine.document import DocumentError
from reviews.errors import NotFound, PolicyInvalid
from reviews.forms.policy_io import PolicyImportForm, PublishForm
from reviews.services.policies import (
    assert_draft,
    policy_version_check,
    policy_version_clone,
    policy_version_publish,
)
from reviews.services.policy_io import (
    ImportInvalid,
    policy_document_read,
    policy_import,
    policy_last_published,
    policy_version_export,
    policy_version_warnings,
)
from reviews.views.policy_edit.common import back_to, editor_render, editor_view


def _publish_page(request, version, *, form=None, refused=None, status=200):
    warnings = policy_version_warnings(version=version)
    run = request.GET.get("run") == "1"
    return editor_render(
        request,
        version,
        "publish",
        "reviews/policy_edit/publish.html",
        {
            "warnings": warnings,
            "form": form or PublishForm(warnings=len(warnings)),
            "refused": refused,
            "ran": run,
            "results": policy_version_check(version=version) if run else None,
            "test_case_count": version.test_cases.count(),
            "last_published": policy_last_published(version=version),
        },
        status=status,
    )


@require_GET
@editor_view
def publish_view(request, version):
    return _publish_page(request, version)


@require_POST
@editor_view
def publish_go_view(request, version):
    assert_draft(version)  # a published version: 409, before any form is read
    form = PublishForm(request.POST, warnings=len(policy_version_warnings(version=version)))
    if not form.is_valid():
        return _publish_page(request, version, form=form, status=400)
    try:
        policy_version_publish(version=version, actor=request.user)
    except PolicyInvalid as error:
        return _publish_page(request, version, form=form, refused=error, status=400)
    messages.success(request, f"Version {version.number} is published.")
    return back_to("reviews:policy-edit-publish", version)


@require_POST
@editor_view
def clone_view(request, version):
    try:
        clone = policy_version_clone(version=version, actor=request.user)
    except DocumentError:
        messages.error(
            request, "This draft cannot be cloned until its problems are fixed (see below)."
        )
        return back_to("reviews:policy-edit-publish", version)
    messages.success(
        request, f"Version {clone.number} is a new draft, cloned from version {version.number}."
    )
    return redirect("reviews:policy-edit", clone.pk)


@require_GET
@editor_view
def export_view(request, version):
    try:
        name, text = policy_version_export(version=version)
    except DocumentError:
        messages.error(
            request, "This draft cannot be exported until its problems are fixed (see below)."
        )
        return back_to("reviews:policy-edit-publish", version)
    response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _require_policy_admin(user) -> None:
    """As the editor: 404 to whoever may not read policies, 403 to case staff."""
    if permissions.can_manage_policies(user):
        return
    if permissions.can_view_cases(user):
        raise PermissionDenied("Only policy admins import policies.")
    raise NotFound


@require_http_methods(["GET", "POST"])
def import_view(request):
    _require_policy_admin(request.user)
    if request.method != "POST":
        return render(request, "reviews/policy_import.html", {"form": PolicyImportForm()})
    form = PolicyImportForm(request.POST, request.FILES)
    problems, refused = [], None
    if form.is_valid():
        try:
            doc = policy_document_read(form.cleaned_data["file"].read())
            imported = policy_import(doc=doc, actor=request.user)
        except ImportInvalid as error:
            refused, problems = error, error.document_problems
        except PolicyInvalid as error:
            refused = error
        else:
            messages.success(request, _imported_message(imported))
            return redirect("reviews:policy-edit", imported.version.pk)
    return render(
        request,
        "reviews/policy_import.html",
        {"form": form, "refused": refused, "problems": problems},
        status=400,
    )


def _imported_message(imported) -> str:
    version = imported.version
    said = [
        f"Imported policy {version.policy.number} as draft version {version.number}"
        + (" (a new policy)." if imported.policy_created else ".")
    ]
    if imported.renumbered_from is not None:
        said.append(
            f"The file's version {imported.renumbered_from} already exists, so the draft is "
            f"numbered after the policy's last version."
        )
    if imported.status_was:
        said.append(f"The file said {imported.status_was}; an import is always a draft.")
    return " ".join(said)


urlpatterns = [
    path(
        "policies/versions/<int:version_id>/edit/publish/",
        publish_view,
        name="policy-edit-publish",
    ),
    path(
        "policies/versions/<int:version_id>/publish/",
        publish_go_view,
        name="policy-version-publish",
    ),
    path(
        "policies/versions/<int:version_id>/clone/",
        clone_view,
        name="policy-version-clone",
    ),
    path(
        "policies/versions/<int:version_id>/export/",
        export_view,
        name="policy-version-export",
    ),
    path("policies/import/", import_view, name="policy-import"),
]
