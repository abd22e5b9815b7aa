"""Evidence suggestions: which sentences of a case's documents bear on which criterion."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from reviews.engine.document import parse, tree_from_dict
from reviews.engine.evidence import (
    MAX_PASSAGE_CHARS,
    Page,
    Passage,
    criterion_terms,
    sentences,
    suggest_evidence,
)
from reviews.engine.tree import Node, applicable_leaves, find

ROOT = Path(__file__).resolve().parents[2]
KESIMPTA_FILE = ROOT / "policies" / "kesimpta-2020910.yaml"
STATIN_FILE = ROOT / "tests" / "fixtures" / "policies" / "statin-step-therapy.yaml"

NEUROLOGY_NOTE = """Riverside Neurology Associates
Patient: Jane Doe    DOB: 04/12/1988
Progress note, 11/20/2026

Assessment: relapsing-remitting multiple sclerosis (RRMS), diagnosed 2019 after an episode of
optic neuritis. Currently on Tecfidera 240 mg BID, plan to discontinue on 12/01/2026 and start
Kesimpta 20 mg subcutaneously per Dr. Lee's recommendation.
Primary progressive MS was considered and ruled out.
EDSS 2.0, stable
"""
FAX_COVER = """Fax cover sheet
To: Utilization Management
From: front desk
Pages: 4 including cover
Please call our office with any questions. Thank you."""
MRI_REPORT = """MRI BRAIN WITH AND WITHOUT CONTRAST
Comparison: 05/2025.
Impression: No new T2 lesions; no gadolinium-enhancing lesions compared with prior.
"""
REFERRAL = """Referral form
Referred by Dr. Lee, neurologist
Reason: start ofatumumab for MS."""


@dataclass(frozen=True)
class Policy:
    root: Node
    lists: dict[str, Any]


def load(path: Path) -> Policy:
    version = parse(path.read_text(encoding="utf-8"))["version"]
    return Policy(tree_from_dict(version["criteria"]), version["lists"])


@pytest.fixture(scope="module")
def kesimpta() -> Policy:
    return load(KESIMPTA_FILE)


@pytest.fixture(scope="module")
def statin() -> Policy:
    return load(STATIN_FILE)


@pytest.fixture(scope="module")
def case_pages() -> list[Page]:
    return [
        Page(11, "neurology-note.pdf", 1, NEUROLOGY_NOTE),
        Page(11, "neurology-note.pdf", 2, FAX_COVER),
        Page(12, "mri-brain.pdf", 1, MRI_REPORT),
        Page(13, "referral.pdf", 3, REFERRAL),
    ]


def terms_of(policy: Policy, label: str) -> tuple[str, ...]:
    node = find(policy.root, label)
    assert node is not None
    return criterion_terms(node, policy.lists)


def best(found: dict[str, list[Passage]], label: str) -> Passage:
    assert label in found, f"no passage for {label}"
    return found[label][0]


# ---- terms ---------------------------------------------------------------------------------


def test_terms_from_the_note_of_a_response_criterion(kesimpta: Policy) -> None:
    terms = terms_of(kesimpta, "1.B.ii.a")
    for expected in (
        "Expanded Disability State Scale",
        "EDSS",
        "magnetic resonance imaging",
        "MRI",
        "NEDA-3",
        "six-minute walk test",
        "12-Item MS Walking Scale",
        "T2 lesions",
        "MSFC",
    ):
        assert expected in terms


def test_terms_of_the_concurrent_use_leaf_are_brands_and_generics(kesimpta: Policy) -> None:
    terms = terms_of(kesimpta, "PRE-2")
    for expected in ("Tecfidera", "dimethyl fumarate", "Ocrevus", "ocrelizumab", "Copaxone"):
        assert expected in terms
    # "Betaseron/Extavia" is one item that names two brands.
    assert {"Betaseron", "Extavia", "glatiramer acetate"} <= set(terms)


def test_terms_of_the_specialty_leaf_come_from_its_list(kesimpta: Policy) -> None:
    terms = terms_of(kesimpta, "1.A.iii")
    assert {"Neurology", "neurologist", "MS specialist", "consultation"} <= set(terms)


def test_progressive_forms_are_terms_of_the_non_relapsing_precondition(kesimpta: Policy) -> None:
    terms = terms_of(kesimpta, "PRE-1")
    assert {"primary progressive MS", "primary progressive", "progressive", "PPMS"} <= set(terms)


def test_the_abbreviation_table_adds_what_a_record_writes(kesimpta: Policy) -> None:
    terms = terms_of(kesimpta, "1.A.i")
    assert {"clinically isolated syndrome", "CIS", "relapsing remitting", "RRMS"} <= set(terms)
    assert "SPMS" in terms


def test_age_check_brings_its_cue_words(kesimpta: Policy) -> None:
    assert {"DOB", "date of birth", "years old", "year-old", "age"} <= set(
        terms_of(kesimpta, "1.A.ii")
    )
    assert {"started", "since", "initiated", "Kesimpta"} <= set(terms_of(kesimpta, "1.B.duration"))


def test_generic_words_are_never_terms_alone(kesimpta: Policy) -> None:
    for leaf in applicable_leaves(kesimpta.root):
        folded = {term.casefold() for term in criterion_terms(leaf, kesimpta.lists)}
        assert not folded & {"patient", "multiple", "sclerosis", "multiple sclerosis", "ms", "the"}


def test_terms_of_another_policy_come_from_its_own_checks(statin: Policy) -> None:
    assert {"Lipitor", "atorvastatin", "failed", "intolerant"} <= set(terms_of(statin, "II.a"))
    assert "LDL-C" in terms_of(statin, "II.b")
    assert {"E10", "E11", "Diabetes mellitus"} <= set(terms_of(statin, "II.c.a"))


# ---- suggestions from a case's documents ---------------------------------------------------


def test_each_criterion_gets_its_passage_with_document_and_page(
    kesimpta: Policy, case_pages: list[Page]
) -> None:
    found = suggest_evidence(kesimpta.root, case_pages, kesimpta.lists)

    relapsing = best(found, "1.A.i")
    assert (relapsing.document_id, relapsing.document_name, relapsing.page) == (
        11,
        "neurology-note.pdf",
        1,
    )
    assert relapsing.text == (
        "Assessment: relapsing-remitting multiple sclerosis (RRMS), diagnosed 2019 after an "
        "episode of optic neuritis."
    )
    assert relapsing.terms == ("relapsing-remitting", "RRMS")
    assert best(found, "1.B.i").text == relapsing.text

    progressive = best(found, "PRE-1")
    assert progressive.text == "Primary progressive MS was considered and ruled out."
    assert (progressive.document_id, progressive.page) == (11, 1)

    concurrent = best(found, "PRE-2")
    assert concurrent.text.startswith("Currently on Tecfidera 240 mg BID")
    assert concurrent.text.endswith("per Dr. Lee's recommendation.")
    assert "Tecfidera" in concurrent.terms

    specialist = best(found, "1.A.iii")
    assert (specialist.document_id, specialist.page) == (13, 3)
    assert specialist.text == "Referred by Dr. Lee, neurologist"
    assert "neurologist" in specialist.terms

    response = found["1.B.ii.a"]
    assert (response[0].document_id, response[0].page) == (12, 1)
    assert response[0].text == (
        "Impression: No new T2 lesions; no gadolinium-enhancing lesions compared with prior."
    )
    assert "EDSS 2.0, stable" in [passage.text for passage in response]

    age = best(found, "1.A.ii")
    assert "DOB: 04/12/1988" in age.text
    assert age.terms == ("DOB",)


def test_a_page_with_nothing_relevant_gives_nothing(
    kesimpta: Policy, case_pages: list[Page]
) -> None:
    assert suggest_evidence(kesimpta.root, [case_pages[1]], kesimpta.lists) == {}
    found = suggest_evidence(kesimpta.root, case_pages, kesimpta.lists)
    assert all((p.document_id, p.page) != (11, 2) for ps in found.values() for p in ps)
    plain = Page(1, "note.pdf", 1, "The patient has multiple sclerosis (MS).")
    assert suggest_evidence(kesimpta.root, [plain], kesimpta.lists) == {}


def test_only_the_request_paths_leaves_are_suggested(
    kesimpta: Policy, case_pages: list[Page]
) -> None:
    initial = suggest_evidence(kesimpta.root, case_pages, kesimpta.lists, path="initial")
    assert {"PRE-1", "PRE-2", "1.A.i", "1.A.ii", "1.A.iii"} <= set(initial)
    assert not [label for label in initial if label.startswith("1.B")]

    continuation = suggest_evidence(kesimpta.root, case_pages, kesimpta.lists, path="continuation")
    assert {"PRE-1", "1.B.i", "1.B.ii.a", "1.B.iv"} <= set(continuation)
    assert not [label for label in continuation if label.startswith("1.A")]


def test_the_concurrent_use_leaf_finds_brand_and_generic_names(kesimpta: Policy) -> None:
    pages = [
        Page(1, "med-list.pdf", 1, "Medications: Tecfidera® 240 mg twice daily; baclofen."),
        Page(1, "med-list.pdf", 2, "Prior therapy: dimethyl fumarate stopped 2024."),
        Page(2, "pharmacy.pdf", 1, "Ocrelizumab infusion given 06/2025."),
    ]
    found = suggest_evidence(kesimpta.root, pages, kesimpta.lists, path="initial")
    terms = {term for passage in found["PRE-2"] for term in passage.terms}
    assert {"Tecfidera", "dimethyl fumarate", "Ocrelizumab"} <= terms
    # A two-word generic weighs more than a one-word brand; equal scores go by document.
    assert [(p.document_id, p.page) for p in found["PRE-2"]] == [(1, 2), (1, 1), (2, 1)]


def test_matching_tolerates_case_marks_hyphens_and_plurals(kesimpta: Policy) -> None:
    pages = [
        Page(1, "a.pdf", 1, "History of relapsing remitting disease since 2015."),
        Page(1, "a.pdf", 2, "A new gadolinium enhancing lesion was seen."),
        Page(1, "a.pdf", 3, "Met NEDA 3 criteria this year."),
    ]
    found = suggest_evidence(kesimpta.root, pages, kesimpta.lists, path="continuation")
    assert best(found, "1.B.i").terms == ("relapsing remitting disease",)
    response = {p.page: p.terms for p in found["1.B.ii.a"]}
    assert response[2] == ("gadolinium enhancing lesion",)
    assert response[3] == ("NEDA 3",)


def test_meaning_is_never_interpreted(kesimpta: Policy) -> None:
    pages = [
        Page(1, "note.pdf", 1, "No relapses in the past year."),
        Page(1, "note.pdf", 2, "Two relapses in the past year."),
    ]
    found = suggest_evidence(kesimpta.root, pages, kesimpta.lists, path="continuation")
    first, second = found["1.B.ii.a"]
    assert (first.page, second.page) == (1, 2)
    assert first.score == second.score


def test_the_order_is_deterministic(kesimpta: Policy, case_pages: list[Page]) -> None:
    same = "Referred by Dr. Lee, neurologist"
    pages = [
        *case_pages,
        Page(5, "letter.pdf", 2, f"Summary.\n{same} for a second opinion."),
        Page(3, "consult.pdf", 7, "Seen by a neurologist in clinic."),
        Page(3, "consult.pdf", 4, "Follow-up with her neurologist."),
    ]
    found = suggest_evidence(kesimpta.root, pages, kesimpta.lists, per_criterion=5)
    assert [(p.document_id, p.page) for p in found["1.A.iii"]] == [
        (5, 2),  # "Referred" and "neurologist": the highest score; then document 5 after 13
        (13, 3),
        (3, 4),  # one term each: by document, then page
        (3, 7),
        (11, 1),
    ]
    shuffled = pages[:]
    random.Random(7).shuffle(shuffled)
    assert suggest_evidence(kesimpta.root, shuffled, kesimpta.lists, per_criterion=5) == found


def test_a_sentence_repeated_across_pages_is_suggested_once(kesimpta: Policy) -> None:
    letterhead = "Riverside Neurology Associates, 12 Main Street"
    pages = [Page(2, "b.pdf", 1, letterhead), Page(1, "a.pdf", 9, letterhead)]
    passages = suggest_evidence(kesimpta.root, pages, kesimpta.lists)["1.A.iii"]
    assert [(p.document_id, p.page) for p in passages] == [(1, 9)]


def test_per_criterion_limits_the_passages(kesimpta: Policy, case_pages: list[Page]) -> None:
    found = suggest_evidence(kesimpta.root, case_pages, kesimpta.lists, per_criterion=1)
    assert all(len(passages) == 1 for passages in found.values())
    with pytest.raises(ValueError, match="per_criterion"):
        suggest_evidence(kesimpta.root, case_pages, kesimpta.lists, per_criterion=0)


def test_a_long_sentence_is_quoted_around_its_match(kesimpta: Policy) -> None:
    filler = " ".join(["the visit covered routine matters at some length"] * 15)
    text = f"Today {filler} and she remains on Tecfidera as before while {filler} without change."
    found = suggest_evidence(kesimpta.root, [Page(1, "long.pdf", 1, text)], kesimpta.lists)
    passage = best(found, "PRE-2")
    assert len(passage.text) <= MAX_PASSAGE_CHARS
    assert passage.text.startswith("…")
    assert passage.text.endswith("…")
    assert "remains on Tecfidera as before" in passage.text
    assert passage.terms == ("Tecfidera",)


# ---- sentences -----------------------------------------------------------------------------


def test_sentences_survive_abbreviations_and_pdf_line_breaks() -> None:
    text = (
        "Seen by Dr. Lee today. Uses e.g. baclofen 10 mg. Daily walks help!\n"
        "EDSS 2.0, stable\n"
        "Referred by Dr. Lee, neurologist\n"
        "The patient has relapsing-\n"
        "remitting disease and was\n"
        "started on therapy in 2020 by J. Smith.\n"
        "\n"
        "Plan:\n"
        "- continue baclofen\n"
        "- start Kesimpta"
    )
    assert sentences(text) == [
        "Seen by Dr. Lee today.",
        "Uses e.g. baclofen 10 mg. Daily walks help!",
        "EDSS 2.0, stable",
        "Referred by Dr. Lee, neurologist",
        "The patient has relapsing-remitting disease and was started on therapy in 2020 by "
        "J. Smith.",
        "Plan:",
        "- continue baclofen",
        "- start Kesimpta",
    ]


def test_a_long_wrapped_line_continues_the_sentence() -> None:
    text = (
        "She was started on glatiramer acetate in 2016 and changed treatment after two\n"
        "Relapses documented by her neurologist in 2018.\n"
    )
    assert sentences(text) == [
        "She was started on glatiramer acetate in 2016 and changed treatment after two "
        "Relapses documented by her neurologist in 2018."
    ]


def test_no_text_gives_no_sentences(kesimpta: Policy) -> None:
    assert sentences("") == []
    assert suggest_evidence(kesimpta.root, [Page(1, "scan.pdf", 1, "")], kesimpta.lists) == {}


def test_windows_line_breaks_and_letters_that_fold_longer(kesimpta: Policy) -> None:
    text = "Diagnosis: RRMS\r\n\r\nStraße 5. Started Tecfidera® in 2020 per “Dr. Lee”.\r\n"
    assert sentences(text) == [
        "Diagnosis: RRMS",
        "Straße 5.",
        "Started Tecfidera® in 2020 per “Dr. Lee”.",
    ]
    found = suggest_evidence(kesimpta.root, [Page(1, "x.pdf", 1, text)], kesimpta.lists)
    assert best(found, "PRE-2").terms == ("Tecfidera",)
    assert best(found, "1.B.duration").terms == ("Started",)
    assert best(found, "1.A.i").text == "Diagnosis: RRMS"


def test_an_event_param_and_the_new_checks_cues_are_terms():
    from reviews.engine.evidence import Page, suggest_evidence
    from reviews.engine.tree import Check, Kind, Node

    root = Node(
        "root",
        Kind.ALL,
        children=(
            Node(
                "relapses",
                Kind.LEAF,
                check=Check(
                    "events_at_least",
                    {"event": "relapse", "count": 2, "within": {"count": 1, "unit": "year"}},
                ),
            ),
            Node("bmi", Kind.LEAF, check=Check("bmi_at_least", {"value": "30"})),
        ),
    )
    page = Page(1, "note.pdf", 1, "A relapse in March. Body mass index today is 31.")
    found = suggest_evidence(root, [page], {})
    assert [p.text for p in found["relapses"]] == ["A relapse in March."]
    assert [p.text for p in found["bmi"]] == ["Body mass index today is 31."]
