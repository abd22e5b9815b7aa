from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from reviews import views as review_views
from reviews.forms.account import LoginForm
from reviews.views import account as account_views

urlpatterns = [
    path("", review_views.home_view, name="home"),
    path(
        "login/",
        login_not_required(
            auth_views.LoginView.as_view(
                authentication_form=LoginForm, redirect_authenticated_user=True
            )
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Every signed-in user, whatever the role: a new password passes the validators.
    path(
        "password/",
        account_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "password/changed/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="registration/password_changed.html"
        ),
        name="password_change_done",
    ),
    path("admin/", admin.site.urls),
    path("api/v1/", include("reviews.api.urls")),
    path("", include("reviews.urls")),
]
