"""Policies loaded the way production loads them: the YAML file through the service.

Each file is parsed once per test session (parsing and checking a policy is the slow part);
every test still loads its own copy of the document into its own database, so a test that
changes its policy changes nothing another test sees, and a transactional test's flush is
followed by a fresh load.
"""

import copy
from pathlib import Path

import pytest

from reviews.engine import document
from reviews.services.policies import policy_load

ROOT = Path(__file__).resolve().parent.parent
KESIMPTA_FILE = ROOT / "policies" / "kesimpta-2020910.yaml"
STATIN_FILE = ROOT / "tests" / "fixtures" / "policies" / "statin-step-therapy.yaml"
TWO_INDICATIONS_FILE = ROOT / "tests" / "fixtures" / "policies" / "two-indications.yaml"


def load(path: Path):
    return load_parsed(document.parse(path.read_text(encoding="utf-8")))


def load_parsed(doc: dict):
    version, _ = policy_load(doc=copy.deepcopy(doc))
    return version


@pytest.fixture(scope="session")
def kesimpta_document() -> dict:
    """policies/kesimpta-2020910.yaml, parsed (read-only: `load_parsed` loads a copy)."""
    return document.parse(KESIMPTA_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def statin_document() -> dict:
    return document.parse(STATIN_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def two_indications_document() -> dict:
    return document.parse(TWO_INDICATIONS_FILE.read_text(encoding="utf-8"))


@pytest.fixture
def two_indications(db, two_indications_document):
    """The invented infusion policy with two indications (relapsing_ms: G35, 6 and 12
    calendar months, a regimen; nmosd: G36.0, 52 weeks, no reauthorization, no regimen),
    published."""
    return load_parsed(two_indications_document)


@pytest.fixture
def kesimpta(db, kesimpta_document):
    """Kesimpta policy 2020910, version 1, published."""
    return load_parsed(kesimpta_document)


@pytest.fixture
def statin_policy(db, statin_document):
    """The invented second policy (step therapy, lab threshold, k-of-n), as a draft."""
    return load_parsed(statin_document)
