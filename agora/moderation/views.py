"""Moderation pages: reporting, notices and statements for everyone; queue, cases, appeals, rules and the
audit log for moderators and admins. Each view parses, calls one service or selector, and renders.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from agora.accounts.models import User
from agora.core.exceptions import NotFound
from agora.moderation import forms, selectors, services
from agora.moderation.models import Appeal, Rule
from agora.posts import selectors as post_selectors
from agora.posts.models import Post
from agora.web.forms import add_service_errors

View = Callable[..., HttpResponse]


def moderator_required(view: View) -> View:
    """Moderators only; others get 403 (the services check again)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_moderator:  # type: ignore[union-attr]
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def admin_required(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user: User = request.user  # type: ignore[assignment]
        if not (user.role == User.Role.ADMIN or user.is_superuser):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


# Public pages --------------------------------------------------------------------------------------------


def rules_json(request: HttpRequest) -> JsonResponse:
    """The rules in force, machine-readable (Art. 14(1) DSA), with their DSA category and legal ground."""
    rules = [
        {
            "number": rule.number,
            "title": rule.title,
            "description": rule.description,
            "category": rule.category,
            "category_specification": rule.category_specification,
            "ground": rule.ground,
            "legal_ground": rule.legal_ground,
        }
        for rule in selectors.active_rules()
    ]
    return JsonResponse({"rules": rules}, json_dumps_params={"ensure_ascii": False})


def contact(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "moderation/contact.html",
        {
            "operator": settings.AGORA_CONTACT_OPERATOR,
            "email": settings.AGORA_CONTACT_EMAIL,
            "address": settings.AGORA_CONTACT_ADDRESS,
        },
    )


def _subject_from_url(request: HttpRequest, url: str) -> tuple[Post | None, User | None]:
    """The post or account a notice's URL points at on this server (ValidationError otherwise)."""
    parts = urlsplit(url)
    if parts.hostname and parts.hostname.lower() not in {h.lower() for h in settings.ALLOWED_HOSTS} | {
        request.get_host().split(":")[0].lower()
    }:
        raise ValidationError({"url": _("That address is not on this server.")})
    try:
        match = resolve(parts.path)
    except Resolver404 as error:
        raise ValidationError(
            {"url": _("That address is not a post or a profile on this server.")}
        ) from error
    if match.view_name == "web:thread":
        try:
            post = post_selectors.get_visible_post(None, match.kwargs["post_id"])
        except NotFound as error:
            raise ValidationError({"url": _("There is no public post at that address.")}) from error
        return post, None
    if match.view_name in ("web:profile", "web:profile_with_replies"):
        account = User.objects.filter(username__iexact=match.kwargs["username"], is_active=True).first()
        if account is None:
            raise ValidationError({"url": _("There is no account at that address.")})
        return None, account
    raise ValidationError({"url": _("That address is not a post or a profile on this server.")})


@require_http_methods(["GET", "POST"])
def notice(request: HttpRequest) -> HttpResponse:
    """Anyone, logged in or not, can notify illegal content (Art. 16 DSA)."""
    form = forms.NoticeForm(request.POST or None, initial={"url": request.GET.get("url", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            post, account = _subject_from_url(request, data["url"])
            services.create_report(
                reporter=request.user if request.user.is_authenticated else None,  # type: ignore[arg-type]
                post=post,
                account=account,
                category=data["category"],
                explanation=data["explanation"],
                reporter_name=data["name"],
                reporter_email=data["email"],
                url=data["url"],
                is_illegal_notice=True,
                bona_fide=data["bona_fide"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return render(request, "moderation/report_done.html", {"email": data["email"]})
    return render(request, "moderation/notice.html", {"form": form})


def _report(request: HttpRequest, *, post: Post | None, account: User | None) -> HttpResponse:
    form = forms.ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_report(
                reporter=request.user,  # type: ignore[arg-type]
                post=post,
                account=account,
                category=form.cleaned_data["category"],
                rules=form.cleaned_data["rules"],
                explanation=form.cleaned_data["explanation"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Thank you. The moderators will review your report and tell you the outcome.")
            )
            return render(request, "moderation/report_done.html", {"signed_in": True})
    return render(request, "moderation/report.html", {"form": form, "post": post, "account": account})


@login_required
@require_http_methods(["GET", "POST"])
def report_post(request: HttpRequest, post_id: str) -> HttpResponse:
    post = post_selectors.get_visible_post(request.user, post_id)  # type: ignore[arg-type]
    return _report(request, post=post.repost_of or post, account=None)


@login_required
@require_http_methods(["GET", "POST"])
def report_account(request: HttpRequest, username: str) -> HttpResponse:
    account = User.objects.filter(username__iexact=username, is_active=True).first()
    if account is None:
        raise Http404
    return _report(request, post=None, account=account)


# The affected person and reporters -----------------------------------------------------------------------


@login_required
def notices(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    page = Paginator(selectors.notices_for(user), 30).get_page(request.GET.get("page"))
    unread = {notice.pk for notice in page if not notice.is_read}
    services.mark_notices_read(user=user)
    return render(
        request, "moderation/notices.html", {"page": page, "unread": unread, "nav": "notifications"}
    )


@login_required
def statement(request: HttpRequest, decision_id: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    decision = selectors.statement_for(user, decision_id)
    case = decision.case
    context = {
        "decision": decision,
        "case": case,
        "is_affected": case.account_id == user.pk,
        "statement": getattr(decision, "statement", None),
        "can_appeal": selectors.can_appeal(user, decision),
        "appeals": decision.appeals.filter(appellant=user),
        "appeal_form": forms.AppealForm(),
    }
    return render(request, "moderation/statement.html", context)


@login_required
@require_POST
def appeal(request: HttpRequest, decision_id: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    decision = selectors.statement_for(user, decision_id)
    form = forms.AppealForm(request.POST)
    if form.is_valid():
        try:
            services.file_appeal(appellant=user, decision=decision, text=form.cleaned_data["text"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Your appeal is filed. Another moderator will review the decision."))
    else:
        messages.error(request, _("Tell us why the decision is wrong."))
    return redirect("moderation:statement", decision_id=decision.pk)


@login_required
@require_http_methods(["GET", "POST"])
def muted_words(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = forms.MutedWordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_muted_word(user=user, word=form.cleaned_data["word"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("moderation:muted_words")
    words = user.muted_words.all()  # type: ignore[attr-defined]
    return render(
        request,
        "moderation/muted_words.html",
        {"form": form, "words": words, "nav": "settings", "section": "muted_words"},
    )


@login_required
@require_POST
def unmute_word(request: HttpRequest, word_id: str) -> HttpResponse:
    services.remove_muted_word(user=request.user, word_id=word_id)  # type: ignore[arg-type]
    return redirect("moderation:muted_words")


# Moderators ----------------------------------------------------------------------------------------------


@moderator_required
def queue(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    mine = request.GET.get("mine") == "1"
    cases = selectors.review_queue(user, assigned_to=user if mine else None)
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "moderation/queue.html",
        {
            "page": page,
            "mine": mine,
            "appeal_count": selectors.pending_appeals(user).count(),
            "nav": "moderation",
        },
    )


def _case_context(request: HttpRequest, case_id: str, **forms_: Any) -> dict[str, Any]:
    user: User = request.user  # type: ignore[assignment]
    case = selectors.get_case(user, case_id)
    post = None
    ancestors: list[Post] = []
    if case.post_id is not None:
        try:
            post = post_selectors.get_visible_post(user, case.post_id)
        except NotFound:
            post = None
        if post is not None:
            ancestors = post_selectors.visible_ancestors(user, post, limit=5)
    return {
        "case": case,
        "post": post,
        "ancestors": ancestors,
        "history": selectors.account_history(user, case.account),
        "reports": case.reports.select_related("reporter", "reporter__reporter_standing").prefetch_related(
            "rules"
        ),
        "screening": case.screening_results.all(),
        "notes": case.notes.select_related("author"),
        "events": selectors.case_events(user, case),
        "decisions": case.decisions.select_related("moderator", "rule"),
        "law_enforcement": case.law_enforcement_notices.all(),
        "pending_appeals": Appeal.objects.filter(
            decision__case=case, state=Appeal.State.PENDING
        ).select_related("appellant", "decision"),
        "decision_form": forms_.get("decision_form") or forms.DecisionForm(subject_type=case.subject_type),
        "note_form": forms_.get("note_form") or forms.NoteForm(),
        "law_form": forms_.get("law_form") or forms.LawEnforcementForm(),
        "appeal_form": forms_.get("appeal_form") or forms.AppealDecisionForm(),
        "moderators": selectors.moderators(),
        "nav": "moderation",
    }


@moderator_required
def case_detail(request: HttpRequest, case_id: str) -> HttpResponse:
    return render(request, "moderation/case.html", _case_context(request, case_id))


@moderator_required
@require_POST
def case_action(request: HttpRequest, case_id: str, action: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    case = selectors.get_case(user, case_id)
    bound: dict[str, Any] = {}
    try:
        if action == "claim":
            # Without an assignee, claim it oneself; with one, hand it to that moderator.
            assignee = None
            if request.POST.get("assignee"):
                assignee = User.objects.filter(username__iexact=request.POST["assignee"]).first()
                if assignee is None or not assignee.is_moderator:
                    raise ValidationError(_("Choose a moderator."))
            services.claim_case(moderator=user, case=case, assignee=assignee)
            messages.success(request, _("The case is assigned."))
        elif action == "note":
            note_form = forms.NoteForm(request.POST)
            bound["note_form"] = note_form
            if not note_form.is_valid():
                raise ValidationError(_("Write a note."))
            services.add_case_note(moderator=user, case=case, text=note_form.cleaned_data["text"])
        elif action == "law-enforcement":
            law_form = forms.LawEnforcementForm(request.POST)
            bound["law_form"] = law_form
            if not law_form.is_valid():
                raise ValidationError(_("Check the form."))
            services.record_law_enforcement_notice(
                moderator=user,
                case=case,
                authority=law_form.cleaned_data["authority"],
                reference=law_form.cleaned_data["reference"],
                notified_at=law_form.cleaned_data["notified_at"],
            )
            messages.success(request, _("The notification to the authorities is recorded."))
        elif action == "decide":
            decision_form = forms.DecisionForm(request.POST, subject_type=case.subject_type)
            bound["decision_form"] = decision_form
            if not decision_form.is_valid():
                raise ValidationError(_("Check the form."))
            data = decision_form.cleaned_data
            decision = services.decide_case(
                case=case,
                action=data["action"],
                rule=data["rule"],
                explanation=data["explanation"],
                moderator=user,
                duration=decision_form.duration,
                content_warning=data["content_warning"],
            )
            messages.success(request, _("Decided: %(action)s.") % {"action": decision.get_action_display()})
            return redirect("moderation:queue")
        else:
            raise Http404
    except ValidationError as error:
        form = next(iter(bound.values()), None)
        if form is not None:
            add_service_errors(form, error)
        else:
            messages.error(request, " ".join(error.messages))
        return render(request, "moderation/case.html", _case_context(request, case_id, **bound), status=400)
    return redirect("moderation:case", case_id=case.pk)


@moderator_required
def appeals(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "moderation/appeals.html",
        {"appeals": selectors.pending_appeals(request.user), "nav": "moderation"},  # type: ignore[arg-type]
    )


@moderator_required
@require_POST
def decide_appeal(request: HttpRequest, appeal_id: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    appeal_obj = get_object_or_404(Appeal.objects.select_related("decision__case"), pk=appeal_id)
    form = forms.AppealDecisionForm(request.POST)
    case_id = str(appeal_obj.decision.case_id)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.decide_appeal(
                moderator=user,
                appeal=appeal_obj,
                reverse=data["outcome"] == "reverse",
                reasons=data["reasons"],
                action=data["action"] or None,
                rule=data["rule"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The appeal is resolved."))
            return redirect("moderation:appeals")
    return render(
        request, "moderation/case.html", _case_context(request, case_id, appeal_form=form), status=400
    )


@moderator_required
@require_POST
def reporter_standing(request: HttpRequest, username: str, action: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    reporter = get_object_or_404(User, username__iexact=username)
    form = forms.ReporterMuteForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.set_reporter_muted(moderator=user, user=reporter, muted=action == "mute", reason=reason)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Reporter standing changed."))
    next_url = request.POST.get("next") or ""
    return redirect(next_url if next_url.startswith("/moderation/") else "moderation:queue")


# Admins --------------------------------------------------------------------------------------------------


@admin_required
def audit(request: HttpRequest) -> HttpResponse:
    form = forms.AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_log(
        request.user,  # type: ignore[arg-type]
        event=filters.get("event", ""),
        actor=filters.get("actor", ""),
        case_id=filters.get("case", ""),
    ).select_related("case")
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    return render(request, "moderation/audit.html", {"form": form, "page": page, "nav": "moderation"})


@admin_required
def rules(request: HttpRequest) -> HttpResponse:
    return render(
        request, "moderation/rules.html", {"rules": Rule.objects.order_by("number"), "nav": "moderation"}
    )


@admin_required
@require_http_methods(["GET", "POST"])
def edit_rule(request: HttpRequest, rule_id: str | None = None) -> HttpResponse:
    rule = get_object_or_404(Rule, pk=rule_id) if rule_id else None
    # The form works on its own copy: `rule` must keep its old values for the audit log's "before".
    form = forms.RuleForm(request.POST or None, instance=Rule.objects.get(pk=rule.pk) if rule else None)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.save_rule(admin=request.user, rule=rule, **fields)  # type: ignore[arg-type]
        except ValidationError as error:
            add_service_errors(form, error)  # type: ignore[arg-type]
        else:
            messages.success(request, _("The rule is saved."))
            return redirect("moderation:rules")
    return render(request, "moderation/rule_form.html", {"form": form, "rule": rule, "nav": "moderation"})
