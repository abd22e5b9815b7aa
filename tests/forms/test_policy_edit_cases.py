"""The test case forms: "every question met" (no condition applying), the list page's form
that starts a case for a request type and indication, and the failing leaves a tick
compares. A case made by one click is run by the engine, as publishing runs it."""

import copy
from pathlib import Path

import pytest
from django.http import QueryDict

from reviews.engine import document
from reviews.forms.policy_edit_cases import (
    NewTestCaseForm,
    TestCaseForm,
    TestCaseForms,
    every_question_met,
    version_leaves,
)
from reviews.services import policy_test_cases as services
from reviews.services.policies import policy_load

pytestmark = pytest.mark.django_db

TARGET_FILE = (
    Path(__file__).resolve().parents[1] / "fixtures" / "policies" / "authoring-target.yaml"
)
ROWS = ("medications", "labs", "prior_therapies", "events")


@pytest.fixture(scope="session")
def target_document():
    return document.parse(TARGET_FILE.read_text(encoding="utf-8"))


def _draft(doc):
    doc = copy.deepcopy(doc)
    doc["version"]["status"] = "draft"
    version, _ = policy_load(doc=doc)
    return version


@pytest.fixture
def target(db, target_document):
    """The authoring yardstick as a draft: node 3 is an if (3.if, then 3.then)."""
    return _draft(target_document)


@pytest.fixture
def kesimpta_draft(db, kesimpta_document):
    return _draft(kesimpta_document)


def _post(version, **fields) -> QueryDict:
    data = QueryDict(mutable=True)
    data.update({"name": "typed", "request_type": "initial", "expect_result": "met"})
    for key in ROWS:
        data[f"facts-{key}-TOTAL_FORMS"] = "2"
        data[f"facts-{key}-INITIAL_FORMS"] = "0"
    for name, value in fields.items():
        data[name] = value
    return data


# ---- every question met, no condition applying ---------------------------------------------


def test_a_condition_does_not_apply_and_its_consequence_is_left_blank(target):
    answers = every_question_met(target, "initial", "alpha_disease")
    assert answers["3.if"] == "not_met"
    assert "3.then" not in answers
    assert {answers[label] for label in answers if label != "3.if"} == {"met"}
    # The initial path of alpha: not beta's questions, nor the continuation's.
    assert set(answers) == {
        "PRE-1", "PRE-2", "PRE-3", "1.i", "1.ii", "1.iii", "1.iv", "3.if", "4.A", "4.B", "6", "7",
    }  # fmt: skip


def test_a_continuation_for_every_indication(target):
    answers = every_question_met(target, "continuation", "")
    assert "3.then" not in answers and answers["3.if"] == "not_met"
    assert {"5.A", "5.B.i", "5.B.ii", "5.C"} <= answers.keys()
    assert not {"1.i", "2.i", "4.A"} & answers.keys()


def test_the_button_answers_by_the_same_rule_and_keeps_what_is_typed(target):
    data = _post(target, indication="beta_disease", name="kept", **{"answer__3.then": "met"})
    data["all_met"] = "1"
    forms = TestCaseForms(data, version=target)
    forms.answer_all_met()
    forms.forget_errors()
    expected = every_question_met(target, "initial", "beta_disease")
    for node, _ in version_leaves(target):
        assert forms.form.data[f"answer__{node.label}"] == expected.get(node.label, "")
    assert forms.form.data["answer__3.then"] == ""  # a typed consequence is cleared
    assert forms.form.data["name"] == "kept"


def test_a_draft_being_built_with_no_root_answers_nothing(target):
    target.criteria.all().delete()
    assert every_question_met(target, "initial", "") == {}


def test_an_unknown_request_type_posted_with_the_button_answers_only_shared_questions(target):
    answers = every_question_met(target, "bogus", "nope")
    # Nodes on a path or for an indication are left out; the shared ones are answered.
    assert {"PRE-1", "3.if", "6"} <= answers.keys()
    assert not {"1.i", "4.A", "5.A"} & answers.keys()


# ---- a case made in one click passes on the engine -----------------------------------------


def _one_click_cases(version):
    indications = ["", *version.indications.values_list("key", flat=True)]
    for request_type in ("initial", "continuation"):
        for indication in indications:
            data = _post(
                version,
                name=f"{request_type} {indication or 'any'}: every question met",
                request_type=request_type,
                indication=indication,
                expect_result="met",
                expect_failing_compare="exact",
            )
            forms = TestCaseForms(data, version=version)
            forms.answer_all_met()
            forms = TestCaseForms(forms.form.data, version=version)
            assert forms.is_valid(), forms.form.errors
            yield forms.case()


@pytest.mark.parametrize("which", ["target", "kesimpta_draft"])
def test_a_case_answered_every_question_met_evaluates_met(request, policy_admin, which):
    version = request.getfixturevalue(which)
    before = version.test_cases.count()
    for case in _one_click_cases(version):
        services.test_case_add(version=version, actor=policy_admin, case=case)
    report = services.test_cases_run(version=version)
    assert report.problems == []
    ours = report.results[before:]
    assert len(ours) == 2 * (1 + version.indications.count())
    assert [(r.name, r.messages) for r in ours if not r.passed] == []
    assert {r.evaluation.result for r in ours} == {"met"}
    assert all(r.evaluation.unanswered == () for r in ours)


def test_the_one_click_case_of_the_target_s_first_case_is_that_case(target):
    # The file's own "every criterion met" case for alpha, initial, is the one click's.
    written = target.test_cases.get(name="alpha, initial: every criterion met")
    assert every_question_met(target, "initial", "alpha_disease") == written.answers


# ---- the list page's form: a request type and an indication ------------------------------


def test_the_new_case_form_has_its_own_ids_and_plain_names(target):
    form = NewTestCaseForm(version=target)
    html = str(form["request_type"]) + str(form["indication"])
    assert 'id="id_new-request_type"' in html and 'name="request_type"' in html
    assert 'id="id_new-indication"' in html and 'name="indication"' in html
    assert [value for value, _ in form.fields["request_type"].choices] == [
        "initial",
        "continuation",
    ]
    assert [value for value, _ in form.fields["indication"].choices] == [
        "",
        "alpha_disease",
        "beta_disease",
    ]


def test_the_new_case_starts_answered(target):
    form = NewTestCaseForm(
        {"request_type": "continuation", "indication": "beta_disease"}, version=target
    )
    assert form.is_valid()
    case = form.case()
    assert case["request_type"] == "continuation" and case["indication"] == "beta_disease"
    assert case["answers"] == every_question_met(target, "continuation", "beta_disease")
    initial = TestCaseForm.initial_from(case)
    assert initial["request_type"] == "continuation" and initial["indication"] == "beta_disease"
    assert initial["answer__3.if"] == "not_met" and "answer__3.then" not in initial


def test_no_indication_is_every_indication(target):
    form = NewTestCaseForm({"request_type": "initial", "indication": ""}, version=target)
    assert form.is_valid() and form.case()["indication"] is None
    assert {"1.i", "2.i"} <= form.case()["answers"].keys()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"request_type": "bogus", "indication": ""}, "this version has no request type “bogus”"),
        (
            {"request_type": "initial", "indication": "gamma"},
            "this version has no indication “gamma”",
        ),
        ({"indication": "alpha_disease"}, "no request type was given"),
        ({"request_type": "", "indication": ""}, "no request type was given"),
        ({"request_type": "INITIAL", "indication": "Alpha"}, "no request type “INITIAL”"),
    ],
)
def test_values_the_version_does_not_have_are_refused_with_their_words(target, data, words):
    form = NewTestCaseForm(data, version=target)
    assert not form.is_valid()
    assert words in form.refusal()
    assert form.refusal().startswith("Nothing was answered for you")


# ---- failing leaves: a tick compares them --------------------------------------------------


@pytest.mark.parametrize(
    ("compare", "ticked", "failing"),
    [
        ("", [], None),  # nothing ticked, not compared: as before
        ("", ["1.ii"], ["1.ii"]),  # a tick compares, though left at "Not compared"
        ("", ["3.then", "1.ii"], ["1.ii", "3.then"]),  # in outline order
        ("exact", [], []),  # exact with none ticked: none may fail
        ("exact", ["4.A"], ["4.A"]),
    ],
)
def test_a_ticked_failing_leaf_means_failing_leaves_are_compared(target, compare, ticked, failing):
    ticks = {f"failing__{label}": "on" for label in ticked}
    forms = TestCaseForms(_post(target, expect_failing_compare=compare, **ticks), version=target)
    assert forms.is_valid(), forms.form.errors
    assert forms.case()["expect"]["failing"] == failing


def test_the_blank_failing_choice_says_a_tick_compares(target):
    form = TestCaseForm(version=target, leaves=version_leaves(target))
    choices = dict(form.fields["expect_failing_compare"].choices)
    assert choices[""] == "Not compared (unless a leaf is ticked)"


def test_a_ticked_leaf_with_not_compared_is_saved_compared_and_read_back_exact(
    target, policy_admin
):
    ticks = {"failing__1.ii": "on", "answer__1.ii": "not_met"}
    forms = TestCaseForms(
        _post(target, name="ticked", indication="alpha_disease", expect_result="not_met", **ticks),
        version=target,
    )
    assert forms.is_valid()
    saved = services.test_case_add(version=target, actor=policy_admin, case=forms.case())
    assert saved.expect["failing"] == ["1.ii"]
    again = TestCaseForms(version=target, case=services.test_case_document(saved))
    assert again.form.initial["expect_failing_compare"] == "exact"
    assert again.form.initial["failing__1.ii"] is True
