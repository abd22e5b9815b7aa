"""The editor's URLs: each area's own patterns, gathered here."""

from reviews.views.policy_edit import (
    details,
    drugs,
    indications,
    lists,
    outline,
    preview,
    publish,
    test_cases,
)

urlpatterns = (
    outline.urlpatterns
    + details.urlpatterns
    + drugs.urlpatterns
    + indications.urlpatterns
    + lists.urlpatterns
    + test_cases.urlpatterns
    + preview.urlpatterns
    + publish.urlpatterns
)
