"""What an app reads about the server before anything else: instance (v1, v2), WebFinger and NodeInfo."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from agora.accounts.models import User
from agora.accounts.services import registration_mode
from agora.api.serializers import absolute, default_header_url, iso
from agora.api.views.base import ApiView, json_schema, list_schema
from agora.media.processing import IMAGE_TYPES, VIDEO_TYPES
from agora.moderation.selectors import active_rules
from agora.posts.models import Post

AGORA_VERSION = "0.1.0"


def version_string() -> str:
    """Mastodon's version first, so that apps' version checks enable what Agora implements."""
    return f"{settings.AGORA_API_MASTODON_VERSION} (compatible; Agora {AGORA_VERSION})"


def streaming_url(request: HttpRequest) -> str:
    return f"{'wss' if request.is_secure() else 'ws'}://{request.get_host()}"


def rules() -> list[dict[str, str]]:
    return [{"id": str(rule.pk), "text": rule.title, "hint": rule.description} for rule in active_rules()]


def configuration(request: HttpRequest) -> dict[str, Any]:
    return {
        "urls": {"streaming": streaming_url(request), "status": None},
        "vapid": {"public_key": ""},
        "accounts": {"max_featured_tags": 0, "max_pinned_statuses": 5},
        "statuses": {
            "max_characters": settings.AGORA_MAX_POST_CHARS,
            "max_media_attachments": settings.AGORA_MEDIA_MAX_ATTACHMENTS,
            "characters_reserved_per_url": 23,
        },
        "media_attachments": {
            "supported_mime_types": sorted(
                {f"image/{name}" for name in IMAGE_TYPES} | {f"video/{name}" for name in VIDEO_TYPES}
            ),
            "image_size_limit": settings.AGORA_MEDIA_MAX_IMAGE_BYTES,
            "image_matrix_limit": settings.AGORA_MEDIA_MAX_IMAGE_PIXELS,
            "video_size_limit": settings.AGORA_MEDIA_MAX_VIDEO_BYTES,
            "video_frame_rate_limit": 60,
            "video_matrix_limit": settings.AGORA_MEDIA_MAX_VIDEO_SIDE * settings.AGORA_MEDIA_MAX_VIDEO_SIDE,
            "description_limit": 1500,
        },
        "polls": {
            "max_options": 0,
            "max_characters_per_option": 0,
            "min_expiration": 0,
            "max_expiration": 0,
        },
        "translation": {"enabled": False},
    }


def _registrations() -> tuple[bool, bool]:
    mode = registration_mode()
    return mode != "closed", mode == "approval"


class InstanceV2View(ApiView):
    @json_schema
    def get(self, request: Request) -> Response:
        enabled, approval = _registrations()
        return Response(
            {
                "domain": settings.AGORA_DOMAIN,
                "title": settings.AGORA_INSTANCE_NAME,
                "version": version_string(),
                "source_url": "https://github.com/agora-social/agora",
                "description": "",
                "usage": {"users": {"active_month": User.objects.filter(is_active=True).count()}},
                "thumbnail": {"url": default_header_url(), "blurhash": None, "versions": {}},
                "icon": [],
                "languages": [code for code, _name in settings.LANGUAGES],
                "configuration": configuration(request),
                "registrations": {
                    "enabled": enabled,
                    "approval_required": approval,
                    "message": None,
                    "url": None,
                },
                "api_versions": {"mastodon": 2},
                "contact": {"email": settings.AGORA_CONTACT_EMAIL, "account": None},
                "rules": rules(),
            }
        )


class InstanceV1View(ApiView):
    @json_schema
    def get(self, request: Request) -> Response:
        enabled, approval = _registrations()
        return Response(
            {
                "uri": settings.AGORA_DOMAIN,
                "title": settings.AGORA_INSTANCE_NAME,
                "short_description": "",
                "description": "",
                "email": settings.AGORA_CONTACT_EMAIL,
                "version": version_string(),
                "urls": {"streaming_api": streaming_url(request)},
                "stats": {
                    "user_count": User.objects.filter(is_active=True).count(),
                    "status_count": Post.objects.filter(repost_of__isnull=True).count(),
                    "domain_count": 0,
                },
                "thumbnail": default_header_url(),
                "languages": [code for code, _name in settings.LANGUAGES],
                "registrations": enabled,
                "approval_required": approval,
                "invites_enabled": False,
                "configuration": configuration(request),
                "contact_account": None,
                "rules": rules(),
            }
        )


class RulesView(ApiView):
    @list_schema
    def get(self, request: Request) -> Response:
        return Response(rules())


class EmptyListView(ApiView):
    """Features Agora does not have, answered as Mastodon answers when there is nothing: an empty list
    (custom emojis, filters, lists, featured tags, announcements, suggestions, trends of links)."""

    @list_schema
    def get(self, request: Request) -> Response:
        return Response([])


@extend_schema(exclude=True)
class WebFingerView(ApiView):
    def get(self, request: Request) -> Response:
        resource = request.query_params.get("resource", "")
        name = resource.removeprefix("acct:").lstrip("@")
        if resource.startswith(("http://", "https://")):
            name = resource.rstrip("/").rsplit("/", 1)[-1].lstrip("@")
        username, _at, domain = name.partition("@")
        if not username:
            return Response({"error": "resource is missing"}, status=400)
        if domain and domain.lower() != settings.AGORA_DOMAIN.lower():
            return Response({"error": "Record not found"}, status=404)
        account = User.objects.filter(username__iexact=username, is_active=True).first()
        if account is None:
            return Response({"error": "Record not found"}, status=404)
        profile = absolute(f"/@{account.username}")
        response = Response(
            {
                "subject": f"acct:{account.username}@{settings.AGORA_DOMAIN}",
                "aliases": [profile],
                "links": [
                    {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": profile}
                ],
            }
        )
        response["Content-Type"] = "application/jrd+json"
        return response


def nodeinfo_index(request: HttpRequest) -> JsonResponse:
    href = f"{request.scheme}://{request.get_host()}/nodeinfo/2.0"
    return JsonResponse({"links": [{"rel": "http://nodeinfo.diaspora.software/ns/schema/2.0", "href": href}]})


def nodeinfo(request: HttpRequest) -> JsonResponse:
    enabled, _approval = _registrations()
    users = User.objects.filter(is_active=True).count()
    return JsonResponse(
        {
            "version": "2.0",
            "software": {"name": "agora", "version": AGORA_VERSION},
            "protocols": [],
            "services": {"outbound": [], "inbound": []},
            "usage": {
                "users": {"total": users, "activeMonth": users, "activeHalfyear": users},
                "localPosts": Post.objects.filter(repost_of__isnull=True).count(),
            },
            "openRegistrations": enabled,
            "metadata": {"nodeName": settings.AGORA_INSTANCE_NAME},
        }
    )


class ExtendedDescriptionView(ApiView):
    """GET /api/v1/instance/extended_description (Agora has no separate long description)."""

    @json_schema
    def get(self, request: Request) -> Response:
        return Response({"updated_at": iso(timezone.now()), "content": ""})


class EmptyObjectView(ApiView):
    """Features answered with an empty object (translation languages: Agora does not translate)."""

    @json_schema
    def get(self, request: Request) -> Response:
        return Response({})
