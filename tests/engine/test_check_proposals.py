"""Checks proposed from a criterion's words: what each reading takes, what it refuses, and how
the proposals fare against the checks of the app's real policies, written by hand."""

from pathlib import Path

import pytest
import yaml

from reviews.engine.check_proposals import GroupProposal, check_propose, group_propose
from reviews.engine.checks import check_problems
from reviews.engine.tree import Check

ROOT = Path(__file__).resolve().parents[2]
LISTS = {
    "prescribers": {
        "title": "Dermatologist or rheumatologist",
        "items": [{"name": "Dermatology", "synonyms": ["dermatologist"]}],
    },
    "biologics": {
        "title": "Prior biologic agents",
        "items": [{"name": "Samplex", "generic": "samplimab"}],
    },
}
INDICATIONS = [
    {"key": "alpha", "name": "Alpha disease", "diagnosis_codes": ["L40"]},
    {"key": "beta", "name": "Beta disease", "diagnosis_codes": []},
]


def _propose(text):
    proposal = check_propose(text, lists=LISTS, indications=INDICATIONS)
    return proposal and (proposal.name, proposal.params)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Patient is 18 years of age or older.", ("age_at_least", {"years": 18})),
        ("Patient is ≥ 12 years of age", ("age_at_least", {"years": 12})),
        ("Patient is under 25 years of age.", ("age_under", {"years": 25})),
        (
            "Prescribed by or in consultation with a dermatologist or rheumatologist.",
            ("specialty_in", {"allow_consultation": True, "list": "prescribers"}),
        ),
        (
            "Prescribed by a dermatologist.",
            ("specialty_in", {"allow_consultation": False, "list": "prescribers"}),
        ),
        (
            "It is not used together with another prior biologic agent.",
            ("no_concurrent_agents", {"list": "biologics"}),
        ),
        (
            "Patient tried and failed at least two prior biologic agents.",
            (
                "tried_and_failed_at_least",
                {"count": 2, "list": "biologics", "outcomes": ["failed"]},
            ),
        ),
        (
            "Patient could not tolerate samplimab.",
            (
                "tried_and_failed_at_least",
                {"count": 1, "list": "biologics", "outcomes": ["intolerant"]},
            ),
        ),
        (
            "Patient had at least 3 flares in the past 12 months.",
            (
                "events_at_least",
                {"count": 3, "event": "flare", "within": {"count": 12, "unit": "calendar_month"}},
            ),
        ),
        (
            "Patient has been receiving the drug for at least 2 years.",
            ("months_on_drug_at_least", {"months": 24}),
        ),
        (
            "LDL-C drawn within the 90 days before the request is at least 70 mg/dL.",
            (
                "lab_value",
                {
                    "lab": "LDL-C",
                    "op": ">=",
                    "value": "70",
                    "unit": "mg/dL",
                    "within": {"count": 90, "unit": "day"},
                },
            ),
        ),
        ("Body mass index is 30 kg/m² or more.", ("bmi_at_least", {"value": "30"})),
        ("Patient has alpha disease.", ("diagnosis_code_in", {"codes": ["L40"]})),
    ],
)
def test_each_reading_takes_the_figures_and_names_from_the_words(text, expected):
    assert _propose(text) == expected
    name, params = expected
    assert check_problems(Check(name, params), LISTS) == []


@pytest.mark.parametrize(
    "text",
    [
        # Negations: the words mean the opposite of what a check would suggest.
        "Patient is not 18 years of age or older.",
        "Patient has had fewer than 2 flares in the past 12 months.",
        "Patient has not tried and failed a prior biologic agent.",
        "Patient does not have alpha disease.",
        # Two thresholds (an age band) are not half read.
        "LDL-C within 90 days is at least 190 mg/dL at 18 or older, or at least 160 mg/dL.",
        # A list or an indication the version does not have is never invented.
        "Prescribed by or in consultation with a cardiologist.",
        "Patient tried and failed a statin.",
        "Patient has gamma disease.",
        # An indication without codes gives nothing to check.
        "Patient has beta disease.",
        # A trial of a listed drug at a dose is not time on the requested drug.
        "Patient has taken samplimab 40 mg daily for at least 3 calendar months.",
        # No window, no lab reading; no figure, no reading.
        "Body surface area involved is at least 10%.",
        "Tuberculosis screening is documented.",
        "",
    ],
)
def test_what_the_words_do_not_say_plainly_proposes_nothing(text):
    assert _propose(text) is None


def test_group_titles_propose_an_indication_or_a_path():
    assert group_propose("Alpha disease", indications=INDICATIONS) == GroupProposal(
        indication="alpha", because="Alpha disease"
    )
    assert group_propose("Initial therapy", indications=INDICATIONS).path == "initial"
    assert group_propose("Continuing therapy", indications=INDICATIONS).path == "continuation"
    assert group_propose("Initial and continuation", indications=INDICATIONS) is None
    assert group_propose("Statin continued when tolerated", indications=INDICATIONS) is None
    assert group_propose("", indications=INDICATIONS) is None


def _leaves(node):
    if node.get("kind") == "leaf":
        yield node
    for child in node.get("children", []):
        yield from _leaves(child)


def test_against_the_real_policies_checks_written_by_hand():
    """Every question of the four real policies, its hand-written check against the proposal.
    Pinned figures: a change in the readings shows here, and none may propose on a negation."""
    tally = {"same": 0, "other params": 0, "other check": 0, "none written": 0, "missed": 0}
    other_checks = []
    for path in sorted((ROOT / "policies").glob("*.yaml")):
        version = yaml.safe_load(path.read_text(encoding="utf-8"))["version"]
        lists, indications = version.get("lists") or {}, version.get("indications") or []
        for leaf in _leaves(version["criteria"]):
            proposal = check_propose(leaf.get("text", ""), lists=lists, indications=indications)
            written = leaf.get("check")
            if proposal is None:
                tally["missed"] += written is not None
                continue
            assert check_problems(Check(proposal.name, proposal.params), lists) == []
            if written is None:
                tally["none written"] += 1
            elif written["name"] != proposal.name:
                tally["other check"] += 1
                other_checks.append((written["name"], proposal.name))
            elif dict(written.get("params") or {}) == proposal.params:
                tally["same"] += 1
            else:
                tally["other params"] += 1
    assert tally == {
        "same": 26,
        "other params": 2,
        "other check": 7,
        "none written": 0,
        "missed": 12,
    }
    # The checks proposed in place of another: codes read from an indication, where the policy
    # wrote code-by-code answers (both suggest from the request's diagnosis codes); and
    # "could not tolerate two statins" read as failed trials, where the policy wrote trials
    # with a length.
    assert set(other_checks) == {
        ("diagnosis_suggests", "diagnosis_code_in"),
        ("tried_at_least", "tried_and_failed_at_least"),
    }
