"""no_concurrent_agents as policy 2020910 configures it: the policy's examples, the reference list
of MS disease-modifying therapies, known non-agents and the requested drug."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviews.engine.checks import (
    Facts,
    Medication,
    Suggestion,
    check_problems,
    matches_item,
    suggest,
)
from reviews.engine.document import iter_tree, parse
from reviews.engine.references import ReferenceError, parse_reference
from reviews.engine.tree import Answer, Check

ROOT = Path(__file__).resolve().parents[2]
REFERENCE_TEXT = (
    ROOT / "policies" / "reference" / "ms-disease-modifying-therapies.yaml"
).read_text()
REFERENCE = parse_reference(REFERENCE_TEXT)
REFERENCES = {REFERENCE.name: REFERENCE}
# The lists a reason names: the policy's own, and with the reference (the check's default here).
POLICY_TITLE = "Other Disease-Modifying Agents Used for Multiple Sclerosis (MS)"
BOTH = f"{POLICY_TITLE} or {REFERENCE.title}"
DOC = parse((ROOT / "policies" / "kesimpta-2020910.yaml").read_text(), references=REFERENCES)
LISTS = DOC["version"]["lists"]
(PRE2,) = [
    n["check"] for n, _ in iter_tree(DOC["version"]["criteria"], ()) if n["label"] == "PRE-2"
]
WITH_REFERENCE = Check(PRE2["name"], PRE2["params"])
POLICY_LIST_ONLY = Check("no_concurrent_agents", {"list": "ms_disease_modifying_agents"})
REQUESTED = (DOC["policy"]["drugs"][0]["brand"], DOC["policy"]["drugs"][0]["generic"])
REQUEST = date(2026, 11, 28)
MET, NOT_MET, NOT_DOCUMENTED = Answer.MET, Answer.NOT_MET, Answer.NOT_DOCUMENTED


def run(*medications: Medication | str, check: Check = WITH_REFERENCE, requested=REQUESTED):
    meds = tuple(m if isinstance(m, Medication) else Medication(m) for m in medications)
    facts = Facts(request_date=REQUEST, medications=meds, requested_drug=requested)
    suggestion = suggest(check, facts, LISTS, REFERENCES)
    assert suggestion is not None
    return suggestion


# ---- matching ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "fingolimod 0.5 mg cap",
        "fingolimod HCl 0.5 mg",
        "Glatopa 20 mg/mL",
        "glatiramer acetate",
        "glatiramer 40 mg three times weekly",
        "natalizumab-sztn",
        "Tyruko 300 mg IV every 4 weeks",
        "Tecfidera® 240 mg BID",
        "TECFIDERA™ 240 MG",
        "dimethyl fumarate DR 240 mg",
        "teriflunomide 14 mg tab",
        "Briumvi 450 mg",
        "ublituximab-xiiy",
        "Ocrevus Zunovo 920 mg SC",
        "ocrelizumab and hyaluronidase-ocsq",
        "Mavenclad 10 mg",
    ],
)
def test_an_agent_in_any_form_that_continues_is_concurrent(name):
    suggestion = run(name)
    assert suggestion.answer == NOT_MET
    assert f"{name} continues" in suggestion.reason


@pytest.mark.parametrize(
    ("text", "item"),
    [
        ("potassium citrate", {"name": "potassium chloride"}),  # a cation is not a drug name
        ("dimethyl sulfoxide", {"name": "x", "generic": "dimethyl fumarate"}),  # nor is "dimethyl"
        ("Tysabrix", {"name": "Tysabri"}),
        ("peginterferon beta-1a", {"name": "interferon beta-1a"}),
    ],
)
def test_salt_tolerance_keeps_whole_word_matching(text, item):
    assert not matches_item(text, item)


def test_a_salt_word_may_be_left_out():
    assert matches_item("glatiramer 20 mg", {"name": "Copaxone", "generic": "glatiramer acetate"})
    assert matches_item("Fingolimod Hydrochloride", {"name": "fingolimod"})


# ---- what cannot be classified is never met ------------------------------------------------


@pytest.mark.parametrize("name", ["Briumvi 450 mg", "ublituximab", "Zorvexa 10 mg", "lisinopril"])
def test_the_policys_own_list_does_not_know_these(name):
    suggestion = run(name, check=POLICY_LIST_ONLY)
    assert suggestion == Suggestion(
        NOT_DOCUMENTED, f"Cannot classify {name}: verify whether it is one of {POLICY_TITLE}."
    )


def test_an_invented_medication_is_not_documented_with_the_reference_too():
    suggestion = run("Kesimpta 20 mg monthly", "Zorvexa 10 mg", "Quellimab 5 mg", "baclofen")
    assert suggestion == Suggestion(
        NOT_DOCUMENTED,
        f"Cannot classify Zorvexa 10 mg; Quellimab 5 mg: verify whether each is one of {BOTH}.",
    )


def test_a_concurrent_agent_outweighs_an_unclassified_medication():
    suggestion = run("Zorvexa 10 mg", "Briumvi 450 mg")
    assert suggestion.answer == NOT_MET
    assert "Briumvi 450 mg continues" in suggestion.reason


def test_an_unclassified_medication_stopping_within_the_grace_does_not_matter():
    stops = Medication("Zorvexa 10 mg", REQUEST + timedelta(days=30))
    assert run(stops).answer == MET
    assert "Zorvexa 10 mg stops on 2026-12-28, within the switch grace" in run(stops).reason
    late = Medication("Zorvexa 10 mg", REQUEST + timedelta(days=31))
    assert run(late).answer == NOT_DOCUMENTED


NOT_AGENT_TEXT = st.text(alphabet="bcdfghjklmnpqrstvwxz", min_size=3, max_size=12)


@given(
    known=st.lists(st.sampled_from(["baclofen", "Vitamin D3", "Kesimpta", "Aubagio"]), max_size=3),
    unknown=st.lists(NOT_AGENT_TEXT.map(lambda s: f"zz{s}"), min_size=1, max_size=3),
)
def test_an_unknown_continuing_medication_never_gives_met(known, unknown):
    assert run(*known, *unknown).answer != MET


# ---- what is set aside -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Baclofen 10 mg TID",
        "Ampyra 10 mg BID",
        "dalfampridine ER 10 mg",
        "Vitamin D3 2000 IU",
        "cholecalciferol 1000 units",
        "ergocalciferol 50,000 IU weekly",
        "tizanidine 4 mg",
        "lisinopril 10 mg",
        "oxybutynin ER 10 mg",
    ],
)
def test_a_known_non_agent_is_set_aside(name):
    suggestion = run(name)
    assert suggestion.answer == MET
    assert f"{name} is known not to be one" in suggestion.reason
    assert suggestion.reason.startswith(
        f"Every listed medication is classified and none from {BOTH} continues"
    )


@pytest.mark.parametrize("name", ["Kesimpta 20 mg monthly", "ofatumumab 20 mg/0.4 mL pen"])
def test_the_requested_drug_is_set_aside(name):
    assert run(name) == Suggestion(
        MET,
        f"Every listed medication is classified and none from {BOTH} continues: "
        f"{name} is the requested drug.",
    )
    # The reference lists ofatumumab as an agent: only the facts say it is the one requested.
    assert run(name, requested=()).answer == NOT_MET


def test_the_requested_drug_does_not_hide_another_agent_on_the_same_line():
    assert run("Kesimpta and Tecfidera").answer == NOT_MET


# ---- switches ------------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "expected"), [(-90, MET), (30, MET), (31, NOT_MET)])
def test_switch_grace_applies_to_new_agents(days, expected):
    assert run(Medication("Tyruko 300 mg", REQUEST + timedelta(days=days))).answer == expected


def test_a_switch_is_named_in_the_reason():
    suggestion = run(Medication("Briumvi", date(2026, 12, 1)), "Vitamin D3")
    assert suggestion.answer == MET
    assert "Briumvi stops on 2026-12-01 (switch)" in suggestion.reason
    assert "Vitamin D3 is known not to be one (cholecalciferol" in suggestion.reason


# ---- the reference parameter -----------------------------------------------------------------


def test_the_reference_param_is_validated():
    bad = Check("no_concurrent_agents", {"list": "ms_disease_modifying_agents", "reference": "x"})
    assert check_problems(bad, LISTS, REFERENCES) == [
        "Check no_concurrent_agents: parameter 'reference' names no known reference list: "
        "'x' (known: ms-disease-modifying-therapies)."
    ]
    not_text = Check(
        "no_concurrent_agents", {"list": "ms_disease_modifying_agents", "reference": 3}
    )
    assert "must be the name of a reference list" in check_problems(not_text, LISTS)[0]
    assert check_problems(WITH_REFERENCE, LISTS, REFERENCES) == []
    assert check_problems(WITH_REFERENCE, LISTS) == []  # no lists given: names left unchecked


def test_suggest_refuses_a_reference_it_is_not_given():
    facts = Facts(request_date=REQUEST, medications=(Medication("Briumvi"),))
    with pytest.raises(ValueError, match="names no known reference list"):
        suggest(WITH_REFERENCE, facts, LISTS)


# ---- the reference file ----------------------------------------------------------------------


def agent_named(name: str):
    return next(item for item in REFERENCE.agents if matches_item(name, item))


def test_every_agent_cites_a_source():
    import yaml

    for entry in yaml.safe_load(REFERENCE_TEXT)["agents"]:
        assert entry["sources"], entry["ingredient"]
        for source in entry["sources"]:
            assert source["title"] and source["url"].startswith("http"), entry["ingredient"]


@pytest.mark.parametrize(
    ("name", "ingredient"),
    [
        ("Briumvi", "ublituximab"),
        ("Tyruko", "natalizumab-sztn"),
        ("Ocrevus Zunovo", "ocrelizumab and hyaluronidase-ocsq"),
        ("Kesimpta", "ofatumumab"),
        ("fingolimod", "fingolimod"),
        ("teriflunomide", "teriflunomide"),
        ("dimethyl fumarate", "dimethyl fumarate"),
        ("glatiramer", "glatiramer acetate"),
    ],
)
def test_the_reference_names_current_agents(name, ingredient):
    assert any(item["name"] == ingredient and matches_item(name, item) for item in REFERENCE.agents)


def test_every_agent_in_the_policys_examples_is_in_the_reference():
    for item in LISTS["ms_disease_modifying_agents"]["items"]:
        for name in item["name"].split("/"):
            assert agent_named(name), name


def test_no_name_is_both_an_agent_and_a_non_agent():
    for item in REFERENCE.not_agents:
        for name in [item["name"], *item["synonyms"]]:
            assert not any(matches_item(name, agent) for agent in REFERENCE.agents), name
    for item in REFERENCE.agents:
        for name in [item["name"], *item["synonyms"]]:
            assert not any(matches_item(name, other) for other in REFERENCE.not_agents), name


HEAD = "format: priorauth-reference/1\nname: x\ntitle: t\n"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[1, 2]", "a reference list is a mapping"),
        ("a: [", "YAML"),
        ("format: other/1\nname: x\ntitle: t\nagents: [{ingredient: a}]", "format must be"),
        (HEAD + "agents: []", "agents must be"),
        ("format: priorauth-reference/1\nname: ''\ntitle: t\nagents: [{ingredient: a}]", "name"),
        (
            HEAD + "agents: [{brands: [B]}]",
            "agents[0].ingredient must be non-empty text",
        ),
        (
            HEAD + "agents: [{ingredient: a, brand: B}]",
            "agents[0]: unknown key 'brand'",
        ),
        (
            HEAD + "agents: [{ingredient: a, brands: B}]",
            "agents[0].brands must be a list of names",
        ),
        (
            HEAD + "agents: [{ingredient: a, sources: [{url: u}]}]",
            "agents[0].sources[0] needs a title",
        ),
        (
            HEAD + "agents: [{ingredient: a}]\nextra: 1",
            "unknown key 'extra'",
        ),
    ],
)
def test_a_bad_reference_file_says_what_is_wrong(text, fragment):
    with pytest.raises(ReferenceError) as caught:
        parse_reference(text)
    assert any(fragment in problem for problem in caught.value.problems), caught.value.problems


@pytest.mark.parametrize(
    "row", ["baclofen, Zorvexa 10 mg", "baclofen; Zorvexa", "baclofen + Zorvexa"]
)
def test_a_known_drug_cannot_hide_an_unknown_one_in_the_same_row(row):
    suggestion = run(row)
    assert suggestion.answer == NOT_DOCUMENTED
    assert "Cannot classify Zorvexa" in suggestion.reason


def test_a_row_naming_a_concurrent_agent_beside_a_known_drug_is_not_met():
    assert run("vitamin D3, Tecfidera 240 mg").answer == NOT_MET


def test_nothing_listed_is_met_as_a_suggestion_that_is_never_the_evidence():
    suggestion = run()
    assert (suggestion.answer, suggestion.stands_as_evidence) == (MET, False)
    assert run("baclofen").stands_as_evidence is True
