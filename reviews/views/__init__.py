from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from reviews import permissions
from reviews.models import ClaimLine
from reviews.selectors.claims import claim_line_list
from reviews.selectors.health import health_report
from reviews.selectors.home import auditor_home, nurse_home, physician_home


@require_GET
def home_view(request):
    """Each role's work at a glance: the numbers of the queues the user works, or recent
    access for an auditor. A user with several roles sees each role's numbers."""
    user = request.user
    return render(
        request,
        "reviews/home.html",
        {
            "nurse_numbers": nurse_home(user=user)
            if permissions.can_review_as_nurse(user)
            else None,
            "physician_numbers": (
                physician_home(user=user) if permissions.can_review_as_physician(user) else None
            ),
            "access": auditor_home(user=user) if permissions.can_view_audit(user) else None,
            "claims_pended": (
                claim_line_list(user=user, status=ClaimLine.Status.PENDED_REVIEW).count()
                if permissions.can_examine_claims(user)
                else None
            ),
        },
    )


@never_cache
@require_GET
@login_not_required
def health_view(request):
    status, body = health_report()
    return JsonResponse(body, status=status)
