"""A list's items pasted as lines."""

import pytest

from reviews.engine.list_text import ListTextError, list_items_read


def test_lines_as_a_policy_prints_them_become_items():
    text = (
        "• Samplex (samplimab)\n- Modelon ( modelizumab ).\n\n"
        "3) Dermatology; dermatologist, skin doctor\nProtyx"
    )
    assert list_items_read(text) == [
        {"name": "Samplex", "generic": "samplimab", "as_written": "", "synonyms": []},
        {"name": "Modelon", "generic": "modelizumab", "as_written": "", "synonyms": []},
        {
            "name": "Dermatology",
            "generic": "",
            "as_written": "",
            "synonyms": ["dermatologist", "skin doctor"],
        },
        {"name": "Protyx", "generic": "", "as_written": "", "synonyms": []},
    ]


def test_nothing_pasted_is_no_items():
    assert list_items_read("") == []
    assert list_items_read("\n  \n") == []


@pytest.mark.parametrize(
    "text, problem",
    [
        ("Samplex (samplimab", "Line 1"),
        ("Samplex ()", "Line 1"),
        ("Samplex (a) (b)", "Line 1"),
        ("Samplex\nProtyx\nsamplex (samplimab)", "Line 3 repeats 'samplex' (line 1)"),
    ],
)
def test_a_line_that_cannot_be_read_is_refused_with_its_number(text, problem):
    with pytest.raises(ListTextError) as error:
        list_items_read(text)
    assert problem in str(error.value)
