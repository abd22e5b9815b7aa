"""Time on the drug counts the authorizations a continuation links to (Facts.authorized_periods):
an unbroken run to the request date, from the stated therapy start and through the periods.
Pure engine: the caller builds the periods, the check only reads them."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from reviews.engine.checks import (
    AuthorizedPeriod,
    Facts,
    Suggestion,
    continuous_therapy_start,
    suggest,
)
from reviews.engine.tree import Answer, Check

REQUEST = date(2026, 11, 28)
ONE_YEAR = Check("months_on_drug_at_least", {"months": 12})


def facts(**changes) -> Facts:
    return Facts(request_date=REQUEST, **changes)


def period(start: date, end: date, reference: str = "") -> AuthorizedPeriod:
    return AuthorizedPeriod(start=start, end=end, reference=reference)


# The usual chain: an initial authorization of 6 months, then its continuation, which the
# request date (in the window before it ends) falls in.
INITIAL = period(date(2025, 10, 1), date(2026, 3, 31), "AU-2025-000001")
FIRST_CONTINUATION = period(date(2026, 4, 1), date(2027, 3, 31), "AU-2026-000002")


def test_a_linked_chain_counts_as_time_on_the_drug_without_a_stated_start():
    suggestion = suggest(ONE_YEAR, facts(authorized_periods=(INITIAL, FIRST_CONTINUATION)), {})
    assert suggestion == Suggestion(
        Answer.MET,
        "13 whole months on therapy on 2026-11-28 (since 2025-10-01: authorized "
        "AU-2025-000001 2025-10-01 to 2026-03-31; authorized AU-2026-000002 2026-04-01 to "
        "2027-03-31).",
    )


def test_the_history_reaches_further_back_than_the_stated_start():
    stated = date(2026, 6, 1)  # what intake recorded: 5 months, not enough alone
    alone = suggest(ONE_YEAR, facts(therapy_start_date=stated), {})
    assert alone.answer == Answer.NOT_MET
    linked = suggest(
        ONE_YEAR,
        facts(therapy_start_date=stated, authorized_periods=(INITIAL, FIRST_CONTINUATION)),
        {},
    )
    assert linked.answer == Answer.MET
    assert "therapy start 2026-06-01 as the request states" in linked.reason


def test_a_stated_start_earlier_than_the_history_still_counts():
    linked = suggest(
        ONE_YEAR,
        facts(therapy_start_date=date(2024, 1, 1), authorized_periods=(FIRST_CONTINUATION,)),
        {},
    )
    assert linked.answer == Answer.MET and "since 2024-01-01" in linked.reason


def test_a_gap_breaks_the_run():
    # The first authorization ended a month before the second began: only the second counts.
    gapped = (
        period(date(2025, 1, 1), date(2025, 10, 31)),
        period(date(2025, 12, 1), date(2026, 11, 30)),
    )
    assert continuous_therapy_start(None, gapped, REQUEST) == date(2025, 12, 1)
    assert suggest(ONE_YEAR, facts(authorized_periods=gapped), {}).answer == Answer.NOT_MET


def test_periods_that_abut_join_and_the_part_after_the_request_date_does_not_count():
    abutting = (
        period(date(2025, 11, 28), date(2026, 2, 28)),
        period(date(2026, 3, 1), date(2027, 2, 28)),
    )
    assert continuous_therapy_start(None, abutting, REQUEST) == date(2025, 11, 28)
    assert suggest(ONE_YEAR, facts(authorized_periods=abutting), {}).answer == Answer.MET
    # One day short: the run starts a day later, 11 whole months.
    short = (period(date(2025, 11, 29), date(2026, 2, 28)), abutting[1])
    assert suggest(ONE_YEAR, facts(authorized_periods=short), {}).answer == Answer.NOT_MET
    # Only an authorization into the future: it counts up to the request date, no further.
    future = (period(date(2026, 6, 1), date(2028, 6, 1)),)
    assert suggest(ONE_YEAR, facts(authorized_periods=future), {}).answer == Answer.NOT_MET


def test_a_history_that_ended_before_the_request_is_never_met():
    # Nothing says the member is on the drug on the request date.
    ended = (period(date(2024, 1, 1), date(2026, 6, 30)),)
    suggestion = suggest(ONE_YEAR, facts(authorized_periods=ended), {})
    assert suggestion.answer == Answer.NOT_DOCUMENTED
    assert not suggestion.stands_as_evidence
    assert "end before the request date" in suggestion.reason


def test_a_period_that_cannot_be_read_or_starts_after_the_request_is_ignored():
    odd = (period(date(2026, 5, 1), date(2025, 5, 1)), period(date(2026, 12, 1), date(2027, 1, 1)))
    assert continuous_therapy_start(None, odd, REQUEST) is None
    assert suggest(ONE_YEAR, facts(authorized_periods=odd), {}).answer == Answer.NOT_DOCUMENTED


def test_without_history_the_check_reads_as_before():
    assert suggest(ONE_YEAR, facts(), {}) is None
    assert suggest(ONE_YEAR, facts(therapy_start_date=date(2025, 11, 28)), {}) == Suggestion(
        Answer.MET, "12 whole months on therapy on 2026-11-28 (started 2025-11-28)."
    )


days = st.integers(min_value=0, max_value=2000)


@given(st.lists(st.tuples(days, days), max_size=6), st.one_of(st.none(), days))
def test_adding_history_never_shortens_the_time_on_the_drug(spans, stated):
    """Property: linked periods only ever move the run's start earlier (or leave it), and a
    run always ends at the request date, so history can turn not met into met, never back."""
    start = REQUEST - timedelta(days=stated) if stated is not None else None
    periods = tuple(
        period(REQUEST - timedelta(days=a), REQUEST - timedelta(days=a) + timedelta(days=b))
        for a, b in spans
    )
    with_history = continuous_therapy_start(start, periods, REQUEST)
    without = continuous_therapy_start(start, (), REQUEST)
    if without is not None:
        assert with_history is not None and with_history <= without
    if with_history is not None:
        assert with_history <= REQUEST
