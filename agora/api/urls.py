"""The client API's URLs: Mastodon's paths, OAuth, discovery documents and the OpenAPI document."""

from __future__ import annotations

from django.urls import re_path
from drf_spectacular.views import SpectacularJSONAPIView

from agora.api.views import accounts, instance, misc, notifications, oauth, statuses, timelines

app_name = "api"

ID = r"(?P<{}>[0-9a-fA-F-]{{1,64}})"
STATUS = ID.format("status_id")
ACCOUNT = ID.format("account_id")

status_actions = [
    ("favourite", "write:favourites"),
    ("unfavourite", "write:favourites"),
    ("reblog", "write:statuses"),
    ("unreblog", "write:statuses"),
    ("bookmark", "write:bookmarks"),
    ("unbookmark", "write:bookmarks"),
    ("pin", "write:accounts"),
    ("unpin", "write:accounts"),
]
relationship_actions = [
    ("follow", "write:follows"),
    ("unfollow", "write:follows"),
    ("block", "write:blocks"),
    ("unblock", "write:blocks"),
    ("mute", "write:mutes"),
    ("unmute", "write:mutes"),
    ("remove_from_followers", "write:follows"),
]

urlpatterns = [
    # OAuth and discovery
    re_path(r"^oauth/authorize/?$", oauth.AuthorizeView.as_view(), name="authorize"),
    re_path(r"^oauth/token/?$", oauth.MastodonTokenView.as_view(), name="token"),
    re_path(r"^oauth/revoke/?$", oauth.MastodonRevokeView.as_view(), name="revoke"),
    re_path(
        r"^\.well-known/oauth-authorization-server/?$",
        oauth.AuthorizationServerView.as_view(),
        name="oauth_server",
    ),
    re_path(r"^\.well-known/webfinger/?$", instance.WebFingerView.as_view(), name="webfinger"),
    re_path(r"^\.well-known/nodeinfo/?$", instance.nodeinfo_index, name="nodeinfo_index"),
    re_path(r"^nodeinfo/2\.0/?$", instance.nodeinfo, name="nodeinfo"),
    re_path(r"^api/openapi\.json/?$", SpectacularJSONAPIView.as_view(), name="openapi"),
    re_path(r"^api/v1/apps/?$", oauth.AppsView.as_view(), name="apps"),
    re_path(r"^api/v1/apps/verify_credentials/?$", oauth.AppVerifyView.as_view(), name="app_verify"),
    # Instance
    re_path(r"^api/v1/instance/?$", instance.InstanceV1View.as_view(), name="instance_v1"),
    re_path(r"^api/v2/instance/?$", instance.InstanceV2View.as_view(), name="instance_v2"),
    re_path(r"^api/v1/instance/rules/?$", instance.RulesView.as_view(), name="instance_rules"),
    re_path(
        r"^api/v1/instance/extended_description/?$",
        instance.ExtendedDescriptionView.as_view(),
        name="instance_extended_description",
    ),
    re_path(
        r"^api/v1/instance/translation_languages/?$",
        instance.EmptyObjectView.as_view(),
        name="instance_translation_languages",
    ),
    re_path(r"^api/v1/instance/peers/?$", instance.EmptyListView.as_view(), name="instance_peers"),
    re_path(r"^api/v1/instance/activity/?$", instance.EmptyListView.as_view(), name="instance_activity"),
    re_path(r"^api/v1/endorsements/?$", instance.EmptyListView.as_view(), name="endorsements"),
    re_path(r"^api/v1/domain_blocks/?$", instance.EmptyListView.as_view(), name="domain_blocks"),
    re_path(r"^api/v1/custom_emojis/?$", instance.EmptyListView.as_view(), name="custom_emojis"),
    re_path(r"^api/v1/filters/?$", instance.EmptyListView.as_view(), name="filters_v1"),
    re_path(r"^api/v2/filters/?$", instance.EmptyListView.as_view(), name="filters_v2"),
    re_path(r"^api/v1/lists/?$", instance.EmptyListView.as_view(), name="lists"),
    re_path(r"^api/v1/announcements/?$", instance.EmptyListView.as_view(), name="announcements"),
    re_path(r"^api/v1/featured_tags/?$", instance.EmptyListView.as_view(), name="featured_tags"),
    re_path(r"^api/v1/conversations/?$", instance.EmptyListView.as_view(), name="conversations"),
    re_path(r"^api/v1/scheduled_statuses/?$", instance.EmptyListView.as_view(), name="scheduled_statuses"),
    re_path(r"^api/v1/suggestions/?$", instance.EmptyListView.as_view(), name="suggestions"),
    re_path(r"^api/v2/suggestions/?$", instance.EmptyListView.as_view(), name="suggestions_v2"),
    # Accounts
    re_path(r"^api/v1/accounts/?$", accounts.RegisterView.as_view(), name="register"),
    re_path(
        r"^api/v1/accounts/verify_credentials/?$", accounts.VerifyCredentialsView.as_view(), name="verify"
    ),
    re_path(
        r"^api/v1/accounts/update_credentials/?$", accounts.UpdateCredentialsView.as_view(), name="update"
    ),
    re_path(r"^api/v1/accounts/relationships/?$", accounts.RelationshipsView.as_view(), name="relationships"),
    re_path(r"^api/v1/accounts/lookup/?$", accounts.LookupView.as_view(), name="lookup"),
    re_path(r"^api/v1/accounts/search/?$", accounts.AccountSearchView.as_view(), name="account_search"),
    re_path(
        r"^api/v1/accounts/familiar_followers/?$",
        accounts.FamiliarFollowersView.as_view(),
        name="familiar_followers",
    ),
    re_path(rf"^api/v1/accounts/{ACCOUNT}/?$", accounts.AccountView.as_view(), name="account"),
    re_path(
        rf"^api/v1/accounts/{ACCOUNT}/featured_tags/?$",
        accounts.AccountEmptyListView.as_view(),
        name="account_featured_tags",
    ),
    re_path(
        rf"^api/v1/accounts/{ACCOUNT}/lists/?$", accounts.AccountEmptyListView.as_view(), name="account_lists"
    ),
    re_path(
        rf"^api/v1/accounts/{ACCOUNT}/statuses/?$",
        accounts.AccountStatusesView.as_view(),
        name="account_statuses",
    ),
    re_path(
        rf"^api/v1/accounts/{ACCOUNT}/followers/?$",
        accounts.FollowListView.as_view(direction="followers"),
        name="followers",
    ),
    re_path(
        rf"^api/v1/accounts/{ACCOUNT}/following/?$",
        accounts.FollowListView.as_view(direction="following"),
        name="following",
    ),
    *[
        re_path(
            rf"^api/v1/accounts/{ACCOUNT}/{action}/?$",
            accounts.relationship_view(action, scope),
            name=f"account_{action}",
        )
        for action, scope in relationship_actions
    ],
    re_path(r"^api/v1/blocks/?$", accounts.people_view("blocks", "read:blocks"), name="blocks"),
    re_path(r"^api/v1/mutes/?$", accounts.people_view("mutes", "read:mutes"), name="mutes"),
    re_path(
        r"^api/v1/follow_requests/?$",
        accounts.people_view("follow_requests", "read:follows"),
        name="follow_requests",
    ),
    re_path(
        rf"^api/v1/follow_requests/{ACCOUNT}/authorize/?$",
        accounts.FollowRequestDecisionView.as_view(approve=True),
        name="follow_request_authorize",
    ),
    re_path(
        rf"^api/v1/follow_requests/{ACCOUNT}/reject/?$",
        accounts.FollowRequestDecisionView.as_view(approve=False),
        name="follow_request_reject",
    ),
    # Statuses
    re_path(r"^api/v1/statuses/?$", statuses.StatusesView.as_view(), name="statuses"),
    re_path(rf"^api/v1/statuses/{STATUS}/?$", statuses.StatusView.as_view(), name="status"),
    re_path(rf"^api/v1/statuses/{STATUS}/context/?$", statuses.ContextView.as_view(), name="context"),
    re_path(rf"^api/v1/statuses/{STATUS}/history/?$", statuses.HistoryView.as_view(), name="history"),
    re_path(rf"^api/v1/statuses/{STATUS}/source/?$", statuses.SourceView.as_view(), name="source"),
    re_path(
        rf"^api/v1/statuses/{STATUS}/favourited_by/?$",
        statuses.StatusAccountsView.as_view(kind="favourited_by"),
        name="favourited_by",
    ),
    re_path(
        rf"^api/v1/statuses/{STATUS}/reblogged_by/?$",
        statuses.StatusAccountsView.as_view(kind="reblogged_by"),
        name="reblogged_by",
    ),
    *[
        re_path(
            rf"^api/v1/statuses/{STATUS}/{action}/?$",
            statuses.status_action_view(action, scope),
            name=f"status_{action}",
        )
        for action, scope in status_actions
    ],
    # Timelines
    re_path(r"^api/v1/timelines/home/?$", timelines.HomeTimelineView.as_view(), name="home"),
    re_path(r"^api/v1/timelines/public/?$", timelines.PublicTimelineView.as_view(), name="public"),
    re_path(
        r"^api/v1/timelines/tag/(?P<hashtag>[^/]+)/?$",
        timelines.HashtagTimelineView.as_view(),
        name="tag_timeline",
    ),
    # Notifications
    re_path(
        r"^api/v2/notifications/?$", notifications.GroupedNotificationsView.as_view(), name="notifications_v2"
    ),
    re_path(
        r"^api/v2/notifications/unread_count/?$", notifications.UnreadCountView.as_view(), name="unread_v2"
    ),
    re_path(r"^api/v1/notifications/?$", notifications.NotificationsView.as_view(), name="notifications"),
    re_path(
        r"^api/v1/notifications/unread_count/?$", notifications.UnreadCountView.as_view(), name="unread_count"
    ),
    re_path(
        r"^api/v2/notifications/policy/?$",
        notifications.NotificationPolicyView.as_view(),
        name="notification_policy_v2",
    ),
    re_path(
        r"^api/v1/notifications/policy/?$",
        notifications.NotificationPolicyView.as_view(version=1),
        name="notification_policy",
    ),
    re_path(
        r"^api/v1/notifications/requests/?$",
        instance.EmptyListView.as_view(),
        name="notification_requests",
    ),
    re_path(r"^api/v1/notifications/clear/?$", notifications.ClearView.as_view(), name="notifications_clear"),
    re_path(
        r"^api/v1/notifications/dismiss/?$",
        notifications.DismissView.as_view(),
        name="notification_dismiss_v0",
    ),
    re_path(
        rf"^api/v1/notifications/{ID.format('notification_id')}/dismiss/?$",
        notifications.DismissView.as_view(),
        name="notification_dismiss",
    ),
    re_path(
        rf"^api/v1/notifications/{ID.format('notification_id')}/?$",
        notifications.NotificationView.as_view(),
        name="notification",
    ),
    # The rest
    re_path(r"^api/v1/markers/?$", misc.MarkersView.as_view(), name="markers"),
    re_path(r"^api/v1/preferences/?$", misc.PreferencesView.as_view(), name="preferences"),
    re_path(r"^api/v1/bookmarks/?$", misc.SavedPostsView.as_view(), name="bookmarks"),
    re_path(r"^api/v1/favourites/?$", misc.FavouritesView.as_view(), name="favourites"),
    re_path(r"^api/v2/search/?$", misc.SearchView.as_view(), name="search"),
    re_path(r"^api/v2/media/?$", misc.MediaUploadView.as_view(), name="media_v2"),
    re_path(r"^api/v1/media/?$", misc.MediaUploadView.as_view(), name="media_v1"),
    re_path(rf"^api/v1/media/{ID.format('media_id')}/?$", misc.MediaView.as_view(), name="media"),
    re_path(r"^api/v1/reports/?$", misc.ReportsView.as_view(), name="reports"),
    re_path(r"^api/v1/tags/(?P<name>[^/]+)/?$", misc.TagView.as_view(), name="tag"),
    re_path(
        r"^api/v1/tags/(?P<name>[^/]+)/follow/?$", misc.TagFollowView.as_view(follow=True), name="tag_follow"
    ),
    re_path(
        r"^api/v1/tags/(?P<name>[^/]+)/unfollow/?$",
        misc.TagFollowView.as_view(follow=False),
        name="tag_unfollow",
    ),
    re_path(r"^api/v1/followed_tags/?$", misc.FollowedTagsView.as_view(), name="followed_tags"),
    re_path(r"^api/v1/trends/?$", misc.TrendingTagsView.as_view(), name="trends"),
    re_path(r"^api/v1/trends/tags/?$", misc.TrendingTagsView.as_view(), name="trending_tags"),
    re_path(r"^api/v1/trends/statuses/?$", misc.TrendingStatusesView.as_view(), name="trending_statuses"),
    re_path(r"^api/v1/trends/links/?$", instance.EmptyListView.as_view(), name="trending_links"),
]
