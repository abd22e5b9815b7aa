"""The reference lists as the app loads them: every file in policies/reference, once."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from reviews.reference_lists import REFERENCE_DIR, load_reference_dir, reference_lists

GOOD = "format: priorauth-reference/1\nname: {name}\ntitle: T\nagents: [{{ingredient: a}}]\n"


def test_the_shipped_lists_load_by_name():
    lists = reference_lists()
    assert set(lists) == {path.stem for path in REFERENCE_DIR.glob("*.yaml")}
    assert "ms-disease-modifying-therapies" in lists
    assert reference_lists() is lists  # read once per process


def test_a_list_is_named_after_its_file(tmp_path):
    (tmp_path / "b-list.yaml").write_text(GOOD.format(name="b-list"))
    assert list(load_reference_dir(tmp_path)) == ["b-list"]
    (tmp_path / "a-list.yaml").write_text(GOOD.format(name="other"))
    with pytest.raises(ImproperlyConfigured, match="must match the file name 'a-list'"):
        load_reference_dir(tmp_path)


def test_a_broken_list_stops_the_app_with_its_problems(tmp_path):
    (tmp_path / "bad.yaml").write_text("format: priorauth-reference/1\nname: bad\ntitle: T\n")
    with pytest.raises(ImproperlyConfigured, match=r"bad\.yaml: agents must be a non-empty list"):
        load_reference_dir(tmp_path)
