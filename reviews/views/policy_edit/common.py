"""What every page of the policy editor shares: fetching the version, the frame, refusals."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.shortcuts import redirect, render

from reviews.errors import PolicyVersionLocked
from reviews.models import PolicyVersion
from reviews.policy_documents import version_prefetched, version_problems
from reviews.selectors.policies import policy_version_for_editing
from reviews.services.policy_edits import policy_edit_last

# (tab key, URL name, title), in the order the tabs are shown.
TABS = (
    ("outline", "reviews:policy-edit", "Criteria"),
    ("details", "reviews:policy-edit-details", "Policy text"),
    ("drugs", "reviews:policy-edit-drugs", "Drugs"),
    ("indications", "reviews:policy-edit-indications", "Indications & dosing"),
    ("lists", "reviews:policy-edit-lists", "Lists"),
    ("test_cases", "reviews:policy-edit-test-cases", "Test cases"),
    ("preview", "reviews:policy-edit-preview", "Preview"),
    ("publish", "reviews:policy-edit-publish", "Check & publish"),
)

TAB_URLS = {key: url for key, url, _ in TABS}


def editor_view(view: Callable) -> Callable:
    """Fetch the version for a policy admin (403 to case staff, 404 to others) and pass it
    as `version`. A change refused because the version is published answers 409 with the
    reason and a way on (clone), instead of an error page."""

    @wraps(view)
    def wrapper(request, version_id: int, *args, **kwargs):
        version = policy_version_for_editing(user=request.user, version_id=version_id)
        try:
            return view(request, version, *args, **kwargs)
        except PolicyVersionLocked as error:
            if request.method == "GET":
                raise
            messages.error(request, str(error))
            return editor_render(
                request, version, "outline", "reviews/policy_edit/locked.html", {}, status=409
            )

    return wrapper


def editor_render(
    request, version: PolicyVersion, tab: str, template: str, context: dict, status: int = 200
):
    """Render an editor page inside the frame: header, tabs, last change with undo, and the
    count of problems that would stop publishing."""
    full = version_prefetched(version.pk)
    frame = {
        "version": full,
        "tab": tab,
        "tabs": TABS,
        "last_edit": policy_edit_last(version) if version.is_draft else None,
        "problems": version_problems(full) if version.is_draft else [],
        "next_tab": _next_tab(tab),
    }
    return render(request, template, {**frame, **context}, status=status)


def back_to(tab_url: str, version: PolicyVersion, anchor: str = ""):
    response = redirect(tab_url, version.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _next_tab(tab: str) -> dict | None:
    """The tab after `tab` (its key and title), for "Save and go on to …" while entering a
    policy from its first page to its last."""
    keys = [key for key, _, _ in TABS]
    if tab not in keys or keys.index(tab) + 1 == len(TABS):
        return None
    key, _, title = TABS[keys.index(tab) + 1]
    return {"key": key, "title": title}


def saved_back(request, tab: str, version: PolicyVersion, anchor: str = ""):
    """After a save: the same tab, or the next one when "Save and go on" was pressed."""
    following = _next_tab(tab) if request.POST.get("go_on") else None
    if following is not None:
        return back_to(TAB_URLS[following["key"]], version)
    return back_to(TAB_URLS[tab], version, anchor)
