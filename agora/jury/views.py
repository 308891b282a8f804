"""Jury pages: the juror's docket, the vote form (with feedback on known-answer cases once answered), the
calibration tests, and for staff the jury status page (breakers and why), appeal sign-off and breaker reset.
Each view parses, calls one service or selector, and renders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from agora.accounts.models import User
from agora.jury import forms, selectors, services
from agora.jury.models import Jury
from agora.moderation.dsa import Category
from agora.moderation.models import Rule
from agora.moderation.views import admin_required, moderator_required
from agora.web.forms import add_service_errors


@login_required
def docket(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return render(
        request,
        "jury/docket.html",
        {
            "nav": "jury",
            "open_items": selectors.open_items(user),
            "answered": selectors.answered_items(user)[:50],
            "profile": services.profile_for(user),
        },
    )


@login_required
def badge(request: HttpRequest) -> HttpResponse:
    """The number of open invitations, loaded into the navigation after the page."""
    user: User = request.user  # type: ignore[assignment]
    return render(request, "jury/partials/badge.html", {"pending": selectors.pending_invitations(user)})


@login_required
@require_http_methods(["GET", "POST"])
def item(request: HttpRequest, item_id: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    docket_item = selectors.docket_item(user, item_id)
    view = selectors.item_view(docket_item)
    form = forms.VoteForm(request.POST or None, initial={"rule": view.rule})
    if request.method == "POST" and form.is_valid():
        try:
            services.cast_vote(
                juror=user,
                item=docket_item,
                verdict=form.cleaned_data["verdict"],
                rule=form.cleaned_data["rule"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you, your vote is recorded."))
            return redirect("jury:item", item_id=docket_item.pk)
    return render(request, "jury/item.html", {"nav": "jury", "item": docket_item, "view": view, "form": form})


@login_required
def calibration_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return render(
        request, "jury/calibration_list.html", {"nav": "jury", "rules": selectors.calibration_status(user)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def calibration(request: HttpRequest, number: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    rule = Rule.objects.filter(number=int(number), is_active=True).first()
    if rule is None:
        raise Http404
    items = services.calibration_items(rule)
    if not items:
        raise Http404
    form = forms.CalibrationForm(request.POST or None, items=items)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.submit_calibration(user=user, rule=rule, answers=dict(form.cleaned_data))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if result.passed:
                messages.success(
                    request,
                    _("Passed: %(c)d of %(t)d correct. You may be drawn for juries on this rule.")
                    % {"c": result.correct, "t": result.total},
                )
            else:
                messages.error(
                    request,
                    _("Not passed: %(c)d of %(t)d correct. Read the rule and try again.")
                    % {"c": result.correct, "t": result.total},
                )
            return redirect("jury:calibration_list")
    return render(request, "jury/calibration.html", {"nav": "jury", "rule": rule, "form": form})


@moderator_required
def status(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return render(
        request,
        "jury/status.html",
        {
            "nav": "moderation",
            "status": selectors.jury_status(user),
            "sign_off_form": forms.SignOffForm(),
            "reset_form": forms.BreakerResetForm(),
        },
    )


@moderator_required
@require_POST
def sign_off(request: HttpRequest, jury_id: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    jury = Jury.objects.filter(pk=jury_id, kind=Jury.Kind.APPEAL).select_related("appeal").first()
    if jury is None:
        raise Http404
    form = forms.SignOffForm(request.POST)
    if form.is_valid():
        try:
            services.sign_off_appeal(
                moderator=user,
                jury=jury,
                reverse=form.cleaned_data["reverse"],
                reasons=form.cleaned_data["reasons"],
                action=form.cleaned_data["action"] or None,
                rule=form.cleaned_data["rule"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Signed off."))
    else:
        messages.error(request, _("Give the outcome and the reasons."))
    return redirect("jury:status")


@admin_required
@require_POST
def reset_breaker(request: HttpRequest, category: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if category not in Category.values:
        raise Http404
    form = forms.BreakerResetForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the jury may decide again."))
        return redirect("jury:status")
    try:
        services.reset_breaker(admin=user, category=category, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionError as error:  # pragma: no cover - admin_required already checked
        raise PermissionDenied from error
    else:
        messages.success(request, _("The jury decides again in this category."))
    return redirect("jury:status")
