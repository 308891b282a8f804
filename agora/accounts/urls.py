"""URLs of the admins' account pages."""

from django.urls import path, re_path

from agora.accounts import views

app_name = "accounts"

urlpatterns = [
    path("admin/registrations", views.registrations, name="registrations"),
    re_path(
        r"^admin/registrations/(?P<username>[A-Za-z0-9_]{1,30})/(?P<action>approve|reject)$",
        views.decide_registration,
        name="decide_registration",
    ),
]
