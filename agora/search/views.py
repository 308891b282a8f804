"""Pages of search and explore: the explore page with its tabs and suggestions, following hashtags, and the
moderators' trend review and content search. Views parse, call one selector or service, and render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from agora.accounts.models import User
from agora.core.exceptions import NotAllowed
from agora.posts.models import Hashtag, Post
from agora.search import selectors, services
from agora.search.forms import ModeratorSearchForm, TrendSettingsForm
from agora.search.models import Link, TrendReview, TrendSettings
from agora.search.query import MAX_QUERY_CHARS
from agora.web.middleware import safe_next_url

TABS = ("posts", "accounts", "hashtags", "trending")


def _viewer(request: HttpRequest) -> User | None:
    return request.user if request.user.is_authenticated else None  # type: ignore[return-value]


def explore(request: HttpRequest) -> HttpResponse:
    """Search box and tabs. Without a query the trending tab shows; logged-out visitors get accounts and
    hashtags but no post search."""
    viewer = _viewer(request)
    query = request.GET.get("q", "").strip()[:MAX_QUERY_CHARS]
    tab = request.GET.get("tab", "")
    if tab not in TABS:
        tab = ("posts" if viewer else "accounts") if query else "trending"
    order = selectors.ORDER_NEWEST if request.GET.get("order") == "newest" else selectors.ORDER_RELEVANCE
    window = "week" if request.GET.get("window") == "week" else "day"
    context: dict[str, object] = {
        "query": query,
        "tab": tab,
        "order": order,
        "window": window,
        "nav": "explore",
        "tabs": [
            ("posts", _("Posts")),
            ("accounts", _("Accounts")),
            ("hashtags", _("Hashtags")),
            ("trending", _("Trending now")),
        ],
    }
    if tab == "posts" and query:
        if viewer is None:
            context["login_needed"] = True
        else:
            try:
                context["page"] = selectors.search_posts(
                    viewer, query, order=order, cursor=request.GET.get("before")
                )
            except ValidationError as error:
                context["query_error"] = " ".join(error.messages)
            if request.htmx and "page" in context:  # type: ignore[attr-defined]
                return render(request, "search/partials/post_results.html", context)
    elif tab == "accounts" and query:
        context["accounts"] = selectors.search_accounts(viewer, query, limit=40)
    elif tab == "hashtags" and query:
        context["hashtags"] = selectors.search_hashtags(query, limit=40)
    elif tab == "trending":
        context["trending_tags"] = selectors.trending_hashtags(window=window)
        context["trending_posts"] = selectors.trending_posts(viewer, window=window)
        context["trending_links"] = selectors.trending_links(window=window)
    return render(request, "search/explore.html", context)


def suggest(request: HttpRequest) -> HttpResponse:
    """The suggestion list under the search box (htmx): a few accounts and hashtags for what is typed."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_CHARS]
    context = {
        "query": query,
        "accounts": selectors.search_accounts(_viewer(request), query, limit=5) if query else [],
        "hashtags": selectors.search_hashtags(query, limit=5) if query else [],
    }
    return render(request, "search/partials/suggestions.html", context)


@login_required
@require_POST
def hashtag_follow(request: HttpRequest, tag: str, action: str) -> HttpResponse:
    viewer: User = request.user  # type: ignore[assignment]
    if action == "follow":
        services.follow_hashtag(user=viewer, name=tag)
        messages.success(
            request, _("You follow #%(tag)s: its posts appear in your home timeline.") % {"tag": tag}
        )
    else:
        services.unfollow_hashtag(user=viewer, name=tag)
        messages.info(request, _("You no longer follow #%(tag)s.") % {"tag": tag})
    return redirect(safe_next_url(request, default="web:home"))


@login_required
def followed_hashtags(request: HttpRequest) -> HttpResponse:
    viewer: User = request.user  # type: ignore[assignment]
    return render(
        request,
        "search/followed_hashtags.html",
        {"hashtags": selectors.followed_hashtags(viewer), "nav": "explore"},
    )


def _moderator(request: HttpRequest) -> User:
    user = request.user
    if not user.is_authenticated or not user.is_moderator:  # type: ignore[union-attr]
        # Like any page a visitor may not see: it does not exist for them.
        raise Http404
    return user  # type: ignore[return-value]


@login_required
@require_http_methods(["GET", "POST"])
def trends_review(request: HttpRequest) -> HttpResponse:
    """Moderators approve or hide trending hashtags, posts and links, and switch "review trends first"."""
    moderator = _moderator(request)
    window = "week" if request.GET.get("window") == "week" else "day"
    if request.method == "POST":
        if "review_first_form" in request.POST:
            settings_form = TrendSettingsForm(request.POST)
            if settings_form.is_valid():
                services.set_review_trends_first(
                    actor=moderator, enabled=settings_form.cleaned_data["review_first"]
                )
                messages.success(request, _("Trend settings saved."))
        else:
            status = request.POST.get("status", "")
            hashtag = post = link = None
            try:
                if request.POST.get("hashtag"):
                    hashtag = get_object_or_404(Hashtag, name=request.POST["hashtag"])
                elif request.POST.get("post"):
                    post = get_object_or_404(Post, pk=request.POST["post"])
                elif request.POST.get("link"):
                    link = get_object_or_404(Link, pk=request.POST["link"])
            except ValidationError as error:
                raise Http404 from error
            try:
                services.review_trend(actor=moderator, status=status, hashtag=hashtag, post=post, link=link)
            except NotAllowed as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("Trend review saved."))
        return redirect(request.get_full_path())
    context = {
        "window": window,
        "settings_form": TrendSettingsForm(initial={"review_first": TrendSettings.current().review_first}),
        "tags": selectors.trending_hashtags(window=window, for_review=True),
        "posts": selectors.trending_posts(moderator, window=window, for_review=True),
        "links": selectors.trending_links(window=window, for_review=True),
        "statuses": TrendReview.Status,
    }
    return render(request, "search/trends_review.html", context)


@login_required
def moderator_search(request: HttpRequest) -> HttpResponse:
    """All content, held and removed included, by words, author, days and state (moderators only)."""
    moderator = _moderator(request)
    form = ModeratorSearchForm(request.GET or None)
    page = None
    if request.GET and form.is_valid():
        data = form.cleaned_data
        try:
            page = selectors.moderator_search_posts(
                moderator,
                text=data["q"],
                author=data["author"],
                since=data["since"],
                until=data["until"],
                states=data["states"],
                screening_score=data["screening_score"],
                min_score=data["min_score"],
                cursor=request.GET.get("before"),
            )
        except ValidationError as error:
            form.add_error("q", error)
    return render(request, "search/moderator_search.html", {"form": form, "page": page})
