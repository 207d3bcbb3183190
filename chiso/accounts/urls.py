"""Account pages: chiso's login and reset request, Django's other views with chiso's templates."""

from django.urls import include, path

from chiso.accounts import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password_change/", views.PasswordChangeView.as_view(), name="password_change"),
    # Logout and the "done" pages: Django's views with chiso's templates.
    path("", include("django.contrib.auth.urls")),
]
