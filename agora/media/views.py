"""Media endpoints: serving files behind the visibility rule, uploading, and polling an upload's state."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage, default_storage
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from agora.accounts.models import User
from agora.core.ratelimit import RateLimited, charge_request, rate_limited, too_many_requests
from agora.media import selectors, services
from agora.media.forms import ProfilePicturesForm
from agora.media.models import MediaAttachment
from agora.web.forms import add_service_errors


def _viewer(request: HttpRequest) -> User | None:
    return request.user if request.user.is_authenticated else None  # type: ignore[return-value]


@require_safe
def media_file(request: HttpRequest, key: str) -> HttpResponseBase:
    """One stored file, if the viewer may see the post (or profile) it belongs to; 404 otherwise."""
    granted = selectors.is_granted(key, request.GET.get("expires"), request.GET.get("grant"))
    servable = selectors.get_servable_file(_viewer(request), key, granted=granted)
    stored = servable.file
    if not isinstance(default_storage, FileSystemStorage):
        # Object storage: hand out a signed URL that expires (see STORAGES in settings), never a public one.
        redirect = HttpResponseRedirect(default_storage.url(stored.storage_name))
        redirect["Cache-Control"] = "private, no-store"
        return redirect
    extension = stored.storage_name.rsplit(".", 1)[-1]
    response = FileResponse(default_storage.open(stored.storage_name, "rb"), content_type=stored.content_type)
    response["Content-Disposition"] = f'inline; filename="{stored.key}.{extension}"'
    # Even if a browser were tricked into rendering a file as a page, it could run nothing and reach nothing.
    # (Inline styles only for the browser's own viewer page around a picture opened full size.)
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox"
    )
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    # Public files may sit in shared caches for an hour (so deletion reaches them within the hour); others
    # only in the viewer's own browser, and responses depend on who asks.
    response["Cache-Control"] = "public, max-age=3600" if servable.public else "private, max-age=3600"
    response["Vary"] = "Cookie"
    return response


def attachment_json(attachment: MediaAttachment) -> dict[str, object]:
    main, preview = attachment.main_file, attachment.preview_file
    return {
        "id": str(attachment.pk),
        "type": attachment.kind,
        "state": attachment.state,
        "error": attachment.error or None,
        "description": attachment.alt_text,
        "url": main.url if main else None,
        "preview_url": preview.url if preview else None,
        "blurhash": attachment.blurhash or None,
        "meta": {"width": attachment.width, "height": attachment.height, "duration": attachment.duration},
    }


@login_required
@require_POST
@rate_limited("media_upload")
def upload(request: HttpRequest) -> HttpResponse:
    """Accept one file (field ``file``, optional ``description``); 202 with the state to poll, or 422."""
    viewer: User = request.user  # type: ignore[assignment]
    uploaded = request.FILES.get("file")
    if getattr(request, "upload_too_large", False):
        return JsonResponse({"error": _("This file is too large.")}, status=413)
    if uploaded is None:
        return JsonResponse({"error": "Choose a file to upload."}, status=422)
    try:
        attachment = services.upload_media(
            owner=viewer, upload=uploaded, alt_text=request.POST.get("description", "")
        )
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=422)
    attachment = selectors.get_own_attachment(viewer, str(attachment.pk))
    status = 200 if attachment.state == MediaAttachment.State.READY else 202
    return JsonResponse(attachment_json(attachment), status=status)


@login_required
@require_http_methods(["GET", "POST", "DELETE"])
def status(request: HttpRequest, media_id: str) -> HttpResponse:
    """An upload's state (pending, ready or failed with the reason), for the uploader to poll; POST with
    ``description`` changes its alt text (also once posted); DELETE drops an upload that is not part of a
    post.
    """
    viewer: User = request.user  # type: ignore[assignment]
    attachment = selectors.get_own_attachment(viewer, media_id)
    if request.method == "DELETE":
        services.delete_unattached(actor=viewer, media=attachment)
        return HttpResponse(status=204)
    if request.method == "POST":
        try:
            services.describe_media(
                actor=viewer, media=attachment, alt_text=request.POST.get("description", "")
            )
        except ValidationError as error:
            return JsonResponse({"error": " ".join(error.messages)}, status=422)
    return JsonResponse(attachment_json(attachment))


@login_required
@require_http_methods(["GET", "POST"])
def settings_pictures(request: HttpRequest) -> HttpResponse:
    """Avatar and header: upload a new one or remove the current one."""
    viewer: User = request.user  # type: ignore[assignment]
    form = ProfilePicturesForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            for purpose in (MediaAttachment.Purpose.AVATAR, MediaAttachment.Purpose.HEADER):
                if form.cleaned_data.get(f"remove_{purpose}"):
                    services.remove_profile_image(user=viewer, purpose=purpose)
                elif form.cleaned_data.get(purpose):
                    charge_request(request, "media_upload", ip_always=True)
                    services.set_profile_image(
                        user=viewer, upload=form.cleaned_data[purpose], purpose=purpose
                    )
        except RateLimited as error:
            return too_many_requests(request, error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your pictures are saved."))
            return redirect("media:settings_pictures")
    context = {
        "form": form,
        "images": selectors.profile_images(viewer),
        "pending": MediaAttachment.objects.filter(
            owner=viewer,
            purpose__in=[MediaAttachment.Purpose.AVATAR, MediaAttachment.Purpose.HEADER],
            state__in=[MediaAttachment.State.PENDING, MediaAttachment.State.FAILED],
        ),
        "section": "pictures",
        "nav": "settings",
    }
    return render(request, "media/settings_pictures.html", context)
