"""The policy document format: parse, validate (every problem, with its place), dump."""

from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviews.engine.document import (
    DocumentError,
    Problem,
    dump,
    iter_tree,
    json_schema,
    normalize,
    parse,
    tree_from_dict,
    tree_to_dict,
    validate,
)
from reviews.engine.tree import Check, Kind, Node

ROOT = Path(__file__).resolve().parents[2]

BASE = """\
format: priorauth-policy/1
policy:
  number: "1"
  title: Testdrug (testumab)
  drugs: [{brand: Testdrug}]
version:
  number: 1
  status: draft
  effective_date: 2026-01-01
  indications:
    - key: main
      name: Main use
      regimen:
        phases:
          - dose: {amount: 20, unit: mg}
            route: subcutaneous
            schedule: {every: 1, unit: calendar_month}
      approval:
        initial: {count: 365, unit: day}
  lists:
    agents:
      title: Agents
      items:
        - {name: Alpha}
  criteria:
    label: root
    kind: all
    children:
      - label: A
        kind: leaf
        text: Patient is ≥ 18 years of age
        check: {name: age_at_least, params: {years: 18}}
      - label: B
        kind: any
        children:
          - {label: B.a, kind: leaf}
          - {label: B.b, kind: leaf}
  test_cases:
    - name: all met
      request_type: initial
      answers: {A: met, B.a: met}
      expect: {result: met}
"""


def edited(*replacements: tuple[str, str], text: str = BASE) -> str:
    for old, new in replacements:
        assert text.count(old) == 1, f"{old!r} must occur exactly once"
        text = text.replace(old, new)
    return text


def line_of(text: str, needle: str) -> int:
    lines = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(lines) == 1, f"{needle!r} must be on exactly one line"
    return lines[0]


def problems(text: str) -> list[Problem]:
    with pytest.raises(DocumentError) as raised:
        parse(text)
    return raised.value.problems


def only_problem(text: str) -> Problem:
    found = problems(text)
    assert len(found) == 1, found
    return found[0]


# ---- parsing and normal form ---------------------------------------------------------------


def test_parse_fills_defaults_and_normalizes_values() -> None:
    doc = parse(BASE)

    version = doc["version"]
    assert version["effective_date"] == date(2026, 1, 1)
    assert version["annual_review_date"] is None
    assert version["overview"] == ""
    (indication,) = version["indications"]
    assert indication["regimen"] == {
        "phases": [
            {
                "dose": {"amount": "20", "unit": "mg"},
                "route": "subcutaneous",
                "schedule": {"every": 1, "unit": "calendar_month"},
            }
        ]
    }
    assert indication["approval"] == {"initial": {"count": 365, "unit": "day"}, "extended": None}
    assert indication["diagnosis_codes"] == []
    assert version["approval"] == {"text": ""}
    assert version["edits_and_denials"]["remark_codes"] == []
    assert version["lists"]["agents"]["items"] == [
        {"name": "Alpha", "generic": "", "as_written": "", "synonyms": []}
    ]
    leaf = version["criteria"]["children"][1]["children"][0]
    assert leaf == {
        "label": "B.a",
        "kind": "leaf",
        "title": "",
        "text": "",
        "note": "",
        "explanation": "",
        "plain_language": "",
        "path": None,
        "indication": None,
        "k": None,
        "check": None,
        "evidence_required": True,
        "children": [],
    }
    case = version["test_cases"][0]
    assert case["facts"] is None
    assert case["expect"] == {
        "result": "met",
        "path": None,
        "indication": None,
        "failing": None,
        "quantity": None,
        "suggestions": None,
    }


def test_text_is_tidied_but_its_words_kept() -> None:
    doc = parse(edited(("text: Patient is ≥ 18 years of age", 'text: "  one  \\r\\ntwo   \\n\\n"')))
    assert doc["version"]["criteria"]["children"][0]["text"] == "one\ntwo"


def test_lab_values_are_kept_as_decimal_text() -> None:
    text = edited(
        (
            "      answers: {A: met, B.a: met}\n",
            "      answers: {A: met, B.a: met}\n"
            "      facts:\n"
            "        request_date: 2026-01-02\n"
            "        labs: [{name: LDL-C, value: 99.90}, {name: A1c, value: '7'}]\n",
        )
    )
    labs = parse(text)["version"]["test_cases"][0]["facts"]["labs"]
    assert [lab["value"] for lab in labs] == ["99.9", "7"]


# ---- dump ----------------------------------------------------------------------------------


def test_dump_is_canonical_and_stable() -> None:
    doc = parse(BASE)
    text = dump(doc)
    assert parse(text) == doc
    assert dump(parse(text)) == text
    assert text.startswith("format: priorauth-policy/1\npolicy:\n  number: '1'\n")


def test_dump_orders_keys_as_the_format_does_whatever_the_input_order() -> None:
    shuffled = edited(
        (
            "      - label: A\n        kind: leaf\n",
            "      - kind: leaf\n        label: A\n",
        ),
        (
            "check: {name: age_at_least, params: {years: 18}}",
            "check: {params: {years: 18}, name: age_at_least}",
        ),
    )
    assert dump(parse(shuffled)) == dump(parse(BASE))


def test_dump_writes_long_text_as_literal_blocks_and_keeps_unicode() -> None:
    long_note = "Note: Examples include Aubagio® (teriflunomide tablets), Ponvory™ and more." * 2
    doc = parse(BASE)
    doc["version"]["criteria"]["children"][0]["note"] = long_note
    doc["version"]["overview"] = "First paragraph.\n\nSecond paragraph."
    text = dump(doc)
    assert "text: Patient is ≥ 18 years of age\n" in text
    assert f"        note: |-\n          {long_note}\n" in text
    assert "  overview: |-\n    First paragraph.\n\n    Second paragraph.\n" in text
    assert "\\u" not in text
    assert parse(text) == normalize(doc)


def test_dump_leaves_default_node_keys_out_but_keeps_an_expected_empty_failing_list() -> None:
    doc = parse(BASE)
    doc["version"]["test_cases"][0]["expect"]["failing"] = []
    text = dump(doc)
    assert "      - label: B.a\n        kind: leaf\n      - label: B.b" in text.replace(
        "          ", "      "
    )
    assert "note: ''" not in text.split("criteria:")[1]
    assert "failing: []" in text
    assert "path: null" not in text.split("test_cases:")[1]


def test_dump_orders_answers_as_the_tree_does() -> None:
    text = dump(parse(edited(("answers: {A: met, B.a: met}", "answers: {B.a: met, A: met}"))))
    assert "answers:\n        A: met\n        B.a: met\n" in text


def test_dump_refuses_an_invalid_document() -> None:
    doc = parse(BASE)
    doc["version"]["status"] = "live"
    with pytest.raises(DocumentError, match=r"version\.status"):
        dump(doc)


def test_tree_round_trips_through_node_objects() -> None:
    criteria = parse(BASE)["version"]["criteria"]
    root = tree_from_dict(criteria)
    assert root.children[0] == Node(
        "A",
        Kind.LEAF,
        text="Patient is ≥ 18 years of age",
        check=Check("age_at_least", {"years": 18}),
    )
    assert tree_to_dict(root) == criteria


# ---- hypothesis: any tree and any text survive dump -> parse --------------------------------

_texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=120)
_leaf = st.fixed_dictionaries(
    {"kind": st.just("leaf")},
    optional={"text": _texts, "note": _texts, "title": _texts, "plain_language": _texts},
)


def _group(children: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.builds(
        lambda kind, kids, k, text: {
            "kind": kind,
            "text": text,
            "children": kids,
            **({"k": 1 + k % len(kids)} if kind == "k_of_n" else {}),
        },
        st.sampled_from(["all", "any", "k_of_n"]),
        st.lists(children, min_size=1, max_size=3),
        st.integers(0, 5),
        _texts,
    )


def _labelled(node: dict[str, Any], counter: list[int]) -> dict[str, Any]:
    counter[0] += 1
    label = f"n{counter[0]}"
    children = [_labelled(child, counter) for child in node.get("children", [])]
    return {**node, "label": label, **({"children": children} if children else {})}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    tree=st.recursive(_leaf, _group, max_leaves=12),
    paths=st.lists(st.sampled_from([None, "initial", "continuation"]), max_size=4),
    overview=_texts,
    item=_texts,
)
def test_any_document_survives_dump_and_parse(
    tree: dict[str, Any], paths: list[str | None], overview: str, item: str
) -> None:
    doc = parse(BASE)
    children = [_labelled(tree, [0])]
    for child, path in zip(children, paths, strict=False):
        child["path"] = path
    always = {"label": "always", "kind": "leaf"}  # keeps the root a child on every path
    doc["version"]["criteria"] = {"label": "root", "kind": "all", "children": [always, *children]}
    doc["version"]["test_cases"] = []
    doc["version"]["overview"] = overview
    doc["version"]["lists"]["agents"]["items"][0]["as_written"] = item

    text = dump(doc)

    assert parse(text) == normalize(doc)
    assert dump(parse(text)) == text


# ---- validation: each rule, with its place -------------------------------------------------


def test_wrong_format() -> None:
    text = edited(("format: priorauth-policy/1", "format: priorauth-policy/2"))
    assert only_problem(text) == Problem(
        "format", 1, "must be one of priorauth-policy/1, not 'priorauth-policy/2'"
    )


def test_missing_required_key_points_at_its_section() -> None:
    text = edited(('  number: "1"\n', ""))
    assert only_problem(text) == Problem("policy", 2, "missing required key 'number'")


def test_unquoted_policy_number_asks_for_quotes() -> None:
    problem = only_problem(edited(('number: "1"', "number: 2020910")))
    assert (problem.where, problem.line) == ("policy.number", 3)
    assert "write it in quotes" in problem.message


def test_unknown_key_is_reported_with_a_suggestion() -> None:
    text = edited(("        text: Patient is", "        explanaton: x\n        text: Patient is"))
    problem = only_problem(text)
    assert problem.where == "version.criteria.children[0].explanaton"
    assert problem.line == line_of(text, "explanaton")
    assert "did you mean 'explanation'?" in problem.message


def test_bad_dates() -> None:
    text = edited(("effective_date: 2026-01-01", "effective_date: 01/01/2026"))
    problem = only_problem(text)
    assert (problem.where, problem.line) == ("version.effective_date", 9)
    assert "YYYY-MM-DD" in problem.message
    with_time = edited(("effective_date: 2026-01-01", "effective_date: 2026-01-01 10:00:00"))
    assert "without a time" in only_problem(with_time).message


def test_status_must_be_known() -> None:
    problem = only_problem(edited(("status: draft", "status: active")))
    assert problem == Problem(
        "version.status", 8, "must be one of draft, published, retired, not 'active'"
    )


@pytest.mark.parametrize("days", ["0", "-30", "true", "'365'"])
def test_approval_counts_must_be_positive_whole_numbers(days: str) -> None:
    text = edited(("{count: 365, unit: day}", f"{{count: {days}, unit: day}}"))
    problem = only_problem(text)
    assert (problem.where, problem.line) == (
        "version.indications[0].approval.initial.count",
        line_of(text, "initial:"),
    )


def test_kind_must_be_known() -> None:
    text = edited(("{label: B.b, kind: leaf}", "{label: B.b, kind: either}"))
    problem = only_problem(text)
    assert problem.where == "version.criteria.children[1].children[1].kind"
    assert problem.line == line_of(text, "B.b")
    assert "all, any, k_of_n, leaf" in problem.message


def test_group_needs_a_child() -> None:
    text = edited(
        ("          - {label: B.a, kind: leaf}\n          - {label: B.b, kind: leaf}\n", ""),
        ("        children:\n  test_cases", "        children: []\n  test_cases"),
        ("answers: {A: met, B.a: met}", "answers: {A: met}"),
    )
    problem = only_problem(text)
    assert problem.where == "version.criteria.children[1].children"
    assert problem.line == line_of(text, "children: []")
    assert problem.message == "a group (any) needs at least one child"


def test_leaf_has_no_children() -> None:
    text = edited(
        ("{label: B.b, kind: leaf}", "{label: B.b, kind: leaf, children: [{label: X, kind: leaf}]}")
    )
    problem = only_problem(text)
    assert problem.where == "version.criteria.children[1].children[1].children"
    assert "a leaf has no children" in problem.message


def test_k_only_on_k_of_n() -> None:
    text = edited(("        kind: any\n", "        kind: any\n        k: 1\n"))
    problem = only_problem(text)
    assert (problem.where, problem.line) == (
        "version.criteria.children[1].k",
        line_of(text, "k: 1"),
    )
    assert problem.message == "k is only for kind k_of_n, and this node is any"


@pytest.mark.parametrize("k", [0, 3])
def test_k_within_the_number_of_children(k: int) -> None:
    text = edited(("        kind: any\n", f"        kind: k_of_n\n        k: {k}\n"))
    problem = only_problem(text)
    assert problem.where == "version.criteria.children[1].k"
    assert problem.line == line_of(text, f"k: {k}")
    assert problem.message == f"k must be between 1 and 2 (the number of children), not {k}"


def test_k_of_n_needs_k() -> None:
    text = edited(("        kind: any\n", "        kind: k_of_n\n"))
    problem = only_problem(text)
    assert (problem.where, problem.line) == (
        "version.criteria.children[1]",
        line_of(text, "- label: B"),
    )
    assert "needs k" in problem.message


def test_label_required_and_unique() -> None:
    missing = only_problem(edited(("{label: B.b, kind: leaf}", "{kind: leaf}")))
    assert missing.where == "version.criteria.children[1].children[1]"
    assert missing.message == "missing required key 'label'"

    text = edited(("{label: B.b, kind: leaf}", "{label: A, kind: leaf}"))
    duplicate = only_problem(text)
    assert duplicate.where == "version.criteria.children[1].children[1].label"
    assert duplicate.line == line_of(text, "{label: A, kind: leaf}")
    assert duplicate.message == "label 'A' is already used at version.criteria.children[0]"


def test_path_values_and_consistency() -> None:
    bad = only_problem(
        edited(("        kind: any\n", "        kind: any\n        path: renewal\n"))
    )
    assert bad.where == "version.criteria.children[1].path"
    assert "initial, continuation" in bad.message

    root = only_problem(edited(("    kind: all\n", "    kind: all\n    path: initial\n")))
    assert root.where == "version.criteria.path"

    text = edited(
        ("        kind: any\n", "        kind: any\n        path: initial\n"),
        ("{label: B.b, kind: leaf}", "{label: B.b, kind: leaf, path: continuation}"),
    )
    nested = only_problem(text)
    assert nested.where == "version.criteria.children[1].children[1].path"
    assert nested.line == line_of(text, "B.b")
    assert "never evaluated" in nested.message


def test_groups_keep_children_on_every_path() -> None:
    text = edited(
        ("{label: B.a, kind: leaf}", "{label: B.a, kind: leaf, path: initial}"),
        ("{label: B.b, kind: leaf}", "{label: B.b, kind: leaf, path: initial}"),
    )
    problem = only_problem(text)
    assert (problem.where, problem.line) == (
        "version.criteria.children[1]",
        line_of(text, "- label: B"),
    )
    assert problem.message == "on the continuation path this group has no children left"

    text = edited(
        ("        kind: any\n", "        kind: k_of_n\n        k: 2\n"),
        ("{label: B.b, kind: leaf}", "{label: B.b, kind: leaf, path: continuation}"),
    )
    problem = only_problem(text)
    assert problem.where == "version.criteria.children[1].k"
    assert problem.message == "on the initial path only 1 of its children apply, fewer than k = 2"


def test_checks_are_validated_against_the_checks_module() -> None:
    unknown = only_problem(edited(("name: age_at_least", "name: age_over")))
    assert unknown.where == "version.criteria.children[0].check"
    assert unknown.message.startswith("Unknown check 'age_over'")

    bad_param = only_problem(edited(("params: {years: 18}", "params: {years: eighteen}")))
    assert bad_param.where == "version.criteria.children[0].check.params.years"
    assert "'years' must be a whole number" in bad_param.message

    text = edited(
        (
            "check: {name: age_at_least, params: {years: 18}}",
            "check: {name: no_concurrent_agents, params: {list: agnets}}",
        )
    )
    no_list = only_problem(text)
    assert no_list.line == line_of(text, "agnets")
    assert "'list'" in no_list.message and "'agnets'" in no_list.message


def test_only_leaves_have_checks() -> None:
    text = edited(
        (
            "        kind: any\n",
            "        kind: any\n        check: {name: age_at_least, params: {years: 18}}\n",
        )
    )
    problem = only_problem(text)
    assert problem.where == "version.criteria.children[1].check"
    assert problem.message == "only a leaf has a check"


def test_regimen_goes_through_dosing() -> None:
    text = edited(("unit: calendar_month}", "unit: fortnight}"))
    problem = only_problem(text)
    assert problem.where == "version.indications[0].regimen.phases[0].schedule.unit"
    assert problem.message == "must be one of day, week, calendar_month, not 'fortnight'"


def test_every_regimen_problem_is_reported_with_its_place() -> None:
    text = edited(
        ("dose: {amount: 20, unit: mg}", "dose: {amount: 20, per_kg: 2, unit: mg}"),
        ("            route: subcutaneous\n", "            route: ''\n"),
    )
    found = {p.where: p.message for p in problems(text)}
    assert found == {"version.indications[0].regimen.phases[0].route": "must not be empty"}
    text = edited(("dose: {amount: 20, unit: mg}", "dose: {amount: 20, per_kg: 2, unit: mg}"))
    problem = only_problem(text)
    assert problem.where == "version.indications[0].regimen"
    assert problem.message == ".phases[0].dose needs either amount or per_kg (one of them)."


def test_a_regimen_series_and_repeating_phase_with_ranges() -> None:
    text = edited(
        (
            "            schedule: {every: 1, unit: calendar_month}\n",
            "            schedule: {at: [0, 14], unit: day}\n"
            "            initial_only: true\n"
            "          - dose: {amount: '600', unit: mg}\n"
            "            route: intravenous\n"
            "            schedule: {every: 6, unit: calendar_month, start: 24, start_unit: week}\n"
            "        dose_range: {min: 300, max: 600, unit: mg}\n"
            "        quantity_limit: {amount: 1200, unit: mg, per_days: 365}\n",
        ),
    )
    regimen = parse(text)["version"]["indications"][0]["regimen"]
    assert regimen["phases"][0]["initial_only"] is True
    assert regimen["phases"][1]["schedule"] == {
        "every": 6,
        "unit": "calendar_month",
        "start": 24,
        "start_unit": "week",
    }
    assert regimen["dose_range"] == {"min": "300", "max": "600", "unit": "mg"}
    assert regimen["quantity_limit"] == {"amount": "1200", "unit": "mg", "per_days": 365}
    assert parse(dump(parse(text))) == parse(text)


def test_phases_must_share_the_dose_unit() -> None:
    text = edited(
        (
            "            schedule: {every: 1, unit: calendar_month}\n",
            "            schedule: {every: 1, unit: calendar_month}\n"
            "          - dose: {amount: 1, unit: mL}\n"
            "            route: subcutaneous\n"
            "            schedule: {at: [0], unit: day}\n",
        ),
    )
    problem = only_problem(text)
    assert problem.where == "version.indications[0].regimen"
    assert "share one dose unit" in problem.message


def test_monthly_means_must_agree_with_the_regimen() -> None:
    text = edited(
        ("  indications:\n", "  dosing:\n    monthly_means: every_4_weeks\n  indications:\n")
    )
    problem = only_problem(text)
    assert (problem.where, problem.line) == (
        "version.dosing.monthly_means",
        line_of(text, "every_4"),
    )


def test_list_needs_items_and_a_plain_key() -> None:
    text = edited(("    agents:\n", "    MS Agents:\n"), ("        - {name: Alpha}\n", ""))
    found = problems(text)
    assert [p.where for p in found] == [
        'version.lists["MS Agents"]',
        'version.lists["MS Agents"].items',
    ]
    assert "lower_snake_case" in found[0].message
    assert found[1].message == "must have at least one entry"


def test_test_case_labels_values_and_types() -> None:
    text = edited(
        ("request_type: initial", "request_type: renewal"),
        ("answers: {A: met, B.a: met}", "answers: {A: yes please, B.ax: met, B: met}"),
        (
            "expect: {result: met}",
            "expect: {result: approved, failing: [B], suggestions: {A: met}}",
        ),
    )
    found = {(p.where, p.message) for p in problems(text)}
    base = "version.test_cases[0]"
    assert found == {
        (f"{base}.request_type", "must be one of initial, continuation, not 'renewal'"),
        (f"{base}.answers.A", "must be one of met, not_met, not_documented, not 'yes please'"),
        (f'{base}.answers["B.ax"]', "no criterion is labelled 'B.ax'; did you mean 'B.a'?"),
        (f"{base}.answers.B", "'B' is a group (any); answers are given to leaves"),
        (f"{base}.expect.result", "must be one of met, not_met, unknown, not 'approved'"),
        (f"{base}.expect.failing[0]", "'B' is a group (any); answers are given to leaves"),
        (f"{base}.expect.suggestions", "suggestions come from facts; add facts"),
    }
    assert all(p.line == line_of(text, "answers:") for p in problems(text) if "answers" in p.where)


def test_duplicate_yaml_keys_are_not_silently_dropped() -> None:
    text = edited(("  status: draft\n", "  status: draft\n  status: published\n"))
    assert only_problem(text) == Problem(
        "version.status", line_of(text, "published"), "duplicate key 'status'"
    )


def test_every_problem_is_reported_at_once_in_line_order() -> None:
    text = edited(
        ("status: draft", "status: drafty"),
        ("{count: 365, unit: day}", "{count: 0, unit: day}"),
        ("{label: B.b, kind: leaf}", "{label: B.b, kind: leaf, nope: 1}"),
        ("expect: {result: met}", "expect: {result: maybe}"),
    )
    found = problems(text)
    assert [p.where for p in found] == [
        "version.status",
        "version.indications[0].approval.initial.count",
        "version.criteria.children[1].children[1].nope",
        "version.test_cases[0].expect.result",
    ]
    assert [p.line for p in found] == sorted(p.line for p in found)


def test_yaml_syntax_error_becomes_a_problem_with_its_line() -> None:
    text = edited(("  status: draft\n", "  status: [draft\n"))
    problem = only_problem(text)
    assert problem.where == ""
    assert problem.line is not None and problem.line >= 8
    assert problem.message.startswith("YAML syntax:")


def test_empty_and_non_mapping_documents() -> None:
    assert only_problem("") == Problem("", None, "the document is empty")
    assert only_problem("- a\n- b\n").message == "must be a mapping of keys to values, not a list"


def test_error_text_names_line_and_place() -> None:
    with pytest.raises(DocumentError) as raised:
        parse(edited(("status: draft", "status: drafty")))
    assert str(raised.value) == (
        "line 8, version.status: must be one of draft, published, retired, not 'drafty'"
    )


def test_validate_works_on_a_built_dict_without_lines() -> None:
    doc = copy.deepcopy(parse(BASE))
    assert validate(doc) == []
    doc["version"]["criteria"]["children"][1]["kind"] = "k_of_n"
    doc["version"]["criteria"]["children"][1]["k"] = 5
    doc["version"]["indications"][0]["approval"]["initial"]["count"] = -1
    assert validate(doc) == [
        Problem(
            "version.indications[0].approval.initial.count", None, "must be at least 1, not -1"
        ),
        Problem(
            "version.criteria.children[1].k",
            None,
            "k must be between 1 and 2 (the number of children), not 5",
        ),
    ]


def test_a_dict_built_by_code_may_use_enums_tuples_and_decimals() -> None:
    doc = copy.deepcopy(parse(BASE))
    doc["version"]["criteria"]["children"][1]["kind"] = Kind.ANY
    doc["version"]["indications"][0]["regimen"]["phases"][0]["dose"]["amount"] = Decimal("20")
    doc["version"]["criteria"]["children"][0]["check"] = {
        "name": "lab_value",
        "params": {"lab": "LDL-C", "op": ">=", "value": Decimal("100"), "unit": "mg/dL"},
    }
    doc["version"]["lists"]["agents"]["items"][0]["synonyms"] = ("A1",)
    assert validate(doc) == []
    text = dump(doc)
    assert "value: '100'" in text
    assert "synonyms: [A1]" in text
    assert dump(parse(text)) == text


def test_evidence_required_is_true_unless_a_leaf_says_false_and_must_be_a_boolean():
    text = (Path(__file__).resolve().parents[2] / "policies" / "kesimpta-2020910.yaml").read_text(
        encoding="utf-8"
    )
    doc = parse(text)
    assert all(
        node["evidence_required"] is True for node, _ in iter_tree(doc["version"]["criteria"], ())
    )
    attested = text.replace(
        "      - label: PRE-1\n        kind: leaf\n",
        "      - label: PRE-1\n        kind: leaf\n        evidence_required: false\n",
    )
    parsed = parse(attested)
    assert parsed["version"]["criteria"]["children"][0]["evidence_required"] is False
    assert tree_from_dict(parsed["version"]["criteria"]).children[0].evidence_required is False
    assert "evidence_required: false" in dump(parsed)
    with pytest.raises(DocumentError, match="must be true or false, not"):
        parse(attested.replace("evidence_required: false", "evidence_required: maybe"))


def test_k_of_n_with_k_null_needs_k() -> None:
    text = edited(("        kind: any\n", "        kind: k_of_n\n        k: null\n"))
    assert only_problem(text) == Problem(
        "version.criteria.children[1]",
        line_of(text, "- label: B"),
        "a k_of_n group needs k (how many children must be met)",
    )


def test_a_k_that_is_not_a_number_is_reported_once() -> None:
    text = edited(("        kind: any\n", "        kind: k_of_n\n        k: two\n"))
    assert only_problem(text) == Problem(
        "version.criteria.children[1].k",
        line_of(text, "k: two"),
        "must be a whole number, not 'two'",
    )


def test_text_must_be_text_and_keys_must_be_text() -> None:
    text = edited(("  indications:\n", "  dosing:\n    condition: 5\n  indications:\n"))
    problem = only_problem(text)
    assert problem == Problem(
        "version.dosing.condition", line_of(text, "condition: 5"), "must be text, not the number 5"
    )

    text = edited(("      - label: A\n", "      - 7: x\n        label: A\n"))
    problem = only_problem(text)
    assert (problem.where, problem.line) == (
        'version.criteria.children[0]["7"]',
        line_of(text, "7: x"),
    )
    assert problem.message.startswith("unknown key '7' (known keys: label, kind,")

    text = edited(("answers: {A: met, B.a: met}", "answers: {A: met, B.a: met, 5: met}"))
    assert only_problem(text) == Problem(
        'version.test_cases[0].answers["5"]',
        line_of(text, "answers:"),
        'the key must be text, not the number 5; write it in quotes, e.g. "5"',
    )


def test_one_bad_child_keeps_its_siblings_for_the_rules_across_sections() -> None:
    # The bad child is read as an empty node: B keeps its children and B.a stays known.
    text = edited(("{label: B.b, kind: leaf}", "5"))
    assert only_problem(text) == Problem(
        "version.criteria.children[1].children[1]",
        line_of(text, "- 5"),
        "must be a mapping of keys to values, not the number 5",
    )


def test_a_value_that_contains_itself_is_one_problem() -> None:
    text = edited(
        ("      - label: B\n", "      - &b\n        label: B\n"),
        (
            "          - {label: B.b, kind: leaf}\n",
            "          - {label: B.b, kind: leaf}\n          - *b\n",
        ),
    )
    problem = only_problem(text)
    assert problem.where == "version.criteria.children[1].children[2]"
    assert "refers back to itself" in problem.message


def test_a_document_nested_too_deeply_is_a_problem_not_a_crash() -> None:
    inner = "{label: L, kind: leaf}"
    for i in range(400):
        inner = f"{{label: X{i}, kind: all, children: [{inner}]}}"
    text = edited(("          - {label: B.b, kind: leaf}\n", f"          - {inner}\n"))
    assert only_problem(text) == Problem("", None, "the document nests too deeply")


# ---- the JSON Schema -----------------------------------------------------------------------

SCHEMA_FILE = ROOT / "docs" / "policy-format.schema.json"
POLICY_FILES = [
    ROOT / "policies" / "kesimpta-2020910.yaml",
    *(ROOT / "tests" / "fixtures" / "policies").glob("*.yaml"),
]


def test_the_committed_json_schema_is_the_one_the_models_give() -> None:
    committed = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(json_schema())), (
        "docs/policy-format.schema.json is stale: run .venv/bin/python scripts/policy_schema.py"
    )


def _as_an_editor_reads_it(path: Path) -> Any:
    """The YAML as plain JSON values: an editor's YAML reader gives dates as text."""
    import yaml

    return json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))


@pytest.mark.parametrize("path", POLICY_FILES, ids=lambda p: p.name)
def test_policy_files_satisfy_the_json_schema(path: Path) -> None:
    import jsonschema  # a pinned dev dependency: the test fails, never skips, without it

    jsonschema.Draft202012Validator.check_schema(json_schema())
    validator = jsonschema.Draft202012Validator(json_schema())
    assert list(validator.iter_errors(_as_an_editor_reads_it(path))) == []


def test_the_json_schema_refuses_what_parse_refuses_by_shape() -> None:
    import jsonschema  # a pinned dev dependency: the test fails, never skips, without it

    validator = jsonschema.Draft202012Validator(json_schema())
    doc = _as_an_editor_reads_it(POLICY_FILES[0])
    doc["version"]["status"] = "live"
    doc["version"]["criteria"]["children"][0]["explanaton"] = "x"
    doc["version"]["indications"][0]["approval"]["initial"]["count"] = 0
    doc["version"]["indications"][0]["regimen"]["phases"][1]["schedule"]["unit"] = "fortnight"
    doc["policy"]["number"] = 2020910
    places = sorted("/".join(map(str, e.absolute_path)) for e in validator.iter_errors(doc))
    assert places == [
        "policy/number",
        "version/criteria/children/0",
        "version/indications/0/approval/initial/count",
        "version/indications/0/regimen",  # anyOf a regimen or null: the place is the regimen
        "version/status",
    ]


# ---- policy.drugs and version.paths --------------------------------------------------------

DRUG = "  drugs: [{brand: Testdrug}]"


def test_a_drug_needs_only_a_brand_and_codes_may_be_empty() -> None:
    doc = parse(BASE)
    assert doc["policy"]["drugs"] == [
        {"brand": "Testdrug", "generic": "", "hcpcs_codes": [], "ndcs": []}
    ]
    text = edited(
        ("  indications:\n", "  edits_and_denials: {remark_codes: []}\n  indications:\n"),
        (DRUG, "  drugs: [{brand: Testdrug, hcpcs_codes: [], ndcs: []}]"),
    )
    assert parse(text)["version"]["edits_and_denials"]["remark_codes"] == []
    assert "ndcs" not in dump(parse(text))  # left out when empty


def test_codes_are_tidied_hcpcs_in_capitals_ndcs_as_digits() -> None:
    text = edited(
        (DRUG, "  drugs: [{brand: Testdrug, hcpcs_codes: [' j3490 '], ndcs: ['0078-1007-68']}]")
    )
    drug = parse(text)["policy"]["drugs"][0]
    assert (drug["hcpcs_codes"], drug["ndcs"]) == (["J3490"], ["0078100768"])
    assert parse(dump(parse(text))) == parse(text)


@pytest.mark.parametrize(
    "codes,where,message",
    [
        ("hcpcs_codes: [J349]", "hcpcs_codes[0]", "a HCPCS Level II code is a letter A-V"),
        ("hcpcs_codes: [W1234]", "hcpcs_codes[0]", "a HCPCS Level II code is a letter A-V"),
        ("hcpcs_codes: [12345]", "hcpcs_codes[0]", 'write it in quotes, e.g. "12345"'),
        ("ndcs: ['0078-1007']", "ndcs[0]", "an NDC has 10 or 11 digits"),
        ("ndcs: [NDC0078100768]", "ndcs[0]", "an NDC has 10 or 11 digits"),
        ("ndcs: [78100768]", "ndcs[0]", "an NDC may begin with 0"),
    ],
)
def test_bad_codes_are_refused_with_their_place(codes: str, where: str, message: str) -> None:
    text = edited((DRUG, f"  drugs: [{{brand: Testdrug, {codes}}}]"))
    problem = only_problem(text)
    assert problem.where == f"policy.drugs[0].{where}"
    assert message in problem.message
    assert problem.line == line_of(text, "drugs:")


def test_a_policy_needs_a_drug_and_no_name_may_stand_for_two() -> None:
    problem = only_problem(edited((DRUG, "  drugs: []")))
    assert (problem.where, problem.message) == ("policy.drugs", "must have at least one entry")
    text = edited((DRUG, "  drugs: [{brand: Testdrug}, {brand: Other, generic: TESTDRUG®}]"))
    problem = only_problem(text)
    assert problem.where == "policy.drugs[1]"
    assert "'testdrug' already names drug 1" in problem.message
    # Two drugs may share an unclassified code.
    shared = "  drugs: [{brand: Testdrug, hcpcs_codes: [J3490]}, {brand: B, hcpcs_codes: [J3490]}]"
    assert len(parse(edited((DRUG, shared)))["policy"]["drugs"]) == 2


def test_the_old_single_drug_keys_are_refused_with_the_known_keys() -> None:
    problem = only_problem(edited((DRUG, "  drugs: [{brand: Testdrug}]\n  drug_name: Testdrug")))
    assert problem.where == "policy.drug_name"
    assert "unknown key 'drug_name'" in problem.message and "drugs" in problem.message


def test_paths_default_to_neutral_names_and_are_written_only_when_named() -> None:
    assert parse(BASE)["version"]["paths"] == {
        "initial": "Initial request",
        "continuation": "Continuation request",
    }
    assert "paths:" not in dump(parse(BASE))
    text = edited(("  indications:\n", "  paths: {initial: First course}\n  indications:\n"))
    assert parse(text)["version"]["paths"]["initial"] == "First course"
    assert "paths:\n    initial: First course\n" in dump(parse(text))
    problem = only_problem(edited(("  indications:\n", "  paths: {initial: ''}\n  indications:\n")))
    assert (problem.where, problem.message) == ("version.paths.initial", "must not be empty")
    problem = only_problem(edited(("  indications:\n", "  paths: {first: A}\n  indications:\n")))
    assert problem.where == "version.paths.first" and "unknown key" in problem.message
