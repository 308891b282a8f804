"""URLs of screening: the admins' threshold editor under /moderation/."""

from django.urls import path

from agora.screening import views

app_name = "screening"

urlpatterns = [path("moderation/screening", views.thresholds, name="thresholds")]
