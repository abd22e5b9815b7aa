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


def test_answer_every_question_met_saves_nothing(admin, draft):
    count = draft.test_cases.count()
    response = admin.post(
        _url("policy-edit-test-case-add", draft),
        _data(all_met="1", name="", **{"suggest__1.iii": None}),
    )
    assert response.status_code == 200
    page = response.content.decode()
    # The questions of an initial HeFH request: not the other indication's, nor the
    # continuation's.
    met = set(
        re.findall(
            r'name="answer__([^"]+)"[^>]*>(?:(?!</select>).)*?<option value="met" selected>',
            page,
            re.S,
        )
    )
    assert met == {
        "PRE-1",
        "PRE-2",
        "1.i",
        "1.ii",
        "1.iii",
        "3.A.i",
        "3.A.ii",
        "3.A.iii",
        "3.A.iv",
        "4.if.a",
        "4.if.b",
        "4.then",
    }
    assert "This field is required" not in page
    assert draft.test_cases.count() == count


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
