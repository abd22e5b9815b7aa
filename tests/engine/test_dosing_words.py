"""Dosing phases read from words: the app's own wording reads back to the same phases."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviews.engine.dosing import Regimen
from reviews.engine.dosing_words import phases_from_words


def test_a_two_phase_rule_reads_as_the_rows_would_write_it():
    phases = phases_from_words(
        "Loading: 150 mg subcutaneous at weeks 0, 1 and 2 (initial only)\n"
        "Maintenance: 150 mg subcutaneous every 4 weeks from week 4\n"
    )
    assert phases == [
        {
            "name": "Loading",
            "dose": {"amount": "150", "unit": "mg"},
            "route": "subcutaneous",
            "schedule": {"at": [0, 1, 2], "unit": "week"},
            "initial_only": True,
        },
        {
            "name": "Maintenance",
            "dose": {"amount": "150", "unit": "mg"},
            "route": "subcutaneous",
            "schedule": {"every": 4, "unit": "week", "start": 4, "start_unit": "week"},
        },
    ]


@pytest.mark.parametrize(
    ("words", "phase"),
    [
        (
            "Every 2 weeks: 300 mg subcutaneous every 2 weeks",
            {
                "name": "Every 2 weeks",
                "dose": {"amount": "300", "unit": "mg"},
                "route": "subcutaneous",
                "schedule": {"every": 2, "unit": "week"},
            },
        ),
        (
            "5 mg/kg (at most 400 mg) intravenous every 8 weeks",
            {
                "dose": {"per_kg": "5", "max": "400", "unit": "mg"},
                "route": "intravenous",
                "schedule": {"every": 8, "unit": "week"},
            },
        ),
        (
            "0.5 mL by mouth every day",
            {
                "dose": {"amount": "0.5", "unit": "mL"},
                "route": "by mouth",
                "schedule": {"every": 1, "unit": "day"},
            },
        ),
        (
            "20 mg subcutaneous every calendar month from week 4, initial only.",
            {
                "dose": {"amount": "20", "unit": "mg"},
                "route": "subcutaneous",
                "schedule": {
                    "every": 1,
                    "unit": "calendar_month",
                    "start": 4,
                    "start_unit": "week",
                },
                "initial_only": True,
            },
        ),
        (
            "600 mg intravenous at day 0",
            {
                "dose": {"amount": "600", "unit": "mg"},
                "route": "intravenous",
                "schedule": {"at": [0], "unit": "day"},
            },
        ),
    ],
)
def test_each_form_of_the_words(words, phase):
    assert phases_from_words(words) == [phase]


def test_phases_joined_by_then_on_one_line():
    text = (
        "Loading: 300 mg intravenous at days 0 and 14 (initial only); then 600 mg "
        "intravenous every 6 calendar months from week 24"
    )
    assert [p.get("name", "") for p in phases_from_words(text)] == ["Loading", ""]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Loading: 150 mg subcutaneous", r"Line 1 .*not read as a dose, a route and a schedule"),
        ("\n150 mg subcutaneous every month", r"Line 2 .*\"month\" is ambiguous"),
        ("150 mg subcutaneous at weeks 2, 1", r"Line 1 .*distinct and ascending"),
        ("150 mg subcutaneous every 0 weeks", r"Line 1 .*at least 1"),
        ("150 mg (at most 300 mg) subcutaneous every week", r"Line 1 .*per kilogram"),
        ("subcutaneous every 4 weeks", r"Line 1 .*not read"),
        ("150 mg subcutaneous at fortnights 0", r"Line 1 .*neither a series"),
    ],
)
def test_words_that_do_not_read_are_refused_with_their_line(text, message):
    with pytest.raises(ValueError, match=message):
        phases_from_words(text)


def test_blank_text_is_no_phase():
    assert phases_from_words("\n  \n") == []


_amounts = st.decimals(min_value="0.1", max_value="2000", places=1).map(str)
_doses = st.one_of(
    st.builds(lambda a, u: {"amount": a, "unit": u}, _amounts, st.sampled_from(["mg", "mL"])),
    st.builds(
        lambda a, m, u: {"per_kg": a, **({"max": m} if m else {}), "unit": u},
        _amounts,
        st.one_of(st.none(), _amounts),
        st.sampled_from(["mg", "units"]),
    ),
)
_series = st.builds(
    lambda offsets, unit: {"at": sorted(offsets), "unit": unit},
    st.sets(st.integers(min_value=0, max_value=50), min_size=1, max_size=5),
    st.sampled_from(["day", "week"]),
)
_repeating = st.builds(
    lambda every, unit, start, start_unit: {
        "every": every,
        "unit": unit,
        **({"start": start, "start_unit": start_unit} if start else {}),
    },
    st.integers(min_value=1, max_value=12),
    st.sampled_from(["day", "week", "calendar_month"]),
    st.integers(min_value=0, max_value=52),
    st.sampled_from(["day", "week"]),
)
_phases = st.builds(
    lambda name, dose, route, schedule, initial_only: {
        **({"name": name} if name else {}),
        "dose": dose,
        "route": route,
        "schedule": schedule,
        **({"initial_only": True} if initial_only else {}),
    },
    st.sampled_from(["", "Loading", "Maintenance", "Every 2 weeks", "Phase B"]),
    _doses,
    st.sampled_from(["subcutaneous", "intravenous", "by mouth", "intramuscular"]),
    st.one_of(_series, _repeating),
    st.booleans(),
)


@given(st.lists(_phases, min_size=1, max_size=3))
def test_the_apps_own_words_read_back_to_the_same_phases(phases):
    unit = phases[0]["dose"]["unit"]
    phases = [{**p, "dose": {**p["dose"], "unit": unit}} for p in phases]
    regimen = Regimen.from_dict({"phases": phases})
    assert phases_from_words(regimen.describe()) == regimen.to_dict()["phases"]
    per_line = "\n".join(
        f"{p.name}: {p.describe()}" if p.name else p.describe() for p in regimen.phases
    )
    assert phases_from_words(per_line) == regimen.to_dict()["phases"]
