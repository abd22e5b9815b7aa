"""The editor's test cases: add, change, copy, delete (each undoable), refusals in the
document's words, Run all, and the preview of the nurse's walk against a real policy."""

import copy
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from reviews.engine import document
from reviews.errors import PolicyVersionLocked
from reviews.models import PolicyTestCase
from reviews.services import policy_test_cases as services
from reviews.services.policies import policy_load
from reviews.services.policy_edits import policy_edit_undo

pytestmark = pytest.mark.django_db

PCSK9_FILE = Path(__file__).resolve().parents[2] / "policies" / "pcsk9-inhibitors-9200002.yaml"


@pytest.fixture(scope="session")
def pcsk9_document():
    return document.parse(PCSK9_FILE.read_text(encoding="utf-8"))


@pytest.fixture
def pcsk9_draft(db, pcsk9_document):
    doc = copy.deepcopy(pcsk9_document)
    doc["version"]["status"] = "draft"
    version, _ = policy_load(doc=doc)
    return version


def _case(**changes):
    case = {
        "name": "adult, every answer met",
        "request_type": "initial",
        "indication": "hefh",
        "answers": {"PRE-1": "met"},
        "facts": {
            "request_date": date(2026, 11, 28),
            "member_dob": date(1975, 6, 1),
            "diagnosis_codes": ["E78.01"],
        },
        "expect": {"result": "unknown", "suggestions": {"1.i": "met"}},
    }
    case.update(changes)
    return case


def test_add_change_copy_delete_each_undoable(pcsk9_draft, policy_admin):
    before = pcsk9_draft.test_cases.count()
    added = services.test_case_add(version=pcsk9_draft, actor=policy_admin, case=_case())
    assert added.position == before
    assert added.facts["request_date"] == "2026-11-28"
    assert pcsk9_draft.edits.first().summary == "Added test case adult, every answer met"

    changed = services.test_case_change(
        version=pcsk9_draft,
        actor=policy_admin,
        test_case_id=added.pk,
        case=_case(name="renamed", expect={"result": "not_met"}),
    )
    assert changed.pk == added.pk and changed.name == "renamed"
    assert PolicyTestCase.objects.get(pk=added.pk).expect == {"result": "not_met"}

    first = pcsk9_draft.test_cases.first()
    dup = services.test_case_copy(version=pcsk9_draft, actor=policy_admin, test_case_id=first.pk)
    assert dup.name == f"{first.name} (copy)" and dup.position == 1
    assert dup.facts == first.facts and dup.expect == first.expect
    again = services.test_case_copy(version=pcsk9_draft, actor=policy_admin, test_case_id=first.pk)
    assert again.name == f"{first.name} (copy 2)"
    assert list(pcsk9_draft.test_cases.values_list("position", flat=True)) == list(
        range(before + 3)
    )

    name = services.test_case_delete(version=pcsk9_draft, actor=policy_admin, test_case_id=dup.pk)
    assert name == dup.name and not PolicyTestCase.objects.filter(pk=dup.pk).exists()

    # Undo, newest first, puts each back.
    policy_edit_undo(version=pcsk9_draft, actor=policy_admin)
    assert pcsk9_draft.test_cases.filter(name=dup.name).exists()
    policy_edit_undo(version=pcsk9_draft, actor=policy_admin)
    policy_edit_undo(version=pcsk9_draft, actor=policy_admin)
    policy_edit_undo(version=pcsk9_draft, actor=policy_admin)
    assert pcsk9_draft.test_cases.filter(name="adult, every answer met").exists()
    policy_edit_undo(version=pcsk9_draft, actor=policy_admin)
    assert pcsk9_draft.test_cases.count() == before


@pytest.mark.parametrize(
    ("changes", "where", "words"),
    [
        ({"indication": "nope"}, "indication", "no indication has the key 'nope'"),
        ({"answers": {"9.Z": "met"}}, 'answers["9.Z"]', "no criterion is labelled '9.Z'"),
        ({"answers": {"1": "met"}}, 'answers["1"]', "is a group"),
        ({"facts": None}, "expect.suggestions", "suggestions come from facts"),
        (
            {"expect": {"result": "met", "suggestions": {"PRE-2": "met"}}},
            'expect.suggestions["PRE-2"]',
            "has no check",
        ),
        ({"facts": {"member_dob": date(1975, 6, 1)}}, "facts", "'request_date'"),
    ],
)
def test_bad_cases_are_refused_in_the_documents_words(
    pcsk9_draft, policy_admin, changes, where, words
):
    count, edits = pcsk9_draft.test_cases.count(), pcsk9_draft.edits.count()
    with pytest.raises(services.TestCaseRefused) as refused:
        services.test_case_add(version=pcsk9_draft, actor=policy_admin, case=_case(**changes))
    assert any(w == where and words in m for w, m in refused.value.problems), refused.value.problems
    assert pcsk9_draft.test_cases.count() == count and pcsk9_draft.edits.count() == edits


def test_a_name_already_taken_is_refused(pcsk9_draft, policy_admin):
    taken = pcsk9_draft.test_cases.first().name
    with pytest.raises(services.TestCaseRefused) as refused:
        services.test_case_add(version=pcsk9_draft, actor=policy_admin, case=_case(name=taken))
    assert refused.value.problems[0][0] == "name"
    # Changing a case keeping its own name is fine.
    first = pcsk9_draft.test_cases.first()
    services.test_case_change(
        version=pcsk9_draft,
        actor=policy_admin,
        test_case_id=first.pk,
        case=services.test_case_document(first),
    )


def test_a_published_version_is_refused(kesimpta, policy_admin):
    case = kesimpta.test_cases.first()
    with pytest.raises(PolicyVersionLocked):
        services.test_case_add(version=kesimpta, actor=policy_admin, case=_case())
    with pytest.raises(PolicyVersionLocked):
        services.test_case_copy(version=kesimpta, actor=policy_admin, test_case_id=case.pk)
    with pytest.raises(PolicyVersionLocked):
        services.test_case_delete(version=kesimpta, actor=policy_admin, test_case_id=case.pk)
    assert kesimpta.test_cases.filter(pk=case.pk).exists()


def test_only_policy_admins_write(pcsk9_draft, nurse):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.test_case_add(version=pcsk9_draft, actor=nurse, case=_case())


def test_run_all_passes_fails_and_shows_problems_of_an_invalid_draft(pcsk9_draft, policy_admin):
    report = services.test_cases_run(version=pcsk9_draft)
    assert not report.problems and report.failed == 0
    assert report.passed == pcsk9_draft.test_cases.count()

    services.test_case_add(
        version=pcsk9_draft,
        actor=policy_admin,
        case=_case(expect={"result": "met", "suggestions": {"1.i": "not_met"}}),
    )
    report = services.test_cases_run(version=pcsk9_draft)
    failed = [r for r in report.results if not r.passed]
    assert [r.name for r in failed] == ["adult, every answer met"]
    assert any(m.startswith("Result: expected met, got unknown") for m in failed[0].messages)
    assert any(
        m.startswith("Suggestion for 1.i: expected not_met, got met") for m in failed[0].messages
    )

    pcsk9_draft.indications.filter(key="hefh").update(key="renamed")
    report = services.test_cases_run(version=pcsk9_draft)
    assert report.problems and not report.results


# ---- preview --------------------------------------------------------------------------------


def test_preview_of_a_test_case_gives_the_steps_suggestions_and_terms(pcsk9_draft):
    case = services.test_case_document(pcsk9_draft.test_cases.first())
    preview = services.policy_preview(
        version=pcsk9_draft,
        request_type=case["request_type"],
        indication=case["indication"],
        facts=case["facts"],
        answers=case["answers"],
    )
    assert not preview.problems
    rows = list(preview.rows)
    labels = [step.node.label for step, *_ in rows]
    # Walked in outline order, on the initial path, for HeFH only; the if's then-part is asked
    # because its condition (4.if) is met.
    assert labels[:2] == ["PRE-1", "PRE-2"]
    assert "4.then" in labels and labels.index("4.if.a") < labels.index("4.then")
    assert [s.number for s, *_ in rows] == list(range(1, len(rows) + 1))
    by_label = {
        step.node.label: (suggestion, answer, source) for step, suggestion, answer, source in rows
    }
    assert by_label["1.iii"][0].answer == "met" and "190" in by_label["1.iii"][0].reason
    assert by_label["3.A.ii"][0].answer == "not_met"
    assert by_label["PRE-2"][1:] == ("met", "example")
    assert by_label["1.i"][2] == "suggestion"
    assert preview.state.evaluation.result == "met"
    # 90 days from the request date; 140 mg every 2 weeks: 7 doses.
    assert preview.terms.start == date(2026, 11, 28)
    assert preview.terms.end == date(2027, 2, 25)
    assert (preview.terms.amount, preview.terms.unit, preview.terms.doses) == (
        Decimal("980"),
        "mg",
        7,
    )


def test_preview_of_typed_facts_hides_the_then_part_until_its_condition_is_met(pcsk9_draft):
    facts = {
        "request_date": date(2026, 11, 28),
        "member_dob": date(1975, 6, 1),
        "prescriber_specialty": "Cardiology",
        "diagnosis_codes": ["E78.01"],
    }
    preview = services.policy_preview(version=pcsk9_draft, request_type="initial", facts=facts)
    assert preview.state.indication == "hefh"
    labels = [step.node.label for step in preview.steps]
    assert "4.if.a" in labels and "4.then" not in labels
    assert any(
        label == "4.then" and "asked only when" in reason for label, reason in preview.not_asked
    )
    assert preview.state.suggestions["PRE-1"].answer == "met"
    assert preview.terms.end == date(2027, 2, 25)


def test_preview_asks_for_the_indication_when_the_codes_do_not_choose(pcsk9_draft):
    preview = services.policy_preview(
        version=pcsk9_draft, request_type="continuation", facts={"request_date": date(2026, 1, 5)}
    )
    assert preview.state.indication_needed and preview.steps == []
    assert "chooses the indication first" in preview.indication_reason
    assert preview.terms is None


def test_preview_of_an_invalid_draft_shows_its_problems(pcsk9_draft):
    pcsk9_draft.criteria.filter(kind="leaf").first().__class__.objects.filter(
        version=pcsk9_draft, label="PRE-1"
    ).update(check_name="no_such_check")
    preview = services.policy_preview(version=pcsk9_draft, request_type="initial")
    assert preview.problems and preview.state is None
