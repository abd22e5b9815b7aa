"""The audit pages' query counts, pinned at a volume where a query per row would show: the
same count for a few events as for a few hundred, over many cases and people (issue 18)."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from reviews.models import CaseEvent
from reviews.views.audit import PAGE_SIZE
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def _events(cases, actors, per_case: int) -> None:
    CaseEvent.objects.bulk_create(
        CaseEvent(
            case=case,
            actor=actors[n % len(actors)],
            kind=CaseEvent.Kind.CASE_VIEWED,
            payload={"page": "case"},
        )
        for case in cases
        for n in range(per_case)
    )


@pytest.fixture
def people(nurse, physician):
    extra = [
        get_user_model().objects.create_user(f"reader{n}", first_name="Reader", last_name=str(n))
        for n in range(5)
    ]
    return [nurse, physician, *extra]


# Each page's count, as measured: the session, the user, their permissions (theirs and their
# groups' in one query), the session's renewal (a savepoint, the update, its release), the
# nav's groups, then the page's own: for the search the capped count, the events with their
# cases and people in one join, and the sign-ins (a user filter is a subquery of the events'
# query); for a case's audit page the case with its four kinds of facts, the capped count and
# the page.
@pytest.mark.parametrize(
    ("query", "queries"),
    [
        ({}, 10),
        ({"username": "the nurse"}, 10),
        ({"kind": "case_viewed"}, 10),
    ],
    ids=["no filter", "by user", "by kind"],
)
def test_the_audit_search_costs_the_same_for_ten_events_or_hundreds(
    client, auditor, kesimpta, people, query, queries, django_assert_num_queries
):
    if "username" in query:
        query = {"username": people[0].username}
    cases = CaseFactory.create_batch(30, policy_version=kesimpta)
    _events(cases[:2], people[:1], 5)
    client.force_login(auditor)
    url = reverse("reviews:audit-search")
    client.get(url, query)
    with django_assert_num_queries(queries) as few:
        client.get(url, query)
    _events(cases, people, 10)  # 300 more, over 30 cases and 7 people
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url, query)
    matching = CaseEvent.objects.filter(actor=people[0]) if "username" in query else None
    expected = PAGE_SIZE if matching is None else min(PAGE_SIZE, matching.count())
    assert len(response.context["events"]) == expected


def test_the_audit_search_by_case_costs_the_same_for_a_busy_case(
    client, auditor, kesimpta, people, django_assert_num_queries
):
    case = CaseFactory(policy_version=kesimpta)
    _events([case], people[:1], 3)
    client.force_login(auditor)
    url = reverse("reviews:audit-search")
    client.get(url, {"reference": case.reference})
    with django_assert_num_queries(10) as few:
        client.get(url, {"reference": case.reference})
    _events([case], people, 150)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url, {"reference": case.reference})


def test_a_cases_audit_page_costs_the_same_for_a_busy_case(
    client, auditor, kesimpta, people, django_assert_num_queries
):
    case = CaseFactory(policy_version=kesimpta)
    _events([case], people[:1], 3)
    client.force_login(auditor)
    url = reverse("reviews:case-audit", args=[case.pk])
    client.get(url)
    with django_assert_num_queries(14) as few:
        client.get(url)
    _events([case], people, 250)  # more than a page, from seven people
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["events"]) == 200
