"""PLACEHOLDER (replaced by its area's work): registers the tab's URL names."""

from django.http import HttpResponse
from django.urls import path

from reviews.views.policy_edit.common import editor_view


@editor_view
def _not_yet(request, version, *args, **kwargs):
    return HttpResponse("Not built yet.", status=501)


urlpatterns = [
    path("policies/versions/<int:version_id>/edit/details/", _not_yet, name="policy-edit-details"),
    path("policies/versions/<int:version_id>/edit/drugs/", _not_yet, name="policy-edit-drugs"),
    path(
        "policies/versions/<int:version_id>/edit/indications/",
        _not_yet,
        name="policy-edit-indications",
    ),
    path("policies/versions/<int:version_id>/edit/lists/", _not_yet, name="policy-edit-lists"),
]
