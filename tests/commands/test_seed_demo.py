import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from reviews import roles
from reviews.models import ClaimLine


@pytest.mark.django_db
@pytest.mark.usefixtures("private_storage")  # the demo cases' PDFs go to a temporary directory
def test_seed_demo_creates_one_user_per_role_and_is_idempotent(settings, rf):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    User = get_user_model()
    expected = {
        "nurse": roles.NURSE,
        "physician": roles.PHYSICIAN,
        "policyadmin": roles.POLICY_ADMIN,
        "auditor": roles.AUDITOR,
        "claims": roles.CLAIMS_EXAMINER,
    }
    for username, role in expected.items():
        user = User.objects.get(username=username)
        assert [g.name for g in user.groups.all()] == [role]
        # django-axes checks every sign-in against its lockout, which needs the request.
        request = rf.post("/login/")
        assert authenticate(request, username=username, password=settings.DEMO_PASSWORD) == user
    assert User.objects.filter(username__in=expected).count() == 5
    # Demo claim lines, once however often it runs: paid, pended for review, 198, 197.
    statuses = set(ClaimLine.objects.values_list("status", flat=True))
    assert {"paid", "pended_review", "denied"} <= statuses
    assert ClaimLine.objects.filter(carc="197").count() == 1


@pytest.mark.django_db
def test_seed_demo_refuses_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only with DJANGO_DEBUG on"):
        call_command("seed_demo")
    assert not get_user_model().objects.filter(username="nurse").exists()
