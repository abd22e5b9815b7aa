from django.urls import path

from reviews import views
from reviews.views import cases as case_views
from reviews.views import nurse as nurse_views
from reviews.views import policies as policy_views

app_name = "reviews"

urlpatterns = [
    path("health/", views.health_view, name="health"),
]

# Policies (read pages, version comparison).
urlpatterns += [
    path("policies/", policy_views.policy_list_view, name="policy-list"),
    path(
        "policies/versions/<int:version_id>/",
        policy_views.policy_version_detail_view,
        name="policy-version-detail",
    ),
    path(
        "policies/versions/<int:old_id>/compare/<int:new_id>/",
        policy_views.policy_version_compare_view,
        name="policy-version-compare",
    ),
]

# Cases (intake, documents, case pages).
urlpatterns += [
    path("cases/", case_views.case_list_view, name="case-list"),
    path("cases/new/", case_views.case_create_view, name="case-create"),
    path("cases/<int:case_id>/", case_views.case_detail_view, name="case-detail"),
    path("cases/<int:case_id>/documents/", case_views.document_upload_view, name="document-upload"),
    path(
        "cases/<int:case_id>/documents/<int:document_id>/",
        case_views.document_file_view,
        name="document-file",
    ),
]

# Nurse review: the queue, the guided review, approve or escalate.
urlpatterns += [
    path("nurse/queue/", nurse_views.nurse_queue_view, name="nurse-queue"),
    path("cases/<int:case_id>/claim/", nurse_views.case_claim_view, name="case-claim"),
    path("cases/<int:case_id>/review/", nurse_views.case_review_view, name="case-review"),
    path(
        "cases/<int:case_id>/review/criteria/<str:label>/",
        nurse_views.case_review_step_view,
        name="case-review-step",
    ),
    path(
        "cases/<int:case_id>/review/summary/",
        nurse_views.case_review_summary_view,
        name="case-review-summary",
    ),
    path("cases/<int:case_id>/approve/", nurse_views.case_approve_view, name="case-approve"),
    path("cases/<int:case_id>/escalate/", nurse_views.case_escalate_view, name="case-escalate"),
]
