"""The outline: the version's criteria as an indented tree, edited one node at a time."""

from django.contrib import messages
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from reviews.models import Criterion
from reviews.services.policy_edits import NothingToUndo, policy_edit_undo
from reviews.views.policy_edit.common import back_to, editor_render, editor_view


def outline_rows(version) -> list[tuple[Criterion, int]]:
    """(node, depth) in outline order."""
    nodes = list(version.criteria.all())
    by_parent: dict[int | None, list[Criterion]] = {}
    for node in nodes:
        by_parent.setdefault(node.parent_id, []).append(node)
    for siblings in by_parent.values():
        siblings.sort(key=lambda c: (c.position, c.pk))
    rows: list[tuple[Criterion, int]] = []

    def walk(node: Criterion, depth: int) -> None:
        rows.append((node, depth))
        for child in by_parent.get(node.pk, []):
            walk(child, depth + 1)

    for root in by_parent.get(None, []):
        walk(root, 0)
    return rows


@require_GET
@editor_view
def outline_view(request, version):
    return editor_render(
        request,
        version,
        "outline",
        "reviews/policy_edit/outline.html",
        {"rows": outline_rows(version)},
    )


@require_POST
@editor_view
def undo_view(request, version):
    try:
        undone = policy_edit_undo(version=version, actor=request.user)
    except NothingToUndo as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Undone: {undone.summary}.")
    return back_to(request.POST.get("next_tab") or "reviews:policy-edit", version)


urlpatterns = [
    path("policies/versions/<int:version_id>/edit/", outline_view, name="policy-edit"),
    path("policies/versions/<int:version_id>/edit/undo/", undo_view, name="policy-edit-undo"),
]
