from django.urls import path

from reviews import views
from reviews.views import policies as policy_views

app_name = "reviews"

urlpatterns = [
    path("health/", views.health_view, name="health"),
]

# Policies (read pages, version comparison).
urlpatterns += [
    path("policies/", policy_views.policy_list_view, name="policy-list"),
    path("policies/versions/<int:version_id>/", policy_views.policy_version_detail_view,
         name="policy-version-detail"),
    path("policies/versions/<int:old_id>/compare/<int:new_id>/",
         policy_views.policy_version_compare_view, name="policy-version-compare"),
]

# Cases (intake, documents, case pages).
urlpatterns += []
