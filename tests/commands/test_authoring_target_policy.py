"""The authoring yardstick (issue 17) loads, publishes (its test cases run on publish), exports
back byte for byte, and keeps the shape the measurement was set for: about 30 criteria, two
indications, an if, a loading then maintenance regimen, two lists and five test cases."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from reviews.engine import document
from reviews.engine.testcases import run_test_cases
from reviews.models import Criterion, PolicyVersion
from reviews.reference_lists import reference_lists

FILE = Path(__file__).resolve().parents[1] / "fixtures" / "policies" / "authoring-target.yaml"

pytestmark = pytest.mark.django_db


def test_it_loads_publishes_and_exports_back_the_same_file():
    call_command("load_policy", str(FILE), stdout=StringIO())
    version = PolicyVersion.objects.get(policy__number="9100017")
    assert version.status == PolicyVersion.Status.PUBLISHED
    out = StringIO()
    call_command("export_policy", "9100017", stdout=out)
    assert out.getvalue() == FILE.read_text(encoding="utf-8")
    assert Criterion.objects.filter(version=version).count() == 30


def test_it_has_the_shape_of_the_yardstick():
    doc = document.parse(FILE.read_text(encoding="utf-8"), references=reference_lists())
    version = doc["version"]
    nodes = [node for node, _ in document.iter_tree(version["criteria"], ())]
    assert 28 <= len(nodes) <= 32
    assert [n["kind"] for n in nodes].count("if") == 1
    assert len(version["indications"]) == 2
    assert max(len((i["regimen"] or {}).get("phases", ())) for i in version["indications"]) == 2
    assert len(version["lists"]) == 2
    results = run_test_cases(doc, references=reference_lists())
    assert len(results) == 5
    assert [(r.name, r.messages) for r in results if not r.passed] == []
