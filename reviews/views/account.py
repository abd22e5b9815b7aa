"""The signed-in user's own account: changing the password (Django's view and validators),
recorded in the access audit like sign-ins."""

from django.contrib.auth import views as auth_views

from reviews.client_ip import client_ip
from reviews.models import AccessEvent
from reviews.services.audit import access_event_record


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        access_event_record(
            kind=AccessEvent.Kind.PASSWORD_CHANGED,
            address=client_ip(self.request),
            user=self.request.user,
        )
        return response
