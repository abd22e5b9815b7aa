"""The editor's URLs: each area's own patterns, gathered here."""

from reviews.views.policy_edit import (
    details,
    outline,
    preview,
    publish,
    test_cases,
)

urlpatterns = (
    outline.urlpatterns
    + details.urlpatterns
    + test_cases.urlpatterns
    + preview.urlpatterns
    + publish.urlpatterns
)
