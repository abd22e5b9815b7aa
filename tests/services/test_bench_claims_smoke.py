"""scripts/bench_claims.py, tiny: its bulk-built authorizations are ones the real service
adjudicates against (20 lines), so the benchmark measures the real thing."""

import importlib.util
from pathlib import Path

import pytest
from django.utils import timezone

from reviews.models import AuthorizationBalance, ClaimLine

pytestmark = pytest.mark.django_db

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "bench_claims.py"


def test_twenty_lines_against_five_authorizations(kesimpta):
    spec = importlib.util.spec_from_file_location("bench_claims", SCRIPT)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    today = timezone.localdate()
    hcpcs, examiner = bench.authorizations_build(5, today=today, truncate=False)
    seconds, outcomes = bench.lines_adjudicate(
        20, authorizations=5, hcpcs=hcpcs, examiner=examiner, today=today
    )
    assert sum(outcomes.values()) == ClaimLine.objects.count() == 20
    assert outcomes["paid"] > 0 and seconds > 0
    for balance in AuthorizationBalance.objects.all():
        assert balance.units_used <= balance.units_authorized == bench.UNITS_EACH
