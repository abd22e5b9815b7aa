"""A denial by one physician, and its appeal, walked there through the real services."""

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from reviews import roles
from reviews.services import appeals, physician_review

DENIAL_REASON = (
    "Your records show primary progressive multiple sclerosis. The drug is covered only "
    "for relapsing forms of MS."
)
APPEAL_REASON = "The new MRI shows active lesions: the MS is relapsing, not progressive."


@pytest.fixture
def physician2(django_user_model):
    """A second physician reviewer, who took no part in the denial."""
    from tests.conftest import PASSWORD

    user = django_user_model.objects.create_user(
        "quinn", password=PASSWORD, first_name="Quinn", last_name="Park, MD"
    )
    if not Group.objects.filter(name=roles.PHYSICIAN).exists():
        roles.roles_sync()
    user.groups.add(Group.objects.get(name=roles.PHYSICIAN))
    return user


@pytest.fixture
def denied(escalated, physician):
    """Escalated by the nurse, denied by `physician` on PRE-1."""
    physician_review.case_claim_physician(case=escalated, physician=physician)
    physician_review.case_deny(
        case=escalated, physician=physician, criteria_cited=["PRE-1"], rationale=DENIAL_REASON
    )
    escalated.refresh_from_db()
    return escalated


@pytest.fixture
def appeal(denied, nurse):
    """The prescriber's standard appeal of `denied`, taken in by the nurse today."""
    filed, _ = appeals.appeal_file(
        original=denied,
        actor=nurse,
        appellant_kind="prescriber",
        appellant_name="Dr. Elena Marsh",
        received_at=timezone.now(),
        urgency="standard",
        reason=APPEAL_REASON,
    )
    return filed
