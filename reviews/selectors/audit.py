"""Reads of the audit trail, for auditors only."""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.contrib.auth import get_user_model
from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.utils import timezone

from reviews import permissions
from reviews.errors import NotFound
from reviews.models import AccessEvent, Case, CaseEvent
from reviews.models.audit import STATUS_CHANGES
from reviews.models.case import reference_normal

STATUS_PREFIX = "status:"


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


def users_matching(text: str) -> QuerySet:
    """Users whose login is `text`, or whose full name contains it ("Osei" finds
    "Philip Osei, MD"): ids, for a subquery."""
    text = " ".join(text.split())
    full_name = Concat("first_name", Value(" "), "last_name", output_field=CharField())
    return (
        get_user_model()
        .objects.annotate(full_name=full_name)
        .filter(Q(username__iexact=text) | Q(full_name__icontains=text))
        .values("pk")
    )


def _status_change_q(slug: str) -> Q | None:
    for known, _, to, froms in STATUS_CHANGES:
        if known == slug:
            q = Q(kind=CaseEvent.Kind.STATUS, to_status=to)
            if froms is not None:
                q &= Q(from_status__in=froms)
            # A later row with the same target but any status before (info_returned after
            # escalated) must leave out what the earlier, narrower rows claim.
            for other, _, other_to, other_froms in STATUS_CHANGES:
                if other == slug:
                    break
                if other_to == to and other_froms is not None:
                    q &= ~Q(from_status__in=other_froms)
            return q
    return None


def _kind_q(kind: str) -> Q:
    if kind.startswith(STATUS_PREFIX):
        q = _status_change_q(kind.removeprefix(STATUS_PREFIX))
        return q if q is not None else Q(pk__in=[])
    return Q(kind=kind)


# Of an event's case and person the search shows only the reference and the names: not the
# case's 41 columns and the user's password hash, 50 times a page.
NAMES = ("username", "first_name", "last_name")


def _own_fields(model) -> list[str]:
    return [field.name for field in model._meta.concrete_fields]


def case_events_search(*, user, filters: AuditFilters) -> QuerySet[CaseEvent]:
    _require_auditor(user)
    events = CaseEvent.objects.select_related("case", "actor").only(
        *_own_fields(CaseEvent), "case__reference", *(f"actor__{name}" for name in NAMES)
    )
    if filters.match_nothing:
        return events.none()
    if filters.reference:
        events = events.filter(case__reference=reference_normal(filters.reference))
    if filters.username:
        events = events.filter(actor__in=users_matching(filters.username))
    if filters.kind:
        events = events.filter(_kind_q(filters.kind))
    if filters.date_from:
        events = events.filter(created_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        events = events.filter(created_at__lte=_day_end(filters.date_to))
    return events.order_by("-created_at", "-pk")


def access_events_search(*, user, filters: AuditFilters) -> QuerySet[AccessEvent]:
    _require_auditor(user)
    events = AccessEvent.objects.select_related("user").only(
        *_own_fields(AccessEvent), *(f"user__{name}" for name in NAMES)
    )
    if filters.match_nothing:
        return events.none()
    if filters.username:
        # A failed sign-in has no user: the name typed is all there is.
        events = events.filter(
            Q(user__in=users_matching(filters.username))
            | Q(username__iexact=filters.username.strip())
        )
    if filters.date_from:
        events = events.filter(created_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        events = events.filter(created_at__lte=_day_end(filters.date_to))
    return events.order_by("-created_at", "-pk")


def case_audit(*, user, case: Case) -> QuerySet[CaseEvent]:
    _require_auditor(user)
    return (
        case.events.select_related("actor")
        .only(*_own_fields(CaseEvent), *(f"actor__{name}" for name in NAMES))
        .order_by("created_at", "pk")
    )


def case_event_kinds() -> list[tuple[str, str]]:
    """Every kind of case event, with its label: the enum, not a scan of the events."""
    return list(CaseEvent.Kind.choices)


def case_event_kind_choices() -> list:
    """The search's choice of event: every kind, and a status change by what it was
    (approved, escalated, denied, ...), grouped."""
    changes = [(STATUS_PREFIX + slug, label) for slug, label, _, _ in STATUS_CHANGES]
    return [
        *case_event_kinds(),
        ("Status changes", changes),
    ]
