"""Reads of the audit trail, for auditors only."""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import QuerySet
from django.utils import timezone

from reviews import permissions
from reviews.errors import NotFound
from reviews.models import AccessEvent, Case, CaseEvent


@dataclass(frozen=True)
class AuditFilters:
    reference: str = ""
    username: str = ""
    kind: str = ""
    date_from: date | None = None
    date_to: date | None = None
    match_nothing: bool = False  # filters that did not validate find nothing


def _require_auditor(user) -> None:
    if not permissions.can_view_audit(user):
        raise NotFound


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _day_end(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max))


def case_events_search(*, user, filters: AuditFilters) -> QuerySet[CaseEvent]:
    _require_auditor(user)
    events = CaseEvent.objects.select_related("case", "actor")
    if filters.match_nothing:
        return events.none()
    if filters.reference:
        events = events.filter(case__reference__iexact=filters.reference.strip())
    if filters.username:
        events = events.filter(actor__username__iexact=filters.username.strip())
    if filters.kind:
        events = events.filter(kind=filters.kind)
    if filters.date_from:
        events = events.filter(created_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        events = events.filter(created_at__lte=_day_end(filters.date_to))
    return events.order_by("-created_at", "-pk")


def access_events_search(*, user, filters: AuditFilters) -> QuerySet[AccessEvent]:
    _require_auditor(user)
    events = AccessEvent.objects.select_related("user")
    if filters.match_nothing:
        return events.none()
    if filters.username:
        events = events.filter(username__iexact=filters.username.strip())
    if filters.date_from:
        events = events.filter(created_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        events = events.filter(created_at__lte=_day_end(filters.date_to))
    return events.order_by("-created_at", "-pk")


def case_audit(*, user, case: Case) -> QuerySet[CaseEvent]:
    _require_auditor(user)
    return case.events.select_related("actor").order_by("created_at", "pk")


def case_event_kinds() -> list[tuple[str, str]]:
    """Every kind of case event, with its label: the enum, not a scan of the events."""
    return list(CaseEvent.Kind.choices)
