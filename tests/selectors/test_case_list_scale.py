"""The case list, search and audit at volume: capped counts, exact references, and (on
PostgreSQL) that each query's shape is one its index serves."""

import pytest
from django.db import connection
from django.urls import reverse

from reviews.models.case import reference_normal
from reviews.paging import CappedPaginator
from reviews.selectors.audit import AuditFilters, case_events_search
from reviews.selectors.cases import case_search
from tests import services_available
from tests.conftest import require_service
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def test_the_count_stops_at_the_cap_and_says_so():
    paginator = CappedPaginator(list(range(12)), 5, cap=10)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (10, True, 2)
    assert list(paginator.get_page(99).object_list) == [5, 6, 7, 8, 9]
    exact = CappedPaginator(list(range(10)), 5, cap=10)
    assert (exact.count, exact.capped) == (10, False)


def test_the_case_list_says_when_more_cases_match_than_it_counts(client, nurse, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 2)
    CaseFactory.create_batch(3)
    client.force_login(nurse)
    page = client.get(reverse("reviews:case-list")).content.decode()
    assert "More than 2 cases" in page and "search or filter to find others" in page


@pytest.mark.parametrize(
    "typed, meant",
    [
        ("PA-2026-000777", "PA-2026-000777"),
        (" pa-2026-000777 ", "PA-2026-000777"),
        ("2026-777", "PA-2026-000777"),
        ("mbr-42", "MBR-42"),
    ],
)
def test_a_reference_is_read_the_way_people_type_it(typed, meant):
    assert reference_normal(typed) == meant


def test_open_cases_come_first_soonest_due_first(nurse):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    late_decided = CaseFactory(status="approved", due_at=now - timedelta(days=9))
    open_later = CaseFactory(status="nurse_review", due_at=now + timedelta(days=2))
    open_sooner = CaseFactory(status="physician_queue", due_at=now + timedelta(days=1))
    assert list(case_search(user=nurse)) == [open_sooner, open_later, late_decided]
    assert (late_decided.closed, open_later.closed) == (True, False)
    assert list(case_search(user=nurse, status="nurse_review")) == [open_later]


@pytest.fixture
def postgres():
    require_service("PostgreSQL", services_available.postgres(), "set DATABASE_URL")


def _plan(queryset, *, ordered: bool = True, bitmap: bool = False) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # Few rows make a scan cheapest; with scans (and, for a list read in order, sorts)
        # priced out, the plan shows whether an index fits the query's shape at all. The
        # volume benchmark (scripts/bench_scale.py) measures the rest.
        cursor.execute("SET LOCAL enable_seqscan = off")
        if ordered:
            cursor.execute("SET LOCAL enable_sort = off")
        if bitmap:  # an OR of conditions is served by or-ing each one's index
            cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_each_list_and_search_is_served_by_an_index(postgres, nurse, auditor):
    CaseFactory.create_batch(3)
    assert "case_list_idx" in _plan(case_search(user=nurse)[:25])
    assert "case_queue_idx" in _plan(case_search(user=nurse, status="nurse_review")[:25])
    # The filter's own plan (no order): each of its three parts has an index.
    search = _plan(case_search(user=nurse, q="alvarez").order_by(), ordered=False, bitmap=True)
    assert "case_member_name_trgm" in search and "case_member_id_prefix" in search
    assert "reviews_case_reference" in search
    newest = case_events_search(user=auditor, filters=AuditFilters())[:100]
    assert "caseevent_time_idx" in _plan(newest)


def test_a_common_surname_is_estimated_from_a_histogram_that_can_see_it(postgres):
    """The name search's plan depends on PostgreSQL's estimate of how many names match: the
    searched expression keeps 1,000 histogram buckets (migration 0035), not the default 100,
    which can miss a surname shared by 2.5% of cases and so sort them all (docs/performance.md).
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstattarget FROM pg_attribute"
            " WHERE attrelid = 'case_member_name_trgm'::regclass AND attnum = 1"
        )
        assert cursor.fetchone()[0] == 1000


def test_the_database_counts_at_risk_and_overdue_by_the_deadline_rule(postgres, nurse):
    from datetime import timedelta

    from django.utils import timezone

    from reviews.models import Case
    from reviews.models.deadlines import deadline_state
    from reviews.selectors.cases import deadline_counts

    now = timezone.now()
    day = timedelta(days=1)
    # (received, due): overdue; at risk (a fifth left); a quarter left exactly (not at risk);
    # plenty left; and a microsecond either side of the quarter.
    shapes = [
        (now - 10 * day, now - day),
        (now - 4 * day, now + day),
        (now - 3 * day, now + day),
        (now - day, now + 10 * day),
        (now - 3 * day, now + day - timedelta(microseconds=1)),
        (now - 3 * day, now + day + timedelta(microseconds=1)),
    ]
    for received, due in shapes:
        CaseFactory(status="nurse_review", received_at=received, due_at=due)
    expected = [deadline_state(r, d, now) for r, d in shapes]
    counted = deadline_counts(Case.objects.filter(status="nurse_review"), now)
    assert counted == {"overdue": expected.count("overdue"), "at_risk": expected.count("at_risk")}
    assert expected.count("at_risk") == 2


def test_a_row_of_the_api_list_reads_nothing_its_query_left_out(
    nurse, kesimpta, django_assert_num_queries
):
    """The API's list writes each case from the row's own columns (CASE_ROW_FIELDS): a field
    the serializer adds and the row list lacks would cost a query a row."""
    from reviews.api.serializers import CaseListOut

    CaseFactory.create_batch(3, policy_version=kesimpta, assignee=nurse)
    rows = list(case_search(user=nurse))
    assert len(rows) == 3
    with django_assert_num_queries(0):
        written = CaseListOut(rows, many=True).data
    assert {row["assignee"] for row in written} == {nurse.username}
