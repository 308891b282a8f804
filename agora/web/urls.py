"""URLs of the web app. Post and account ids in URLs are the unguessable public ids."""

from django.urls import path, re_path
from django.views.i18n import set_language

from agora.web import views

app_name = "web"

USERNAME = r"(?P<username>[A-Za-z0-9_]{1,30})"
POST_ID = r"(?P<post_id>[0-9a-fA-F-]{32,36})"

urlpatterns = [
    path("", views.home, name="home"),
    path("public", views.public, name="public"),
    path("tags/<str:tag>", views.hashtag, name="hashtag"),
    path("compose", views.compose, name="compose"),
    path("notifications", views.notifications, name="notifications"),
    path("follow-requests", views.follow_requests, name="follow_requests"),
    path("signup", views.signup, name="signup"),
    path("login", views.login_view, name="login"),
    path("logout", views.logout_view, name="logout"),
    path("settings/profile", views.settings_profile, name="settings_profile"),
    path("settings/preferences", views.settings_preferences, name="settings_preferences"),
    path("settings/password", views.settings_password, name="settings_password"),
    path("settings/blocks", views.settings_relationships, name="settings_relationships"),
    path("settings/delete", views.settings_delete, name="settings_delete"),
    path("settings/language", set_language, name="set_language"),
    path("about", views.about, name="about"),
    path("about/terms", views.terms, name="terms"),
    re_path(rf"^posts/{POST_ID}/edit$", views.edit_post, name="edit_post"),
    re_path(rf"^posts/{POST_ID}/delete$", views.delete_post, name="delete_post"),
    re_path(
        rf"^posts/{POST_ID}/(?P<action>like|unlike|repost|unrepost)$", views.post_action, name="post_action"
    ),
    re_path(rf"^@{USERNAME}$", views.profile, name="profile"),
    re_path(
        rf"^@{USERNAME}/with_replies$", views.profile, {"with_replies": True}, name="profile_with_replies"
    ),
    re_path(rf"^@{USERNAME}/(?P<direction>followers|following)$", views.follow_list, name="follow_list"),
    re_path(
        rf"^@{USERNAME}/(?P<action>follow|unfollow|block|unblock|mute|unmute|remove_follower|approve|reject)$",
        views.account_action,
        name="account_action",
    ),
    re_path(rf"^@{USERNAME}/{POST_ID}$", views.thread, name="thread"),
    re_path(rf"^@{USERNAME}/{POST_ID}/history$", views.post_history, name="post_history"),
]
