"""URLs of the second log-in step and of the security settings."""

from django.urls import path

from agora.security import views

app_name = "security"

urlpatterns = [
    path("login/code", views.login_code, name="login_code"),
    path("settings/two-factor", views.two_factor_settings, name="two_factor"),
    path("settings/email", views.email_settings, name="email"),
]
