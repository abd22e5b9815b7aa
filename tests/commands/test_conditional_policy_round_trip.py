"""load_policy then export_policy gives back a policy with if nodes, negation and every
clinical check byte for byte, and the rows hold them as the model says."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from reviews.models import Criterion

FILE = Path(__file__).resolve().parents[1] / "fixtures" / "policies" / "conditional-checks.yaml"

pytestmark = pytest.mark.django_db


def test_load_then_export_gives_the_same_document():
    call_command("load_policy", str(FILE), stdout=StringIO())
    out = StringIO()
    call_command("export_policy", "9000002", stdout=out)
    assert out.getvalue() == FILE.read_text(encoding="utf-8")

    conditional = Criterion.objects.get(label="child")
    assert conditional.kind == Criterion.Kind.IF
    assert [c.label for c in conditional.children.order_by("position")] == [
        "child.age",
        "child.specialist",
    ]
    negated = Criterion.objects.get(label="not_pregnant")
    assert (negated.check_name, negated.check_negate) == ("events_at_least", True)
    assert not Criterion.objects.get(label="step").check_negate
    assert Criterion.objects.get(label="ldl").check_params["thresholds"][1] == {
        "min_age": 16,
        "op": ">",
        "value": "190",
    }


def test_the_database_refuses_an_unknown_kind():
    call_command("load_policy", str(FILE), stdout=StringIO())
    node = Criterion.objects.get(label="child")
    node.kind = "unless"
    with pytest.raises(IntegrityError), transaction.atomic():
        node.save(update_fields=["kind"])
