"""Reviewers acting on the same case at the same moment, with real threads on PostgreSQL.

Each thread has its own database connection, waits at a barrier, then calls the service, so
the calls really overlap. Exactly one wins; every loser gets the domain's own error with a
message fit to show, never a database error; the event log records one move.

SQLite serializes writers, so these tests skip there locally and fail in CI.
"""

import threading

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import connection

from reviews import roles
from reviews.errors import AlreadyClaimed, StaleCase
from reviews.models import Case, CaseEvent, Determination
from reviews.selectors.review import case_review_state
from reviews.services import nurse_review, physician_review
from tests import services_available
from tests.builders import answered_case
from tests.conftest import _user, require_service
from tests.review_fixtures import kesimpta_request

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgres():
    require_service(
        "PostgreSQL",
        services_available.postgres(),
        "set DATABASE_URL to PostgreSQL: SQLite serializes writers",
    )


@pytest.fixture(autouse=True)
def _no_letter_rendering(monkeypatch):
    # Decisions enqueue the letter's PDF after commit; these tests are about the decision.
    from reviews import tasks

    monkeypatch.setattr(tasks.letter_render, "apply_async", lambda **kwargs: None)


def at_once(calls: dict) -> dict:
    """Run every call in its own thread, released together; name -> result or exception."""
    barrier = threading.Barrier(len(calls))
    outcomes = {}

    def run(name, call):
        try:
            barrier.wait(timeout=30)
            outcomes[name] = call()
        except Exception as error:  # the outcome under test, whatever it is
            outcomes[name] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in calls.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread is still waiting: a deadlock?"
    return outcomes


def fresh(case: Case) -> Case:
    """The case as a request would read it: a new object, not one a thread changed."""
    return Case.objects.get(pk=case.pk)


def answered_in_full(case: Case, nurse) -> Case:
    """Claimed by the nurse, every criterion met."""
    answered_case(case, nurse)
    assert case_review_state(case=case).all_met
    return fresh(case)


def moves_out_of(case: Case, status: str):
    return CaseEvent.objects.filter(case=case, kind="status", from_status=status)


# ---- nurses ------------------------------------------------------------------------------


def test_twenty_nurses_claim_one_case_and_exactly_one_wins(kesimpta, nurse, django_user_model):
    case = kesimpta_request(nurse)
    group = Group.objects.get(name=roles.NURSE)
    nurses = []
    for i in range(20):
        # No password: hashing twenty of them would be most of this test's time.
        user = django_user_model.objects.create(
            username=f"nurse{i:02d}", first_name=f"Nurse{i:02d}", last_name="Number, RN"
        )
        user.groups.add(group)
        nurses.append(user)
    assert Group.objects.get(name=roles.NURSE).user_set.count() == 21

    outcomes = at_once(
        {
            n.username: (lambda n=n: nurse_review.case_claim(case=fresh(case), nurse=n))
            for n in nurses
        }
    )

    winners = [name for name, result in outcomes.items() if isinstance(result, Case)]
    assert len(winners) == 1, outcomes
    losers = {name: r for name, r in outcomes.items() if name not in winners}
    unexpected = {n: r for n, r in losers.items() if not isinstance(r, AlreadyClaimed | StaleCase)}
    assert not unexpected, unexpected
    winner = django_user_model.objects.get(username=winners[0])
    for error in losers.values():
        assert str(error) == f"{winner.get_full_name()} has already claimed this case."
    case.refresh_from_db()
    assert case.assignee == winner and case.status == Case.Status.NURSE_REVIEW
    claims = CaseEvent.objects.filter(case=case, kind="claimed")
    assert claims.count() == 1 and claims.get().actor == winner


def test_approve_and_escalate_at_the_same_moment_one_of_them_happens(kesimpta, nurse):
    case = answered_in_full(kesimpta_request(nurse), nurse)

    outcomes = at_once(
        {
            "approve": lambda: nurse_review.case_approve_by_nurse(case=fresh(case), nurse=nurse),
            "escalate": lambda: nurse_review.case_escalate(
                case=fresh(case), nurse=nurse, comment="Active hepatitis B in the labs."
            ),
        }
    )

    case.refresh_from_db()
    if isinstance(outcomes["approve"], Determination):
        winner, loser, status = "approve", "escalate", Case.Status.APPROVED
        assert Determination.objects.filter(case=case).count() == 1
    else:
        winner, loser, status = "escalate", "approve", Case.Status.PHYSICIAN_QUEUE
        assert isinstance(outcomes["escalate"], Case), outcomes
        assert not Determination.objects.filter(case=case).exists()
    assert case.status == status
    error = outcomes[loser]
    assert isinstance(error, StaleCase), outcomes
    assert str(error) == (
        f"This case is no longer in nurse review ({Case.Status(status).label})."
    ), winner
    move = moves_out_of(case, Case.Status.NURSE_REVIEW).get()
    assert move.to_status == status and move.actor == nurse


# ---- physicians ----------------------------------------------------------------------------

DENIAL = {
    "criteria_cited": ["PRE-1"],
    "rationale": "The records show primary progressive MS; this drug is for relapsing MS.",
}


def test_two_physicians_claim_and_decide_the_same_case_at_once(escalated, django_user_model):
    first = _user(django_user_model, "pia", roles.PHYSICIAN, last_name="Ng, MD")
    second = _user(django_user_model, "paul", roles.PHYSICIAN, last_name="Roy, MD")

    def claim_and(physician, decide):
        physician_review.case_claim_physician(case=fresh(escalated), physician=physician)
        return decide(case=fresh(escalated), physician=physician)

    outcomes = at_once(
        {
            "deny": lambda: claim_and(
                first, lambda **kw: physician_review.case_deny(**kw, **DENIAL)
            ),
            "approve": lambda: claim_and(second, physician_review.case_approve_by_physician),
        }
    )

    decided = {k: v for k, v in outcomes.items() if isinstance(v, Determination)}
    assert len(decided) == 1, outcomes
    (loser_error,) = (v for k, v in outcomes.items() if k not in decided)
    winner = first if "deny" in decided else second
    outcome = next(iter(decided.values())).outcome
    # Usually the claims overlap and the loser is told who won. When the winner claims and
    # decides before the loser's thread reads the case, the loser's claim meets a decided case.
    assert (type(loser_error), str(loser_error)) in {
        (AlreadyClaimed, f"{winner.get_full_name()} has already claimed this case."),
        (StaleCase, f"This case is not waiting for a physician ({Case.Status(outcome).label})."),
    }, outcomes
    assert Determination.objects.filter(case=escalated).count() == 1
    assert moves_out_of(escalated, Case.Status.PHYSICIAN_QUEUE).count() == 1
    assert moves_out_of(escalated, Case.Status.PHYSICIAN_REVIEW).count() == 1


def test_one_physician_denies_and_approves_in_two_tabs_at_once(escalated, physician):
    physician_review.case_claim_physician(case=escalated, physician=physician)

    outcomes = at_once(
        {
            "deny": lambda: physician_review.case_deny(
                case=fresh(escalated), physician=physician, **DENIAL
            ),
            "approve": lambda: physician_review.case_approve_by_physician(
                case=fresh(escalated), physician=physician
            ),
        }
    )

    decided = [k for k, v in outcomes.items() if isinstance(v, Determination)]
    assert len(decided) == 1, outcomes
    (loser,) = {"deny", "approve"} - set(decided)
    error = outcomes[loser]
    assert isinstance(error, StaleCase), outcomes
    outcome = outcomes[decided[0]].outcome
    assert str(error) == (f"This case is not in physician review ({Case.Status(outcome).label}).")
    escalated.refresh_from_db()
    assert escalated.status == outcome
    assert Determination.objects.filter(case=escalated).count() == 1
    assert moves_out_of(escalated, Case.Status.PHYSICIAN_REVIEW).get().to_status == outcome


def test_a_nurse_racing_a_physician_to_deny_changes_nothing(escalated, nurse, physician):
    physician_review.case_claim_physician(case=escalated, physician=physician)

    outcomes = at_once(
        {
            "nurse": lambda: physician_review.case_deny(
                case=fresh(escalated), physician=nurse, **DENIAL
            ),
            "physician": lambda: physician_review.case_deny(
                case=fresh(escalated), physician=physician, **DENIAL
            ),
        }
    )

    assert isinstance(outcomes["nurse"], PermissionDenied), outcomes
    assert isinstance(outcomes["physician"], Determination), outcomes
    assert Determination.objects.get(case=escalated).decided_by == physician


# ---- appeals -------------------------------------------------------------------------------


def test_two_appeals_of_one_denial_at_once_make_one_appeal(denied, nurse, nurse2):
    """Intake staff taking in the same appeal twice (a fax and a phone call): the denial's row
    lock lets one through; the other is told it is already under appeal."""
    from django.utils import timezone

    from reviews.errors import AppealNotAllowed
    from reviews.models import Appeal
    from reviews.services import appeals

    def file(actor):
        return appeals.appeal_file(
            original=fresh(denied),
            actor=actor,
            appellant_kind="member",
            appellant_name="Peter Progressive",
            received_at=timezone.now(),
            urgency="standard",
            reason="I disagree: my MS relapses.",
        )[0]

    outcomes = at_once({"nina": lambda: file(nurse), "noah": lambda: file(nurse2)})
    winners = [r for r in outcomes.values() if isinstance(r, Appeal)]
    assert len(winners) == 1, outcomes
    losers = [r for r in outcomes.values() if not isinstance(r, Appeal)]
    assert all(isinstance(r, AppealNotAllowed | StaleCase) for r in losers), losers
    assert "already under appeal" in str(losers[0])
    assert Appeal.objects.count() == 1
    assert Case.objects.filter(status=Case.Status.PHYSICIAN_QUEUE).count() == 1
    assert CaseEvent.objects.filter(kind="appeal_filed", case=denied).count() == 1


def test_two_physicians_claim_an_appeal_at_once_and_one_wins(appeal, physician, physician2):
    """The physician who denied and a colleague press Claim together: the colleague gets it,
    the denier is refused whatever the timing."""
    outcomes = at_once(
        {
            "pat": lambda: physician_review.case_claim_physician(
                case=fresh(appeal.case), physician=physician
            ),
            "quinn": lambda: physician_review.case_claim_physician(
                case=fresh(appeal.case), physician=physician2
            ),
        }
    )
    assert isinstance(outcomes["quinn"], Case), outcomes
    assert isinstance(outcomes["pat"], PermissionDenied), outcomes
    assert fresh(appeal.case).assignee == physician2
