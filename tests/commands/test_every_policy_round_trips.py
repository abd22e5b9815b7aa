"""Every policy in policies/ loads, runs its own test cases on publish, and exports back byte
for byte; and each has the shape it was written to show (the issue on policies of any shape):
the counts below are the data's, so a policy cannot silently lose its indications, drugs,
phases or test cases."""

from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from reviews.engine import document
from reviews.engine.testcases import run_test_cases
from reviews.models import Indication, Policy, PolicyVersion
from reviews.reference_lists import reference_lists

POLICIES = sorted((Path(__file__).resolve().parents[2] / "policies").glob("*.yaml"))

pytestmark = pytest.mark.django_db


def test_there_are_four_policies():
    assert len(POLICIES) == 4


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.stem)
def test_load_then_export_gives_the_same_file(path):
    text = path.read_text(encoding="utf-8")
    number = yaml.safe_load(text)["policy"]["number"]
    call_command("load_policy", str(path), stdout=StringIO())
    out = StringIO()
    call_command("export_policy", number, stdout=out)
    assert out.getvalue() == text


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.stem)
def test_every_own_test_case_passes_and_there_are_at_least_ten(path):
    doc = document.parse(path.read_text(encoding="utf-8"), references=reference_lists())
    results = run_test_cases(doc, references=reference_lists())
    assert len(results) >= 10
    assert [(r.name, r.messages) for r in results if not r.passed] == []


SHAPES = {
    # number: (drugs, indications, the most phases of a regimen, an if node, HCPCS codes)
    "2020910": (1, 1, 2, False, True),
    "9200001": (1, 2, 2, False, True),
    "9200002": (2, 2, 1, True, False),
    "9200003": (1, 1, 5, False, False),
}


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.stem)
def test_each_policy_has_the_shape_it_was_written_for(path):
    call_command("load_policy", str(path), stdout=StringIO())
    number = yaml.safe_load(path.read_text(encoding="utf-8"))["policy"]["number"]
    policy = Policy.objects.get(number=number)
    version = PolicyVersion.objects.filter(policy=policy).get()
    indications = Indication.objects.filter(version=version)
    phases = max(len((i.regimen or {}).get("phases") or ()) for i in indications)
    has_if = version.criteria.filter(kind="if").exists()
    has_hcpcs = any(d.hcpcs_codes for d in policy.drugs.all())
    assert (policy.drugs.count(), indications.count(), phases, has_if, has_hcpcs) == SHAPES[number]


def test_the_new_policies_cite_the_sources_of_their_diagnosis_codes():
    for path in POLICIES:
        doc = document.parse(path.read_text(encoding="utf-8"), references=reference_lists())
        if doc["policy"]["number"] == "2020910":
            continue  # its codes' source sits on its diagnosis check, as the policy came
        for indication in doc["version"]["indications"]:
            assert "http" in indication["codes_source"], (path.name, indication["key"])
