"""Sign-in, sign-out and failed sign-in become audit rows. Thin: each calls one service."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from reviews.client_ip import client_ip
from reviews.models import AccessEvent
from reviews.services.audit import access_event_record


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    access_event_record(kind=AccessEvent.Kind.LOGIN, address=client_ip(request), user=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        access_event_record(kind=AccessEvent.Kind.LOGOUT, address=client_ip(request), user=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    # Only the username: Django already strips the password from `credentials`.
    access_event_record(
        kind=AccessEvent.Kind.LOGIN_FAILED,
        address=client_ip(request),
        username=str(credentials.get("username", "")),
    )
