"""PLACEHOLDER (replaced by its area's work): registers the tab's URL names."""

from django.http import HttpResponse
from django.urls import path

from reviews.views.policy_edit.common import editor_view


@editor_view
def _not_yet(request, version, *args, **kwargs):
    return HttpResponse("Not built yet.", status=501)


urlpatterns = [
    path("policies/versions/<int:version_id>/edit/publish/", _not_yet, name="policy-edit-publish"),
]
