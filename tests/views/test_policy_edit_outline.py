"""The outline pages: a policy from nothing, typed check parameters, moves, deletes, refusals."""

import re
from datetime import date
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from reviews.models import Criterion, Policy, PolicyEdit
from reviews.services import policy_outline as outline

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(policy_admin):
    return outline.policy_create(
        number="7700001", title="Exemplar", effective_date=date(2027, 1, 1), actor=policy_admin
    )


@pytest.fixture
def admin_client(client, policy_admin):
    client.force_login(policy_admin)
    return client


def _root(version):
    return Criterion.objects.get(version=version, parent=None)


def _add(client, version, anchor, where="child", **data):
    url = reverse("reviews:policy-edit-node-add", args=[version.pk, anchor.pk, where])
    return client.post(url, {"kind": "leaf", "evidence_required": "on", "save": "", **data})


def test_a_policy_is_created_from_nothing(admin_client):
    response = admin_client.post(
        reverse("reviews:policy-create"),
        {"number": "7700002", "title": "Exemplar", "effective_date": "2027-01-01"},
    )
    version = Policy.objects.get(number="7700002").versions.get()
    assert response.status_code == 302
    # A new draft opens on its text, the first thing to write.
    assert response["Location"] == reverse("reviews:policy-edit-details", args=[version.pk])
    page = admin_client.get(response["Location"])
    assert page.status_code == 200
    assert "Save the policy text and go on to Drugs" in page.content.decode()
    outline = admin_client.get(reverse("reviews:policy-edit", args=[version.pk]))
    assert b"root" in outline.content


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"number": "", "title": "X", "effective_date": "2027-01-01"}, "This field is required"),
        ({"number": "7700001", "title": "X", "effective_date": "2027-01-01"}, "already exists"),
        ({"number": "9", "title": "X", "effective_date": "1 Jan"}, "Enter a valid date"),
    ],
)
def test_a_policy_that_cannot_be_created_says_why(admin_client, draft, data, message):
    response = admin_client.post(reverse("reviews:policy-create"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Policy.objects.count() == 1


def test_case_staff_cannot_create_policies(client, nurse):
    client.force_login(nurse)
    assert client.get(reverse("reviews:policy-create")).status_code == 403


def test_the_new_node_form_suggests_the_next_label(admin_client, draft):
    url = reverse("reviews:policy-edit-node-add", args=[draft.pk, _root(draft).pk, "child"])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert response.context["form"].initial["label"] == "1"


def test_a_check_is_saved_from_typed_fields(admin_client, draft):
    response = _add(
        admin_client,
        draft,
        _root(draft),
        label="1",
        text="LDL-C at least 190.",
        check_name="lab_value",
        **{
            "p-lab_value-lab": "LDL-C",
            "p-lab_value-op": ">=",
            "p-lab_value-value": "190.0",
            "p-lab_value-unit": "mg/dL",
            "p-lab_value-within_count": "90",
            "p-lab_value-within_unit": "day",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    node = Criterion.objects.get(version=draft, label="1")
    assert (node.check_name, node.check_params) == (
        "lab_value",
        {
            "lab": "LDL-C",
            "op": ">=",
            "value": "190",
            "unit": "mg/dL",
            "within": {"count": 90, "unit": "day"},
        },
    )


def test_age_bands_and_code_answers_are_row_editors(admin_client, draft):
    bands = {
        "p-lab_value-lab": "LDL-C",
        "p-lab_value-thresholds_0_max_age": "17",
        "p-lab_value-thresholds_0_op": ">=",
        "p-lab_value-thresholds_0_value": "160",
        "p-lab_value-thresholds_1_min_age": "18",
        "p-lab_value-thresholds_1_op": ">=",
        "p-lab_value-thresholds_1_value": "190",
    }
    assert (
        _add(
            admin_client, draft, _root(draft), label="1", check_name="lab_value", **bands
        ).status_code
        == 302
    )
    assert Criterion.objects.get(label="1").check_params["thresholds"] == [
        {"max_age": 17, "op": ">=", "value": "160"},
        {"min_age": 18, "op": ">=", "value": "190"},
    ]
    codes = {
        "p-diagnosis_suggests-codes_0_code": "g35",
        "p-diagnosis_suggests-codes_0_answer": "met",
        "p-diagnosis_suggests-codes_0_meaning": "Multiple sclerosis",
    }
    assert (
        _add(
            admin_client, draft, _root(draft), label="2", check_name="diagnosis_suggests", **codes
        ).status_code
        == 302
    )
    assert Criterion.objects.get(label="2").check_params == {
        "codes": {"G35": {"answer": "met", "meaning": "Multiple sclerosis"}}
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"check_name": "lab_value", "p-lab_value-lab": "LDL-C"}, "needs op and value"),
        ({"check_name": "age_at_least"}, "This field is required"),
        ({"check_name": "age_at_least", "p-age_at_least-years": "-1"}, "greater than or equal"),
        ({"check_name": "specialty_in"}, "This field is required"),
        (
            {
                "check_name": "tried_at_least",
                "p-tried_at_least-min_duration_count": "3",
                "p-tried_at_least-min_duration_unit": "calendar_month",
                "p-tried_at_least-list": "x",
            },
            "Select a valid choice",
        ),
        ({"check_name": "no_such_check"}, "Select a valid choice"),
        ({"kind": "k_of_n"}, "Say how many"),
        (
            {"kind": "all", "check_name": "age_at_least", "p-age_at_least-years": "18"},
            "Only a question has a check",
        ),
        ({"label": "1 2"}, "Use letters, digits"),
    ],
)
def test_bad_nodes_are_refused_with_the_reason_and_nothing_saved(
    admin_client, draft, data, message
):
    response = _add(admin_client, draft, _root(draft), **{"label": "1", **data})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Criterion.objects.filter(version=draft).count() == 1
    assert not PolicyEdit.objects.exists()


def test_a_duplicate_label_is_refused(admin_client, draft):
    assert _add(admin_client, draft, _root(draft), label="1").status_code == 302
    response = _add(admin_client, draft, _root(draft), label="1")
    assert response.status_code == 400
    assert "1 is already used in this version" in response.content.decode()


def test_editing_keeps_the_check_params_shown(admin_client, draft, policy_admin):
    node = outline.criterion_add(
        version=draft,
        actor=policy_admin,
        anchor=_root(draft),
        where="child",
        fields={
            "label": "1",
            "kind": "leaf",
            "check_name": "age_at_least",
            "check_params": {"years": 18},
        },
    )
    response = admin_client.get(reverse("reviews:policy-edit-node", args=[draft.pk, node.pk]))
    assert response.context["params_forms"]["age_at_least"].initial["years"] == 18
    response = admin_client.post(
        reverse("reviews:policy-edit-node", args=[draft.pk, node.pk]),
        {
            "label": "1",
            "kind": "leaf",
            "text": "Now 17.",
            "check_name": "age_at_least",
            "p-age_at_least-years": "17",
            "save_next": "",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "reviews:policy-edit-node-add", args=[draft.pk, node.pk, "sibling"]
    )
    node.refresh_from_db()
    assert (node.text, node.check_params) == ("Now 17.", {"years": 17})


def test_move_delete_and_undo_from_the_page(admin_client, draft, policy_admin):
    root = _root(draft)
    one = outline.criterion_add(
        version=draft,
        actor=policy_admin,
        anchor=root,
        where="child",
        fields={"label": "1", "kind": "any"},
    )
    outline.criterion_add(
        version=draft,
        actor=policy_admin,
        anchor=one,
        where="child",
        fields={"label": "1.A", "kind": "leaf"},
    )
    two = outline.criterion_add(
        version=draft,
        actor=policy_admin,
        anchor=one,
        where="sibling",
        fields={"label": "2", "kind": "leaf"},
    )
    move = reverse("reviews:policy-edit-node-move", args=[draft.pk, two.pk])
    assert admin_client.post(move, {"direction": "up"}).status_code == 302
    assert [c.label for c in root.children.order_by("position")] == ["2", "1"]
    refused = admin_client.post(move, {"direction": "up"}, follow=True)
    assert "already the first" in refused.content.decode()

    delete = reverse("reviews:policy-edit-node-delete", args=[draft.pk, one.pk])
    confirm = admin_client.get(delete)
    assert "1, 1.A" in confirm.content.decode()
    assert admin_client.post(delete).status_code == 302
    assert not Criterion.objects.filter(version=draft, label__in=["1", "1.A"]).exists()

    undo = reverse("reviews:policy-edit-undo", args=[draft.pk])
    assert admin_client.post(undo, {"next": "https://evil.example/"}).status_code == 302
    assert Criterion.objects.filter(version=draft, label__in=["1", "1.A"]).count() == 2


def test_a_published_version_is_shown_but_not_changed(admin_client, kesimpta):
    assert admin_client.get(reverse("reviews:policy-edit", args=[kesimpta.pk])).status_code == 200
    node = Criterion.objects.filter(version=kesimpta).exclude(parent=None).first()
    response = admin_client.post(
        reverse("reviews:policy-edit-node-move", args=[kesimpta.pk, node.pk]),
        {"direction": "down"},
    )
    assert response.status_code == 409
    assert "published versions never change" in response.content.decode()


def test_a_node_of_another_version_is_not_found(admin_client, draft, kesimpta):
    other = Criterion.objects.filter(version=kesimpta).first()
    url = reverse("reviews:policy-edit-node", args=[draft.pk, other.pk])
    assert admin_client.get(url).status_code == 404


def test_the_check_words_follow_the_typing(admin_client, draft):
    url = reverse("reviews:policy-edit-check-words", args=[draft.pk])
    response = admin_client.get(url, {"check_name": "age_at_least", "p-age_at_least-years": "18"})
    assert response.status_code == 200
    assert "Suggests met when the member is at least 18 years old" in response.content.decode()
    partial = admin_client.get(url, {"check_name": "lab_value", "p-lab_value-lab": "LDL-C"})
    assert partial.status_code == 200
    assert "needs op and value" in partial.content.decode()
    assert admin_client.get(url, {"check_name": "nope"}).status_code == 200


def test_criteria_are_pasted_from_the_page(admin_client, draft):
    url = reverse("reviews:policy-edit-node-paste", args=[draft.pk, _root(draft).pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"text": "1. One of:\nA. a\nB. b"})
    assert response.status_code == 302
    assert sorted(Criterion.objects.filter(version=draft).values_list("label", flat=True)) == [
        "1",
        "1.A",
        "1.B",
        "root",
    ]
    bad = admin_client.post(url, {"text": "no label"})
    assert bad.status_code == 400
    assert "starts without a label" in bad.content.decode()


def test_pasted_words_propose_checks_shown_first_and_added_only_when_kept(admin_client, draft):
    url = reverse("reviews:policy-edit-node-paste", args=[draft.pk, _root(draft).pk])
    text = (
        "1. Patient is 18 years of age or older.\n"
        "2. Patient is under 65 years of age.\n"
        "3. Tuberculosis screening is documented."
    )
    shown = admin_client.post(url, {"text": text})
    # Proposals are shown, ticked, and nothing is added yet.
    assert shown.status_code == 200
    page = shown.content.decode()
    assert 'name="use__1"' in page and 'name="use__2"' in page and 'name="use__3"' not in page
    assert "at least 18 years old" in page
    assert Criterion.objects.filter(version=draft).count() == 1
    digest = shown.context["shown"]

    # The same text again with only the first kept: added, with that check alone.
    added = admin_client.post(url, {"text": text, "shown": digest, "use__1": "1"})
    assert added.status_code == 302
    rows = {c.label: c for c in Criterion.objects.filter(version=draft)}
    assert (rows["1"].check_name, rows["1"].check_params) == ("age_at_least", {"years": 18})
    assert rows["2"].check_name == "" and rows["3"].check_name == ""


def test_a_text_changed_after_its_proposals_were_shown_is_shown_again(admin_client, draft):
    url = reverse("reviews:policy-edit-node-paste", args=[draft.pk, _root(draft).pk])
    first = admin_client.post(url, {"text": "1. Patient is 18 years of age or older."})
    again = admin_client.post(
        url,
        {
            "text": "1. Patient is 21 years of age or older.",
            "shown": first.context["shown"],
            "use__1": "1",
        },
    )
    assert again.status_code == 200
    assert "at least 21 years old" in again.content.decode()
    assert Criterion.objects.filter(version=draft).count() == 1


def test_a_group_title_proposes_its_indication(admin_client, draft):
    from reviews.models import Indication

    Indication.objects.create(
        version=draft, key="alpha", name="Alpha disease", initial_approval_count=6
    )
    url = reverse("reviews:policy-edit-node-paste", args=[draft.pk, _root(draft).pk])
    text = "1 Alpha disease\n    i. Patient has a rash.\n    ii. Patient has an itch."
    shown = admin_client.post(url, {"text": text})
    assert "For the indication Alpha disease." in shown.content.decode()
    admin_client.post(url, {"text": text, "shown": shown.context["shown"], "use__1": "1"})
    assert Criterion.objects.get(version=draft, label="1").indication == "alpha"


# ---- The paste page's second step: what is saved with each pasted line ----------------------

PASTED = (
    "1 Alpha disease\n"
    "    i. Patient is 18 years of age or older.\n"
    "    ii. Alpha severity score is at least 10 within the past 90 days.\n"
    "    iii. Prescriber attests the patient is eligible.\n"
    "2 Initial therapy\n"
    "    A. Tuberculosis screening is documented.\n"
)


class _Fields(HTMLParser):
    """What a browser sends for a page's form: each named input, select and textarea as
    shown (a checkbox only when ticked)."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, str] = {}
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") != "submit":
            if attrs.get("type") != "checkbox" or "checked" in attrs:
                self.data[name] = attrs.get("value") or (
                    "on" if attrs.get("type") == "checkbox" else ""
                )
        elif tag == "select":
            self._select = name
            self.data[name] = ""
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def _as_shown(response, **changes) -> dict[str, str]:
    """The page's form as a browser sends it, with `changes` made (None unticks/removes)."""
    parser = _Fields()
    parser.feed(response.content.decode())
    data = {k: v for k, v in parser.data.items() if k != "csrfmiddlewaretoken"}
    data["text"] = data["text"].lstrip("\n")  # the browser drops a textarea's first newline
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


@pytest.fixture
def alpha(draft):
    from reviews.models import Indication

    return Indication.objects.create(
        version=draft, key="alpha", name="Alpha disease", initial_approval_count=6
    )


def _paste_url(draft):
    return reverse("reviews:policy-edit-node-paste", args=[draft.pk, _root(draft).pk])


def test_the_proposals_page_shows_what_is_saved_with_each_line_prefilled(
    admin_client, draft, alpha
):
    shown = admin_client.post(_paste_url(draft), {"text": PASTED})
    assert shown.status_code == 200
    page = shown.content.decode()
    assert Criterion.objects.filter(version=draft).count() == 1
    data = _as_shown(shown)
    # Every question: evidence required, ticked; a proposed check's parameters, filled in.
    for label in ("1.i", "1.ii", "1.iii", "2.A"):
        assert data[f"evidence__{label}"] == "on"
    assert "use__1.iii" not in data and "p-1.iii" not in page
    assert (data["use__1.i"], data["p-1.i-age_at_least-years"]) == ("on", "18")
    assert {k: v for k, v in data.items() if k.startswith("p-1.ii-") and v} == {
        "p-1.ii-lab_value-lab": "Alpha severity",
        "p-1.ii-lab_value-op": ">=",
        "p-1.ii-lab_value-value": "10",
        "p-1.ii-lab_value-within_count": "90",
        "p-1.ii-lab_value-within_unit": "day",
    }
    # Every group: its title as parsed, the path and indication its title proposes.
    assert (data["title__1"], data["path__1"], data["indication__1"]) == (
        "Alpha disease",
        "",
        "alpha",
    )
    assert (data["title__2"], data["path__2"], data["indication__2"]) == (
        "Initial therapy",
        "initial",
        "",
    )
    assert "use__1" not in data and "use__2" not in data  # the selects say it
    assert data["anchor_title"] == "Exemplar"
    assert '<label class="form-label" for="id_anchor_title">Title of root</label>' in page
    # Labels with dots: ids without them, each input named after its criterion.
    assert not re.search(r'\bid="[^"]*\.[^"]*"', page)
    assert (
        '<input type="checkbox" name="evidence__1.ii" class="form-check-input" '
        'id="id_evidence__1_ii" checked> <label class="form-check-label" '
        'for="id_evidence__1_ii">Evidence required<span class="visually-hidden"> for 1.ii</span>'
    ) in page
    assert (
        '<label class="form-label mb-0" for="id_p-1_ii-lab_value-lab">Lab test (as named on '
        'results)<span class="visually-hidden"> for 1.ii</span></label>'
    ) in page
    assert 'for="id_title__2">Title<span class="visually-hidden"> of 2</span>' in page
    assert (
        'for="id_use__1_i">Keep<span class="visually-hidden"> the proposal for 1.i</span>' in page
    )


def test_the_page_left_as_shown_adds_what_the_words_propose(admin_client, draft, alpha):
    shown = admin_client.post(_paste_url(draft), {"text": PASTED})
    added = admin_client.post(_paste_url(draft), _as_shown(shown))
    assert added.status_code == 302
    rows = {c.label: c for c in Criterion.objects.filter(version=draft)}
    assert (rows["1.i"].check_name, rows["1.i"].check_params) == ("age_at_least", {"years": 18})
    assert rows["1.ii"].check_params == {
        "lab": "Alpha severity",
        "op": ">=",
        "value": "10",
        "within": {"count": 90, "unit": "day"},
    }
    assert all(rows[label].evidence_required for label in ("1.i", "1.ii", "1.iii", "2.A"))
    assert (rows["1"].title, rows["1"].indication, rows["1"].path) == ("Alpha disease", "alpha", "")
    assert (rows["2"].title, rows["2"].indication, rows["2"].path) == (
        "Initial therapy",
        "",
        "initial",
    )
    assert rows["root"].title == "Exemplar"
    assert PolicyEdit.objects.get(version=draft).summary == "Pasted 6 criteria under root"


def test_what_is_set_on_the_proposals_page_is_saved_in_one_change(
    admin_client, draft, alpha, policy_admin
):
    shown = admin_client.post(_paste_url(draft), {"text": PASTED})
    data = _as_shown(
        shown,
        **{
            "evidence__1.iii": None,
            "p-1.i-age_at_least-years": "21",
            "p-1.ii-lab_value-lab": "ASI",
            "title__1": "Alpha",
            "indication__1": "",
            "path__1": "continuation",
            "title__2": "",
            "path__2": "",
            "indication__2": "alpha",
            "anchor_title": "Criteria for Exemplar",
        },
    )
    added = admin_client.post(_paste_url(draft), data)
    assert added.status_code == 302
    rows = {c.label: c for c in Criterion.objects.filter(version=draft)}
    assert rows["1.i"].check_params == {"years": 21}
    assert rows["1.ii"].check_params["lab"] == "ASI"
    assert [label for label, row in rows.items() if not row.evidence_required] == ["1.iii"]
    assert (rows["1"].title, rows["1"].path, rows["1"].indication) == ("Alpha", "continuation", "")
    assert (rows["2"].title, rows["2"].path, rows["2"].indication) == ("", "", "alpha")
    assert rows["root"].title == "Criteria for Exemplar"
    assert PolicyEdit.objects.filter(version=draft).count() == 1

    admin_client.post(reverse("reviews:policy-edit-undo", args=[draft.pk]))
    assert list(Criterion.objects.filter(version=draft).values_list("label", "title")) == [
        ("root", "Exemplar")
    ]


def test_an_unkept_proposal_is_added_without_its_check_whatever_its_fields_say(
    admin_client, draft, alpha
):
    shown = admin_client.post(_paste_url(draft), {"text": PASTED})
    data = _as_shown(
        shown, **{"use__1.ii": None, "p-1.ii-lab_value-lab": "", "p-1.ii-lab_value-op": "~"}
    )
    assert admin_client.post(_paste_url(draft), data).status_code == 302
    node = Criterion.objects.get(version=draft, label="1.ii")
    assert (node.check_name, node.check_params, node.evidence_required) == ("", {}, True)


def _row(page: str, label: str) -> str:
    """The proposals table's row of a label (up to the next row's header)."""
    start = page.index(f'<th scope="row" class="text-nowrap fw-normal ps-1">{label}</th>')
    ends = [page.find(end, start + 1) for end in ('<th scope="row"', "</tbody>")]
    return page[start : min(i for i in ends if i > 0)]


@pytest.mark.parametrize(
    ("changes", "label", "field_id", "message"),
    [
        (
            {"p-1.i-age_at_least-years": ""},
            "1.i",
            "id_p-1_i-age_at_least-years",
            "This field is required.",
        ),
        (
            {"p-1.i-age_at_least-years": "x"},
            "1.i",
            "id_p-1_i-age_at_least-years",
            "Enter a whole number.",
        ),
        # The engine's judgement, as on the node form: about the check, or about a parameter.
        ({"p-1.ii-lab_value-value": ""}, "1.ii", None, "needs op and value"),
        (
            {"p-1.ii-lab_value-within_unit": ""},
            "1.ii",
            "id_p-1_ii-lab_value-within_count",
            "parameter &#x27;within&#x27; must have a unit",
        ),
    ],
)
def test_invalid_parameters_of_a_kept_proposal_show_the_page_again_and_add_nothing(
    admin_client, draft, alpha, changes, label, field_id, message
):
    shown = admin_client.post(_paste_url(draft), {"text": PASTED})
    data = _as_shown(shown, **changes, **{"evidence__2.A": None, "title__1": "Edited"})
    again = admin_client.post(_paste_url(draft), data)
    assert again.status_code == 400
    page = again.content.decode()
    assert f"Correct the parameters of {label}, or untick its proposal" in page
    row = _row(page, label)
    if field_id is None:
        assert f'role="alert"><p class="mb-0">Check lab_value: {message}' in row
    else:  # at the field: right after it, before the next field
        after = row[row.index(f'id="{field_id}"') :]
        ends = [i for i in (after.find('class="paste-param"'), after.find("</td>")) if i >= 0]
        assert 0 <= after.find(message) < min(ends)
    # Everything typed is kept.
    assert 'name="title__1" value="Edited"' in page
    assert 'name="evidence__2.A" class="form-check-input" id="id_evidence__2_A">' in page
    assert Criterion.objects.filter(version=draft).count() == 1
    assert not PolicyEdit.objects.filter(version=draft).exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"path__1": "renewal"}, "Select a valid choice"),
        ({"indication__2": "beta"}, "Select a valid choice"),
        ({"anchor_title": "x" * 301}, "at most 300 characters"),
    ],
)
def test_a_path_or_indication_the_version_does_not_have_adds_nothing(
    admin_client, draft, alpha, changes, message
):
    shown = admin_client.post(_paste_url(draft), {"text": PASTED})
    again = admin_client.post(_paste_url(draft), _as_shown(shown, **changes))
    assert again.status_code == 400
    assert message in again.content.decode()
    assert Criterion.objects.filter(version=draft).count() == 1


def test_a_changed_text_shows_its_own_proposals_and_reads_none_of_the_old_fields(
    admin_client, draft, alpha
):
    shown = admin_client.post(_paste_url(draft), {"text": PASTED})
    changed = PASTED.replace("18 years", "19 years")
    data = _as_shown(shown, text=changed, **{"evidence__1.iii": None, "title__1": "Edited"})
    again = admin_client.post(_paste_url(draft), data)
    assert again.status_code == 200
    fresh = _as_shown(again)
    assert fresh["p-1.i-age_at_least-years"] == "19"
    assert (fresh["evidence__1.iii"], fresh["title__1"]) == ("on", "Alpha disease")
    assert Criterion.objects.filter(version=draft).count() == 1


def test_without_proposals_no_second_page_and_the_defaults_are_saved(admin_client, draft):
    added = admin_client.post(_paste_url(draft), {"text": "1 Some heading\n    A. Attested."})
    assert added.status_code == 302
    rows = {c.label: c for c in Criterion.objects.filter(version=draft)}
    assert rows["1.A"].evidence_required is True and rows["1"].title == "Some heading"


def test_a_paste_refused_on_the_last_press_keeps_the_page_as_set(admin_client, draft, alpha):
    shown = admin_client.post(_paste_url(draft), {"text": PASTED})
    assert (
        _add(admin_client, draft, _root(draft), label="2.A", text="Meanwhile.").status_code == 302
    )
    again = admin_client.post(_paste_url(draft), _as_shown(shown, **{"title__1": "Edited"}))
    assert again.status_code == 400
    page = again.content.decode()
    assert "These labels are already used in this version: 2.A" in page
    assert 'name="title__1" value="Edited"' in page
    assert Criterion.objects.filter(version=draft).count() == 2
