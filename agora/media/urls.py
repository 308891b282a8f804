"""Media URLs: files by their random key, uploads and their state."""

from django.urls import path, re_path

from agora.media import views

app_name = "media"

urlpatterns = [
    path("media/upload", views.upload, name="upload"),
    path("settings/pictures", views.settings_pictures, name="settings_pictures"),
    re_path(r"^media/uploads/(?P<media_id>[0-9a-fA-F-]{32,36})$", views.status, name="status"),
    re_path(r"^media/(?P<key>[A-Za-z0-9_-]{16,64})$", views.media_file, name="file"),
]
