"""URLs of core: operational endpoints."""

from django.urls import path

from agora.core import views

app_name = "core"

urlpatterns = [path("healthz", views.healthz, name="healthz")]
