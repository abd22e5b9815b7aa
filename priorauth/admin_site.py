"""The Django admin ("Policy administration") as this app's users meet it.

Django sends a signed-in user without admin access to the admin's login page ("You are
authenticated as ..., would you like to login to a different account?"). Here that user
gets the app's 403 page saying who may use it instead; anonymous users still sign in.
"""

from functools import update_wrapper

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache

NOT_FOR_YOUR_ROLE = "Policy administration is for policy admins only."


class PolicyAdminSite(admin.AdminSite):
    site_header = "Prior authorization: policy administration"
    site_title = "Prior authorization admin"

    def _refuse_signed_in_without_access(self, request) -> None:
        if request.user.is_authenticated and not self.has_permission(request):
            raise PermissionDenied(NOT_FOR_YOUR_ROLE)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def checked(request, *args, **kwargs):
            self._refuse_signed_in_without_access(request)
            return inner(request, *args, **kwargs)

        return update_wrapper(checked, inner)

    @method_decorator(never_cache)
    @login_not_required  # as Django's own: anonymous users sign in here
    def login(self, request, extra_context=None):
        self._refuse_signed_in_without_access(request)
        return super().login(request, extra_context)


class PolicyAdminConfig(AdminConfig):
    default_site = "priorauth.admin_site.PolicyAdminSite"
