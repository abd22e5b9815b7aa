"""The audit trail for auditors: one case's events, a search over all events, CSV export."""

import csv
import json

from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from reviews import permissions
from reviews.forms.audit import AuditSearchForm
from reviews.paging import CappedPaginator
from reviews.selectors import audit as selectors
from reviews.selectors.cases import case_get_for_user

PAGE_SIZE = 50  # as the queues: a page an auditor reads, in the time a plain page takes
CASE_PAGE_SIZE = 200
CASE_EVENTS_CAP = 100_000  # a case's own events: counted in full in practice


def _filters(request) -> tuple[AuditSearchForm, selectors.AuditFilters]:
    form = AuditSearchForm(request.GET, kinds=selectors.case_event_kind_choices())
    if form.is_valid():
        return form, selectors.AuditFilters(**form.cleaned_data)
    return form, selectors.AuditFilters(match_nothing=True)  # the form says what is wrong


@require_GET
def case_audit_view(request, case_id: int):
    case = case_get_for_user(user=request.user, case_id=case_id)
    if not permissions.can_view_audit(request.user):
        raise PermissionDenied
    # A busy case gathers hundreds of events (each opening of it is one): paged, oldest first.
    events = CappedPaginator(
        selectors.case_audit(user=request.user, case=case), CASE_PAGE_SIZE, cap=CASE_EVENTS_CAP
    ).get_page(request.GET.get("page"))
    return render(request, "reviews/case_audit.html", {"case": case, "events": events})


@require_GET
def audit_search_view(request):
    if not permissions.can_view_audit(request.user):
        raise PermissionDenied
    form, filters = _filters(request)
    events = CappedPaginator(
        selectors.case_events_search(user=request.user, filters=filters), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    access = selectors.access_events_search(user=request.user, filters=filters)[:50]
    return render(
        request,
        "reviews/audit_search.html",
        {
            "form": form,
            "events": events,
            "access": access,
            "query": request.GET.urlencode(),
        },
    )


def _cell(value) -> str:
    # Spreadsheet formula injection: a cell that starts like a formula is quoted.
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# One column per field; the details (a different shape for each kind of event) as JSON, so a
# spreadsheet shows them and a program can parse them.
CSV_COLUMNS = [
    "time",
    "case",
    "actor",
    "actor_name",
    "kind",
    "event",
    "from_status",
    "to_status",
    "details",
]


def _csv_row(e) -> list:
    return [
        timezone.localtime(e.created_at).isoformat(),
        e.case.reference,
        e.actor.username if e.actor else "system",
        e.actor.get_full_name() if e.actor else "",
        e.kind,
        e.label,
        e.from_status,
        e.to_status,
        json.dumps(e.payload, ensure_ascii=False, sort_keys=True, default=str),
    ]


class _Echo:
    def write(self, value):
        return value


@require_GET
def audit_export_view(request):
    if not permissions.can_view_audit(request.user):
        raise PermissionDenied
    _, filters = _filters(request)
    events = selectors.case_events_search(user=request.user, filters=filters)
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow(CSV_COLUMNS)
        for e in events.iterator(chunk_size=2000):
            yield writer.writerow([_cell(v) for v in _csv_row(e)])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
