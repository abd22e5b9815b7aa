"""The answer to a sign-in refused by django-axes (settings.AXES_LOCKOUT_CALLABLE).

Says when to try again and whom to ask, with the Retry-After header; the API gets the same
as JSON. Nothing about the account is revealed beyond what the person typed.
"""

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone


def _retry_at(request, username: str):
    """The end of the lock: cool-off after the last counted failure of this name here."""
    last = AccessAttempt.objects.filter(
        username=username, ip_address=getattr(request, "axes_ip_address", None)
    ).aggregate(last=Max("attempt_time"))["last"]
    return (last or timezone.now()) + get_cool_off(request)


def lockout_response(request, original_response=None, credentials=None):
    status = settings.AXES_HTTP_RESPONSE_CODE
    username = get_client_username(request, credentials) or ""
    retry_at = _retry_at(request, username)
    wait_seconds = max(0, int((retry_at - timezone.now()).total_seconds()))
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "detail": "Too many failed sign-ins for this user from this address. "
                f"Try again after {timezone.localtime(retry_at):%H:%M %Z}.",
                "code": "locked_out",
                "retry_after_seconds": wait_seconds,
            },
            status=status,
        )
    else:
        context = {
            "retry_at": retry_at,
            "wait_minutes": max(1, -(-wait_seconds // 60)),
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "support_contact": settings.PRIORAUTH_SUPPORT_CONTACT,
        }
        response = render(request, "registration/locked_out.html", context, status=status)
    response["Retry-After"] = str(wait_seconds)
    response["Cache-Control"] = "no-store"
    return response
