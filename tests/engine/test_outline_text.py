"""Criteria pasted as text become a tree: labels, nesting and the groups' kinds."""

import re

import pytest

from reviews.engine.outline_text import OutlineTextError, outline_parse


def _shape(nodes, depth=0):
    out = []
    for node in nodes:
        out.append((depth, node.label, node.kind, node.k, node.text))
        out += _shape(node.children, depth + 1)
    return out


def test_bare_labels_nest_by_their_style():
    text = """1. Patient has one of the following:
A. Relapsing disease
B. Active secondary progressive disease, with
at least one relapse in the past year
2. Patient meets all of i and ii:
i. Age 18 or older
ii. Prescribed by a specialist
3. Patient meets a or b:
a) Tried one agent
b) Cannot use them
"""
    assert _shape(outline_parse(text)) == [
        (0, "1", "any", None, "Patient has one of the following:"),
        (1, "1.A", "leaf", None, "Relapsing disease"),
        (
            1,
            "1.B",
            "leaf",
            None,
            "Active secondary progressive disease, with at least one relapse in the past year",
        ),
        (0, "2", "all", None, "Patient meets all of i and ii:"),
        (1, "2.i", "leaf", None, "Age 18 or older"),
        (1, "2.ii", "leaf", None, "Prescribed by a specialist"),
        (0, "3", "any", None, "Patient meets a or b:"),
        (1, "3.a", "leaf", None, "Tried one agent"),
        (1, "3.b", "leaf", None, "Cannot use them"),
    ]


def test_dotted_labels_go_under_the_label_they_extend():
    text = """PRE-1 Prescriber is a specialist.
3 If the patient is under 25 years of age
3.if Patient is under 25.
3.then Screening is documented.
5 Continuation: at least two of the following
5.A On therapy 6 months.
5.B Improved.
5.B.i Score fell.
"""
    assert _shape(outline_parse(text)) == [
        (0, "PRE-1", "leaf", None, "Prescriber is a specialist."),
        (0, "3", "if", None, "If the patient is under 25 years of age"),
        (1, "3.if", "leaf", None, "Patient is under 25."),
        (1, "3.then", "leaf", None, "Screening is documented."),
        (0, "5", "k_of_n", 2, "Continuation: at least two of the following"),
        (1, "5.A", "leaf", None, "On therapy 6 months."),
        (1, "5.B", "all", None, "Improved."),
        (2, "5.B.i", "leaf", None, "Score fell."),
    ]


def test_indentation_wins_when_the_lines_are_indented():
    text = "1. Either of:\n    A. One\n    B. Two\n        i. Deeper\n2. Last\n"
    assert _shape(outline_parse(text)) == [
        (0, "1", "any", None, "Either of:"),
        (1, "1.A", "leaf", None, "One"),
        (1, "1.B", "all", None, ""),  # a heading: its words are the title
        (2, "1.B.i", "leaf", None, "Deeper"),
        (0, "2", "leaf", None, "Last"),
    ]


def test_a_group_heading_becomes_its_title():
    [alpha] = outline_parse("1. Alpha disease\ni. Has it.\nii. Is an adult.")
    assert (alpha.title, alpha.text, alpha.kind) == ("Alpha disease", "", "all")
    [cond] = outline_parse("3 If under 25\n3.if Under 25.\n3.then Screened.")
    assert (cond.title, cond.text, cond.kind) == ("", "If under 25", "if")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Patient is an adult.\n1. Something", "line 1: starts without a label"),
        ("", "Paste the criteria"),
        ("1. One\n1. Again", "the label 1 is used again (first on line 1)"),
    ],
)
def test_what_cannot_be_read_is_said(text, message):
    with pytest.raises(OutlineTextError, match=re.escape(message)):
        outline_parse(text)
