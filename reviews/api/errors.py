"""Every API error has one shape: {"detail": ..., "code": ..., "errors": {field: [...]}}.

400: the request has errors (per field under "errors"); 401: no or bad credentials;
403: the user's role may not do this; 404: no such thing, or not visible to this user;
409: the case is not in a state that allows it (someone else moved it, or it is not ready).
Domain errors (reviews.errors) carry messages fit to show as they are.
"""

from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from reviews.errors import (
    AlreadyClaimed,
    AppealNotAllowed,
    ContinuationRefused,
    EvidenceMissing,
    IdempotencyKeyReused,
    InvalidTransition,
    NotFound,
    PolicyVersionLocked,
    ReviewError,
    ReviewIncomplete,
    StaleCase,
    TermsChanged,
)
from reviews.intake import IntakeInvalid
from reviews.services.claims import ClaimLineConflict, ClaimLineInvalid, ClaimLineNotPended

# A state the request cannot change right now, rather than a mistake in the request.
CONFLICTS = (
    AppealNotAllowed,
    StaleCase,
    AlreadyClaimed,
    InvalidTransition,
    ReviewIncomplete,
    PolicyVersionLocked,
    IdempotencyKeyReused,
    TermsChanged,
    ClaimLineConflict,
    ClaimLineNotPended,
)


class Invalid(exceptions.APIException):
    """400 with messages per field: {"field": ["message", ...], "non_field_errors": [...]}."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, errors: dict[str, list[str]], detail: str = "The request has errors."):
        super().__init__(detail)
        self.errors = {field: [str(m) for m in messages] for field, messages in errors.items()}


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"

    def __init__(self, detail: str, *, code: str = "conflict", errors: dict | None = None):
        super().__init__(detail, code=code)
        self.errors = errors


def form_errors(form) -> dict[str, list[str]]:
    """A Django form's errors in the API's shape ("__all__" becomes "non_field_errors")."""
    return {
        ("non_field_errors" if field == "__all__" else field): list(messages)
        for field, messages in form.errors.items()
    }


def exception_handler(exc, context):
    if isinstance(exc, NotFound):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    elif isinstance(exc, EvidenceMissing):
        # The criteria by label, so a client can go back to each one.
        message = "A “met” needs a document, page and quote, or a suggested passage."
        exc = Conflict(
            str(exc), code="evidence_missing", errors={label: [message] for label in exc.labels}
        )
    elif isinstance(exc, CONFLICTS):
        exc = Conflict(str(exc))
    elif isinstance(exc, IntakeInvalid):
        exc = Invalid(exc.errors)
    elif isinstance(exc, ContinuationRefused):
        exc = Invalid({"continues": [str(exc)]}, detail=str(exc))
    elif isinstance(exc, ClaimLineInvalid):
        exc = Invalid({field: [message] for field, message in exc.problems.items()})
    elif isinstance(exc, ReviewError):
        exc = Invalid({"non_field_errors": [str(exc)]}, detail=str(exc))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # not an API error: a real 500, logged by Django
    if isinstance(exc, Invalid):
        body = {"detail": str(exc.detail), "code": "invalid", "errors": exc.errors}
    elif isinstance(exc, exceptions.ValidationError):
        body = {"detail": "The request has errors.", "code": "invalid", "errors": _flat(exc.detail)}
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        code = getattr(detail, "code", None) or _CODES.get(response.status_code, "error")
        body = {"detail": str(detail), "code": str(code)}
        if getattr(exc, "errors", None):
            body["errors"] = exc.errors
    return Response(body, status=response.status_code, headers=_headers(response))


_CODES = {401: "not_authenticated", 403: "permission_denied", 404: "not_found", 409: "conflict"}


def _headers(response) -> dict[str, str]:
    return {k: v for k, v in response.items() if k in ("WWW-Authenticate", "Allow", "Retry-After")}


def _flat(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {"field" or "parent.0.field": ["message", ...]}."""
    if isinstance(detail, list) and all(not isinstance(d, dict | list) for d in detail):
        return {prefix or "non_field_errors": [str(d) for d in detail]}
    items = detail.items() if isinstance(detail, dict) else enumerate(detail)
    flat: dict[str, list[str]] = {}
    for key, value in items:
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict | list):
            flat.update(_flat(value, name))
        else:
            flat.setdefault(name, []).append(str(value))
    return flat
