"""The criteria tree edited one node at a time, each change saved and undoable."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from reviews.errors import PolicyVersionLocked
from reviews.models import Criterion, PolicyEdit
from reviews.services import policy_outline as outline
from reviews.services.policies import policy_version_clone
from reviews.services.policy_edits import (
    NothingToUndo,
    draft_snapshot,
    policy_edit_undo,
)

pytestmark = pytest.mark.django_db


def _tree(version) -> list[tuple[str, str | None, int]]:
    """(label, parent label, position) of every node, in a fixed order."""
    return sorted(
        (c.label, c.parent.label if c.parent else None, c.position)
        for c in Criterion.objects.filter(version=version).select_related("parent")
    )


def _leaf(label: str, **extra) -> dict:
    return {"label": label, "kind": "leaf", "text": f"Text of {label}.", **extra}


@pytest.fixture
def draft(policy_admin):
    return outline.policy_create(
        number="7700001", title="Exemplar", effective_date=date(2027, 1, 1), actor=policy_admin
    )


def _root(version) -> Criterion:
    return Criterion.objects.get(version=version, parent=None)


def test_a_new_policy_is_a_draft_with_an_empty_root(draft):
    assert (draft.number, draft.status, draft.policy.number) == (1, "draft", "7700001")
    assert _tree(draft) == [("root", None, 0)]
    assert _root(draft).kind == "all"


def test_a_policy_number_is_taken_once(draft, policy_admin):
    with pytest.raises(outline.OutlineRefused, match="already exists"):
        outline.policy_create(
            number="7700001", title="Again", effective_date=date(2027, 1, 1), actor=policy_admin
        )


def test_children_and_siblings_go_where_asked(draft, policy_admin):
    root = _root(draft)
    one = outline.criterion_add(
        version=draft, actor=policy_admin, anchor=root, where="child", fields=_leaf("1")
    )
    outline.criterion_add(
        version=draft,
        actor=policy_admin,
        anchor=root,
        where="child",
        fields={"label": "3", "kind": "all", "text": "All of:"},
    )
    outline.criterion_add(
        version=draft, actor=policy_admin, anchor=one, where="sibling", fields=_leaf("2")
    )
    assert _tree(draft) == [("1", "root", 0), ("2", "root", 1), ("3", "root", 2), ("root", None, 0)]


def test_labels_are_suggested_in_the_policies_own_style(draft, policy_admin):
    root = _root(draft)
    assert outline.label_suggest(draft, root, None) == "1"
    one = outline.criterion_add(
        version=draft,
        actor=policy_admin,
        anchor=root,
        where="child",
        fields={"label": "1", "kind": "all"},
    )
    assert outline.label_suggest(draft, root, one) == "2"
    assert outline.label_suggest(draft, one, None) == "1.A"
    a = outline.criterion_add(
        version=draft,
        actor=policy_admin,
        anchor=one,
        where="child",
        fields={"label": "1.A", "kind": "any"},
    )
    assert outline.label_suggest(draft, one, a) == "1.B"
    assert outline.label_suggest(draft, a, None) == "1.A.i"
    i = outline.criterion_add(
        version=draft, actor=policy_admin, anchor=a, where="child", fields=_leaf("1.A.i")
    )
    assert outline.label_suggest(draft, a, i) == "1.A.ii"
    # A taken label is never suggested.
    outline.criterion_add(
        version=draft, actor=policy_admin, anchor=i, where="sibling", fields=_leaf("1.A.ii")
    )
    assert outline.label_suggest(draft, a, i) == "1.A.ii-2"


def test_what_cannot_be_added_is_refused_with_the_reason(draft, policy_admin):
    root = _root(draft)
    leaf = outline.criterion_add(
        version=draft, actor=policy_admin, anchor=root, where="child", fields=_leaf("1")
    )
    with pytest.raises(outline.OutlineRefused, match="is a question"):
        outline.criterion_add(
            version=draft, actor=policy_admin, anchor=leaf, where="child", fields=_leaf("1.A")
        )
    with pytest.raises(outline.OutlineRefused, match="root has no siblings"):
        outline.criterion_add(
            version=draft, actor=policy_admin, anchor=root, where="sibling", fields=_leaf("2")
        )
    with pytest.raises(outline.OutlineRefused, match="already used"):
        outline.criterion_add(
            version=draft, actor=policy_admin, anchor=leaf, where="sibling", fields=_leaf("1")
        )
    assert _tree(draft) == [("1", "root", 0), ("root", None, 0)]
    # Refused changes leave nothing to undo but the one that was made.
    assert PolicyEdit.objects.filter(version=draft).count() == 1


def _build(draft, actor):
    """root: 1, 2 (all: 2.A, 2.B), 3"""
    root = _root(draft)
    add = outline.criterion_add
    one = add(version=draft, actor=actor, anchor=root, where="child", fields=_leaf("1"))
    two = add(
        version=draft,
        actor=actor,
        anchor=one,
        where="sibling",
        fields={"label": "2", "kind": "all"},
    )
    a = add(version=draft, actor=actor, anchor=two, where="child", fields=_leaf("2.A"))
    b = add(version=draft, actor=actor, anchor=a, where="sibling", fields=_leaf("2.B"))
    three = add(version=draft, actor=actor, anchor=two, where="sibling", fields=_leaf("3"))
    return one, two, a, b, three


def test_moves_up_down_in_and_out(draft, policy_admin):
    _one, two, a, b, three = _build(draft, policy_admin)
    move = outline.criterion_move
    move(version=draft, actor=policy_admin, criterion=b, direction="up")
    assert [c.label for c in two.children.order_by("position")] == ["2.B", "2.A"]
    move(version=draft, actor=policy_admin, criterion=three, direction="indent")
    assert [c.label for c in two.children.order_by("position")] == ["2.B", "2.A", "3"]
    move(version=draft, actor=policy_admin, criterion=a, direction="outdent")
    assert _tree(draft) == [
        ("1", "root", 0),
        ("2", "root", 1),
        ("2.A", "root", 2),
        ("2.B", "2", 0),
        ("3", "2", 1),
        ("root", None, 0),
    ]
    move(version=draft, actor=policy_admin, criterion=two, direction="down")
    assert [c.label for c in _root(draft).children.order_by("position")] == ["1", "2.A", "2"]


@pytest.mark.parametrize(
    ("which", "direction", "reason"),
    [
        (0, "up", "already the first"),
        (4, "down", "already the last"),
        (0, "indent", "no group above"),
        (4, "outdent", "already at the top level"),
        (2, "indent", "no group above"),
        (3, "indent", "is a question"),
        (0, "sideways", "Move a node"),
    ],
)
def test_impossible_moves_are_refused(draft, policy_admin, which, direction, reason):
    nodes = _build(draft, policy_admin)
    before = _tree(draft)
    with pytest.raises(outline.OutlineRefused, match=reason):
        outline.criterion_move(
            version=draft, actor=policy_admin, criterion=nodes[which], direction=direction
        )
    assert _tree(draft) == before


def test_a_node_becomes_a_question_only_without_children(draft, policy_admin):
    _one, two, *_ = _build(draft, policy_admin)
    with pytest.raises(outline.OutlineRefused, match="has nodes under it"):
        outline.criterion_update(
            version=draft, actor=policy_admin, criterion=two, fields={"kind": "leaf"}
        )
    assert Criterion.objects.get(pk=two.pk).kind == "all"


def test_delete_takes_the_subtree_and_renumbers(draft, policy_admin):
    _one, two, *_ = _build(draft, policy_admin)
    assert outline.subtree_labels(two) == ["2", "2.A", "2.B"]
    gone = outline.criterion_delete(version=draft, actor=policy_admin, criterion=two)
    assert gone == ["2", "2.A", "2.B"]
    assert _tree(draft) == [("1", "root", 0), ("3", "root", 1), ("root", None, 0)]
    assert PolicyEdit.objects.filter(version=draft).first().summary == (
        "Deleted 2 and 2 nodes under it"
    )
    with pytest.raises(outline.OutlineRefused, match="root cannot be deleted"):
        outline.criterion_delete(version=draft, actor=policy_admin, criterion=_root(draft))


def test_undo_puts_back_the_draft_as_it_was_step_by_step(draft, policy_admin):
    _one, two, _a, b, _three = _build(draft, policy_admin)
    built = draft_snapshot(draft)
    outline.criterion_update(
        version=draft,
        actor=policy_admin,
        criterion=b,
        fields={"text": "Changed.", "check_name": "age_at_least", "check_params": {"years": 18}},
    )
    changed = draft_snapshot(draft)
    outline.criterion_delete(version=draft, actor=policy_admin, criterion=two)
    assert policy_edit_undo(version=draft, actor=policy_admin).summary.startswith("Deleted 2")
    assert draft_snapshot(draft) == changed
    assert policy_edit_undo(version=draft, actor=policy_admin).summary == "Changed 2.B"
    assert draft_snapshot(draft) == built


def test_undo_with_nothing_to_undo_says_so(draft, policy_admin):
    with pytest.raises(NothingToUndo):
        policy_edit_undo(version=draft, actor=policy_admin)


def test_a_real_policy_survives_a_move_and_its_undo(kesimpta, policy_admin):
    """Kesimpta's draft: everything (lists, indications, drugs, test cases) comes back."""
    clone = policy_version_clone(
        version=kesimpta, actor=policy_admin, effective_date=date(2027, 1, 1)
    )
    before = draft_snapshot(clone)
    group = Criterion.objects.filter(version=clone, parent__parent=None).exclude(kind="leaf")
    node = group.order_by("position").last()
    outline.criterion_move(version=clone, actor=policy_admin, criterion=node, direction="up")
    assert draft_snapshot(clone) != before
    policy_edit_undo(version=clone, actor=policy_admin)
    assert draft_snapshot(clone) == before


def test_a_published_version_never_changes(kesimpta, policy_admin):
    node = Criterion.objects.filter(version=kesimpta).exclude(parent=None).first()
    with pytest.raises(PolicyVersionLocked, match="Clone it"):
        outline.criterion_update(
            version=kesimpta, actor=policy_admin, criterion=node, fields={"text": "Changed."}
        )
    with pytest.raises(PolicyVersionLocked):
        policy_edit_undo(version=kesimpta, actor=policy_admin)


def test_only_policy_admins_edit(draft, nurse):
    with pytest.raises(PermissionDenied):
        outline.criterion_add(
            version=draft, actor=nurse, anchor=_root(draft), where="child", fields=_leaf("1")
        )
    with pytest.raises(PermissionDenied):
        outline.policy_create(number="1", title="x", effective_date=date(2027, 1, 1), actor=nurse)


def test_pasted_criteria_are_added_under_a_group_in_one_change(draft, policy_admin):
    root = _root(draft)
    outline.criterion_add(
        version=draft, actor=policy_admin, anchor=root, where="child", fields=_leaf("1")
    )
    created = outline.criteria_paste(
        version=draft,
        actor=policy_admin,
        anchor=root,
        text="2. Patient meets one of:\nA. First\nB. Second\n3. Last",
    )
    assert [c.label for c in created] == ["2", "2.A", "2.B", "3"]
    assert _tree(draft) == [
        ("1", "root", 0),
        ("2", "root", 1),
        ("2.A", "2", 0),
        ("2.B", "2", 1),
        ("3", "root", 2),
        ("root", None, 0),
    ]
    assert Criterion.objects.get(version=draft, label="2").kind == "any"
    assert PolicyEdit.objects.filter(version=draft).first().summary == (
        "Pasted 4 criteria under root"
    )
    policy_edit_undo(version=draft, actor=policy_admin)
    assert _tree(draft) == [("1", "root", 0), ("root", None, 0)]


def test_a_paste_that_clashes_or_cannot_be_read_adds_nothing(draft, policy_admin):
    root = _root(draft)
    outline.criterion_add(
        version=draft, actor=policy_admin, anchor=root, where="child", fields=_leaf("1")
    )
    with pytest.raises(outline.OutlineRefused, match="already used in this version: 1"):
        outline.criteria_paste(
            version=draft, actor=policy_admin, anchor=root, text="1. Again\n2. New"
        )
    with pytest.raises(outline.OutlineRefused, match="starts without a label"):
        outline.criteria_paste(version=draft, actor=policy_admin, anchor=root, text="no label here")
    assert _tree(draft) == [("1", "root", 0), ("root", None, 0)]


def test_a_pasted_heading_is_the_group_title(draft, policy_admin):
    [group, _leaf_row] = outline.criteria_paste(
        version=draft, actor=policy_admin, anchor=_root(draft), text="1 Alpha disease\n  i. Has it."
    )
    assert (group.label, group.title, group.text, group.kind) == ("1", "Alpha disease", "", "all")


PASTED = (
    "1 Alpha disease\n"
    "    i. Patient is 18 years of age or older.\n"
    "    ii. Prescriber attests the patient is eligible.\n"
    "2 Continuation of therapy\n"
    "    A. Patient is 21 years of age or older.\n"
)


@pytest.fixture
def alpha(draft):
    from reviews.models import Indication

    return Indication.objects.create(
        version=draft, key="alpha", name="Alpha disease", initial_approval_count=6
    )


def test_what_the_proposals_page_sets_is_saved_with_the_paste_in_one_change(
    draft, policy_admin, alpha
):
    from reviews.engine.check_proposals import GroupProposal, Proposal

    root = _root(draft)
    created = outline.criteria_paste(
        version=draft,
        actor=policy_admin,
        anchor=root,
        text=PASTED,
        accepted={
            "1.i": Proposal("age_at_least", {"years": 19}),
            "2": GroupProposal(path="continuation"),  # replaced by the group's settings
        },
        settings={
            "1": outline.PasteSetting(title=" Alpha ", path="initial", indication="alpha"),
            "1.ii": outline.PasteSetting(evidence_required=False),
            "1.i": outline.PasteSetting(evidence_required=True),
            "2": outline.PasteSetting(title="", path="", indication=""),
        },
        anchor_title="Criteria for Exemplar",
    )
    rows = {c.label: c for c in created}
    assert (rows["1"].title, rows["1"].path, rows["1"].indication) == ("Alpha", "initial", "alpha")
    assert (rows["2"].title, rows["2"].path, rows["2"].indication) == ("", "", "")
    assert (rows["1.i"].check_name, rows["1.i"].check_params) == ("age_at_least", {"years": 19})
    assert rows["1.i"].evidence_required is True
    assert rows["1.ii"].evidence_required is False
    assert rows["2.A"].evidence_required is True  # no setting: the model's default
    assert rows["2.A"].check_name == ""  # its proposal was not kept
    assert Criterion.objects.get(pk=root.pk).title == "Criteria for Exemplar"
    assert PolicyEdit.objects.filter(version=draft).count() == 1
    assert PolicyEdit.objects.get(version=draft).summary == (
        "Pasted 5 criteria under root and retitled root"
    )

    policy_edit_undo(version=draft, actor=policy_admin)
    assert _tree(draft) == [("root", None, 0)]
    assert _root(draft).title == "Exemplar"


def test_an_unchanged_anchor_title_is_no_retitling(draft, policy_admin):
    outline.criteria_paste(
        version=draft,
        actor=policy_admin,
        anchor=_root(draft),
        text="1. One",
        anchor_title="Exemplar",
    )
    assert PolicyEdit.objects.get(version=draft).summary == "Pasted 1 criteria under root"


@pytest.mark.parametrize(
    ("by_label", "anchor_title", "message"),
    [
        ({"1": outline.PasteSetting(path="renewal")}, None, "The path 'renewal' of 1 is not"),
        ({"2": outline.PasteSetting(path="both")}, None, "The path 'both' of 2 is not"),
        (
            {"1": outline.PasteSetting(indication="beta")},
            None,
            "no indication 'beta' \\(the indication of 1\\)",
        ),
        ({"9": outline.PasteSetting(title="x")}, None, "No pasted criterion is labelled 9"),
        ({"1": outline.PasteSetting(evidence_required=False)}, None, "1 is a group"),
        ({"1": outline.PasteSetting(title="x" * 301)}, None, "The title of 1 is longer than 300"),
        ({}, "x" * 301, "The title of root is longer than 300"),
    ],
)
def test_settings_the_version_cannot_hold_refuse_the_whole_paste(
    draft, policy_admin, alpha, by_label, anchor_title, message
):
    with pytest.raises(outline.OutlineRefused, match=message):
        outline.criteria_paste(
            version=draft,
            actor=policy_admin,
            anchor=_root(draft),
            text=PASTED,
            settings=by_label,
            anchor_title=anchor_title,
        )
    assert _tree(draft) == [("root", None, 0)]
    assert _root(draft).title == "Exemplar"
    assert not PolicyEdit.objects.filter(version=draft).exists()
