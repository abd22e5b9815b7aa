"""The outline: the version's criteria as an indented tree, edited one node at a time.

Every action is its own small form (add, change, move, indent, outdent, delete), so the
page works from the keyboard and without JavaScript; each saves at once and can be undone.
"""

import hashlib

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reviews import permissions
from reviews.engine.check_words import check_rule_text
from reviews.engine.checks import CHECKS
from reviews.errors import ReviewError
from reviews.forms.policy_edit_outline import (
    CheckParamsForm,
    CriteriaPasteForm,
    CriterionForm,
    PasteProposalsForm,
    PolicyCreateForm,
)
from reviews.models import Criterion
from reviews.reference_lists import reference_lists
from reviews.selectors.policies import criteria_outline, version_lists
from reviews.services import policy_outline
from reviews.services.policy_edits import NothingToUndo, policy_edit_undo
from reviews.views.policy_edit.common import back_to, editor_render, editor_view


def _node(version, node_id: int) -> Criterion:
    try:
        return Criterion.objects.get(pk=node_id, version=version)
    except Criterion.DoesNotExist:
        raise Http404("No such criterion in this version.") from None


def _param_forms(
    lists: dict[str, dict], data=None, node: Criterion | None = None
) -> dict[str, CheckParamsForm]:
    """One parameters form per check; `lists` are the version's (version_lists), read once."""
    titles = {key: value["title"] for key, value in lists.items()}
    references = sorted(reference_lists())
    return {
        name: CheckParamsForm(
            data,
            check_name=name,
            lists=titles,
            references=references,
            params=node.check_params if node is not None and node.check_name == name else None,
        )
        for name in sorted(CHECKS)
    }


def _fields(form: CriterionForm, params_forms: dict[str, CheckParamsForm], lists):
    """The node's model fields from valid forms, or None with the errors on the forms."""
    if not form.is_valid():
        return None
    data = dict(form.cleaned_data)
    check = data.get("check_name") or ""
    data["check_params"] = {}
    if check:
        params_form = params_forms[check]
        if not params_form.is_valid():
            return None
        params = params_form.judge(data.get("check_negate", False), lists, reference_lists())
        if params is None:
            return None
        data["check_params"] = params
    else:
        data["check_negate"] = False
    return data


def _node_page(
    request, version, form, params_forms, *, node=None, anchor=None, where="", status=200
):
    return editor_render(
        request,
        version,
        "outline",
        "reviews/policy_edit/node_form.html",
        {
            "form": form,
            "params_forms": params_forms,
            "node": node,
            "anchor": anchor,
            "where": where,
            "checks": sorted(CHECKS),
        },
        status=status,
    )


def _after_save(request, version, node: Criterion):
    """Where a saved node leads: the next sibling's form, its first child's, or the outline."""
    if "save_next" in request.POST:
        return redirect("reviews:policy-edit-node-add", version.pk, node.pk, "sibling")
    if "save_child" in request.POST and node.kind != Criterion.Kind.LEAF:
        return redirect("reviews:policy-edit-node-add", version.pk, node.pk, "child")
    return back_to("reviews:policy-edit", version, f"node-{node.pk}")


@require_GET
@editor_view
def outline_view(request, version):
    return editor_render(
        request,
        version,
        "outline",
        "reviews/policy_edit/outline.html",
        {"rows": criteria_outline(version)},
    )


@require_http_methods(["GET", "POST"])
@editor_view
def node_add_view(request, version, node_id: int, where: str):
    if where not in ("child", "sibling"):
        raise Http404("Add a node as a child or a sibling.")
    anchor = _node(version, node_id)
    if request.method == "POST":
        form = CriterionForm(request.POST, version=version, path_names=version.path_names)
        lists = version_lists(version)
        params_forms = _param_forms(lists, request.POST)
        fields = _fields(form, params_forms, lists)
        if fields is not None:
            try:
                node = policy_outline.criterion_add(
                    version=version, actor=request.user, anchor=anchor, where=where, fields=fields
                )
            except policy_outline.OutlineRefused as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"Added {node.label}.")
                return _after_save(request, version, node)
        return _node_page(
            request, version, form, params_forms, anchor=anchor, where=where, status=400
        )
    parent = anchor if where == "child" else anchor.parent
    after = None
    if where == "sibling":
        after = anchor
    elif anchor.children.exists():
        after = anchor.children.order_by("-position", "-pk").first()
    initial = {
        "label": policy_outline.label_suggest(version, parent, after),
        "kind": Criterion.Kind.LEAF,
        "evidence_required": True,
        "path": anchor.path if where == "sibling" else "",
        "indication": anchor.indication if where == "sibling" else "",
    }
    form = CriterionForm(initial=initial, version=version, path_names=version.path_names)
    form.fields["text"].widget.attrs["autofocus"] = True  # the label is suggested: type the text
    return _node_page(
        request, version, form, _param_forms(version_lists(version)), anchor=anchor, where=where
    )


@require_http_methods(["GET", "POST"])
@editor_view
def node_edit_view(request, version, node_id: int):
    node = _node(version, node_id)
    if request.method == "POST":
        form = CriterionForm(
            request.POST,
            instance=_node(version, node_id),
            version=version,
            path_names=version.path_names,
        )
        lists = version_lists(version)
        params_forms = _param_forms(lists, request.POST)
        fields = _fields(form, params_forms, lists)
        if fields is not None:
            try:
                node = policy_outline.criterion_update(
                    version=version, actor=request.user, criterion=node, fields=fields
                )
            except policy_outline.OutlineRefused as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"Saved {node.label}.")
                return _after_save(request, version, node)
        return _node_page(request, version, form, params_forms, node=node, status=400)
    form = CriterionForm(instance=node, version=version, path_names=version.path_names)
    return _node_page(
        request, version, form, _param_forms(version_lists(version), node=node), node=node
    )


@require_POST
@editor_view
def node_move_view(request, version, node_id: int):
    node = _node(version, node_id)
    try:
        policy_outline.criterion_move(
            version=version,
            actor=request.user,
            criterion=node,
            direction=request.POST.get("direction", ""),
        )
    except policy_outline.OutlineRefused as error:
        messages.error(request, str(error))
    return back_to("reviews:policy-edit", version, f"node-{node.pk}")


@require_http_methods(["GET", "POST"])
@editor_view
def node_delete_view(request, version, node_id: int):
    node = _node(version, node_id)
    if request.method == "POST":
        try:
            labels = policy_outline.criterion_delete(
                version=version, actor=request.user, criterion=node
            )
        except policy_outline.OutlineRefused as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Deleted {', '.join(labels)}. Undo puts them back.")
        return back_to("reviews:policy-edit", version)
    return editor_render(
        request,
        version,
        "outline",
        "reviews/policy_edit/node_delete.html",
        {"node": node, "labels": policy_outline.subtree_labels(node)},
    )


@require_http_methods(["GET", "POST"])
@editor_view
def node_paste_view(request, version, node_id: int):
    """Criteria pasted as the policy writes them, added under a group in one change.

    When the words propose checks (or a group's indication or path), the page first shows
    them beside the lines they were read from, each ticked, with what else is saved with
    each line: a question's "evidence required" and its check's parameters, a group's title,
    path and indication, the anchor's title. The criteria are added as set there on the next
    press. Nothing proposed is ever saved unseen: a text changed after its proposals were
    shown is shown again."""
    anchor = _node(version, node_id)
    form = CriteriaPasteForm(request.POST or None)
    proposals, shown = None, ""
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        try:
            rows = policy_outline.criteria_paste_read(version=version, text=text)
            accepted, settings, anchor_title = {}, {}, None
            if any(row.proposal for row in rows):
                # The page's own fields are read only when it is the page that was sent:
                # an unticked checkbox is absent from the data.
                seen = request.POST.get("shown") == _digest(text)
                proposals = PasteProposalsForm(
                    request.POST if seen else None,
                    rows=rows,
                    anchor=anchor,
                    version=version,
                    lists=version_lists(version),
                    references=reference_lists(),
                )
                shown = _digest(text)
                if not seen:
                    return _paste_page(request, version, form, anchor, proposals, shown)
                if not proposals.is_valid():
                    return _paste_page(request, version, form, anchor, proposals, shown, 400)
                accepted, settings = proposals.accepted(), proposals.settings()
                anchor_title = proposals.cleaned_data["anchor_title"]
            created = policy_outline.criteria_paste(
                version=version,
                actor=request.user,
                anchor=anchor,
                text=text,
                accepted=accepted,
                settings=settings,
                anchor_title=anchor_title,
            )
        except policy_outline.OutlineRefused as error:
            form.add_error("text", str(error))
        else:
            messages.success(
                request,
                f"Added {len(created)} criteria under {anchor.label}, {len(accepted)} with the "
                "check their words proposed. Check each group's kind (all, any, at least k, "
                "if) and add the checks the words did not give.",
            )
            return back_to("reviews:policy-edit", version, f"node-{created[0].pk}")
    status = 400 if request.method == "POST" else 200
    return _paste_page(request, version, form, anchor, proposals, shown, status)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _paste_page(request, version, form, anchor, proposals, shown: str, status: int = 200):
    return editor_render(
        request,
        version,
        "outline",
        "reviews/policy_edit/node_paste.html",
        {
            "form": form,
            "anchor": anchor,
            "proposals": proposals,
            "rows": [(row, proposals.row_fields(row)) for row in proposals.rows]
            if proposals is not None
            else None,
            "shown": shown,
        },
        status=status,
    )


@require_GET
@editor_view
def check_words_view(request, version):
    """The chosen check's rule in words and its problems, for the node form as it is typed."""
    name = request.GET.get("check_name", "")
    if name not in CHECKS:
        return render(request, "reviews/policy_edit/_check_words.html", {"words": "", "errors": []})
    lists = version_lists(version)
    form = _param_forms(lists, request.GET)[name]
    negate = request.GET.get("check_negate") in ("on", "true", "1")
    valid = form.is_valid()
    params = form.params()  # what could be read so far: the words follow the typing
    if valid:
        form.judge(negate, lists, reference_lists())
    errors = [error for field_errors in form.errors.values() for error in field_errors]
    context = {"words": check_rule_text(name, params, negate, lists), "errors": errors}
    return render(request, "reviews/policy_edit/_check_words.html", context)


@require_POST
@editor_view
def undo_view(request, version):
    try:
        undone = policy_edit_undo(version=version, actor=request.user)
    except NothingToUndo as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Undone: {undone.summary}.")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("reviews:policy-edit", args=[version.pk])
    return redirect(back)


@require_http_methods(["GET", "POST"])
def policy_create_view(request):
    """A new policy from nothing: its number, title and first effective date."""
    if not permissions.can_manage_policies(request.user):
        raise PermissionDenied
    form = PolicyCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = policy_outline.policy_create(actor=request.user, **form.cleaned_data)
        except ReviewError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Policy {version.policy.number} created: draft version 1. Start with its text; "
                "“Save and go on” takes you through the tabs in order.",
            )
            return redirect("reviews:policy-edit-details", version.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "reviews/policy_edit/policy_create.html", {"form": form}, status=status)


EDIT = "policies/versions/<int:version_id>/edit"
urlpatterns = [
    path("policies/new/", policy_create_view, name="policy-create"),
    path(f"{EDIT}/", outline_view, name="policy-edit"),
    path(f"{EDIT}/undo/", undo_view, name="policy-edit-undo"),
    path(f"{EDIT}/check-words/", check_words_view, name="policy-edit-check-words"),
    path(f"{EDIT}/criteria/<int:node_id>/", node_edit_view, name="policy-edit-node"),
    path(
        f"{EDIT}/criteria/<int:node_id>/add/<str:where>/",
        node_add_view,
        name="policy-edit-node-add",
    ),
    path(f"{EDIT}/criteria/<int:node_id>/paste/", node_paste_view, name="policy-edit-node-paste"),
    path(f"{EDIT}/criteria/<int:node_id>/move/", node_move_view, name="policy-edit-node-move"),
    path(
        f"{EDIT}/criteria/<int:node_id>/delete/", node_delete_view, name="policy-edit-node-delete"
    ),
]
