"""The deadline table: seeded values, how due times are computed, and their boundaries."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from reviews.models import Case, DeadlineRule
from reviews.services.cases import case_create
from tests.factories import KESIMPTA_REGIMEN, VALID_NPI

NY = ZoneInfo("America/New_York")
UTC = ZoneInfo("UTC")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def new_york(settings):
    settings.TIME_ZONE = "America/New_York"


def rule(lob="commercial", urgency="standard") -> DeadlineRule:
    return DeadlineRule.objects.get(kind="request", line_of_business=lob, urgency=urgency)


def test_the_migration_seeds_the_design_table():
    seeded = {
        (r.line_of_business, r.urgency): (r.amount, r.unit)
        for r in DeadlineRule.objects.filter(kind="request")
    }
    assert seeded == {
        ("commercial", "expedited"): (72, "hours"),
        ("commercial", "standard"): (15, "calendar_days"),
        ("medicare_advantage_part_b", "expedited"): (24, "hours"),
        ("medicare_advantage_part_b", "standard"): (72, "hours"),
        ("medicaid_ma_medical", "expedited"): (72, "hours"),
        ("medicaid_ma_medical", "standard"): (7, "calendar_days"),
    }
    assert "NCQA" in rule().source
    assert "422.568" in rule("medicare_advantage_part_b").source
    assert "CMS-0057-F" in rule("medicaid_ma_medical").source


def test_hours_count_from_the_moment_of_receipt_even_across_a_clock_change():
    # US daylight saving time starts on 8 March 2026 at 02:00: 72 real hours, not wall hours.
    received = datetime(2026, 3, 7, 10, 0, tzinfo=NY)
    due = rule("commercial", "expedited").due_at(received)
    assert due.astimezone(UTC) - received.astimezone(UTC) == timedelta(hours=72)
    assert due.astimezone(NY).replace(tzinfo=None) == datetime(2026, 3, 10, 11, 0)


@pytest.mark.parametrize(
    ("received", "last_day"),
    [
        (datetime(2026, 3, 1, 9, 0, tzinfo=NY), (2026, 3, 16)),
        (datetime(2026, 3, 1, 0, 0, tzinfo=NY), (2026, 3, 16)),
        (datetime(2026, 3, 1, 23, 59, 59, tzinfo=NY), (2026, 3, 16)),
        (datetime(2026, 3, 2, 0, 0, tzinfo=NY), (2026, 3, 17)),
        # 03:00 UTC on 2 March is still 1 March in New York: the local day counts.
        (datetime(2026, 3, 2, 3, 0, tzinfo=UTC), (2026, 3, 16)),
    ],
)
def test_calendar_days_end_at_23_59_59_local_time_of_the_last_day(received, last_day):
    due = rule().due_at(received)
    assert due.astimezone(NY).replace(tzinfo=None) == datetime(*last_day, 23, 59, 59)


def test_seven_calendar_days_for_medicaid():
    due = rule("medicaid_ma_medical").due_at(datetime(2026, 12, 28, 15, 0, tzinfo=NY))
    assert due.astimezone(NY).replace(tzinfo=None) == datetime(2027, 1, 4, 23, 59, 59)


def fields(**extra):
    return {
        "member_name": "Maria Alvarez",
        "member_id": "M1",
        "member_dob": datetime(1988, 4, 12).date(),
        "prescriber_name": "Dr. Marsh",
        "prescriber_npi": VALID_NPI,
        "prescriber_specialty": "Neurology",
        "consulting_name": "",
        "consulting_specialty": "",
        "consult_date": None,
        "diagnosis_codes": ["G35.A"],
        "drug_name": "Kesimpta",
        "hcpcs_code": "J3490",
        "regimen": KESIMPTA_REGIMEN,
        "request_type": "initial",
        "urgency": "standard",
        "line_of_business": "commercial",
        "backdate_reason": "",
        "therapy_start_date": None,
        **extra,
    }


def test_a_case_stores_its_due_time_and_the_rule_it_came_from(nurse, kesimpta):
    received = datetime(2026, 11, 2, 16, 30, tzinfo=NY)
    with time_machine.travel(received, tick=False):
        case, _ = case_create(actor=nurse, fields=fields(received_at=received))
    assert case.deadline_rule == rule()
    assert case.deadline_rule_text == str(rule())
    assert "15 calendar days" in case.deadline_rule_text and "NCQA" in case.deadline_rule_text
    assert case.due_at == datetime(2026, 11, 17, 23, 59, 59, tzinfo=NY)


def test_editing_a_rule_does_not_move_cases_already_received(nurse, kesimpta):
    case, _ = case_create(actor=nurse, fields=fields(received_at=datetime.now(tz=NY)))
    due = case.due_at
    DeadlineRule.objects.filter(pk=rule().pk).update(amount=30)
    case.refresh_from_db()
    assert case.due_at == due
    assert "15 calendar days" in case.deadline_rule_text


def test_time_left_turns_to_overdue_one_second_after_the_deadline(nurse, kesimpta):
    received = datetime(2026, 11, 2, 9, 0, tzinfo=NY)
    with time_machine.travel(received, tick=False):
        case, _ = case_create(actor=nurse, fields=fields(received_at=received, urgency="expedited"))
    assert case.due_at == received + timedelta(hours=72)
    with time_machine.travel(case.due_at - timedelta(hours=1), tick=False):
        assert case.time_left == "1 hour 0 min left" and not case.is_overdue
    with time_machine.travel(case.due_at, tick=False):
        assert case.time_left == "0 min left" and not case.is_overdue
    with time_machine.travel(case.due_at + timedelta(seconds=1), tick=False):
        assert case.is_overdue and case.time_left.startswith("overdue by")
    with time_machine.travel(case.due_at + timedelta(days=2, hours=3), tick=False):
        assert case.time_left == "overdue by 2 days 3 hours"
    Case.objects.filter(pk=case.pk).update(status=Case.Status.APPROVED)
    case.refresh_from_db()
    with time_machine.travel(case.due_at + timedelta(days=1), tick=False):
        assert not case.is_overdue and case.time_left == "decided"


def test_policy_admins_edit_deadline_rules_in_the_admin_but_cannot_delete_them(
    client, policy_admin, nurse
):
    client.force_login(policy_admin)
    changelist = reverse("admin:reviews_deadlinerule_changelist")
    assert client.get(changelist).status_code == 200
    change = reverse("admin:reviews_deadlinerule_change", args=[rule().pk])
    response = client.post(
        change,
        {
            "kind": "request",
            "line_of_business": "commercial",
            "urgency": "standard",
            "amount": 14,
            "unit": "calendar_days",
            "source": "NCQA UM 5 (plan choice)",
        },
    )
    assert response.status_code == 302
    assert rule().amount == 14
    assert policy_admin.has_perm("reviews.add_deadlinerule")
    assert not policy_admin.has_perm("reviews.delete_deadlinerule")
    delete = reverse("admin:reviews_deadlinerule_delete", args=[rule().pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert DeadlineRule.objects.count() == 12  # 6 request rows, 6 appeal rows

    nurse.is_staff = True
    nurse.save()
    client.force_login(nurse)
    assert client.get(changelist).status_code == 403
