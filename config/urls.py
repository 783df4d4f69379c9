from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language

from reports.onboarding.sign_in import LoginView, SignInLinkForm, cas_login
from reports.urls import tracking_urlpatterns


class LogoutView(auth_views.LogoutView):
    """Django's logout, a POST (the navigation bar's 退出). A GET (an old bookmark, a typed
    address) would be a blank 405: it asks instead, with the same POST, and logs nobody out.
    Like every page it needs a login: someone logged out is sent to the login page."""

    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        return render(request, "registration/logout.html")


# Setting a password: the first sign-in of a person imported without one, or a forgotten password
# (reports.onboarding.sign_in). Open without a login, as the login page is.
password_urlpatterns = [
    path("password/", login_not_required(auth_views.PasswordResetView.as_view(form_class=SignInLinkForm)),
         name="password_reset"),
    path("password/sent/", login_not_required(auth_views.PasswordResetDoneView.as_view()), name="password_reset_done"),
    path("password/<uidb64>/<token>/", login_not_required(auth_views.PasswordResetConfirmView.as_view()),
         name="password_reset_confirm"),
    path("password/done/", login_not_required(auth_views.PasswordResetCompleteView.as_view()),
         name="password_reset_complete"),
]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="reports:list", permanent=False)),
    path("login/", LoginView.as_view(), name="login"),
    path("login/cas/", cas_login, name="cas_login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    *password_urlpatterns,
    # The language can be chosen before logging in.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("reports/", include("reports.urls")),
    path("tracking/", include((tracking_urlpatterns, "tracking"))),
    path("admin/", admin.site.urls),
]
