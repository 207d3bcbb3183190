"""Account pages: Django's (logout, password change and reset) with chiso's login."""

from django.urls import include, path

from chiso.accounts import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("", include("django.contrib.auth.urls")),
]
