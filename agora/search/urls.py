"""URLs of search and explore, mounted at the site root beside the web app."""

from django.urls import path, re_path

from agora.search import views

app_name = "search"

urlpatterns = [
    path("explore", views.explore, name="explore"),
    path("explore/suggest", views.suggest, name="suggest"),
    path("explore/followed-hashtags", views.followed_hashtags, name="followed_hashtags"),
    re_path(
        r"^tags/(?P<tag>[^/]+)/(?P<action>follow|unfollow)$", views.hashtag_follow, name="hashtag_follow"
    ),
    path("moderation/trends", views.trends_review, name="trends_review"),
    path("moderation/search", views.moderator_search, name="moderator_search"),
]
