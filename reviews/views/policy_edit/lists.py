"""Lists: the version's named lists, each added, changed (title, key, items as rows) or
deleted as one change."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reviews.forms.policy_edit_settings import (
    ListItemForm,
    ListItemFormSet,
    PolicyListForm,
    add_list_problems,
)
from reviews.models import PolicyList
from reviews.services.policies import assert_draft
from reviews.services.policy_settings import (
    SettingsRefused,
    list_add,
    list_change,
    list_delete,
    list_users,
)
from reviews.views.policy_edit.common import back_to, editor_render, editor_view

TAB = "reviews:policy-edit-lists"


@require_GET
@editor_view
def lists_view(request, version):
    rows = [
        {"list": lst, "items": list(lst.items.all()), "users": list_users(version, lst.key)}
        for lst in version.lists.all()
    ]
    return editor_render(
        request, version, "lists", "reviews/policy_edit/lists.html", {"rows": rows}
    )


def _page(request, version, policy_list: PolicyList | None):
    data = request.POST if request.method == "POST" else None
    initial = {"key": policy_list.key, "title": policy_list.title} if policy_list else {}
    form = PolicyListForm(data, initial=initial)
    items = ListItemFormSet(
        data,
        prefix="item",
        initial=[ListItemForm.initial_for(i) for i in policy_list.items.all()]
        if policy_list
        else [],
    )
    problems: list[str] = []
    if data is not None:
        assert_draft(version)
        if form.is_valid() and items.is_valid():
            kept = items.kept()
            values = {
                "key": form.cleaned_data["key"],
                "title": form.cleaned_data["title"],
                "items": items.items() + form.cleaned_data["lines"],
            }
            try:
                if policy_list is None:
                    saved = list_add(version=version, actor=request.user, **values)
                else:
                    saved = list_change(
                        version=version, actor=request.user, policy_list=policy_list, **values
                    )
            except SettingsRefused as error:
                problems = add_list_problems(form, items, kept, error.problems)
            else:
                messages.success(request, f"Saved the list {saved.key}.")
                if policy_list is None and request.POST.get("add_another"):
                    return redirect("reviews:policy-edit-list-add", version.pk)
                return back_to(TAB, version, f"list-{saved.pk}")
    return editor_render(
        request,
        version,
        "lists",
        "reviews/policy_edit/list_form.html",
        {
            "form": form,
            "items": items,
            "problems": problems,
            "policy_list": policy_list,
            "users": list_users(version, policy_list.key) if policy_list else [],
        },
        status=400 if data is not None else 200,
    )


@require_http_methods(["GET", "POST"])
@editor_view
def list_add_view(request, version):
    return _page(request, version, None)


@require_http_methods(["GET", "POST"])
@editor_view
def list_edit_view(request, version, list_id: int):
    return _page(request, version, get_object_or_404(PolicyList, pk=list_id, version=version))


@require_POST
@editor_view
def list_delete_view(request, version, list_id: int):
    assert_draft(version)
    policy_list = get_object_or_404(PolicyList, pk=list_id, version=version)
    try:
        list_delete(version=version, actor=request.user, policy_list=policy_list)
    except SettingsRefused as error:
        messages.error(request, str(error))
        return back_to(TAB, version, f"list-{policy_list.pk}")
    messages.success(request, f"Deleted the list {policy_list.key}.")
    return back_to(TAB, version)


_BASE = "policies/versions/<int:version_id>/edit/lists/"
urlpatterns = [
    path(_BASE, lists_view, name="policy-edit-lists"),
    path(f"{_BASE}new/", list_add_view, name="policy-edit-list-add"),
    path(f"{_BASE}<int:list_id>/", list_edit_view, name="policy-edit-list"),
    path(f"{_BASE}<int:list_id>/delete/", list_delete_view, name="policy-edit-list-delete"),
]
