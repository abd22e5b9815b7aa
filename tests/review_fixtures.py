"""Kesimpta cases entered through the real intake service, for the review tests."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from reviews.services.cases import case_create
from tests.factories import KESIMPTA_CONTINUATION
from tests.factories import KESIMPTA_REGIMEN as KESIMPTA_PHASES

# The policy's own rule, and what a continuation asks for: the maintenance phase only.
KESIMPTA_REGIMEN = KESIMPTA_PHASES
KESIMPTA_CONTINUATION_REGIMEN = KESIMPTA_CONTINUATION

# Answers a nurse gives to the criteria no computed check can suggest.
JUDGED_INITIAL = {"PRE-1": "met", "1.A.i": "met"}
JUDGED_CONTINUATION = {"PRE-1": "met", "1.B.i": "met", "1.B.ii.a": "met", "1.B.ii.b": "met"}


def kesimpta_request(
    actor,
    *,
    medications=(),
    received_at: datetime | None = None,
    labs=(),
    therapies=(),
    events=(),
    **fields,
):
    """A clear-cut initial Kesimpta request unless fields say otherwise; `labs`,
    `therapies` and `events` are its clinical facts' rows (case_create's); `continues` the
    id of the authorization a continuation continues."""
    from tests.factories import ensure_deadline_rules

    ensure_deadline_rules()
    data = {
        "member_name": "Dana Whitfield",
        "member_id": "M1234567",
        "member_dob": date(1990, 5, 14),
        "prescriber_name": "Dr. Elena Marsh",
        "prescriber_npi": "1234567893",
        "prescriber_specialty": "Neurology",
        "consulting_name": "",
        "consulting_specialty": "",
        "consult_date": None,
        "diagnosis_codes": ["G35.A"],
        "drug_name": "Kesimpta",
        "hcpcs_code": "J3490",
        "regimen": dict(KESIMPTA_REGIMEN),
        "request_type": "initial",
        "urgency": "standard",
        "line_of_business": "commercial",
        "received_at": received_at or timezone.now(),
        # A receipt time in the past needs a reason (the intake clears one that is not needed).
        "backdate_reason": "Entered from the fax queue." if received_at else "",
        "therapy_start_date": None,
    }
    if fields.get("request_type") == "continuation" and "regimen" not in fields:
        data["regimen"] = dict(KESIMPTA_CONTINUATION_REGIMEN)
    continues = fields.pop("continues", None)
    data.update(fields)
    case, _ = case_create(
        continues=continues,
        actor=actor,
        fields=data,
        medications=list(medications),
        labs=list(labs),
        therapies=list(therapies),
        events=list(events),
    )
    return case


@pytest.fixture
def clear_case(kesimpta, nurse):
    return kesimpta_request(nurse)
