from django.urls import path

from reviews import views
from reviews.views import appeals as appeal_views
from reviews.views import audit as audit_views
from reviews.views import cases as case_views
from reviews.views import claims as claim_views
from reviews.views import facts as fact_views
from reviews.views import letters as letter_views
from reviews.views import nurse as nurse_views
from reviews.views import physician as physician_views
from reviews.views import policies as policy_views
from reviews.views import record as record_views
from reviews.views import renewals as renewal_views
from reviews.views.policy_edit import urls as policy_edit_urls

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

# The policy editor (policy admins): one module per area, gathered in its urls.
urlpatterns += policy_edit_urls.urlpatterns

# Cases (intake, documents, case pages).
urlpatterns += [
    path("cases/", case_views.case_list_view, name="case-list"),
    path("cases/new/", case_views.case_create_view, name="case-create"),
    path("cases/<int:case_id>/", case_views.case_detail_view, name="case-detail"),
    path("cases/<int:case_id>/record/", record_views.case_record_view, name="case-record"),
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
    path("cases/<int:case_id>/route/", case_views.case_route_view, name="case-route"),
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
    path(
        "cases/<int:case_id>/approve/confirm/",
        nurse_views.case_approve_confirm_view,
        name="case-approve-confirm",
    ),
    path("cases/<int:case_id>/approve/", nurse_views.case_approve_view, name="case-approve"),
    path("cases/<int:case_id>/review/facts/", fact_views.case_facts_view, name="case-facts"),
    path(
        "cases/<int:case_id>/review/facts/add/<str:kind>/",
        fact_views.case_fact_add_view,
        name="case-fact-add",
    ),
    path(
        "cases/<int:case_id>/review/facts/measurements/",
        fact_views.case_fact_correct_view,
        {"kind": "measurements"},
        name="case-measurements-correct",
    ),
    path(
        "cases/<int:case_id>/review/facts/<str:kind>/<int:fact_id>/",
        fact_views.case_fact_correct_view,
        name="case-fact-correct",
    ),
    path("cases/<int:case_id>/escalate/", nurse_views.case_escalate_view, name="case-escalate"),
    path(
        "cases/<int:case_id>/indication/",
        nurse_views.case_indication_choose_view,
        name="case-indication-choose",
    ),
]

# Physician review: the queue, the decision screen, decisions, information, peer-to-peer.
urlpatterns += [
    path("physician/queue/", physician_views.physician_queue_view, name="physician-queue"),
    path(
        "cases/<int:case_id>/physician-claim/",
        physician_views.case_claim_physician_view,
        name="case-claim-physician",
    ),
    path("cases/<int:case_id>/decision/", physician_views.case_decision_view, name="case-decision"),
    path(
        "cases/<int:case_id>/decide/<str:decision>/",
        physician_views.case_decide_view,
        name="case-decide",
    ),
    path(
        "cases/<int:case_id>/request-information/",
        physician_views.info_request_view,
        name="case-request-info",
    ),
    path(
        "cases/<int:case_id>/return-to-nurse/",
        physician_views.case_return_to_nurse_view,
        name="case-return-to-nurse",
    ),
    path(
        "cases/<int:case_id>/peer-to-peer/",
        physician_views.peer_to_peer_offer_view,
        name="peer-to-peer-offer",
    ),
    path(
        "cases/<int:case_id>/peer-to-peer/<int:p2p_id>/",
        physician_views.peer_to_peer_log_view,
        name="peer-to-peer-log",
    ),
]

# Renewals: authorizations ending soon (nurses), and a continuation started from one.
urlpatterns += [
    path("renewals/", renewal_views.renewals_view, name="renewals"),
    path("cases/<int:case_id>/continue/", renewal_views.case_continue_view, name="case-continue"),
]

# Appeals: taken in from the decided case; decided on the decision screen like any case.
urlpatterns += [
    path("cases/<int:case_id>/appeal/", appeal_views.appeal_file_view, name="appeal-file"),
]

# Letters: the determination letter as issued (HTML) and its rendered PDF.
urlpatterns += [
    path("cases/<int:case_id>/letter/", letter_views.letter_preview_view, name="letter-preview"),
    path("cases/<int:case_id>/letter.pdf", letter_views.letter_pdf_view, name="letter-pdf"),
]

# Audit: for auditors.
urlpatterns += [
    path("audit/", audit_views.audit_search_view, name="audit-search"),
    path("audit/export.csv", audit_views.audit_export_view, name="audit-export"),
    path("cases/<int:case_id>/audit/", audit_views.case_audit_view, name="case-audit"),
]

# Claims (claims examiners): claim lines entered, listed, read and resolved.
urlpatterns += [
    path("claims/", claim_views.claim_line_list_view, name="claim-line-list"),
    path("claims/new/", claim_views.claim_line_create_view, name="claim-line-create"),
    path("claims/<int:line_id>/", claim_views.claim_line_detail_view, name="claim-line-detail"),
    path(
        "claims/<int:line_id>/resolve/",
        claim_views.claim_line_resolve_view,
        name="claim-line-resolve",
    ),
]
