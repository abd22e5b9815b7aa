"""Intake: policy lookup and pinning, first queue, reference numbers, events, permissions;
and the transition table every later move uses."""

import threading
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction

from reviews.errors import InvalidTransition, ReviewError, StaleCase
from reviews.intake import IntakeInvalid
from reviews.models import Case, CaseEvent, CaseMedication, DeadlineRule, ReferenceSequence
from reviews.services.cases import case_create, reference_next
from reviews.workflow import TRANSITIONS, assert_transition, case_move
from tests import services_available
from tests.conftest import require_service
from tests.factories import KESIMPTA_REGIMEN, VALID_NPI, CaseFactory

NY = ZoneInfo("America/New_York")


def fields(**extra):
    return {
        "member_name": "Maria Alvarez",
        "member_id": "M123",
        "member_dob": date(1988, 4, 12),
        "prescriber_name": "Dr. Elena Marsh",
        "prescriber_npi": VALID_NPI,
        "prescriber_specialty": "Neurology",
        "consulting_name": "",
        "consulting_specialty": "",
        "consult_date": None,
        "diagnosis_codes": ["G35.A"],
        "drug_name": "Kesimpta",
        "hcpcs_code": "J3490",
        "regimen": KESIMPTA_REGIMEN,
        "request_type": "initial",
        "urgency": "standard",
        "line_of_business": "commercial",
        "received_at": datetime(2026, 11, 20, 10, 0, tzinfo=NY),
        "backdate_reason": "Faxed on Friday evening.",
        "therapy_start_date": None,
        **extra,
    }


@pytest.mark.django_db
def test_a_request_for_a_drug_with_a_policy_is_pinned_and_goes_to_nurse_review(nurse, kesimpta):
    meds = [{"name": "Tecfidera", "stop_date": date(2026, 12, 1)}, {"name": "Vitamin D"}]
    case, rejected = case_create(actor=nurse, fields=fields(), medications=meds)
    assert rejected == []
    case.refresh_from_db()
    assert case.policy_version == kesimpta and case.policy == kesimpta.policy
    assert not case.not_in_policy
    assert case.status == Case.Status.NURSE_REVIEW
    assert case.reference == "PA-2026-000001"
    assert case.created_by == nurse and case.backdate_reason == "Faxed on Friday evening."
    assert [(m.name, m.stop_date) for m in CaseMedication.objects.filter(case=case)] == [
        ("Tecfidera", date(2026, 12, 1)),
        ("Vitamin D", None),
    ]
    events = list(case.events.order_by("pk"))
    assert [(e.kind, e.from_status, e.to_status) for e in events] == [
        ("received", "", "received"),
        ("indication_chosen", "", ""),
        ("status", "received", "nurse_review"),
    ]
    assert events[0].actor == nurse and events[0].payload["reference"] == case.reference
    assert events[1].payload == {
        "indication": "relapsing_ms",
        "name": "Relapsing forms of multiple sclerosis",
        "reason": "Diagnosis: G35.A fits G35 (Relapsing forms of multiple sclerosis).",
        "automatic": True,
    }
    assert case.indication == "relapsing_ms"
    assert "2020910" in events[2].payload["reason"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"prescriber_npi": "1234567890"}, "prescriber_npi"),
        ({"diagnosis_codes": ["G35"]}, "diagnosis_codes"),
        ({"member_dob": "1988-04-12"}, "member_dob"),
        ({"backdate_reason": ""}, "backdate_reason"),
        (
            {
                "regimen": {
                    "phases": [
                        {
                            **KESIMPTA_REGIMEN["phases"][0],
                            "schedule": {"at": [2, 1], "unit": "week"},
                        }
                    ]
                }
            },
            "regimen.phases.0.schedule.at",
        ),
        ({"member_name": "x" * 201}, "member_name"),
        ({"prescriber_credential": "rn"}, "prescriber_credential"),
    ],
)
def test_a_service_caller_cannot_store_a_bad_request(nurse, kesimpta, changes, path):
    with pytest.raises(IntakeInvalid) as caught:
        case_create(actor=nurse, fields=fields(**changes))
    assert path in caught.value.errors
    assert not Case.objects.exists() and not CaseEvent.objects.exists()


@pytest.mark.django_db
def test_a_service_caller_gets_bad_medications_named_by_row(nurse, kesimpta):
    with pytest.raises(IntakeInvalid) as caught:
        case_create(
            actor=nurse,
            fields=fields(),
            medications=[{"name": "Vitamin D"}, {"name": "", "stop_date": date(2027, 1, 1)}],
        )
    assert list(caught.value.errors) == ["medications.1.name"]
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_a_generalist_without_a_consultation_is_entered_for_review(nurse, kesimpta):
    case, _ = case_create(
        actor=nurse,
        fields=fields(
            prescriber_specialty="Family medicine",
            prescriber_credential="np",
            consulting_name="",
            consulting_specialty="",
            consult_date=None,
        ),
    )
    assert case.status == Case.Status.NURSE_REVIEW and case.prescriber_credential == "np"


@pytest.mark.django_db
def test_the_policy_is_found_by_generic_name_too(nurse, kesimpta):
    case, _ = case_create(actor=nurse, fields=fields(drug_name="ofatumumab"))
    assert case.policy_version == kesimpta


@pytest.mark.django_db
def test_a_drug_without_a_policy_is_accepted_as_not_in_policy_for_a_physician(nurse, kesimpta):
    case, _ = case_create(actor=nurse, fields=fields(drug_name="Ocrevus", hcpcs_code="J2350"))
    assert case.not_in_policy and case.policy is None and case.policy_version is None
    assert case.status == Case.Status.PHYSICIAN_QUEUE
    move = case.events.get(kind="status")
    assert move.to_status == "physician_queue" and "Not in policy" in move.payload["reason"]


@pytest.mark.django_db
def test_a_request_received_before_any_version_took_force_is_not_in_policy(nurse, kesimpta):
    # Version 1 of 2020910 took force on 2020-09-17.
    received = datetime(2020, 9, 16, 12, 0, tzinfo=NY)
    # Before FY2026 ICD-10-CM, multiple sclerosis was G35.
    case, _ = case_create(actor=nurse, fields=fields(received_at=received, diagnosis_codes=["G35"]))
    assert case.policy == kesimpta.policy and case.policy_version is None and case.not_in_policy
    assert case.status == Case.Status.PHYSICIAN_QUEUE
    assert case.reference == "PA-2020-000001"
    assert "no version in force on 2020-09-16" in case.events.get(kind="status").payload["reason"]


@pytest.mark.django_db
def test_references_count_per_year_of_receipt(nurse, kesimpta):
    refs = [
        case_create(actor=nurse, fields=fields(received_at=when))[0].reference
        for when in (
            datetime(2026, 1, 2, tzinfo=NY),
            datetime(2026, 5, 2, tzinfo=NY),
            datetime(2025, 12, 31, 23, 0, tzinfo=NY),
        )
    ]
    assert refs == ["PA-2026-000001", "PA-2026-000002", "PA-2025-000001"]
    assert ReferenceSequence.objects.get(year=2026).last == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_intakes_never_share_a_reference():
    require_service(
        "PostgreSQL", services_available.postgres(), "set DATABASE_URL to a PostgreSQL database"
    )
    results, errors = [], []
    barrier = threading.Barrier(8)

    def take():
        try:
            barrier.wait()
            with transaction.atomic():
                results.append(reference_next(year=2031))
        except Exception as error:  # report, do not hide, a failure in a thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == [f"PA-2031-{n:06d}" for n in range(1, 9)]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["auditor", "policy_admin", "outsider"])
def test_only_intake_staff_may_enter_requests(who, request, kesimpta):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        case_create(actor=user, fields=fields())
    assert not Case.objects.exists() and not CaseEvent.objects.exists()


@pytest.mark.django_db
def test_physicians_may_enter_requests(physician, kesimpta):
    case, _ = case_create(actor=physician, fields=fields())
    assert case.created_by == physician


@pytest.mark.django_db
def test_a_missing_deadline_rule_is_a_clear_error_not_a_crash(nurse, kesimpta):
    DeadlineRule.objects.filter(line_of_business="commercial", urgency="standard").delete()
    with pytest.raises(ReviewError, match="no deadline rule for Commercial"):
        case_create(actor=nurse, fields=fields())
    assert not Case.objects.exists()


# ---- the transition table -------------------------------------------------------------------


def test_the_table_follows_the_design_state_diagram():
    S = Case.Status
    assert TRANSITIONS[S.NURSE_REVIEW] == {S.APPROVED, S.PHYSICIAN_QUEUE}
    assert TRANSITIONS[S.PHYSICIAN_REVIEW] == {
        S.APPROVED,
        S.PARTIALLY_APPROVED,
        S.DENIED,
        S.INFO_REQUESTED,
        S.NURSE_REVIEW,
    }
    assert TRANSITIONS[S.INFO_REQUESTED] == {S.PHYSICIAN_QUEUE}
    assert set(TRANSITIONS) == set(S.values)
    for final in (S.APPROVED, S.PARTIALLY_APPROVED, S.DENIED):
        assert TRANSITIONS[final] == frozenset()
    # Nurses never deny: no edge from nurse review to denied.
    with pytest.raises(InvalidTransition):
        assert_transition(S.NURSE_REVIEW, S.DENIED)


@pytest.mark.django_db
def test_case_move_updates_the_status_and_records_the_event(nurse):
    case = CaseFactory(status=Case.Status.NURSE_REVIEW)
    case_move(case=case, to=Case.Status.PHYSICIAN_QUEUE, actor=nurse, payload={"reasons": ["x"]})
    case.refresh_from_db()
    assert case.status == Case.Status.PHYSICIAN_QUEUE
    event = case.events.get()
    assert (event.actor, event.from_status, event.to_status, event.payload) == (
        nurse,
        "nurse_review",
        "physician_queue",
        {"reasons": ["x"]},
    )


@pytest.mark.django_db
def test_case_move_refuses_a_transition_not_in_the_table(nurse):
    case = CaseFactory(status=Case.Status.NURSE_REVIEW)
    with pytest.raises(InvalidTransition, match="nurse review to denied"):
        case_move(case=case, to=Case.Status.DENIED, actor=nurse)
    case.refresh_from_db()
    assert case.status == Case.Status.NURSE_REVIEW and not case.events.exists()


@pytest.mark.django_db
def test_case_move_refuses_to_overwrite_a_move_made_since_the_case_was_read(nurse, nurse2):
    case = CaseFactory(status=Case.Status.NURSE_REVIEW)
    stale_copy = Case.objects.get(pk=case.pk)
    case_move(case=case, to=Case.Status.APPROVED, actor=nurse)
    with pytest.raises(StaleCase):
        case_move(case=stale_copy, to=Case.Status.PHYSICIAN_QUEUE, actor=nurse2)
    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED
    assert case.events.count() == 1
