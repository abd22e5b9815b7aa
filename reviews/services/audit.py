"""Audit writes that are not part of another service: who signed in and out (or failed to),
and who opened which case. Every other event is written by the service that acts."""

from reviews.client_ip import client_ip
from reviews.models import AccessEvent, Case, CaseEvent


def access_event_record(*, kind: str, request=None, user=None, username: str = "") -> AccessEvent:
    return AccessEvent.objects.create(
        kind=kind,
        user=user,
        username=(username or getattr(user, "username", ""))[:150],
        ip_address=client_ip(request) if request is not None else None,
    )


def case_view_record(*, case: Case, actor, page: str) -> CaseEvent:
    """Who opened which case, when, and which page of it (HIPAA access logging)."""
    return CaseEvent.objects.create(
        case=case, actor=actor, kind=CaseEvent.Kind.CASE_VIEWED, payload={"page": page}
    )
