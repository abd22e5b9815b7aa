"""Request handling the pages share."""

import time

from django.conf import settings
from django.http import Http404

from reviews.errors import NotFound


class NotFoundMiddleware:
    """Selectors say NotFound (no such thing, or not one this user may see); a page answers
    it as Django's 404, with the 404 template."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotFound):
            raise Http404(str(exception)) from exception
        return None


class SessionRenewalMiddleware:
    """The session's age is an idle timeout. Renewing it means writing the session row, so a
    signed-in request renews it only when the last renewal is older than
    SESSION_RENEW_SECONDS: the idle timeout then ends between (age - interval) and age after
    the last request, and most requests write nothing. Runs after SessionMiddleware."""

    KEY = "_renewed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty():
            return response
        now = int(time.time())
        if now - int(session.get(self.KEY, 0)) >= settings.SESSION_RENEW_SECONDS:
            session[self.KEY] = now  # marks the session modified: saved with a new expiry
        return response
