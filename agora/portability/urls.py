"""URLs of the person's data pages: your data and sessions, archive export, import, apps and tokens."""

from django.urls import path, re_path

from agora.portability import views

app_name = "portability"

UUID = r"[0-9a-fA-F-]{32,36}"

urlpatterns = [
    path("settings/data", views.your_data, name="your_data"),
    path("settings/data/logout-everywhere", views.logout_everywhere, name="logout_everywhere"),
    path("settings/export", views.export, name="export"),
    path("settings/export/status", views.export_status, name="export_status"),
    re_path(rf"^settings/export/(?P<archive_id>{UUID})/download$", views.download_archive, name="download"),
    path("settings/import", views.import_upload, name="import"),
    re_path(rf"^settings/import/(?P<import_id>{UUID})$", views.import_detail, name="import_detail"),
    path("settings/development", views.development, name="development"),
    re_path(
        r"^settings/development/(?P<application_id>[0-9]+)/(?P<action>regenerate|delete)$",
        views.development_action,
        name="development_action",
    ),
    path("settings/apps", views.authorised_apps, name="authorised_apps"),
    re_path(r"^settings/apps/(?P<application_id>[0-9]+)/revoke$", views.revoke_app, name="revoke_app"),
]
