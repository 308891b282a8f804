"""Web pages. Each view parses the request, calls one service or selector, and renders; no rules live here."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from agora.accounts import selectors as account_selectors
from agora.accounts import services as account_services
from agora.accounts.models import User
from agora.core.exceptions import NotAllowed
from agora.core.pagination import parse_cursor
from agora.core.ratelimit import RateLimited, charge, charge_request, rate_limited, too_many_requests
from agora.media import services as media_services
from agora.media.forms import chosen_uploads
from agora.media.models import MediaAttachment
from agora.notifications import selectors as notification_selectors
from agora.notifications import services as notification_services
from agora.posts import selectors as post_selectors
from agora.posts import services as post_services
from agora.posts.models import Post, Visibility
from agora.security.views import start_second_step
from agora.timelines import selectors as timelines
from agora.web.forms import (
    ComposeForm,
    DeleteAccountForm,
    EditPostForm,
    LoginForm,
    PasswordChangeForm,
    PreferencesForm,
    ProfileForm,
    SignUpForm,
    add_service_errors,
)
from agora.web.middleware import safe_next_url


def _viewer(request: HttpRequest) -> User | None:
    return request.user if request.user.is_authenticated else None  # type: ignore[return-value]


def _timeline_page(request: HttpRequest, template: str, context: dict[str, object]) -> HttpResponse:
    """Render a timeline; an htmx "load more" request gets only the next cards and the next link."""
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "web/partials/timeline_page.html", context)
    return render(request, template, context)


# Timelines -----------------------------------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("web:public")
    page = timelines.home_timeline(request.user, before=parse_cursor(request.GET.get("before")))  # type: ignore[arg-type]
    return _timeline_page(
        request, "web/home.html", {"page": page, "compose_form": ComposeForm(), "nav": "home"}
    )


def public(request: HttpRequest) -> HttpResponse:
    page = timelines.public_timeline(_viewer(request), before=parse_cursor(request.GET.get("before")))
    return _timeline_page(request, "web/public.html", {"page": page, "nav": "public"})


def hashtag(request: HttpRequest, tag: str) -> HttpResponse:
    page = timelines.hashtag_timeline(_viewer(request), tag, before=parse_cursor(request.GET.get("before")))
    return _timeline_page(request, "web/hashtag.html", {"page": page, "tag": tag.lower()})


def profile(request: HttpRequest, username: str, with_replies: bool = False) -> HttpResponse:
    viewer = _viewer(request)
    account = account_selectors.get_visible_account(viewer, username)
    page = timelines.profile_timeline(
        viewer, account, with_replies=with_replies, before=parse_cursor(request.GET.get("before"))
    )
    context = {
        "account": account,
        "relationship": account_selectors.relationship_between(viewer, account),
        "page": page,
        "with_replies": with_replies,
        "nav": "profile" if viewer is not None and viewer.pk == account.pk else "",
    }
    return _timeline_page(request, "web/profile.html", context)


def follow_list(request: HttpRequest, username: str, direction: str) -> HttpResponse:
    viewer = _viewer(request)
    account = account_selectors.get_visible_account(viewer, username)
    if direction == "followers":
        links = account_selectors.followers_of(viewer, account)
        people = [link.follower for link in links.order_by("-id")[:200]]
    else:
        links = account_selectors.following_of(viewer, account)
        people = [link.followee for link in links.order_by("-id")[:200]]
    return render(
        request, "web/follow_list.html", {"account": account, "people": people, "direction": direction}
    )


# Posts ---------------------------------------------------------------------------------------------------


def thread(request: HttpRequest, username: str, post_id: str) -> HttpResponse:
    viewer = _viewer(request)
    post = post_selectors.get_visible_post(viewer, post_id)
    if post.author.username.lower() != username.lower():
        raise Http404
    if post.repost_of_id is not None:
        assert post.repost_of is not None
        return redirect("web:thread", username=post.repost_of.author.username, post_id=post.repost_of_id)
    context = {
        "post": post,
        "ancestors": post_selectors.visible_ancestors(viewer, post),
        "descendants": post_selectors.visible_descendants(viewer, post),
        "reply_form": ComposeForm(initial=_reply_initial(viewer, post)) if viewer else None,
    }
    return render(request, "web/thread.html", context)


def _reply_initial(viewer: User | None, post: Post) -> dict[str, str]:
    """A reply starts addressed to the author (and others mentioned), as open as the post it answers."""
    names = [post.author.username, *(user.username for user in post.mentions.all())]
    own = viewer.username.lower() if viewer else ""
    addressed = [f"@{name}" for name in dict.fromkeys(names) if name.lower() != own]
    return {
        "text": " ".join(addressed) + (" " if addressed else ""),
        "visibility": post.visibility,
        "spoiler_text": post.spoiler_text,
    }


def post_history(request: HttpRequest, username: str, post_id: str) -> HttpResponse:
    post = post_selectors.get_visible_post(_viewer(request), post_id)
    if post.author.username.lower() != username.lower():
        raise Http404
    return render(
        request,
        "web/post_history.html",
        {"post": post, "edits": post_selectors.edit_history(_viewer(request), post)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def compose(request: HttpRequest) -> HttpResponse:
    viewer: User = request.user  # type: ignore[assignment]
    reply_to_id = request.POST.get("in_reply_to") or request.GET.get("in_reply_to")
    reply_to = post_selectors.get_visible_post(viewer, reply_to_id) if reply_to_id else None
    if request.method == "POST":
        form = ComposeForm(request.POST, request.FILES)
        # A file cut off while arriving (agora/media/uploadhandlers.py) is missing from request.FILES.
        if getattr(request, "upload_too_large", False):
            form.add_error(None, _("A file is too large, so nothing was posted."))
        if form.is_valid():
            uploads: list[MediaAttachment] = []
            try:
                for _file in chosen_uploads(form):
                    charge_request(request, "media_upload", ip_always=True)
                uploads = media_services.upload_post_media(owner=viewer, uploads=chosen_uploads(form))
                created = post_services.create_post(
                    author=viewer,
                    text=form.cleaned_data["text"],
                    spoiler_text=form.cleaned_data["spoiler_text"],
                    visibility=form.cleaned_data["visibility"],
                    sensitive=form.cleaned_data["sensitive"],
                    in_reply_to=reply_to,
                    language=request.LANGUAGE_CODE,
                    media_ids=[upload.pk for upload in uploads],
                )
            except RateLimited as error:
                return too_many_requests(request, error)
            except ValidationError as error:
                media_services.discard_uploads(uploads)
                add_service_errors(form, error)
            else:
                if created.is_published:
                    messages.success(request, _("Your post is published."))
                else:  # held by automated screening until a moderator looks at it
                    messages.info(
                        request, _("Your post is pending review: only you and the moderators see it.")
                    )
                if reply_to is not None:
                    return redirect("web:thread", username=reply_to.author.username, post_id=reply_to.pk)
                return redirect(safe_next_url(request, default="web:home"))
    else:
        form = ComposeForm(initial=_reply_initial(viewer, reply_to) if reply_to else None)
    return render(request, "web/compose.html", {"form": form, "reply_to": reply_to})


@login_required
@require_http_methods(["GET", "POST"])
def edit_post(request: HttpRequest, post_id: str) -> HttpResponse:
    viewer: User = request.user  # type: ignore[assignment]
    post = post_selectors.get_visible_post(viewer, post_id)
    if post.author_id != viewer.pk or post.repost_of_id is not None:
        raise Http404
    if request.method == "POST":
        form = EditPostForm(request.POST)
        if form.is_valid():
            try:
                edited = post_services.edit_post(
                    editor=viewer,
                    post=post,
                    text=form.cleaned_data["text"],
                    spoiler_text=form.cleaned_data["spoiler_text"],
                    sensitive=post.sensitive and bool(form.cleaned_data["spoiler_text"]),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if edited.is_published or not post.is_published:
                    messages.success(request, _("Your post is updated."))
                else:  # the edit was held by automated screening
                    messages.info(
                        request, _("Your post is pending review: only you and the moderators see it.")
                    )
                return redirect("web:thread", username=viewer.username, post_id=post.pk)
    else:
        form = EditPostForm(initial={"text": post.text, "spoiler_text": post.spoiler_text})
    return render(request, "web/edit_post.html", {"form": form, "post": post})


@login_required
@require_POST
@rate_limited("delete")
def delete_post(request: HttpRequest, post_id: str) -> HttpResponse:
    viewer: User = request.user  # type: ignore[assignment]
    post = post_selectors.get_visible_post(viewer, post_id)
    if post.author_id != viewer.pk:
        raise Http404
    post_services.delete_post(actor=viewer, post=post)
    messages.success(request, _("Your post is deleted."))
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponse("")
    next_url = safe_next_url(request, default="web:home")
    # Going back to the deleted post's own page would be a 404.
    if str(post.pk) in next_url:
        next_url = reverse("web:profile", kwargs={"username": viewer.username})
    return redirect(next_url)


def _post_action(request: HttpRequest, post_id: str, action: str) -> HttpResponse:
    viewer: User = request.user  # type: ignore[assignment]
    post = post_selectors.get_visible_post(viewer, post_id)
    target = post.repost_of if post.repost_of_id is not None else post
    assert target is not None
    if action == "like":
        post_services.like(user=viewer, post=target)
    elif action == "unlike":
        post_services.unlike(user=viewer, post=target)
    elif action == "repost":
        post_services.repost(user=viewer, post=target)
    elif action == "unrepost":
        post_services.undo_repost(user=viewer, post=target)
    if request.htmx:  # type: ignore[attr-defined]
        refreshed = post_selectors.get_visible_post(viewer, target.pk)
        return render(request, "web/partials/post_actions.html", {"post": refreshed, "card": refreshed})
    return redirect(safe_next_url(request, default="web:home"))


@login_required
@require_POST
def post_action(request: HttpRequest, post_id: str, action: str) -> HttpResponse:
    return _post_action(request, post_id, action)


# Accounts and the social graph ---------------------------------------------------------------------------


@login_required
@require_POST
def account_action(request: HttpRequest, username: str, action: str) -> HttpResponse:
    viewer: User = request.user  # type: ignore[assignment]
    if action in {"unblock", "approve", "reject"}:
        # The other side of a block cannot be "seen", yet one must be able to lift one's own block.
        target = User.objects.filter(username__iexact=username, is_active=True).first()
        if target is None:
            raise Http404
    else:
        target = account_selectors.get_visible_account(viewer, username)
    if action == "follow":
        outcome = account_services.follow(follower=viewer, target=target)
        if outcome == "requested":
            messages.info(request, _("Follow request sent. You will see their posts once they approve it."))
    elif action == "unfollow":
        account_services.unfollow(follower=viewer, target=target)
    elif action == "block":
        account_services.block(blocker=viewer, target=target)
        messages.info(request, _("You blocked @%(username)s.") % {"username": target.username})
    elif action == "unblock":
        account_services.unblock(blocker=viewer, target=target)
    elif action == "mute":
        account_services.mute(muter=viewer, target=target)
        messages.info(request, _("You muted @%(username)s.") % {"username": target.username})
    elif action == "unmute":
        account_services.unmute(muter=viewer, target=target)
    elif action == "remove_follower":
        account_services.remove_follower(user=viewer, follower=target)
    elif action == "approve":
        account_services.approve_follow_request(user=viewer, requester=target)
    elif action == "reject":
        account_services.reject_follow_request(user=viewer, requester=target)
    else:
        raise Http404
    return redirect(safe_next_url(request, default="web:home"))


@login_required
def follow_requests(request: HttpRequest) -> HttpResponse:
    pending = account_selectors.pending_follow_requests(request.user).order_by("-id")  # type: ignore[arg-type]
    return render(request, "web/follow_requests.html", {"requests": pending, "nav": "notifications"})


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    viewer: User = request.user  # type: ignore[assignment]
    page = notification_selectors.notifications_for(viewer, before=parse_cursor(request.GET.get("before")))
    unread_ids = {n.pk for n in page.items if not n.is_read}
    # Seen means read: the page marks what it showed, and the badge drops to zero.
    notification_services.mark_all_read(user=viewer)
    template = "web/partials/notification_page.html" if request.htmx else "web/notifications.html"  # type: ignore[attr-defined]
    return render(
        request,
        template,
        {"page": page, "unread_ids": unread_ids, "nav": "notifications", "unread_notifications": 0},
    )


# Sign-up, log-in, settings -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@rate_limited("signup")
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("web:home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = account_services.register_user(
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                accepted_terms=form.cleaned_data["accepted_terms"],
                language=getattr(request, "LANGUAGE_CODE", ""),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except NotAllowed as error:  # registrations are closed
            form.add_error(None, str(error))
        else:
            if user.pending_approval:
                messages.info(request, _("Thank you! An admin will look at your sign-up soon."))
                return redirect("web:public")
            login(request, user, backend="agora.accounts.backends.UsernameOrEmailBackend")
            messages.success(request, _("Welcome to %(name)s!") % {"name": request.get_host()})
            return redirect("web:home")
    return render(
        request, "web/signup.html", {"form": form, "registration_mode": account_services.registration_mode()}
    )


@require_http_methods(["GET", "POST"])
@rate_limited("login")
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("web:home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            # Per name typed, whether or not such an account exists, so the answer tells nothing.
            charge("login_account", account=form.cleaned_data["username"].strip().lower())
        except RateLimited as error:
            return too_many_requests(request, error)
        user = authenticate(
            request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
        )
        if user is None:
            form.add_error(None, _("The username or password is not right."))
        else:
            second_step = start_second_step(request, user)
            if second_step is not None:
                return second_step
            login(request, user)
            return redirect(safe_next_url(request, default="web:home"))
    return render(request, "web/login.html", {"form": form, "next": request.GET.get("next", "")})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:public")


@login_required
@require_http_methods(["GET", "POST"])
def settings_profile(request: HttpRequest) -> HttpResponse:
    viewer: User = request.user  # type: ignore[assignment]
    form = ProfileForm(request.POST or None, initial=ProfileForm.initial_for(viewer))
    if request.method == "POST" and form.is_valid():
        try:
            account_services.update_profile(
                user=viewer,
                display_name=form.cleaned_data["display_name"],
                bio=form.cleaned_data["bio"],
                is_locked=form.cleaned_data["is_locked"],
                discoverable=form.cleaned_data["discoverable"],
                profile_fields=form.profile_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("web:settings_profile")
    return render(
        request, "web/settings/profile.html", {"form": form, "section": "profile", "nav": "settings"}
    )


@login_required
@require_http_methods(["GET", "POST"])
def settings_preferences(request: HttpRequest) -> HttpResponse:
    viewer: User = request.user  # type: ignore[assignment]
    form = PreferencesForm(request.POST or None, initial={"language": viewer.language})
    if request.method == "POST" and form.is_valid():
        try:
            account_services.update_profile(user=viewer, language=form.cleaned_data["language"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("web:settings_preferences")
    return render(
        request, "web/settings/preferences.html", {"form": form, "section": "preferences", "nav": "settings"}
    )


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("reauthenticate")
def settings_password(request: HttpRequest) -> HttpResponse:
    viewer: User = request.user  # type: ignore[assignment]
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account_services.change_password(
                user=viewer,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            update_session_auth_hash(request, viewer)
            messages.success(request, _("Your password is changed."))
            return redirect("web:settings_password")
    return render(
        request, "web/settings/password.html", {"form": form, "section": "password", "nav": "settings"}
    )


@login_required
def settings_relationships(request: HttpRequest) -> HttpResponse:
    viewer: User = request.user  # type: ignore[assignment]
    context = {
        "blocks": account_selectors.blocked_accounts(viewer).order_by("-id"),
        "mutes": account_selectors.muted_accounts(viewer).order_by("-id"),
        "section": "relationships",
        "nav": "settings",
    }
    return render(request, "web/settings/relationships.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("reauthenticate")
def settings_delete(request: HttpRequest) -> HttpResponse:
    viewer: User = request.user  # type: ignore[assignment]
    form = DeleteAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account_services.delete_account(user=viewer, password=form.cleaned_data["password"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            logout(request)
            messages.success(request, _("Your account and everything in it is deleted."))
            return redirect("web:public")
    return render(request, "web/settings/delete.html", {"form": form, "section": "delete", "nav": "settings"})


def terms(request: HttpRequest) -> HttpResponse:
    return render(request, "web/terms.html")


def about(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/about.html",
        {
            "user_count": User.objects.filter(is_active=True).count(),
            "post_count": Post.objects.filter(repost_of__isnull=True, visibility=Visibility.PUBLIC).count(),
        },
    )
