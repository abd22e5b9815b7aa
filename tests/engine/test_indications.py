"""Indications: the engine filters criteria by indication, matches a request's diagnosis
codes to an indication, and ends approval periods by the one rule."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from reviews.engine.document import DocumentError, dump, parse, tree_from_dict
from reviews.engine.durations import Duration, period_end
from reviews.engine.indications import code_key, indication_match
from reviews.engine.testcases import run_test_cases
from reviews.engine.tree import applicable_leaves, evaluate, is_on_path, iter_nodes

ROOT = Path(__file__).resolve().parents[2]
TWO = ROOT / "tests" / "fixtures" / "policies" / "two-indications.yaml"


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return parse(TWO.read_text(encoding="utf-8"))


def labels(root, **on) -> list[str]:
    return [leaf.label for leaf in applicable_leaves(root, **on)]


# ---- the tree, by indication -----------------------------------------------------------


def test_each_indication_walks_only_its_own_criteria(doc) -> None:
    root = tree_from_dict(doc["version"]["criteria"])
    assert labels(root, path="initial", indication="relapsing_ms") == ["C-1", "MS-1", "MS-2"]
    assert labels(root, path="continuation", indication="relapsing_ms") == ["C-1", "MS-1", "MS-3"]
    assert labels(root, path="initial", indication="nmosd") == ["C-1", "NM-1"]
    # No indication: every indication's criteria (what the nurse is no longer walked through).
    assert labels(root, path="initial") == ["C-1", "MS-1", "MS-2", "NM-1"]
    assert [n.label for n, _ in iter_nodes(root, indication="nmosd")] == [
        "root",
        "C-1",
        "NM",
        "NM-1",
    ]


def test_is_on_path_takes_path_and_indication(doc) -> None:
    root = tree_from_dict(doc["version"]["criteria"])
    ms = root.children[1]
    assert ms.indication == "relapsing_ms"
    assert is_on_path(ms, "initial", "relapsing_ms") and is_on_path(ms, "initial")
    assert not is_on_path(ms, "initial", "nmosd")
    assert not is_on_path(ms.children[1], "continuation", "relapsing_ms")


def test_the_other_indications_failures_are_not_reasons(doc) -> None:
    root = tree_from_dict(doc["version"]["criteria"])
    answers = {"C-1": "met", "NM-1": "met", "MS-1": "not_met", "MS-2": "not_met"}
    nmosd = evaluate(root, answers, path="initial", indication="nmosd")
    assert (nmosd.result, nmosd.failing, nmosd.indication) == ("met", (), "nmosd")
    assert set(nmosd.deciding) == {"C-1", "NM-1"}
    assert "MS-1" not in nmosd.node_results
    everything = evaluate(root, answers, path="initial")
    assert everything.result == "not_met" and set(everything.failing) == {"MS-1", "MS-2"}
    ms = evaluate(root, answers, path="initial", indication="relapsing_ms")
    assert set(ms.failing) == {"MS-1", "MS-2"} and "NM-1" not in ms.node_results


def test_test_cases_run_on_their_indication(doc) -> None:
    results = run_test_cases(doc)
    assert [r.passed for r in results] == [True, True, True], [r.messages for r in results]
    # The same answers without the indication: the MS criteria would fail it.
    case = {**doc["version"]["test_cases"][1], "indication": None}
    (result,) = run_test_cases({**doc, "version": {**doc["version"], "test_cases": [case]}})
    assert not result.passed and "expected met, got unknown" in result.messages[0]


# ---- the document ----------------------------------------------------------------------


def test_the_two_indication_file_round_trips(doc) -> None:
    text = TWO.read_text(encoding="utf-8")
    assert dump(doc) == text
    (ms, nmosd) = doc["version"]["indications"]
    assert ms["approval"]["initial"] == {"count": 6, "unit": "calendar_month"}
    assert nmosd["approval"]["extended"] is None and nmosd["regimen"] is None


def _problems(text: str) -> list[str]:
    with pytest.raises(DocumentError) as raised:
        parse(text)
    return [f"{p.where}: {p.message}" for p in raised.value.problems]


def test_a_node_must_name_an_indication_of_the_version() -> None:
    text = TWO.read_text(encoding="utf-8").replace("indication: nmosd\n", "indication: nmsod\n", 1)
    assert _problems(text) == [
        "version.criteria.children[2].indication: no indication has the key 'nmsod'; "
        "did you mean 'nmosd'? (keys: relapsing_ms, nmosd)"
    ]


def test_indication_keys_units_and_nesting_are_checked() -> None:
    text = TWO.read_text(encoding="utf-8")
    assert _problems(text.replace("key: nmosd", "key: relapsing_ms"))[0] == (
        "version.indications[1].key: another indication has the key 'relapsing_ms'"
    )
    assert _problems(
        text.replace("count: 52\n          unit: week", "count: 52\n          unit: fortnight")
    ) == [
        "version.indications[1].approval.initial.unit: must be one of day, week, "
        "calendar_month, not 'fortnight'"
    ]
    nested = text.replace(
        "            text: The patient has a relapsing form of multiple sclerosis.\n",
        "            text: The patient has a relapsing form of multiple sclerosis.\n"
        "            indication: nmosd\n",
    )
    assert _problems(nested) == [
        "version.criteria.children[1].children[0].indication: indication nmosd inside a node "
        "for indication relapsing_ms: never evaluated"
    ]
    missing = text.replace("  indications:\n", "  indications_:\n")
    assert "version: missing required key 'indications'" in _problems(missing)
    assert _problems(
        text.replace("indication: relapsing_ms\n      answers", "indication: ms\n      answers")
    ) == [
        "version.test_cases[0].indication: no indication has the key 'ms' "
        "(keys: relapsing_ms, nmosd)"
    ]


def test_a_group_keeps_children_for_every_indication() -> None:
    # The MS group applies to every indication, but its only child to one: for NMOSD the
    # group would have no children (and an all-group with none would be vacuously met).
    text = TWO.read_text(encoding="utf-8")
    text = text.replace("        indication: relapsing_ms\n", "", 1)
    text = text.replace(
        "            text: The patient has a relapsing form of multiple sclerosis.\n",
        "            text: The patient has a relapsing form of multiple sclerosis.\n"
        "            indication: relapsing_ms\n",
    )
    text = text.replace(
        "          - label: MS-2\n",
        "          - indication: relapsing_ms\n            label: MS-2\n",
    )
    text = text.replace(
        "          - label: MS-3\n",
        "          - indication: relapsing_ms\n            label: MS-3\n",
    )
    assert _problems(text) == [
        "version.criteria.children[1]: for the indication nmosd this group has no children left"
    ]


# ---- diagnosis codes -> indication ------------------------------------------------------

INDICATIONS = [
    {"key": "ms", "name": "MS", "diagnosis_codes": ["G35"]},
    {"key": "ms_a", "name": "RRMS", "diagnosis_codes": ["G35.A"]},
    {"key": "nmosd", "name": "NMOSD", "diagnosis_codes": ["G36.0"]},
]


@pytest.mark.parametrize(
    ("codes", "keys"),
    [
        (["G35.A"], ("ms_a",)),  # the longest prefix wins
        (["g35b0"], ("ms",)),  # case and dots aside
        (["G36.0"], ("nmosd",)),
        (["R26.89", "G36.0"], ("nmosd",)),
        (["R26.89"], ()),
        ([], ()),
        (["G35.B0", "G36.0"], ("ms", "nmosd")),  # codes of two indications: the nurse chooses
    ],
)
def test_the_longest_matching_prefix_chooses_the_indication(codes, keys) -> None:
    match = indication_match(INDICATIONS, codes)
    assert match.keys == keys
    assert match.chosen == (keys[0] if len(keys) == 1 else None)


def test_the_match_says_why() -> None:
    assert indication_match(INDICATIONS, ["G35.A"]).reason == "Diagnosis: G35.A fits G35.A (RRMS)."
    assert indication_match(INDICATIONS, ["R26.89"]).reason == (
        "No indication lists a prefix of the codes given (R26.89)."
    )
    assert "Several indications fit" in indication_match(INDICATIONS, ["G35.B0", "G36.0"]).reason


def test_an_indication_without_codes_fits_every_request_more_weakly_than_a_code() -> None:
    rest = {"key": "other", "name": "Other", "diagnosis_codes": []}
    assert indication_match([rest], ["R26.89"]).chosen == "other"
    assert indication_match([*INDICATIONS, rest], ["G36.0"]).chosen == "nmosd"
    assert indication_match([*INDICATIONS, rest], ["R26.89"]).chosen == "other"
    assert code_key(" g35.a ") == "G35A"


# ---- period ends ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "count", "unit", "end"),
    [
        (date(2026, 1, 5), 365, "day", date(2027, 1, 4)),
        (date(2026, 1, 5), 1, "day", date(2026, 1, 5)),
        (date(2026, 1, 5), 1, "week", date(2026, 1, 11)),
        (date(2026, 1, 5), 52, "week", date(2027, 1, 3)),
        (date(2026, 1, 31), 1, "calendar_month", date(2026, 2, 27)),  # 28 Feb minus a day
        (date(2028, 1, 31), 1, "calendar_month", date(2028, 2, 28)),  # leap year: 29 Feb - 1
        (date(2026, 1, 15), 6, "calendar_month", date(2026, 7, 14)),
        (date(2026, 8, 31), 6, "calendar_month", date(2027, 2, 27)),
        (date(2026, 3, 1), 12, "calendar_month", date(2027, 2, 28)),
    ],
)
def test_a_period_ends_by_the_one_rule(start, count, unit, end) -> None:
    assert period_end(start, {"count": count, "unit": unit}) == end
    assert Duration(count, unit).end(start) == end


@pytest.mark.parametrize(("count", "unit"), [(0, "day"), (-1, "week"), (True, "day"), (1, "year")])
def test_a_bad_duration_is_refused(count, unit) -> None:
    with pytest.raises(ValueError, match="duration"):
        Duration(count, unit)


def test_a_duration_describes_itself() -> None:
    assert Duration(1, "calendar_month").describe() == "1 calendar month"
    assert Duration(52, "week").describe() == "52 weeks"
