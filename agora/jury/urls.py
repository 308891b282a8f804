"""URLs of the community jury: the juror's docket, votes and calibration tests; the staff status page."""

from django.urls import path, re_path

from agora.jury import views

app_name = "jury"

UUID = r"[0-9a-fA-F-]{32,36}"

urlpatterns = [
    path("jury/", views.docket, name="docket"),
    path("jury/badge", views.badge, name="badge"),
    re_path(rf"^jury/items/(?P<item_id>{UUID})$", views.item, name="item"),
    path("jury/calibration", views.calibration_list, name="calibration_list"),
    re_path(r"^jury/calibration/(?P<number>[0-9]{1,5})$", views.calibration, name="calibration"),
    path("moderation/jury", views.status, name="status"),
    re_path(rf"^moderation/jury/(?P<jury_id>{UUID})/sign-off$", views.sign_off, name="sign_off"),
    re_path(
        r"^moderation/jury/breakers/(?P<category>[A-Z_]{1,80})/reset$",
        views.reset_breaker,
        name="reset_breaker",
    ),
]
