"""The claim adjudication rules (pure) and the policy format's claims data: remark codes
with their meanings (bare codes still read), which applies with or without an
authorization, group codes, billing units and the waste rule."""

import copy
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviews.engine import claims as rules
from reviews.engine import document

KESIMPTA = "policies/kesimpta-2020910.yaml"
WASTE = rules.WasteRule(applies=True, single_dose=True, jz_required=True, jw_allowance_units=0)


def facts(**kwargs):
    return rules.Facts(**{"units": 2, "modifiers": ("JZ",), **kwargs})


@pytest.mark.parametrize(
    ("given_facts", "expected"),
    [
        (facts(covering=(rules.Covering(1, 5),)), ("paid", 2, 0, "")),
        (facts(covering=(rules.Covering(1, 1),)), ("partially_paid", 1, 1, "198")),
        (facts(covering=(rules.Covering(1, 0),)), ("denied", 0, 2, "198")),
        (facts(), ("denied", 0, 2, "197")),
        (facts(drug_authorized_other_period=True), ("denied", 0, 2, "15")),
        (facts(other_drug_covering=True), ("denied", 0, 2, "15")),
        (facts(denied_for_drug=True, other_drug_covering=True), ("denied", 0, 2, "50")),
        (facts(covering=(rules.Covering(1, 0), rules.Covering(2, 9))), ("paid", 2, 0, "")),
        (facts(modifiers=(), covering=(rules.Covering(1, 5),)), ("pended_review", 0, 0, "")),
        (facts(modifiers=("JW",), covering=(rules.Covering(1, 5),)), ("pended_review", 0, 0, "")),
        # A line that is denied anyway is not pended for the waste rule.
        (facts(modifiers=()), ("denied", 0, 2, "197")),
    ],
)
def test_each_rule(given_facts, expected):
    outcome = rules.adjudicate(given_facts, waste=WASTE)
    assert (outcome.status, outcome.units_paid, outcome.units_denied, outcome.carc) == expected


def test_the_waste_rule_allows_what_the_plan_allows():
    rule = rules.WasteRule(applies=True, single_dose=True, jz_required=False, jw_allowance_units=2)
    assert rules.waste_problem(units=2, modifiers=("JW",), rule=rule) == ""
    assert "allowance of 2" in rules.waste_problem(units=3, modifiers=("JW",), rule=rule)
    assert rules.waste_problem(units=1, modifiers=(), rule=rule) == ""  # JZ not required
    off = rules.WasteRule(applies=False, single_dose=True, jz_required=True)
    assert rules.waste_problem(units=9, modifiers=("JW",), rule=off) == ""


@given(
    units=st.integers(1, 500),
    remaining=st.lists(st.integers(0, 500), max_size=3),
    modifiers=st.sampled_from([(), ("JZ",), ("JW",)]),
    check=st.booleans(),
)
def test_never_pays_more_than_remains_and_every_unit_is_accounted(
    units, remaining, modifiers, check
):
    covering = tuple(rules.Covering(i, r) for i, r in enumerate(remaining))
    outcome = rules.adjudicate(
        rules.Facts(units=units, modifiers=modifiers, covering=covering),
        waste=WASTE if check else None,
    )
    spent = next((c for c in covering if c.key == outcome.authorization), None)
    assert outcome.units_paid <= (spent.remaining if spent else 0)
    if outcome.status == "pended_review":
        assert (outcome.units_paid, outcome.units_denied) == (0, 0)
    else:
        assert outcome.units_paid + outcome.units_denied == units


def test_units_authorized_by_the_billing_unit_or_by_dose():
    unit = {"hcpcs": "J0001", "amount": "20", "unit": "mg"}
    assert (
        rules.units_authorized(doses=15, amount=Decimal("300"), unit="mg", billing_unit=unit) == 15
    )
    assert rules.units_authorized(doses=3, amount=Decimal("50"), unit="MG", billing_unit=unit) == 2
    assert rules.units_authorized(doses=4, amount=Decimal("8"), unit="mL", billing_unit=unit) == 4
    assert rules.units_authorized(doses=4, amount=None, unit="", billing_unit=None) == 4


# ---- the format --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kesimpta() -> dict:
    with open(KESIMPTA, encoding="utf-8") as f:
        return document.parse(f.read())


def test_bare_remark_codes_still_read_and_dump_as_they_were(kesimpta):
    doc = copy.deepcopy(kesimpta)
    doc["version"]["edits_and_denials"]["remark_codes"] = ["M3M", {"code": "M4M"}]
    normal = document.normalize(doc)
    assert normal["version"]["edits_and_denials"]["remark_codes"] == [
        {"code": "M3M", "meaning": ""},
        {"code": "M4M", "meaning": ""},
    ]
    assert "remark_codes: [M3M, M4M]" in document.dump(normal)


def _problems(doc) -> dict[str, str]:
    return {p.where: p.message for p in document.validate(doc)}


def test_the_chosen_remark_codes_are_among_the_versions(kesimpta):
    doc = copy.deepcopy(kesimpta)
    edits = doc["version"]["edits_and_denials"]
    edits["remark_code_with_authorization"] = "N123"
    edits["remark_codes"].append({"code": "M3M"})
    problems = _problems(doc)
    assert (
        "not one of the version's remark codes"
        in problems["version.edits_and_denials.remark_code_with_authorization"]
    )
    assert "listed twice" in problems["version.edits_and_denials.remark_codes[2].code"]


def test_billing_units_and_the_waste_rule_are_checked(kesimpta):
    doc = copy.deepcopy(kesimpta)
    claims = doc["version"]["claims"]
    claims["billing_units"] = [
        {"hcpcs": "J0001", "amount": "20", "unit": "mg"},
        {"hcpcs": "J3490", "amount": "0", "unit": "mg"},
    ]
    claims["waste"]["jw_allowance_units"] = -1
    doc["version"]["edits_and_denials"]["group_code_participating"] = "XX"
    problems = _problems(doc)
    assert (
        "not a HCPCS code of the policy's drugs"
        in problems["version.claims.billing_units[0].hcpcs"]
    )
    assert problems["version.claims.billing_units[1].amount"] == "must be more than 0"
    assert "at least 0" in problems["version.claims.waste.jw_allowance_units"]
    assert "must be one of CO, PR" in problems["version.edits_and_denials.group_code_participating"]


def test_a_version_without_claims_data_has_the_defaults(kesimpta):
    doc = copy.deepcopy(kesimpta)
    del doc["version"]["claims"]
    normal = document.normalize(doc)
    assert normal["version"]["claims"]["waste"]["applies"] is False
    assert "claims:" not in document.dump(normal)
    assert date(2020, 9, 17) == normal["version"]["effective_date"]
