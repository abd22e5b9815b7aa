"""policies/kesimpta-2020910.yaml against the policy as published (the seed text, word for word)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from reviews.engine.checks import Facts, matches_item, suggest
from reviews.engine.document import DocumentError, dump, iter_tree, parse
from reviews.engine.dosing import Regimen, authorized_quantity
from reviews.engine.references import parse_reference
from reviews.engine.testcases import run_test_cases
from reviews.engine.tree import Check

ROOT = Path(__file__).resolve().parents[2]
POLICY_FILE = ROOT / "policies" / "kesimpta-2020910.yaml"
# The seed (the policy as published, extracted from its PDF), copied into the repository.
SEED_FILE = ROOT / "tests" / "fixtures" / "seeds" / "kesimpta-policy-2020910.txt"
REFERENCE_FILE = ROOT / "policies" / "reference" / "ms-disease-modifying-therapies.yaml"

# The seed as one line of words: the PDF extraction broke lines (and "case-by-\ncase") anywhere.
SEED_WORDS = """
Policy: 2020910 Initial Effective Date: 09/17/2020 Annual Review Date: 09/21/2023 Last Revised Date:
09/21/2023 Code(s): J3490 SUBJECT: Kesimpta (ofatumumab)
"""


def words(text: str) -> str:
    return " ".join(re.sub(r"-[ \t]*\n\s*", "-", text).split())


@pytest.fixture(scope="module")
def text() -> str:
    return POLICY_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def references() -> dict[str, Any]:
    reference = parse_reference(REFERENCE_FILE.read_text(encoding="utf-8"))
    return {reference.name: reference}


@pytest.fixture(scope="module")
def doc(text: str, references: dict[str, Any]) -> dict[str, Any]:
    return parse(text, references=references)


@pytest.fixture(scope="module")
def version(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["version"]


@pytest.fixture(scope="module")
def nodes(version: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {node["label"]: node for node, _ in iter_tree(version["criteria"], ())}


@pytest.fixture(scope="module")
def seed() -> str:
    return words(SEED_FILE.read_text(encoding="utf-8"))


def verbatim_fields(version: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for key in (
        "prior_approval_notice",
        "overview",
        "statement",
        "criteria_intro",
        "duration_of_therapy",
        "labs_diagnostics",
        "waste_management",
        "documentation_requirements",
    ):
        yield key, version[key]
    yield "dosing.condition", version["dosing"]["condition"]
    yield "dosing.text", version["dosing"]["text"]
    yield "approval.text", version["approval"]["text"]
    # The section's text (its codes and their meanings are the plan's data, not the policy's
    # words: see test_identity_dates_and_codes).
    for key in ("heading", "prior_approval", "physician_review", "claim_edits", "liability"):
        yield f"edits_and_denials.{key}", version["edits_and_denials"][key]
    for key, listed in version["lists"].items():
        for item in listed["items"]:
            yield f"lists.{key}.{item['name']}.as_written", item["as_written"]
    for node, _ in iter_tree(version["criteria"], ()):
        for key in ("text", "note", "explanation"):
            if node[key] and node["label"] != "root":
                yield f"{node['label']}.{key}", node[key]


def test_every_verbatim_field_is_the_policys_own_words(version: dict[str, Any], seed: str) -> None:
    fields = list(verbatim_fields(version))
    assert len(fields) > 40
    for where, value in fields:
        assert value, f"{where} is empty"
        assert words(value) in seed, f"{where} is not word for word in the policy"


def test_titles_come_from_the_policy(version: dict[str, Any], seed: str) -> None:
    for node, _ in iter_tree(version["criteria"], ()):
        if node["title"]:
            assert node["title"].casefold() in seed.casefold(), node["label"]
    for listed in version["lists"].values():
        assert listed["title"].casefold() in seed.casefold()


def test_identity_dates_and_codes(doc: dict[str, Any], version: dict[str, Any], seed: str) -> None:
    assert doc["policy"] == {
        "number": "2020910",
        "title": "Kesimpta (ofatumumab)",
        "drugs": [
            {"brand": "Kesimpta", "generic": "ofatumumab", "hcpcs_codes": ["J3490"], "ndcs": []}
        ],
    }
    assert words(SEED_WORDS) in seed
    assert version["number"] == 1
    assert version["status"] == "published"
    assert version["effective_date"] == date(2020, 9, 17)
    assert version["initial_effective_date"] == date(2020, 9, 17)
    assert version["annual_review_date"] == date(2023, 9, 21)
    assert version["last_revised_date"] == date(2023, 9, 21)
    assert "HCPCS Code J3490" in version["edits_and_denials"]["prior_approval"]
    edits = version["edits_and_denials"]
    assert [c["code"] for c in edits["remark_codes"]] == ["M3M", "M4M"]
    assert all(c["meaning"].startswith("The plan's meaning") for c in edits["remark_codes"])
    assert (
        edits["remark_code_with_authorization"],
        edits["remark_code_without_authorization"],
    ) == (
        "M3M",
        "M4M",
    )
    assert (edits["group_code_participating"], edits["group_code_not_participating"]) == (
        "CO",
        "PR",
    )
    claims = version["claims"]
    assert claims["billing_units"] == [{"hcpcs": "J3490", "amount": "20", "unit": "mg"}]
    assert claims["waste"]["applies"] and claims["waste"]["jz_required"]
    assert claims["waste"]["jw_allowance_units"] == 0
    assert "Remark Code M3M or M4M" in version["edits_and_denials"]["claim_edits"]
    assert version["edits_and_denials"]["heading"] == "FOR MEDICAL BENEFIT COVERAGE REQUESTS:"
    assert "nurse reviewer" in version["edits_and_denials"]["prior_approval"]
    assert "qualified physician reviewer" in version["edits_and_denials"]["physician_review"]
    assert version["edits_and_denials"]["liability"].startswith("Liability: A participating")


def test_sections_as_published(version: dict[str, Any]) -> None:
    assert version["prior_approval_notice"] == (
        "Prior approval is required for some or all procedure codes listed in this "
        "Corporate Drug Policy."
    )
    assert version["overview"].startswith("Kesimpta is a CD20-directed cytolytic antibody")
    assert version["statement"].count("\n\n") == 1  # two paragraphs
    assert "case-by-case basis" in version["statement"]
    assert version["criteria_intro"] == (
        "Coverage of Kesimpta is recommended in those who meet the following criteria:"
    )
    assert version["duration_of_therapy"] == "Duration of Therapy in MS is indefinite."
    assert version["labs_diagnostics"] == "None."
    assert version["waste_management"] == (
        "Waste Management applies for all covered conditions that are administered by a "
        "healthcare professional."
    )
    assert version["documentation_requirements"].endswith("shall be final and binding.")


def test_one_indication_relapsing_ms_approved_365_and_365_days(version: dict[str, Any]) -> None:
    (indication,) = version["indications"]
    assert indication["key"] == "relapsing_ms"
    assert indication["name"] == "Relapsing forms of multiple sclerosis"
    assert indication["diagnosis_codes"] == ["G35"]
    assert indication["approval"] == {
        "initial": {"count": 365, "unit": "day"},
        "extended": {"count": 365, "unit": "day"},
    }
    approval = version["approval"]
    assert "A) Initial Approval: 365 days" in approval["text"]
    assert "B) Extended Approval: 365 days" in approval["text"]


def test_dosing(version: dict[str, Any]) -> None:
    dosing = version["dosing"]
    assert dosing["condition"] == "Multiple sclerosis (MS) (relapsing)"
    assert dosing["text"].startswith("Dosing must meet the following: (medical benefit only)\n")
    assert "once monthly starting at Week 4." in dosing["text"]
    assert dosing["benefit"] == "medical"
    assert "regimen" not in dosing
    (indication,) = version["indications"]
    assert indication["regimen"] == {
        "phases": [
            {
                "name": "Loading",
                "dose": {"amount": "20", "unit": "mg"},
                "route": "subcutaneous",
                "schedule": {"at": [0, 1, 2], "unit": "week"},
                "initial_only": True,
            },
            {
                "name": "Maintenance",
                "dose": {"amount": "20", "unit": "mg"},
                "route": "subcutaneous",
                "schedule": {
                    "every": 1,
                    "unit": "calendar_month",
                    "start": 4,
                    "start_unit": "week",
                },
            },
        ]
    }
    assert dosing["monthly_means"] == "calendar_month"
    assert "every 4 weeks" in dosing["monthly_means_note"]
    # A first year: 3 loading doses, then a dose each calendar month from week 4.
    regimen = Regimen.from_dict(indication["regimen"])
    quantity = authorized_quantity(regimen, start=date(2026, 1, 5), days=365, phase="initial")
    assert (quantity.doses, quantity.total_amount) == (15, 300)
    # A continuation year: the maintenance phase from the first day, 12 doses.
    quantity = authorized_quantity(regimen, start=date(2026, 1, 5), days=365, phase="continuation")
    assert (quantity.doses, quantity.total_amount) == (12, 240)


AGENTS = [
    ("Aubagio", "teriflunomide", "Aubagio® (teriflunomide tablets)"),
    ("Avonex", "interferon beta-1a", "Avonex® (interferon beta-1a injection [intramuscular])"),
    (
        "Bafiertam",
        "monomethyl fumarate",
        "Bafiertam® (monomethyl fumarate delayed-release capsules)",
    ),
    (
        "Betaseron/Extavia",
        "interferon beta-1b",
        "Betaseron®/Extavia® (interferon beta-1b injection)",
    ),
    ("Copaxone", "glatiramer acetate", "Copaxone"),
    ("Gilenya", "fingolimod", "Gilenya® (fingolimod tablets)"),
    ("Glatopa", "glatiramer acetate", "Glatopa (glatirmer acetate)"),
    ("Lemtrada", "alemtuzumab", "Lemtrada® (alemtuzumab injection for intravenous use)"),
    ("Mavenclad", "cladribine", "Mavenclad® (cladribine tablets)"),
    ("Mayzent", "siponimod", "Mayzent® (siponimod tablets)"),
    ("Ocrevus", "ocrelizumab", "Ocrevus® (ocrelizumab injection for intravenous use)"),
    ("Plegridy", "peginterferon beta-1a", "Plegridy® (peginterferon beta-1a injection)"),
    ("Ponvory", "ponesimod", "Ponvory™ (ponesimod tablets)"),
    ("Rebif", "interferon beta-1a", "Rebif® (interferon beta-1a injection [subcutaneous])"),
    ("Tecfidera", "dimethyl fumarate", "Tecfidera® (dimethyl fumarate delayed-release capsules)"),
    ("Tysabri", "natalizumab", "Tysabri® (natalizumab injection for intravenous infusion)"),
    ("Vumerity", "diroximel fumarate", "Vumerity® (diroximel fumarate delayed-release capsules)"),
    ("Zeposia", "ozanimod", "Zeposia® (ozanimod capsules)"),
]


def test_all_18_disease_modifying_agents(version: dict[str, Any], seed: str) -> None:
    items = version["lists"]["ms_disease_modifying_agents"]["items"]
    assert [(i["name"], i["generic"], i["as_written"]) for i in items] == AGENTS
    assert len(items) == 18
    for _, _, as_written in AGENTS:
        assert as_written in seed
        assert as_written in version["criteria"]["children"][1]["note"]


def test_agent_names_match_what_a_request_lists(version: dict[str, Any]) -> None:
    items = {i["name"]: i for i in version["lists"]["ms_disease_modifying_agents"]["items"]}
    assert matches_item("Extavia 0.25 mg", items["Betaseron/Extavia"])
    assert matches_item("BETASERON", items["Betaseron/Extavia"])
    assert matches_item("glatiramer acetate 40 mg/mL", items["Copaxone"])
    assert matches_item("glatiramer acetate 20 mg/mL", items["Glatopa"])
    assert not any(matches_item("Kesimpta", item) for item in items.values())


def test_prescriber_specialties(version: dict[str, Any]) -> None:
    items = version["lists"]["ms_prescriber_specialties"]["items"]
    assert [i["name"] for i in items] == ["Neurology", "Multiple sclerosis specialist"]
    assert items[1]["as_written"] == (
        "physician who specializes in the treatment of multiple sclerosis"
    )
    for specialty in ("Neurologist", "Neuroimmunology", "MS specialist"):
        assert any(matches_item(specialty, item) for item in items), specialty
    for specialty in ("Family Medicine", "Neurosurgery", "Internal Medicine"):
        assert not any(matches_item(specialty, item) for item in items), specialty


@pytest.mark.parametrize(
    ("prescriber", "consultant", "expected"),
    [
        ("Pediatric Neurology", "", "met"),  # a neurologist who treats children
        ("Pediatric neurology", "", "met"),
        ("Neurology", "", "met"),
        ("Pediatrics", "", "not_met"),
        ("Family medicine", "Pediatric Neurology", "met"),  # in consultation with one
        ("Family medicine", "", "not_met"),
    ],
)
def test_the_policys_specialty_check_reads_pediatric_neurology_as_neurology(
    version: dict[str, Any], prescriber: str, consultant: str, expected: str
) -> None:
    lists = version["lists"]
    check = next(
        Check(node["check"]["name"], node["check"]["params"])
        for node, _ in iter_tree(version["criteria"], ())
        if (node.get("check") or {}).get("name") == "specialty_in"
    )
    facts = Facts(
        request_date=date(2026, 11, 30),
        prescriber_specialty=prescriber,
        consulting_specialty=consultant,
    )
    suggestion = suggest(check, facts, lists)
    assert suggestion is not None and suggestion.answer.value == expected, suggestion


def test_labels_and_shape(version: dict[str, Any], nodes: dict[str, dict[str, Any]]) -> None:
    assert list(nodes) == [
        "root", "PRE-1", "PRE-2", "1",
        "1.A", "1.A.i", "1.A.ii", "1.A.iii",
        "1.B", "1.B.duration", "1.B.i", "1.B.ii", "1.B.ii.a", "1.B.ii.b", "1.B.iii", "1.B.iv",
    ]  # fmt: skip
    kinds = {label: node["kind"] for label, node in nodes.items()}
    assert [k for k, v in kinds.items() if v != "leaf"] == ["root", "1", "1.A", "1.B", "1.B.ii"]
    assert (kinds["root"], kinds["1"], kinds["1.A"], kinds["1.B"], kinds["1.B.ii"]) == (
        "all", "any", "all", "all", "any"
    )  # fmt: skip
    assert {label: node["path"] for label, node in nodes.items() if node["path"]} == {
        "1.A": "initial",
        "1.B": "continuation",
    }
    assert (nodes["1"]["title"], nodes["1.A"]["title"]) == ("Multiple Sclerosis", "Initial Therapy")
    assert nodes["1.B"]["title"] == "Patient is Currently Receiving Kesimpta for ≥ 1 Year"
    assert nodes["1"]["text"] == (
        "Approve for the duration noted below if the patient meets one of the following (A or B):"
    )


def test_checks_on_computable_leaves(nodes: dict[str, dict[str, Any]]) -> None:
    checks = {label: node["check"] for label, node in nodes.items() if node["check"]}
    specialty = {
        "name": "specialty_in",
        "params": {"allow_consultation": True, "list": "ms_prescriber_specialties"},
        "negate": False,
    }
    age = {"name": "age_at_least", "params": {"years": 18}, "negate": False}
    diagnosis = checks["PRE-1"]
    assert checks == {
        "PRE-1": diagnosis,
        "PRE-2": {
            "name": "no_concurrent_agents",
            "params": {
                "list": "ms_disease_modifying_agents",
                "reference": "ms-disease-modifying-therapies",
                "switch_grace_days": 30,
            },
            "negate": False,
        },
        "1.A.i": diagnosis,
        "1.A.ii": age,
        "1.A.iii": specialty,
        "1.B.duration": {
            "name": "months_on_drug_at_least",
            "params": {"months": 12},
            "negate": False,
        },
        "1.B.i": diagnosis,
        "1.B.iii": age,
        "1.B.iv": specialty,
    }


def test_notes_and_explanations_verbatim(nodes: dict[str, dict[str, Any]]) -> None:
    assert nodes["PRE-1"]["text"] == (
        "The patient does NOT have a Non-Relapsing Form of Multiple Sclerosis (MS) "
        "[e.g., primary progressive MS]."
    )
    assert nodes["PRE-1"]["explanation"] == (
        "The efficacy of Kesimpta have not been established in patients with MS with "
        "non-relapsing forms of MS."
    )
    pre2 = nodes["PRE-2"]
    assert pre2["note"].startswith(
        "Note: Examples of disease modifying agents used for multiple sclerosis include Aubagio®"
    )
    # The PDF's footnote reference ("...capsules).2") is not the policy's words: dropped.
    assert pre2["note"].endswith("and Zeposia® (ozanimod capsules).")
    assert "Glatopa (glatirmer acetate)" in pre2["note"]
    assert pre2["explanation"] == (
        "These agents are not indicated for use in combination. Additional data are required "
        "to determine if use of disease-modifying MS agents in combination is safe provides "
        "added efficacy."
    )
    relapsing = (
        "Note: Examples of relapsing forms of multiple sclerosis include clinically isolated "
        "syndrome, relapsing remitting disease, and active secondary progressive disease."
    )
    assert nodes["1.A.i"]["note"] == nodes["1.B.i"]["note"] == relapsing
    example_list = nodes["1.B.ii.a"]["note"]
    for phrase in (
        "gadolinium enhancing lesions",
        "Expanded Disability State Scale (EDSS) score",
        "No Evidence of Disease Activity-3 (NEDA-3) or NEDA-4",
        "(FSIQ-RMS) scale",
        "six-minute walk test or 12-Item MS Walking Scale",
        "Multiple Sclerosis Functional Composite (MSFC) score",
        "and/or attenuation of brain volume loss.",
    ):
        assert phrase in example_list
    assert "pain/numbness/tingling sensation" in nodes["1.B.ii.b"]["text"]


def test_duration_leaf_carries_the_1b_heading(nodes: dict[str, dict[str, Any]]) -> None:
    duration = nodes["1.B.duration"]
    assert duration["text"] == nodes["1.B"]["title"]
    assert nodes["1.B"]["children"][0] is duration


def test_every_leaf_has_member_readable_wording(nodes: dict[str, dict[str, Any]]) -> None:
    for label, node in nodes.items():
        if node["kind"] == "leaf":
            assert len(node["plain_language"]) > 30, label
            assert "≥" not in node["plain_language"], label


def test_file_is_in_canonical_form(text: str, doc: dict[str, Any]) -> None:
    assert dump(doc) == text


def test_diagnosis_suggestions_follow_the_fy2026_g35_subcodes(
    nodes: dict[str, dict[str, Any]],
) -> None:
    params = nodes["PRE-1"]["check"]["params"]
    assert {code: entry["answer"] for code, entry in params["codes"].items()} == {
        "G35.A": "met",  # relapsing-remitting
        "G35.B0": "not_met",  # primary progressive, unspecified / active / non-active
        "G35.B1": "not_met",
        "G35.B2": "not_met",
        "G35.C1": "met",  # active secondary progressive
        "G35.C2": "not_met",  # non-active secondary progressive
    }  # G35.C0 and G35.D say nothing about a relapsing form: no suggestion
    assert "FY2026 ICD-10-CM" in params["source"]


def test_its_test_cases_cover_both_paths_and_all_pass(
    doc: dict[str, Any], version: dict[str, Any], references: dict[str, Any]
) -> None:
    cases = version["test_cases"]
    assert len(cases) >= 12
    assert {c["request_type"] for c in cases} == {"initial", "continuation"}
    assert {c["expect"]["result"] for c in cases} == {"met", "not_met", "unknown"}
    results = run_test_cases(doc, references=references)
    assert len(results) == len(cases)
    assert [(r.name, r.messages) for r in results if not r.passed] == []


def test_its_cases_need_the_reference_list(doc: dict[str, Any]) -> None:
    """Without the reference list, Briumvi is not a known agent: the case fails, loudly."""
    (result,) = [r for r in run_test_cases(doc) if r.name.startswith("continuation: Briumvi")]
    assert not result.passed
    assert "Could not run" in result.messages[0]
    assert "ms-disease-modifying-therapies" in result.messages[0]


def test_an_unknown_reference_is_a_problem_at_its_place(text: str) -> None:
    with pytest.raises(DocumentError) as caught:
        parse(text, references={})
    (problem,) = caught.value.problems
    assert problem.where == "version.criteria.children[1].check.params.reference"
    assert "names no known reference list: 'ms-disease-modifying-therapies'" in problem.message
    assert problem.line is not None
