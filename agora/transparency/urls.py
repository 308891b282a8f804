"""URLs of transparency: the moderators' dashboard and the public transparency report."""

from django.urls import path

from agora.transparency import views

app_name = "transparency"

urlpatterns = [
    path("moderation/dashboard", views.dashboard, name="dashboard"),
    path("moderation/plan.<str:fmt>", views.plan_download, name="plan_download"),
    path("about/transparency", views.public_report, name="public_report"),
    path("about/transparency.<str:fmt>", views.report_download, name="report_download"),
]
