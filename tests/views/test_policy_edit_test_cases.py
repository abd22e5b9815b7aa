"""The editor's test cases and preview tabs: pages, POSTs, bad POSTs re-shown with their
errors and nothing saved."""

import copy
import re
from pathlib import Path

import pytest
from django.urls import reverse

from reviews.engine import document
from reviews.models import PolicyTestCase
from reviews.services.policies import policy_load

pytestmark = pytest.mark.django_db

PCSK9_FILE = Path(__file__).resolve().parents[2] / "policies" / "pcsk9-inhibitors-9200002.yaml"
ROWS = ("medications", "labs", "prior_therapies", "events")


@pytest.fixture(scope="session")
def pcsk9_document():
    return document.parse(PCSK9_FILE.read_text(encoding="utf-8"))


@pytest.fixture
def draft(db, pcsk9_document):
    doc = copy.deepcopy(pcsk9_document)
    doc["version"]["status"] = "draft"
    version, _ = policy_load(doc=doc)
    return version


@pytest.fixture
def admin(client, policy_admin):
    client.force_login(policy_admin)
    return client


def _data(**fields):
    data = {
        "name": "typed case",
        "request_type": "initial",
        "indication": "hefh",
        "expect_result": "unknown",
        "facts-request_date": "2026-11-28",
        "facts-member_dob": "1975-06-01",
        "facts-diagnosis_codes": "E78.01",
        "facts-labs-0-name": "LDL-C",
        "facts-labs-0-value": "195",
        "facts-labs-0-unit": "mg/dL",
        "facts-labs-0-date": "2026-11-02",
        "answer__PRE-2": "met",
        "suggest__1.iii": "met",
    }
    for key in ROWS:
        data[f"facts-{key}-TOTAL_FORMS"] = "2"
        data[f"facts-{key}-INITIAL_FORMS"] = "0"
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def _url(name, version, *args):
    return reverse(f"reviews:{name}", args=[version.pk, *args])


def test_list_and_run_all(admin, draft):
    page = admin.get(_url("policy-edit-test-cases", draft))
    assert page.status_code == 200
    first = draft.test_cases.first()
    assert first.name in page.content.decode()
    assert "Pass" not in page.content.decode()
    ran = admin.get(_url("policy-edit-test-cases", draft), {"run": "all"}).content.decode()
    assert f"{draft.test_cases.count()} passed, 0 failed" in ran
    first.expect = {**first.expect, "result": "not_met"}
    first.save()
    ran = admin.get(_url("policy-edit-test-cases", draft), {"run": "all"}).content.decode()
    assert "1 failed" in ran and "Result: expected not_met, got met" in ran


def test_run_all_on_an_invalid_draft_shows_its_problems(admin, draft):
    draft.criteria.filter(label="PRE-1").update(check_name="no_such_check")
    page = admin.get(_url("policy-edit-test-cases", draft), {"run": "all"}).content.decode()
    assert "not a valid document yet" in page and "no_such_check" in page


def test_add_page_offers_a_select_per_leaf_in_outline_order(admin, draft):
    page = admin.get(_url("policy-edit-test-case-add", draft)).content.decode()
    assert page.index('name="answer__PRE-1"') < page.index('name="answer__PRE-2"')
    assert 'name="suggest__1.iii"' in page and 'name="suggest__PRE-2"' not in page
    assert "Initial request" in page or draft.path_names["initial"] in page
    assert "{" not in page.split("<form", 2)[-1].split("</form>")[0].replace("{%", "")


def test_add_saves_and_comes_back_to_the_list(admin, draft):
    response = admin.post(_url("policy-edit-test-case-add", draft), _data())
    assert response.status_code == 302
    saved = PolicyTestCase.objects.get(version=draft, name="typed case")
    assert saved.answers == {"PRE-2": "met"}
    assert saved.facts["labs"] == [
        {"name": "LDL-C", "value": "195", "unit": "mg/dL", "date": "2026-11-02"}
    ]
    assert saved.facts["diagnosis_codes"] == ["E78.01"]
    assert saved.expect["suggestions"] == {"1.iii": "met"}
    assert response["Location"].endswith(f"#case-{saved.pk}")
    ran = admin.get(_url("policy-edit-test-cases", draft), {"run": "all"}).content.decode()
    assert "0 failed" in ran


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"name": ""}, "This field is required"),
        ({"facts-labs-0-value": "high"}, "Enter a number"),
        ({"facts-request_date": "28/11/2026"}, "Enter a valid date"),
        ({"facts-request_date": ""}, "missing required key &#x27;request_date&#x27;"),
        ({"suggest__PRE-1": "maybe"}, "Select a valid choice"),
        ({"expect_indication": "nope"}, "Select a valid choice"),
        ({"quantity_unit": "mg"}, "must be a number"),
    ],
)
def test_bad_posts_come_back_with_errors_and_nothing_saved(admin, draft, fields, words):
    count, edits = draft.test_cases.count(), draft.edits.count()
    response = admin.post(_url("policy-edit-test-case-add", draft), _data(**fields))
    assert response.status_code == 400
    page = response.content.decode()
    assert words in page
    assert "The case was not saved" in page
    assert 'value="typed case"' in page or fields.get("name") == ""
    assert draft.test_cases.count() == count and draft.edits.count() == edits


def test_a_document_problem_lands_at_its_field(admin, draft):
    taken = draft.test_cases.first().name
    response = admin.post(_url("policy-edit-test-case-add", draft), _data(name=taken))
    assert response.status_code == 400
    page = response.content.decode()
    assert "another test case is already named" in page
    # At the name field, not on top.
    assert page.index("another test case is already named") > page.index('name="name"')


def _answered(page: str) -> dict[str, str]:
    """The answer selected for each leaf of a case form, by label ("" when blank)."""
    found = {}
    for label, options in re.findall(
        r'<select name="answer__([^"]+)"[^>]*>(.*?)</select>', page, re.S
    ):
        chosen = re.search(r'<option value="([^"]*)" selected>', options)
        found[label] = chosen.group(1) if chosen else ""
    return found


def _selected(page: str, name: str) -> str:
    options = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    chosen = re.search(r'<option value="([^"]*)" selected>', options)
    return chosen.group(1) if chosen else ""


# The questions of an initial HeFH request, answered met with no condition applying: the
# if's condition (4.if: 4.if.a and 4.if.b) does not apply, its consequence (4.then) is not
# asked; not the other indication's questions, nor the continuation's.
INITIAL_HEFH_MET = {
    "PRE-1",
    "PRE-2",
    "1.i",
    "1.ii",
    "1.iii",
    "3.A.i",
    "3.A.ii",
    "3.A.iii",
    "3.A.iv",
}
INITIAL_HEFH_NOT_MET = {"4.if.a", "4.if.b"}


def test_answer_every_question_met_saves_nothing(admin, draft):
    count = draft.test_cases.count()
    response = admin.post(
        _url("policy-edit-test-case-add", draft),
        _data(all_met="1", name="", **{"suggest__1.iii": None, "answer__4.then": "met"}),
    )
    assert response.status_code == 200
    page = response.content.decode()
    answered = _answered(page)
    assert {label for label, a in answered.items() if a == "met"} == INITIAL_HEFH_MET
    assert {label for label, a in answered.items() if a == "not_met"} == INITIAL_HEFH_NOT_MET
    assert answered["4.then"] == ""  # the consequence is not asked, whatever was typed
    assert "answered “does not apply (not met)”" in page
    assert "This field is required" not in page
    assert draft.test_cases.count() == count


def test_the_button_says_conditions_do_not_apply(admin, draft):
    page = admin.get(_url("policy-edit-test-case-add", draft)).content.decode()
    assert "Answer every question met, no condition applying</button>" in page
    assert "each condition (“if”), answered “does not apply (not met)”" in page


# ---- add a test case for a path, from the list page -----------------------------------------


def test_the_list_page_offers_a_request_type_and_an_indication_to_add_a_case(admin, draft):
    page = admin.get(_url("policy-edit-test-cases", draft)).content.decode()
    add = _url("policy-edit-test-case-add", draft)
    form = re.search(rf'<form method="get" action="{add}".*?</form>', page, re.S).group(0)
    assert '<select name="request_type"' in form and 'id="id_new-request_type"' in form
    assert '<select name="indication"' in form and 'id="id_new-indication"' in form
    assert re.findall(r'<option value="([^"]*)"', form) == [
        "initial",
        "continuation",
        "",
        "hefh",
        "ascvd",
    ]
    assert '<button type="submit" class="btn btn-outline-primary">Add a test case</button>' in form
    assert f'<a class="btn btn-outline-primary" href="{add}">' not in page  # the link is gone


def test_a_published_version_offers_no_new_case(admin, kesimpta):
    page = admin.get(_url("policy-edit-test-cases", kesimpta)).content.decode()
    assert "id_new-request_type" not in page and "Add a test case" not in page


def test_the_add_page_opens_answered_for_the_chosen_request(admin, draft):
    count, edits = draft.test_cases.count(), draft.edits.count()
    response = admin.get(
        _url("policy-edit-test-case-add", draft), {"request_type": "initial", "indication": "hefh"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert _selected(page, "request_type") == "initial"
    assert _selected(page, "indication") == "hefh"
    answered = _answered(page)
    assert {label for label, a in answered.items() if a == "met"} == INITIAL_HEFH_MET
    assert {label for label, a in answered.items() if a == "not_met"} == INITIAL_HEFH_NOT_MET
    assert "Every question of this request type and indication is answered met" in page
    assert "change the few that differ, then save." in page
    assert "The case was not saved" not in page
    assert draft.test_cases.count() == count and draft.edits.count() == edits


def test_the_add_page_and_the_button_answer_alike(admin, draft):
    for request_type, indication in (("continuation", "ascvd"), ("initial", "")):
        got = admin.get(
            _url("policy-edit-test-case-add", draft),
            {"request_type": request_type, "indication": indication},
        ).content.decode()
        pressed = admin.post(
            _url("policy-edit-test-case-add", draft),
            _data(all_met="1", request_type=request_type, indication=indication),
        ).content.decode()
        assert _answered(got) == _answered(pressed)
        assert _selected(got, "request_type") == request_type
        assert _selected(got, "indication") == indication


def test_a_continuation_for_every_indication_leaves_the_initial_questions_blank(admin, draft):
    page = admin.get(
        _url("policy-edit-test-case-add", draft),
        {"request_type": "continuation", "indication": ""},
    ).content.decode()
    answered = _answered(page)
    assert answered["PRE-1"] == "met" and answered["3.A.i"] == ""
    assert answered["4.if.a"] == "not_met" and answered["4.then"] == ""


def test_a_plain_add_page_is_as_before(admin, draft):
    page = admin.get(_url("policy-edit-test-case-add", draft)).content.decode()
    assert set(_answered(page).values()) == {""}
    assert "is answered met" not in page and "Nothing was answered" not in page


def test_a_case_added_from_the_list_page_saves_and_passes(admin, draft):
    page = admin.get(
        _url("policy-edit-test-case-add", draft), {"request_type": "initial", "indication": "hefh"}
    ).content.decode()
    answers = {f"answer__{label}": a for label, a in _answered(page).items() if a}
    data = {k: v for k, v in _data(name="one click").items() if not k.startswith("answer__")}
    data = {k: v for k, v in data.items() if not k.startswith(("facts-labs-0", "suggest__"))}
    data.update({"facts-request_date": "", "facts-member_dob": "", "facts-diagnosis_codes": ""})
    data.update(answers, expect_result="met", expect_failing_compare="exact")
    response = admin.post(_url("policy-edit-test-case-add", draft), data)
    assert response.status_code == 302, response.content.decode()
    saved = draft.test_cases.get(name="one click")
    assert saved.answers == {
        **dict.fromkeys(INITIAL_HEFH_MET, "met"),
        **dict.fromkeys(INITIAL_HEFH_NOT_MET, "not_met"),
    }
    ran = admin.get(_url("policy-edit-test-cases", draft), {"run": "all"}).content.decode()
    assert "0 failed" in ran


def test_save_then_add_another_like_it(admin, draft):
    """The next case opens for the same request type and indication, answered as one added
    from the list page."""
    response = admin.post(_url("policy-edit-test-case-add", draft), _data(add_another="1"))
    assert response.status_code == 302
    assert PolicyTestCase.objects.filter(version=draft, name="typed case").exists()
    add = _url("policy-edit-test-case-add", draft)
    assert response["Location"] == f"{add}?request_type=initial&indication=hefh"
    page = admin.get(response["Location"]).content.decode()
    assert set(_answered(page).items()) >= {(label, "met") for label in INITIAL_HEFH_MET}


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"request_type": "bogus", "indication": "hefh"}, "no request type “bogus”"),
        ({"request_type": "initial", "indication": "nope"}, "no indication “nope”"),
        ({"indication": "hefh"}, "no request type was given"),
        (
            {"request_type": "<b>x</b>", "indication": "<i>y</i>"},
            "no request type “&lt;b&gt;x&lt;/b&gt;”; this version has no indication "
            "“&lt;i&gt;y&lt;/i&gt;”",
        ),
    ],
)
def test_unknown_values_are_ignored_and_said_so(admin, draft, query, words):
    count, edits = draft.test_cases.count(), draft.edits.count()
    response = admin.get(_url("policy-edit-test-case-add", draft), query)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was answered for you" in page and words in page
    assert "<b>x</b>" not in page
    assert set(_answered(page).values()) == {""}  # the plain add page
    assert _selected(page, "request_type") == "initial"
    assert "The case was not saved" not in page
    assert draft.test_cases.count() == count and draft.edits.count() == edits


def test_the_edit_page_ignores_the_new_case_query(admin, draft):
    case = draft.test_cases.first()
    page = admin.get(
        _url("policy-edit-test-case", draft, case.pk), {"request_type": "continuation"}
    ).content.decode()
    assert _selected(page, "request_type") == case.request_type
    assert "is answered met" not in page


# ---- failing leaves: a tick compares them --------------------------------------------------


def test_a_ticked_failing_leaf_is_compared_though_left_at_not_compared(admin, draft):
    response = admin.post(
        _url("policy-edit-test-case-add", draft),
        _data(name="ticked", expect_failing_compare="", **{"failing__PRE-1": "on"}),
    )
    assert response.status_code == 302
    saved = draft.test_cases.get(name="ticked")
    assert saved.expect["failing"] == ["PRE-1"]
    page = admin.get(_url("policy-edit-test-case", draft, saved.pk)).content.decode()
    assert _selected(page, "expect_failing_compare") == "exact"
    assert "Not compared (unless a leaf is ticked)" in page


def test_nothing_ticked_and_not_compared_compares_nothing(admin, draft):
    response = admin.post(
        _url("policy-edit-test-case-add", draft), _data(name="untouched", expect_failing_compare="")
    )
    assert response.status_code == 302
    assert draft.test_cases.get(name="untouched").expect.get("failing") is None


def test_a_bad_failing_choice_comes_back_400(admin, draft):
    response = admin.post(
        _url("policy-edit-test-case-add", draft),
        _data(expect_failing_compare="some", **{"failing__PRE-1": "on"}),
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_edit_shows_the_case_and_saves_a_change(admin, draft):
    case = draft.test_cases.first()
    page = admin.get(_url("policy-edit-test-case", draft, case.pk)).content.decode()
    assert 'value="2026-11-28"' in page and 'value="LDL-C"' in page
    assert 'name="failing__PRE-1"' in page
    data = _data(name="changed name", expect_failing_compare="exact", **{"failing__1.iii": "on"})
    response = admin.post(_url("policy-edit-test-case", draft, case.pk), data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.name == "changed name" and case.expect["failing"] == ["1.iii"]


def test_copy_and_delete(admin, draft):
    case = draft.test_cases.first()
    response = admin.post(_url("policy-edit-test-case-copy", draft, case.pk))
    dup = draft.test_cases.get(name=f"{case.name} (copy)")
    assert response["Location"] == _url("policy-edit-test-case", draft, dup.pk)
    response = admin.post(_url("policy-edit-test-case-delete", draft, dup.pk))
    assert response.status_code == 302
    assert not draft.test_cases.filter(pk=dup.pk).exists()
    # Undo from the frame brings it back.
    admin.post(reverse("reviews:policy-edit-undo", args=[draft.pk]))
    assert draft.test_cases.filter(name=dup.name).exists()


def test_a_published_version_refuses_with_409(admin, kesimpta):
    case = kesimpta.test_cases.first()
    response = admin.post(_url("policy-edit-test-case", kesimpta, case.pk), _data())
    assert response.status_code == 409
    assert kesimpta.test_cases.get(pk=case.pk).name == case.name


# ---- preview --------------------------------------------------------------------------------


def test_preview_page_and_a_loaded_test_case(admin, draft):
    assert admin.get(_url("policy-edit-preview", draft)).status_code == 200
    case = draft.test_cases.first()
    page = admin.get(_url("policy-edit-preview", draft), {"example": case.pk, "load": "1"})
    assert page.status_code == 200
    full = page.content.decode()
    assert 'value="2026-11-28"' in full  # the request, loaded into the form to change
    html = full[full.index('id="preview"') :]
    assert html.index("PRE-1") < html.index("PRE-2") < html.index("4.then")
    assert "Suggested: Met." in html and "Suggested: Not met." in html
    assert "Nov 28, 2026 to Feb 25, 2027 (90 days)" in html
    assert "980 mg in 7 doses" in html


def test_preview_of_typed_facts(admin, draft):
    data = {k: v for k, v in _data(show="1").items() if not k.startswith(("answer", "suggest"))}
    data["request_type"] = "continuation"
    html = admin.get(_url("policy-edit-preview", draft), data).content.decode()
    assert "Heterozygous familial hypercholesterolemia (hefh)" in html
    assert "Not asked now" in html or "preview-steps" in html
    # A continuation of HeFH: 12 calendar months.
    assert "Nov 28, 2026 to Nov 27, 2027" in html


def test_preview_with_a_bad_date_comes_back_400(admin, draft):
    data = _data(show="1", **{"facts-request_date": "soon"})
    response = admin.get(_url("policy-edit-preview", draft), data)
    assert response.status_code == 400
    assert "Enter a valid date" in response.content.decode()


def test_a_missing_request_date_lands_at_its_field(admin, draft):
    response = admin.post(
        _url("policy-edit-test-case-add", draft), _data(**{"facts-request_date": ""})
    )
    page = response.content.decode()
    at = page.index("missing required key")
    assert page.index('name="facts-request_date"') < at < page.index('name="facts-member_dob"')


def test_edit_warns_of_labels_no_longer_in_the_criteria(admin, draft):
    case = draft.test_cases.first()
    case.answers = {**case.answers, "gone": "met"}
    case.save()
    page = admin.get(_url("policy-edit-test-case", draft, case.pk)).content.decode()
    assert "This case names gone, no longer a question of the criteria" in page
