import copy

from reviews.engine import compare, document
from tests.policy_fixtures import KESIMPTA_FILE


def _doc():
    return document.parse(KESIMPTA_FILE.read_text(encoding="utf-8"))


def test_identical_documents_have_no_differences():
    rows = compare.compare(_doc(), _doc())
    assert rows and all(row.status == compare.SAME for row in rows)


def test_a_reworded_criterion_is_one_changed_row_with_a_word_diff():
    old, new = _doc(), _doc()
    new["version"]["criteria"]["children"][2]["children"][0]["children"][1]["text"] = (
        "Patient is ≥ 21 years of age"
    )
    changed = [r for r in compare.compare(old, new) if r.status != compare.SAME]
    assert [(r.section, r.name) for r in changed] == [("Criteria 1.A.ii", "text")]
    segments = changed[0].segments
    assert compare.Segment(compare.REMOVED, "18") in segments
    assert compare.Segment(compare.ADDED, "21") in segments


def test_added_and_removed_list_items_and_test_cases():
    old, new = _doc(), copy.deepcopy(_doc())
    items = new["version"]["lists"]["ms_disease_modifying_agents"]["items"]
    items.append({"name": "Briumvi", "generic": "ublituximab", "as_written": "", "synonyms": []})
    new["version"]["test_cases"].pop(0)
    rows = {(r.section, r.name): r.status for r in compare.compare(old, new)}
    assert rows[("List ms_disease_modifying_agents", "Briumvi")] == compare.ADDED
    assert rows[("Test cases", "initial: every criterion met")] == compare.REMOVED


def test_word_diff_keeps_the_words_in_order():
    segments = compare.word_diff("take 20 mg monthly", "take 40 mg every 4 weeks")
    assert [s.op for s in segments] == ["same", "removed", "added", "same", "removed", "added"]
    kept = " ".join(s.text for s in segments if s.op != "removed")
    assert kept == "take 40 mg every 4 weeks"


def test_a_changed_approval_period_is_a_row_of_its_indication():
    old, new = _doc(), copy.deepcopy(_doc())
    new["version"]["indications"][0]["approval"]["extended"] = {
        "count": 6,
        "unit": "calendar_month",
    }
    changed = [r for r in compare.compare(old, new) if r.status != compare.SAME]
    assert [(r.section, r.name, r.old, r.new) for r in changed] == [
        (
            "Indication relapsing_ms approval extended",
            "count",
            "365",
            "6",
        ),
        (
            "Indication relapsing_ms approval extended",
            "unit",
            "day",
            "calendar_month",
        ),
    ]
