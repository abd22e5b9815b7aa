"""seed_demo's cases of the other example policies (README, "Demo cases of the other
policies"): for each, the route it takes, its indication, and the period and quantity an
approval gives. One seed_demo run for the module (it is slow): one test, every case checked."""

import calendar
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from reviews.models import Case, Policy
from reviews.selectors.review import case_review_state
from reviews.services.determinations import approval_terms

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]


def months_on(start: date, months: int) -> date:
    """The last day of a period of `months` calendar months from `start` (written out here,
    not taken from the engine: the same day that many months on, clamped, less one day)."""
    year, month = divmod(start.month - 1 + months, 12)
    year, month = start.year + year, month + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day) - timedelta(days=1)


# member id: demo case, route (status), indication, period, quantity (amount, unit)
SIX_MONTHS, TWELVE_MONTHS = ("months", 6), ("months", 12)
NINETY_DAYS, TWENTY_EIGHT_WEEKS = ("days", 90), ("days", 7 * 28)
EXPECTED = {
    "DEMO-2001": ("O-1", "approved", "relapsing_ms", SIX_MONTHS, ("1200", "mg")),
    "DEMO-2002": ("O-2", "physician_queue", "ppms", SIX_MONTHS, ("1200", "mg")),
    "DEMO-2003": ("O-3", "approved", "relapsing_ms", SIX_MONTHS, ("1200", "mg")),
    "DEMO-2004": ("P-1", "approved", "ascvd", NINETY_DAYS, ("980", "mg")),
    "DEMO-2005": ("P-2", "physician_queue", "hefh", NINETY_DAYS, ("980", "mg")),
    "DEMO-2006": ("P-3", "nurse_review", "ascvd", NINETY_DAYS, ("525", "mg")),
    "DEMO-2007": ("W-1", "approved", "weight_management", TWENTY_EIGHT_WEEKS, ("42.6", "mg")),
    "DEMO-2008": ("W-2", "physician_queue", "weight_management", TWELVE_MONTHS, ("127.2", "mg")),
    "DEMO-2009": ("W-3", "approved", "weight_management", TWENTY_EIGHT_WEEKS, ("42.6", "mg")),
}


def period_end(start: date, period: tuple[str, int]) -> date:
    unit, count = period
    return months_on(start, count) if unit == "months" else start + timedelta(days=count - 1)


def test_each_demo_case_takes_its_route_with_its_indication_period_and_quantity(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    assert set(Policy.objects.values_list("number", flat=True)) == {
        "2020910",
        "9200001",
        "9200002",
        "9200003",
    }
    cases = {c.member_id: c for c in Case.objects.filter(member_id__in=EXPECTED)}
    assert set(cases) == set(EXPECTED)
    problems = []
    for member_id, (key, status, indication, period, (amount, unit)) in EXPECTED.items():
        case = cases[member_id]
        got = {"status": case.status, "indication": case.indication}
        # The day each period starts from: the day of the decision, in the plan's time zone
        # (not the day this test reads it: a seed run can cross midnight, as it did in CI).
        if status == "approved":
            d = case.determination
            today = timezone.localdate(d.decided_at)
            got |= {
                "start": d.approval_start,
                "end": d.approval_end,
                "amount": d.authorized_amount,
                "unit": d.authorized_unit,
            }
        else:
            assert not hasattr(case, "determination") or case.determination is None
            today = timezone.localdate()
            terms = approval_terms(case=case, start=today)
            got |= {
                "start": terms.start,
                "end": terms.end,
                "amount": terms.amount,
                "unit": terms.unit,
            }
        want = {
            "status": status,
            "indication": indication,
            "start": today,
            "end": period_end(today, period),
            "amount": Decimal(amount),
            "unit": unit,
        }
        if got != want:
            problems.append(f"{key} ({member_id}): got {got}, expected {want}")
    assert not problems, "\n".join(problems)

    # Where the nurse chose: O-3's code (MS, unspecified) and P-3's two codes fit no single
    # indication, so intake chose none and the nurse's reason is recorded.
    for member_id in ("DEMO-2003", "DEMO-2006"):
        event = cases[member_id].events.get(kind="indication_chosen")
        assert event.payload["automatic"] is False and event.payload["reason"]
    assert cases["DEMO-2001"].events.get(kind="indication_chosen").payload["automatic"] is True
    # The escalations name the criterion the check found not met.
    for member_id, label in (("DEMO-2002", "2.A.ii"), ("DEMO-2005", "1.iii"), ("DEMO-2008", "2.B")):
        moved = cases[member_id].events.filter(kind="status", to_status="physician_queue").get()
        assert [r.split()[0] for r in moved.payload["reasons"]] == [label]
    # P-3 waits for the nurse's approval: Praluent's 75 mg is not the regimen's 140 mg, but
    # lies in the policy's dose range (75 to 150 mg), so it is no difference, and the terms
    # count the dose asked: 7 doses of 75 mg in 90 days, 525 mg (never 980).
    state = case_review_state(case=cases["DEMO-2006"])
    assert state.evaluation.result.value == "met"
    assert state.dosing_differences == []
