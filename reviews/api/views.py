"""The JSON API's views. Thin, like the pages' views: read through the same selectors (404
for what the user may not see), validate with the same forms (intake: with the same intake
rules, which the service runs), call the same services (which check the role), and answer in
JSON. Errors take one shape (reviews/api/errors.py).
"""

import hashlib
import json
from dataclasses import replace

from csp.decorators import csp_update
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from reviews import permissions
from reviews.api import serializers as s
from reviews.api.errors import Conflict, Invalid, form_errors
from reviews.client_ip import client_ip
from reviews.errors import StaleCase
from reviews.forms.decisions import InfoRequestForm, QueueFilterForm, ReturnToNurseForm
from reviews.forms.review import NONE_FITS, AnswerForm, EscalateForm
from reviews.models import AccessEvent, Case, ClaimLine, Letter
from reviews.physician_decisions import DECISIONS, decision_arguments, decision_form
from reviews.policy_documents import version_document
from reviews.selectors import cases as case_selectors
from reviews.selectors import claims as claim_selectors
from reviews.selectors import renewals as renewal_selectors
from reviews.selectors.appeals import appeal_refusal, appeal_summary
from reviews.selectors.letters import letter_get_for_user
from reviews.selectors.physician import (
    QueueFilters,
    physician_queue,
    physician_queue_drugs,
)
from reviews.selectors.policies import policy_list_for_user, policy_version_get_for_user
from reviews.selectors.review import (
    case_review_state,
    case_review_state_or_none,
    nurse_queue,
    nurse_queue_drugs,
)
from reviews.services import appeals as appeal_services
from reviews.services import cases as case_services
from reviews.services import claims as claim_services
from reviews.services import documents as document_services
from reviews.services import facts as fact_services
from reviews.services import letters as letter_services
from reviews.services import nurse_review, physician_review
from reviews.services.appeal_review import appeal_reviewer_check
from reviews.services.audit import access_event_record, case_view_record
from reviews.services.determinations import approval_terms
from reviews.services.indications import case_indication_choose
from reviews.views.files import private_file_response

ERRORS = {
    400: OpenApiResponse(s.ErrorOut, description="The request has errors (see errors)."),
    401: OpenApiResponse(s.ErrorOut, description="No or invalid credentials."),
    403: OpenApiResponse(s.ErrorOut, description="The user's role may not do this."),
    404: OpenApiResponse(s.ErrorOut, description="No such thing, or not visible to the user."),
    409: OpenApiResponse(s.ErrorOut, description="The case's state does not allow it now."),
    415: OpenApiResponse(s.ErrorOut, description="A body that is neither JSON nor multipart."),
}


def errors(*codes: int) -> dict:
    return {code: ERRORS[code] for code in (401, 403, 404, *codes)}


def _validated(serializer_class, data, **kwargs):
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer


def _form_valid(form):
    if not form.is_valid():
        raise Invalid(form_errors(form))
    return form.cleaned_data


def _case(request, case_id: int) -> Case:
    return case_selectors.case_get_for_user(user=request.user, case_id=case_id)


def _case_detail(request, case: Case, *, status_code=status.HTTP_200_OK) -> Response:
    """The case as it is now (after a write: read again, with what the detail reads)."""
    return _detail_response(_case(request, case.pk), status_code=status_code)


def _detail_response(case: Case, *, status_code=status.HTTP_200_OK) -> Response:
    state = case_review_state_or_none(case=case)
    context = {
        "state": state,
        "documents": case_selectors.case_documents(case=case),
        "events": case_selectors.case_timeline(case=case),
    }
    return Response(s.CaseDetailOut(case, context=context).data, status=status_code)


class NotFoundView(APIView):
    """Any path under /api/v1/ that names no resource."""

    permission_classes = [AllowAny]
    schema = None  # not an operation of the description

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise NotFound("No such API resource.")


# ---- tokens ----------------------------------------------------------------------------------


class TokenView(APIView):
    """Obtain (POST, with username and password) or revoke (DELETE) the caller's API token."""

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else super().get_permissions()

    @extend_schema(
        request=s.TokenIn,
        responses={
            200: s.TokenOut,
            400: ERRORS[400],
            403: ERRORS[403],
            429: OpenApiResponse(
                s.LockedOut, description="Too many failed sign-ins: locked for a while."
            ),
        },
        auth=[],
        summary="Obtain an API token",
    )
    def post(self, request):
        data = _validated(s.TokenIn, request.data).validated_data
        user = authenticate(request._request, username=data["username"], password=data["password"])
        if getattr(request._request, "axes_locked_out", False):
            # AxesMiddleware answers instead: 429, JSON, with Retry-After.
            raise PermissionDenied("Too many failed sign-ins for this user from this address.")
        if user is None:
            raise Invalid(
                {"non_field_errors": ["The user name or password is not correct."]},
                detail="The user name or password is not correct.",
            )
        if not permissions.can_view_cases(user) and not permissions.can_manage_policies(user):
            raise PermissionDenied("This user has no role in prior-authorization review.")
        token, _ = Token.objects.get_or_create(user=user)
        access_event_record(
            kind=AccessEvent.Kind.TOKEN_ISSUED, address=client_ip(request._request), user=user
        )
        return Response({"token": token.key, "username": user.username})

    @extend_schema(
        request=None,
        responses={204: None, 401: ERRORS[401]},
        summary="Revoke the caller's API token",
    )
    def delete(self, request):
        deleted, _ = Token.objects.filter(user=request.user).delete()
        if deleted:
            access_event_record(
                kind=AccessEvent.Kind.TOKEN_REVOKED,
                address=client_ip(request._request),
                user=request.user,
            )
        return Response(status=status.HTTP_204_NO_CONTENT)


# Swagger UI (drf-spectacular-sidecar 2026.10.1) applies one inline stylesheet of its own;
# this page alone allows exactly that one, by its hash.
SWAGGER_UI_STYLE = "'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='"


@csp_update({"style-src": SWAGGER_UI_STYLE})
def docs_view(request, *args, **kwargs):
    """The browsable API documentation, for signed-in staff with a role."""
    if not (
        permissions.can_view_cases(request.user) or permissions.can_manage_policies(request.user)
    ):
        raise PermissionDenied
    return _docs(request, *args, **kwargs)


_docs = SpectacularSwaggerSplitView.as_view(url_name="api:schema")


# ---- policies --------------------------------------------------------------------------------


class PolicyListView(GenericAPIView):
    serializer_class = s.PolicyOut

    @extend_schema(responses={200: s.PolicyOut(many=True), **errors()}, summary="Policies")
    def get(self, request):
        policies = policy_list_for_user(user=request.user)
        page = self.paginate_queryset(policies)
        return self.get_paginated_response(s.PolicyOut(page, many=True).data)


class PolicyVersionView(APIView):
    @extend_schema(
        responses={200: s.PolicyVersionOut, **errors()},
        summary="A policy version with its criteria tree",
    )
    def get(self, request, version_id: int):
        version = policy_version_get_for_user(user=request.user, version_id=version_id)
        doc = version_document(version)  # the selector's version has all it reads
        return Response(
            s.PolicyVersionOut(
                {
                    "id": version.pk,
                    "policy_number": version.policy.number,
                    "title": version.policy.title,
                    "number": version.number,
                    "status": version.status,
                    "effective_date": version.effective_date,
                    "indications": doc["version"]["indications"],
                    "criteria": doc["version"]["criteria"],
                    "document": doc,
                }
            ).data
        )


# ---- cases -----------------------------------------------------------------------------------

CASE_FILTERS = [
    OpenApiParameter("q", str, description="Reference, member ID (prefix) or member name."),
    OpenApiParameter("status", str, enum=Case.Status.values),
    OpenApiParameter("urgency", str, enum=Case.Urgency.values),
    OpenApiParameter("line_of_business", str, enum=Case.LineOfBusiness.values),
    OpenApiParameter("drug", str, description="Drug name, exactly as entered."),
]


class CaseListView(GenericAPIView):
    serializer_class = s.CaseListOut

    @extend_schema(
        parameters=CASE_FILTERS,
        responses={200: s.CaseListOut(many=True), **errors(400)},
        summary="Cases (open first, soonest due first)",
    )
    def get(self, request):
        filters = _validated(s.CaseFiltersIn, request.query_params).validated_data
        if not permissions.can_view_cases(request.user):
            raise PermissionDenied
        cases = case_selectors.case_search(user=request.user, **filters).select_related("assignee")
        page = self.paginate_queryset(cases)
        return self.get_paginated_response(s.CaseListOut(page, many=True).data)

    @extend_schema(
        request=s.CaseCreateSerializer,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="Retrying a POST with the same key and body returns the case "
                "created the first time (200) instead of creating another.",
            )
        ],
        responses={
            201: s.CaseDetailOut,
            200: OpenApiResponse(s.CaseDetailOut, description="Replay of an Idempotency-Key."),
            **errors(400, 409),
        },
        summary="Enter a request (intake)",
    )
    def post(self, request):
        if not permissions.can_intake(request.user):
            raise PermissionDenied("Only nurses and physicians may enter requests.")
        key = request.headers.get("Idempotency-Key", "").strip()
        if len(key) > 255:
            raise Invalid({"Idempotency-Key": ["At most 255 characters."]})
        body_hash = hashlib.sha256(
            json.dumps(request.data, sort_keys=True, default=str).encode()
        ).hexdigest()
        if key and (
            previous := case_selectors.case_for_idempotency_key(
                user=request.user, key=key, request_hash=body_hash
            )
        ):
            return _case_detail(request, previous)  # a retry: no need to validate again
        serializer = _validated(s.CaseCreateSerializer, request.data)
        # case_create checks the request against the intake rules; IntakeInvalid is a 400
        # with its messages at the body's field paths (reviews/api/errors.py).
        fields, meds = serializer.case_fields(), serializer.medication_rows()
        facts = serializer.fact_rows()
        if number := (serializer.validated_data.get("continues") or "").strip():
            facts["continues"] = _authorization_continued(request, number)
        if key:
            case, created = case_services.case_create_idempotent(
                actor=request.user,
                key=key,
                request_hash=body_hash,
                fields=fields,
                medications=meds,
                **facts,
            )
        else:
            case, _ = case_services.case_create(
                actor=request.user, fields=fields, medications=meds, **facts
            )
            created = True
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return _case_detail(request, case, status_code=code)


def _authorization_continued(request, number: str) -> int:
    """The id of the authorization a continuation names by its number; 400 at `continues`
    when there is none the user may see. The service checks the rest (ContinuationRefused,
    400 at `continues` too: see CaseListView)."""
    authorization = renewal_selectors.authorization_by_number(user=request.user, number=number)
    if authorization is None:
        raise Invalid({"continues": [f"There is no authorization {number[:30]}."]})
    return authorization.pk


class CaseDetailView(APIView):
    @extend_schema(
        responses={200: s.CaseDetailOut, **errors()},
        summary="A case with its evaluation, answers, determination, letter and events",
    )
    def get(self, request, case_id: int):
        case = _case(request, case_id)
        case_view_record(case=case, actor=request.user, page="api")
        return _detail_response(case)


# ---- documents -------------------------------------------------------------------------------


class DocumentListView(GenericAPIView):
    serializer_class = s.DocumentOut
    parser_classes = [MultiPartParser]

    @extend_schema(responses={200: s.DocumentOut(many=True), **errors()}, summary="Documents")
    def get(self, request, case_id: int):
        case = _case(request, case_id)
        page = self.paginate_queryset(case_selectors.case_documents(case=case))
        return self.get_paginated_response(s.DocumentOut(page, many=True).data)

    @extend_schema(
        request={"multipart/form-data": s.DocumentsIn},
        responses={201: s.DocumentsUploadOut, **errors(400)},
        summary="Upload documents (multipart: files, kind)",
    )
    def post(self, request, case_id: int):
        case = _case(request, case_id)
        if not permissions.can_intake(request.user):
            raise PermissionDenied("Only intake staff may add documents to a case.")
        data = {"files": request.FILES.getlist("files"), "kind": request.data.get("kind")}
        if data["kind"] is None:
            del data["kind"]
        validated = _validated(s.DocumentsIn, data).validated_data
        accepted, rejected = document_services.document_add_many(
            case=case, actor=request.user, files=validated["files"], kind=validated["kind"]
        )
        refused = [{"name": r.name, "reason": r.reason} for r in rejected]
        if not accepted:
            raise Invalid(
                {"files": [f"{r['name']}: {r['reason']}" for r in refused]},
                detail="No file was accepted.",
            )
        body = {"accepted": s.DocumentOut(accepted, many=True).data, "rejected": refused}
        return Response(body, status=status.HTTP_201_CREATED)


class DocumentDetailView(APIView):
    @extend_schema(responses={200: s.DocumentOut, **errors()}, summary="A document")
    def get(self, request, case_id: int, document_id: int):
        document = case_selectors.document_get_for_user(
            user=request.user, case_id=case_id, document_id=document_id
        )
        return Response(s.DocumentOut(document).data)


class DocumentFileView(APIView):
    @extend_schema(
        responses={
            # Served with the type sniffed at upload: one of the accepted types.
            **{(200, kind): OpenApiTypes.BINARY for kind in document_services.ALLOWED_TYPES},
            **errors(),
        },
        summary="Download a document's file",
    )
    def get(self, request, case_id: int, document_id: int):
        document = case_selectors.document_get_for_user(
            user=request.user, case_id=case_id, document_id=document_id
        )
        response = private_file_response(
            document.storage_name,
            filename=document.original_name,
            content_type=document.content_type,
            as_attachment=True,
            missing="The file is missing from storage.",
        )
        document_services.document_record_download(
            document=document, actor=request.user, download=True
        )
        return response


# ---- review ----------------------------------------------------------------------------------


class ClaimView(APIView):
    @extend_schema(
        request=None,
        responses={200: s.ClaimOut, **errors(409)},
        summary="Claim a case: from the nurse queue, or from the physician queue",
    )
    def post(self, request, case_id: int):
        case = _case(request, case_id)
        if case.status == Case.Status.PHYSICIAN_QUEUE:
            case = physician_review.case_claim_physician(case=case, physician=request.user)
        elif case.status == Case.Status.NURSE_REVIEW:
            case = nurse_review.case_claim(case=case, nurse=request.user)
        else:
            if not (
                permissions.can_review_as_nurse(request.user)
                or permissions.can_review_as_physician(request.user)
            ):
                raise PermissionDenied
            raise StaleCase(f"This case is not waiting in a queue ({case.get_status_display()}).")
        return Response(
            {
                "id": case.pk,
                "reference": case.reference,
                "status": case.status,
                "assignee": request.user.username,
            }
        )


class AnswerListView(APIView):
    @extend_schema(responses={200: s.AnswerOut(many=True), **errors()}, summary="Answers")
    def get(self, request, case_id: int):
        case = _case(request, case_id)
        if case.policy_version_id is None:
            return Response([])
        state = case_review_state(case=case)
        return Response(s.AnswerOut(list(state.answers.values()), many=True).data)


class AnswerView(APIView):
    @extend_schema(
        request=s.AnswerIn,
        responses={200: s.AnswerOut, **errors(400, 409)},
        summary="Answer one criterion, by its label (nurse, assigned)",
    )
    def put(self, request, case_id: int, label: str):
        case = _case(request, case_id)
        if not permissions.can_review_as_nurse(request.user):
            raise PermissionDenied
        data = _validated(s.AnswerIn, request.data).validated_data
        form = AnswerForm(
            data,
            documents=case_selectors.case_documents(case=case),
            passages=[],
        )
        _form_valid(form)
        if case.policy_version_id is None:
            raise Http404("This case is not in any policy; it has no criteria to answer.")
        _require_editable(case, request.user)
        answer = nurse_review.criterion_answer_save(
            case=case, nurse=request.user, label=label, **form.answer_values()
        )
        return Response(s.AnswerOut(answer).data)


def _require_editable(case: Case, user) -> None:
    if case.status != Case.Status.NURSE_REVIEW or case.assignee_id != user.pk:
        raise StaleCase(
            "Claim the case first: only the nurse it is assigned to may answer "
            f"({case.get_status_display()})."
        )


class ApproveView(APIView):
    @extend_schema(
        request=s.ApproveIn,
        responses={200: s.CaseDetailOut, **errors(400, 403, 409)},
        summary="Approve (nurse): every criterion met with its evidence, the dosing matches",
        description="409 with code evidence_missing names, under errors, each criterion "
        "answered met without evidence.",
    )
    def post(self, request, case_id: int):
        case = _case(request, case_id)
        # The role first: someone who may not approve learns that, not what the body lacks.
        if not permissions.can_review_as_nurse(request.user):
            raise PermissionDenied("Only a nurse reviewer approves here.")
        data = _validated(s.ApproveIn, request.data).validated_data
        expected = None
        if "approval_start" in data:
            # The doses and amount are compared as the policy gives them.
            terms = approval_terms(case=case, start=data["approval_start"])
            expected = replace(
                terms, end=data["approval_end"], doses=data.get("authorized_doses", terms.doses)
            )
        nurse_review.case_approve_by_nurse(case=case, nurse=request.user, expected=expected)
        return _case_detail(request, case)


class EscalateView(APIView):
    @extend_schema(
        request=s.EscalateIn,
        responses={200: s.CaseDetailOut, **errors(400, 409)},
        summary="Send to the physician queue (nurse)",
    )
    def post(self, request, case_id: int):
        case = _case(request, case_id)
        data = _validated(s.EscalateIn, request.data).validated_data
        cleaned = _form_valid(EscalateForm(data))
        nurse_review.case_escalate(case=case, nurse=request.user, comment=cleaned["comment"])
        return _case_detail(request, case)


class FactView(APIView):
    @extend_schema(
        request=s.FactIn,
        responses={201: s.CaseDetailOut, **errors(400, 403, 409)},
        summary="Add a clinical fact read from a page of one of the case's documents (nurse)",
    )
    def post(self, request, case_id: int):
        case = _case(request, case_id)
        if not permissions.can_review_as_nurse(request.user):
            raise PermissionDenied("Only a nurse reviewer adds facts during review.")
        data = _validated(s.FactIn, request.data).validated_data
        # The values are read as at intake (the same typed fields), then the domain rules run.
        values = _validated(s.FACT_VALUES[data["kind"]], data["values"]).validated_data
        document = case.documents.filter(pk=data["source_document"]).first()
        if document is None:
            raise Invalid({"source_document": ["No document of this case has this id."]})
        fact_services.case_fact_add(
            case=case,
            nurse=request.user,
            kind=data["kind"],
            values=values,
            source_document=document,
            source_page=data["source_page"],
        )
        return _case_detail(request, case, status_code=status.HTTP_201_CREATED)


class IndicationView(APIView):
    @extend_schema(
        request=s.IndicationIn,
        summary="Choose the case's indication, or that none fits (nurse, assigned)",
        responses={200: s.CaseDetailOut, **errors(400, 403, 409)},
    )
    def post(self, request, case_id: int):
        case = _case(request, case_id)
        # The role first: someone who may not choose learns that, not what the body lacks.
        if not permissions.can_review_as_nurse(request.user):
            raise PermissionDenied("Only a nurse reviewer chooses a case's indication.")
        data = _validated(s.IndicationIn, request.data).validated_data
        key = data["indication"]
        case_indication_choose(
            case=case,
            nurse=request.user,
            indication="" if key == NONE_FITS else key,
            reason=data["reason"],
        )
        return _case_detail(request, case)


class DecisionView(APIView):
    @extend_schema(
        request=s.DecisionIn,
        responses={200: s.CaseDetailOut, **errors(400, 409)},
        summary="Decide (physician, assigned): approve, partially approve or deny",
    )
    def post(self, request, case_id: int):
        case = _case(request, case_id)
        if not permissions.can_review_as_physician(request.user):
            raise PermissionDenied
        data = _validated(s.DecisionIn, request.data).validated_data
        decision = data.pop("decision")
        service = DECISIONS[decision][1]
        values = {"rationale": data.get("rationale", ""), "criteria": data.get("criteria") or []}
        if decision != "deny":  # the period and doses default to the policy's
            default = physician_review.default_approval(case)
            for name in ("approval_start", "approval_end", "authorized_doses"):
                values[name] = data.get(name) or default[name]
        # The typed values go to the same form the page uses (no text in between).
        form = decision_form(case, decision, values)
        arguments = decision_arguments(decision, _form_valid(form))
        service(case=case, physician=request.user, **arguments)
        return _case_detail(request, case)


class InfoRequestView(APIView):
    @extend_schema(
        request=s.InfoRequestIn,
        responses={200: s.CaseDetailOut, **errors(400, 409)},
        summary="Request information (physician, assigned); at most 30 days",
    )
    def post(self, request, case_id: int):
        case = _case(request, case_id)
        if not permissions.can_review_as_physician(request.user):
            raise PermissionDenied
        data = _validated(s.InfoRequestIn, request.data).validated_data
        cleaned = _form_valid(InfoRequestForm(data))
        physician_review.info_request_create(case=case, physician=request.user, **cleaned)
        return _case_detail(request, case)


class ReturnToNurseView(APIView):
    @extend_schema(
        request=s.ReturnToNurseIn,
        responses={200: s.CaseDetailOut, **errors(400, 409)},
        summary="Return a case escalated by mistake to nurse review, with a reason "
        "(physician, assigned)",
    )
    def post(self, request, case_id: int):
        case = _case(request, case_id)
        if not permissions.can_review_as_physician(request.user):
            raise PermissionDenied("Only a physician reviewer returns a case to nurse review.")
        data = _validated(s.ReturnToNurseIn, request.data).validated_data
        cleaned = _form_valid(ReturnToNurseForm(data))
        physician_review.case_return_to_nurse(
            case=case, physician=request.user, reason=cleaned["reason"]
        )
        return _case_detail(request, case)


# ---- appeals ---------------------------------------------------------------------------------


def _appeal_status(case: Case, user) -> dict:
    summary = appeal_summary(case=case, user=user)
    refusal = summary["refusal"] if summary["window"] else appeal_refusal(case)
    return {
        "appealable": not refusal,
        "refusal": refusal,
        "window": summary["window"],
        "appeal": summary["appealed"],
        "appeal_of": summary["appeal"],
    }


class AppealView(APIView):
    @extend_schema(
        responses={200: s.AppealStatusOut, **errors()},
        summary="The case's appeal: the one filed against it, the one it decides, or until "
        "when it may be appealed",
    )
    def get(self, request, case_id: int):
        case = _case(request, case_id)
        return Response(s.AppealStatusOut(_appeal_status(case, request.user)).data)

    @extend_schema(
        request=s.AppealIn,
        responses={201: s.AppealOut, **errors(400, 409, 415)},
        summary="Take in an appeal of a denial or partial approval (nurse or physician); "
        "a late one is refused (400) with the last day to appeal",
    )
    def post(self, request, case_id: int):
        case = _case(request, case_id)
        if not permissions.can_intake(request.user):
            raise PermissionDenied("Only nurses and physicians take in appeals.")
        data = _validated(s.AppealIn, request.data).validated_data
        appeal, _ = appeal_services.appeal_file(original=case, actor=request.user, **data)
        return Response(s.AppealOut(appeal).data, status=status.HTTP_201_CREATED)


class AppealDecisionView(APIView):
    @extend_schema(
        request=s.AppealDecisionIn,
        responses={200: s.CaseDetailOut, **errors(400, 409, 415)},
        summary="Decide an appeal (physician, assigned, who took no part in the decision "
        "appealed): upheld, overturned or partially overturned",
    )
    def post(self, request, case_id: int):
        case = _case(request, case_id)
        if not permissions.can_review_as_physician(request.user):
            raise PermissionDenied
        data = _validated(s.AppealDecisionIn, request.data).validated_data
        decision = appeal_services.OUTCOMES[data.pop("outcome")]
        values = {"rationale": data.get("rationale", ""), "criteria": data.get("criteria") or []}
        if decision != "deny":  # the period and doses default to the policy's
            default = physician_review.default_approval(case)
            for name in ("approval_start", "approval_end", "authorized_doses"):
                values[name] = data.get(name) or default[name]
        # The reviewer is checked before the form: a conflicted physician learns nothing more.
        appeal_reviewer_check(case=case, physician=request.user)
        if not hasattr(case, "appeal_record"):
            raise Conflict("This case is not an appeal: decide it with cases/{id}/decision/.")
        form = decision_form(case, decision, values)
        arguments = decision_arguments(decision, _form_valid(form))
        DECISIONS[decision][1](case=case, physician=request.user, **arguments)
        return _case_detail(request, case)


# ---- queues ----------------------------------------------------------------------------------


QUEUE_PARAMETERS = [
    OpenApiParameter("q", str, description="A reference, member ID or member name."),
    OpenApiParameter("urgency", str, enum=Case.Urgency.values),
    OpenApiParameter("line_of_business", str, enum=Case.LineOfBusiness.values),
    OpenApiParameter("drug", str),
    OpenApiParameter("overdue_only", bool),
    OpenApiParameter("at_risk_only", bool, description="At risk or overdue, as of now."),
    OpenApiParameter("mine", bool, description="Only the cases claimed by the caller."),
]


class NurseQueueView(GenericAPIView):
    serializer_class = s.CaseListOut

    @extend_schema(
        parameters=QUEUE_PARAMETERS,
        responses={200: s.CaseListOut(many=True), **errors(400)},
        summary="The nurse queue, soonest due first",
    )
    def get(self, request):
        if not permissions.can_review_as_nurse(request.user):
            raise PermissionDenied
        form = QueueFilterForm(request.query_params, drugs=nurse_queue_drugs())
        cleaned = _form_valid(form)
        page = self.paginate_queryset(
            nurse_queue(user=request.user, filters=QueueFilters(**cleaned))
        )
        return self.get_paginated_response(s.CaseListOut(page, many=True).data)


class PhysicianQueueView(GenericAPIView):
    serializer_class = s.CaseListOut

    @extend_schema(
        parameters=QUEUE_PARAMETERS,
        responses={200: s.CaseListOut(many=True), **errors(400)},
        summary="The physician queue, soonest due first",
    )
    def get(self, request):
        if not permissions.can_review_as_physician(request.user):
            raise PermissionDenied
        form = QueueFilterForm(request.query_params, drugs=physician_queue_drugs())
        cleaned = _form_valid(form)
        queue = physician_queue(user=request.user, filters=QueueFilters(**cleaned))
        page = self.paginate_queryset(queue)
        return self.get_paginated_response(s.CaseListOut(page, many=True).data)


# ---- letters ---------------------------------------------------------------------------------


class LetterView(APIView):
    @extend_schema(
        responses={200: s.LetterOut, **errors()},
        summary="The determination letter's status (pending, rendered, failed)",
    )
    def get(self, request, case_id: int):
        return Response(s.LetterOut(letter_get_for_user(user=request.user, case_id=case_id)).data)


class LetterPdfView(APIView):
    @extend_schema(
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, **errors(409)},
        summary="The determination letter as PDF",
    )
    def get(self, request, case_id: int):
        letter = letter_get_for_user(user=request.user, case_id=case_id)
        if letter.status != Letter.Status.RENDERED:
            raise Conflict(f"The letter is not ready: {letter.get_status_display().lower()}.")
        response = private_file_response(
            letter.storage_name,
            filename=f"{letter.determination.case.reference}-letter.pdf",
            content_type="application/pdf",
            as_attachment=True,
            missing="The letter's file is missing from storage.",
        )
        letter_services.letter_record_download(letter=letter, actor=request.user)
        return response


# ---- claim lines (claims examiners) -------------------------------------------------------


class ClaimLineListView(GenericAPIView):
    serializer_class = s.ClaimLineOut

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "status", str, enum=[c for c, _ in ClaimLine.Status.choices], required=False
            )
        ],
        responses={200: s.ClaimLineOut(many=True), **errors(400)},
        summary="Claim lines, newest first",
    )
    def get(self, request):
        if not permissions.can_examine_claims(request.user):
            raise PermissionDenied
        filters = _validated(s.ClaimLineFiltersIn, request.query_params).validated_data
        lines = claim_selectors.claim_line_list(user=request.user, status=filters["status"])
        page = self.paginate_queryset(lines)
        return self.get_paginated_response(s.ClaimLineOut(page, many=True).data)

    @extend_schema(
        request=s.ClaimLineIn,
        responses={
            201: s.ClaimLineOut,
            200: OpenApiResponse(s.ClaimLineOut, description="The claim line id sent again."),
            **errors(400),
            409: OpenApiResponse(
                s.ErrorOut, description="The claim line id was sent before with other contents."
            ),
        },
        summary="Receive a claim line: pend it and adjudicate it",
    )
    def post(self, request):
        if not permissions.can_examine_claims(request.user):
            raise PermissionDenied("Only claims examiners may enter claim lines.")
        fields = _validated(s.ClaimLineIn, request.data).validated_data
        data = claim_services.claim_line_data(**fields)
        line, created = claim_services.claim_line_receive(actor=request.user, data=data)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(s.ClaimLineOut(line).data, status=code)


class ClaimLineDetailView(APIView):
    @extend_schema(responses={200: s.ClaimLineOut, **errors()}, summary="A claim line")
    def get(self, request, line_id: int):
        line = claim_selectors.claim_line_get_for_user(user=request.user, line_id=line_id)
        return Response(s.ClaimLineOut(line).data)


class RenewalListView(GenericAPIView):
    serializer_class = s.RenewalOut

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "sort",
                str,
                enum=list(renewal_selectors.SORTS),
                description="end (default), -end, member, -member, drug, -drug.",
            )
        ],
        responses={200: s.RenewalOut(many=True), **errors(400)},
        summary="Authorizations that end within 60 days (nurses), for renewal",
    )
    def get(self, request):
        if not permissions.can_review_as_nurse(request.user):
            raise PermissionDenied
        renewals = renewal_selectors.renewals_due(
            user=request.user, sort=request.query_params.get("sort", "")
        )
        if renewals.sort_refused:
            raise Invalid({"sort": [renewals.sort_refused]})
        page = self.paginate_queryset(renewals.rows)
        return self.get_paginated_response(s.RenewalOut(page, many=True).data)
