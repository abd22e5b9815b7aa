"""Audit writes that are not part of another service: who signed in and out (or failed to),
and who opened which case. Every other event is written by the service that acts."""

from reviews.models import AccessEvent, Case, CaseEvent


def access_event_record(
    *, kind: str, user=None, username: str = "", address: str | None = None
) -> AccessEvent:
    """`address`: the client's, as reviews.client_ip reads it from the request (None when
    there is no request)."""
    return AccessEvent.objects.create(
        kind=kind,
        user=user,
        username=(username or getattr(user, "username", ""))[:150],
        ip_address=address,
    )


def case_view_record(*, case: Case, actor, page: str) -> CaseEvent:
    """Who opened which case, when, and which page of it (HIPAA access logging)."""
    return CaseEvent.objects.create(
        case=case, actor=actor, kind=CaseEvent.Kind.CASE_VIEWED, payload={"page": page}
    )
