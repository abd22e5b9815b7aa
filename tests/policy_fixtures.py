"""Policies loaded the way production loads them: the YAML file through the service."""

from pathlib import Path

import pytest

from reviews.engine import document
from reviews.services.policies import policy_load

ROOT = Path(__file__).resolve().parent.parent
KESIMPTA_FILE = ROOT / "policies" / "kesimpta-2020910.yaml"
STATIN_FILE = ROOT / "tests" / "fixtures" / "policies" / "statin-step-therapy.yaml"


def load(path: Path):
    version, _ = policy_load(doc=document.parse(path.read_text(encoding="utf-8")))
    return version


@pytest.fixture
def kesimpta(db):
    """Kesimpta policy 2020910, version 1, published."""
    return load(KESIMPTA_FILE)


@pytest.fixture
def statin_policy(db):
    """The invented second policy (step therapy, lab threshold, k-of-n), as a draft."""
    return load(STATIN_FILE)
