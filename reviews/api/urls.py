from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny

from reviews.api import views

app_name = "api"

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("policies/", views.PolicyListView.as_view(), name="policy-list"),
    path(
        "policies/versions/<int:version_id>/",
        views.PolicyVersionView.as_view(),
        name="policy-version",
    ),
    path("claims/", views.ClaimLineListView.as_view(), name="claim-line-list"),
    path("claims/<int:line_id>/", views.ClaimLineDetailView.as_view(), name="claim-line-detail"),
    path("cases/", views.CaseListView.as_view(), name="case-list"),
    path("cases/<int:case_id>/", views.CaseDetailView.as_view(), name="case-detail"),
    path("cases/<int:case_id>/documents/", views.DocumentListView.as_view(), name="document-list"),
    path(
        "cases/<int:case_id>/documents/<int:document_id>/",
        views.DocumentDetailView.as_view(),
        name="document-detail",
    ),
    path(
        "cases/<int:case_id>/documents/<int:document_id>/file/",
        views.DocumentFileView.as_view(),
        name="document-file",
    ),
    path("cases/<int:case_id>/claim/", views.ClaimView.as_view(), name="case-claim"),
    path("cases/<int:case_id>/answers/", views.AnswerListView.as_view(), name="answer-list"),
    path("cases/<int:case_id>/answers/<str:label>/", views.AnswerView.as_view(), name="answer"),
    path("cases/<int:case_id>/approve/", views.ApproveView.as_view(), name="case-approve"),
    path("cases/<int:case_id>/escalate/", views.EscalateView.as_view(), name="case-escalate"),
    path("cases/<int:case_id>/facts/", views.FactView.as_view(), name="case-facts"),
    path(
        "cases/<int:case_id>/indication/",
        views.IndicationView.as_view(),
        name="case-indication",
    ),
    path("cases/<int:case_id>/decision/", views.DecisionView.as_view(), name="case-decision"),
    path(
        "cases/<int:case_id>/information-requests/",
        views.InfoRequestView.as_view(),
        name="case-request-info",
    ),
    path(
        "cases/<int:case_id>/return-to-nurse/",
        views.ReturnToNurseView.as_view(),
        name="case-return-to-nurse",
    ),
    path("cases/<int:case_id>/appeal/", views.AppealView.as_view(), name="case-appeal"),
    path(
        "cases/<int:case_id>/appeal-decision/",
        views.AppealDecisionView.as_view(),
        name="case-appeal-decision",
    ),
    path("cases/<int:case_id>/letter/", views.LetterView.as_view(), name="letter"),
    path("cases/<int:case_id>/letter/pdf/", views.LetterPdfView.as_view(), name="letter-pdf"),
    path("queues/nurse/", views.NurseQueueView.as_view(), name="nurse-queue"),
    path("renewals/", views.RenewalListView.as_view(), name="renewal-list"),
    path("queues/physician/", views.PhysicianQueueView.as_view(), name="physician-queue"),
    # The description is public (payers publish their API documentation); the browsable
    # page is for signed-in staff and loads its assets from our own static files.
    path(
        "schema/",
        SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[AllowAny]),
        name="schema",
    ),
    path("docs/", views.docs_view, name="docs"),  # sign-in: LoginRequiredMiddleware
    # Anything else under /api/v1/ (e.g. /cases/-1/): a JSON 404, not the HTML page.
    re_path(r"^(?P<rest>.*)$", views.NotFoundView.as_view(), name="not-found"),
]
