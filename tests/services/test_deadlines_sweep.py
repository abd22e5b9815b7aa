"""The deadline sweep: at-risk and overdue flags at their boundaries, cases returned when
their wait for information ends or a document arrives, and nothing done twice."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection

from reviews.models import Case, CaseEvent, InfoRequest
from reviews.models.deadlines import deadline_state
from reviews.services import deadlines
from reviews.services import nurse_review as nurse_services
from reviews.services.deadlines import (
    deadline_flags_update,
    deadline_sweep,
    info_request_return,
    info_requests_expire,
)
from reviews.services.documents import document_add_many
from reviews.workflow import case_move
from tests import services_available
from tests.conftest import require_service
from tests.factories import CaseFactory, pdf_bytes, upload
from tests.review_fixtures import kesimpta_request

RECEIVED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DUE = RECEIVED + timedelta(days=4)  # a quarter of the span is one day
QUARTER_LEFT = DUE - timedelta(days=1)
SECOND = timedelta(seconds=1)


def flag_events(case):
    return list(
        CaseEvent.objects.filter(case=case, kind="deadline_flag")
        .order_by("pk")
        .values_list("payload", flat=True)
    )


def flagged(case):
    case.refresh_from_db()
    return case.deadline_flag


# ---- flags ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (RECEIVED, ""),
        (QUARTER_LEFT - SECOND, ""),
        (QUARTER_LEFT, ""),  # exactly a quarter left: not yet at risk
        (QUARTER_LEFT + SECOND, "at_risk"),  # one second less than a quarter left
        (DUE, "at_risk"),  # due exactly now: not overdue
        (DUE + SECOND, "overdue"),
    ],
    ids=["received", "quarter+1s", "quarter", "quarter-1s", "due", "due+1s"],
)
def test_flag_boundaries_on_a_frozen_clock(now, expected):
    case = CaseFactory(received_at=RECEIVED, due_at=DUE)
    with time_machine.travel(now, tick=False):
        deadline_flags_update()
    assert flagged(case) == expected
    # The SQL rule and the model's own rule agree.
    assert deadline_state(RECEIVED, DUE, now) == expected
    assert flag_events(case) == ([{"flag": expected}] if expected else [])


@pytest.mark.django_db
def test_an_event_per_change_and_a_second_sweep_changes_nothing():
    case = CaseFactory(received_at=RECEIVED, due_at=DUE)
    other = CaseFactory(received_at=RECEIVED, due_at=DUE + timedelta(days=30))
    at_risk = QUARTER_LEFT + timedelta(hours=1)
    assert deadline_flags_update(now=at_risk) == {"overdue": 0, "at_risk": 1, "": 0}
    events = CaseEvent.objects.count()
    assert deadline_flags_update(now=at_risk) == {"overdue": 0, "at_risk": 0, "": 0}
    assert CaseEvent.objects.count() == events
    deadline_flags_update(now=DUE + timedelta(hours=1))
    assert flag_events(case) == [{"flag": "at_risk"}, {"flag": "overdue"}]
    event = CaseEvent.objects.filter(case=case, kind="deadline_flag").last()
    assert event.actor is None
    assert flagged(other) == "" and flag_events(other) == []


@pytest.mark.django_db
@pytest.mark.parametrize("decision", ["approved", "partially_approved", "denied"])
def test_a_decided_case_loses_its_flag_and_is_never_flagged(decision):
    flagged_then_decided = CaseFactory(received_at=RECEIVED, due_at=DUE)
    decided_late = CaseFactory(received_at=RECEIVED, due_at=DUE, status=decision)
    deadline_flags_update(now=DUE + SECOND)
    assert flagged(flagged_then_decided) == "overdue"
    Case.objects.filter(pk=flagged_then_decided.pk).update(status=decision)
    assert deadline_flags_update(now=DUE + 2 * SECOND) == {"overdue": 0, "at_risk": 0, "": 1}
    assert flagged(flagged_then_decided) == ""
    assert flag_events(flagged_then_decided) == [{"flag": "overdue"}, {"flag": ""}]
    assert flagged(decided_late) == "" and flag_events(decided_late) == []


@pytest.mark.django_db
def test_a_case_given_more_time_is_unflagged():
    case = CaseFactory(received_at=RECEIVED, due_at=DUE)
    deadline_flags_update(now=DUE + SECOND)
    Case.objects.filter(pk=case.pk).update(due_at=DUE + timedelta(days=30))
    deadline_flags_update(now=DUE + SECOND)
    assert flagged(case) == ""
    assert flag_events(case) == [{"flag": "overdue"}, {"flag": ""}]


@pytest.mark.django_db
def test_more_cases_than_a_batch_are_all_flagged(monkeypatch):
    monkeypatch.setattr(deadlines, "BATCH", 7)
    cases = CaseFactory.create_batch(20, received_at=RECEIVED, due_at=DUE)
    assert deadline_flags_update(now=DUE + SECOND)["overdue"] == 20
    assert set(Case.objects.values_list("deadline_flag", flat=True)) == {"overdue"}
    assert CaseEvent.objects.filter(kind="deadline_flag", case__in=cases).count() == 20


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_write_each_change_once(monkeypatch):
    require_service(
        "PostgreSQL",
        services_available.postgres(),
        "set DATABASE_URL to PostgreSQL: SQLite serializes writers",
    )
    monkeypatch.setattr(deadlines, "BATCH", 25)  # many small transactions, so they interleave
    creator = CaseFactory().created_by
    spans = [DUE, DUE + timedelta(hours=20), DUE + timedelta(days=30)]
    Case.objects.bulk_create(
        CaseFactory.build(
            received_at=RECEIVED,
            due_at=spans[i % 3],
            created_by=creator,
            deadline_flag="at_risk" if i % 5 == 0 else "",
        )
        for i in range(600)
    )
    now = DUE + SECOND
    expected = {
        pk: deadline_state(received, due, now)
        for pk, received, due in Case.objects.values_list("pk", "received_at", "due_at")
    }
    before = dict(Case.objects.values_list("pk", "deadline_flag"))
    changing = {pk for pk, flag in expected.items() if flag != before[pk]}
    barrier = threading.Barrier(2)
    results = []

    def sweep():
        try:
            barrier.wait()
            results.append(deadline_flags_update(now=now))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 2
    assert dict(Case.objects.values_list("pk", "deadline_flag")) == expected
    events = list(CaseEvent.objects.filter(kind="deadline_flag").values_list("case_id", flat=True))
    assert sorted(events) == sorted(changing)  # each changed case exactly once
    assert sum(sum(r.values()) for r in results) == len(changing)


# ---- information requests ------------------------------------------------------------------


def waiting_case(nurse, physician, *, wait_until, received_at=None):
    """A case walked to "information requested": intake, nurse escalation, physician."""
    case = kesimpta_request(nurse, received_at=received_at)
    case = nurse_services.case_claim(case=case, nurse=nurse)
    nurse_services.case_escalate(case=case, nurse=nurse, comment="The MRI needs a physician.")
    case.refresh_from_db()
    case_move(case=case, to=Case.Status.PHYSICIAN_REVIEW, actor=physician)
    Case.objects.filter(pk=case.pk).update(assignee=physician)
    case_move(case=case, to=Case.Status.INFO_REQUESTED, actor=physician)
    Case.objects.filter(pk=case.pk).update(assignee=None)
    request = InfoRequest.objects.create(
        case=case,
        requested_by=physician,
        requested_at=wait_until - timedelta(days=3),
        missing="The MRI report of January 2026.",
        wait_until=wait_until,
    )
    case.refresh_from_db()
    return case, request


def return_events(case):
    return CaseEvent.objects.filter(
        case=case, kind="status", from_status="info_requested", to_status="physician_queue"
    )


@pytest.mark.django_db
def test_the_wait_ending_returns_the_case_to_the_physician_queue(kesimpta, nurse, physician):
    wait_until = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)
    case, request = waiting_case(nurse, physician, wait_until=wait_until)
    assert info_requests_expire(now=wait_until - SECOND) == 0
    assert Case.objects.get(pk=case.pk).status == "info_requested"
    with time_machine.travel(wait_until, tick=False):
        assert info_requests_expire() == 1  # the wait ends at wait_until itself
    case.refresh_from_db()
    request.refresh_from_db()
    assert case.status == "physician_queue" and case.assignee is None
    assert (request.resolution, request.resolved_at) == ("wait_ended", wait_until)
    event = return_events(case).get()
    assert event.actor is None
    assert event.payload == {"resolution": "wait_ended", "info_request_id": request.pk}
    assert info_requests_expire(now=wait_until + timedelta(days=1)) == 0
    assert return_events(case).count() == 1


@pytest.mark.django_db
def test_a_document_arriving_returns_the_case(kesimpta, nurse, physician, private_storage):
    case, request = waiting_case(nurse, physician, wait_until=datetime(2030, 1, 1, tzinfo=UTC))
    added, _ = document_add_many(
        case=case, actor=nurse, files=[upload("mri.pdf", pdf_bytes(["MRI 2026-01-12"]))]
    )
    assert len(added) == 1
    case.refresh_from_db()
    request.refresh_from_db()
    assert case.status == "physician_queue"
    assert request.resolution == "document_arrived" and request.resolved_at is not None
    event = return_events(case).get()
    assert event.actor == nurse
    assert event.payload == {"resolution": "document_arrived", "info_request_id": request.pk}
    # A second document changes nothing more.
    document_add_many(
        case=case, actor=nurse, files=[upload("note.pdf", pdf_bytes(["Neurology note"]))]
    )
    assert return_events(case).count() == 1
    assert Case.objects.get(pk=case.pk).status == "physician_queue"


@pytest.mark.django_db
def test_a_document_for_a_case_not_waiting_moves_nothing(clear_case, nurse, private_storage):
    status = clear_case.status
    document_add_many(case=clear_case, actor=nurse, files=[upload("a.pdf", pdf_bytes(["x"]))])
    assert Case.objects.get(pk=clear_case.pk).status == status
    assert not return_events(clear_case).exists()


@pytest.mark.django_db
def test_a_second_return_is_a_no_op(kesimpta, nurse, physician):
    case, request = waiting_case(nurse, physician, wait_until=datetime(2030, 1, 1, tzinfo=UTC))
    stale = Case.objects.get(pk=case.pk)
    returned = info_request_return(case=case, resolution="wait_ended")
    assert returned.status == "physician_queue"
    again = info_request_return(case=stale, resolution="document_arrived", actor=nurse)
    assert again.status == "physician_queue"
    request.refresh_from_db()
    assert request.resolution == "wait_ended"
    assert return_events(case).count() == 1


@pytest.mark.django_db
def test_the_sweep_returns_expired_waits_and_reports_counts(kesimpta, nurse, physician):
    received = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    case, _ = waiting_case(
        nurse, physician, received_at=received, wait_until=received + timedelta(days=5)
    )
    now = received + timedelta(days=20)  # past the 15-day standard deadline, and the wait
    assert deadline_sweep(now=now) == {"returned": 1, "at_risk": 0, "overdue": 1, "cleared": 0}
    case.refresh_from_db()
    assert (case.status, case.deadline_flag) == ("physician_queue", "overdue")
    assert deadline_sweep(now=now) == {"returned": 0, "at_risk": 0, "overdue": 0, "cleared": 0}


@pytest.mark.django_db(transaction=True)
def test_two_returns_at_once_return_the_case_once(kesimpta, nurse, physician):
    require_service(
        "PostgreSQL",
        services_available.postgres(),
        "set DATABASE_URL to PostgreSQL: SQLite serializes writers",
    )
    case, request = waiting_case(nurse, physician, wait_until=datetime(2030, 1, 1, tzinfo=UTC))
    barrier = threading.Barrier(2)
    statuses = []

    def give_back(resolution):
        try:
            barrier.wait()
            returned = info_request_return(case=Case.objects.get(pk=case.pk), resolution=resolution)
            statuses.append(returned.status)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=give_back, args=(r,)) for r in ("wait_ended", "document_arrived")
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == ["physician_queue", "physician_queue"]
    assert return_events(case).count() == 1
    request.refresh_from_db()
    assert request.resolution == return_events(case).get().payload["resolution"]
