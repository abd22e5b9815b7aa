from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_GET

from reviews import permissions
from reviews.engine import compare, document
from reviews.engine.document import tree_from_dict
from reviews.engine.tree import iter_nodes
from reviews.policy_documents import version_document, version_quantities
from reviews.selectors.policies import policy_list_for_user, policy_version_get_for_user


@require_GET
def policy_list_view(request):
    policies = policy_list_for_user(user=request.user)
    return render(request, "reviews/policy_list.html", {"policies": policies})


@require_GET
def policy_version_detail_view(request, version_id: int):
    version = policy_version_get_for_user(user=request.user, version_id=version_id)
    try:
        doc = version_document(version)
    except document.DocumentError as error:
        # A draft mid-edit; its page says what is wrong instead of failing.
        return render(
            request,
            "reviews/policy_version_detail.html",
            {"version": version, "problems": error.problems},
            status=200,
        )
    root = tree_from_dict(doc["version"]["criteria"])
    return render(
        request,
        "reviews/policy_version_detail.html",
        {
            "version": version,
            "doc": doc["version"],
            "nodes": list(iter_nodes(root)),
            "quantities": version_quantities(version),
        },
    )


@require_GET
def policy_version_compare_view(request, old_id: int, new_id: int):
    old = policy_version_get_for_user(user=request.user, version_id=old_id)
    new = policy_version_get_for_user(user=request.user, version_id=new_id)
    if not permissions.can_manage_policies(request.user):
        raise PermissionDenied(
            "Only policy admins compare policy versions. You can read each version at Policies."
        )
    try:
        rows = compare.compare(version_document(old), version_document(new))
    except document.DocumentError as error:
        return render(
            request,
            "reviews/policy_version_compare.html",
            {"old": old, "new": new, "problems": error.problems},
            status=200,
        )
    show_all = request.GET.get("all") == "1"
    return render(
        request,
        "reviews/policy_version_compare.html",
        {
            "old": old,
            "new": new,
            "show_all": show_all,
            "rows": rows if show_all else [r for r in rows if r.status != compare.SAME],
            "unchanged": sum(r.status == compare.SAME for r in rows),
        },
    )
