"""Audit writes that are not part of another service: who signed in and out (or failed to),
and who opened which case. Every other event is written by the service that acts."""

from reviews.models import AccessEvent, Case, CaseEvent


def _client_ip(request) -> str | None:
    # REMOTE_ADDR is the proxy's address behind a TLS proxy; X-Forwarded-For is not trusted
    # here because a client can forge it (the proxy's own log has the real address).
    return request.META.get("REMOTE_ADDR") if request is not None else None


def access_event_record(*, kind: str, request=None, user=None, username: str = "") -> AccessEvent:
    return AccessEvent.objects.create(
        kind=kind,
        user=user,
        username=(username or getattr(user, "username", ""))[:150],
        ip_address=_client_ip(request),
    )


def case_view_record(*, case: Case, actor, page: str) -> CaseEvent:
    """Who opened which case, when, and which page of it (HIPAA access logging)."""
    return CaseEvent.objects.create(
        case=case, actor=actor, kind="case_viewed", payload={"page": page}
    )
