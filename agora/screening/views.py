"""The admins' threshold editor: edit review/hold thresholds per language and stage and see, before saving,
the expected hold/review rates on ordinary traffic and the recall on the fixed evaluation sets."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from agora.moderation.views import admin_required
from agora.screening import selectors, services
from agora.web.forms import add_service_errors

STAGE_LABELS = {"stage1": gettext_lazy("stage 1"), "combined": gettext_lazy("stage 1 + 2 combined")}


def _form(card: dict[str, Any], data: Any = None) -> forms.Form:
    current = selectors.effective_thresholds(card)
    form = forms.Form(data)
    for lang in sorted(current):
        for stage, pair in current[lang].items():
            for tier in ("review", "hold"):
                form.fields[f"{lang}-{stage}-{tier}"] = forms.FloatField(
                    label=_("%(language)s, %(stage)s: %(tier)s at score ≥")
                    % {"language": lang.upper(), "stage": STAGE_LABELS[stage], "tier": tier},
                    min_value=0.0,
                    max_value=1.0,
                    initial=round(pair[tier], 4),
                    widget=forms.NumberInput(attrs={"step": "0.0001"}),
                )
    return form


def _thresholds(form: forms.Form) -> dict[str, dict[str, dict[str, float]]]:
    out: dict[str, dict[str, dict[str, float]]] = {}
    for name, value in form.cleaned_data.items():
        lang, stage, tier = name.split("-")
        out.setdefault(lang, {}).setdefault(stage, {})[tier] = float(value)
    return out


@admin_required
@require_http_methods(["GET", "POST"])
def thresholds(request: HttpRequest) -> HttpResponse:
    card = selectors.current_card()
    if card is None:
        return render(request, "screening/thresholds.html", {"card": None, "nav": "moderation"})
    form = _form(card, request.POST if request.method == "POST" else None)
    effective = selectors.effective_thresholds(card)
    edited = effective
    if request.method == "POST":
        if request.POST.get("action") == "reset":
            services.reset_thresholds(admin=request.user)
            messages.success(request, _("Thresholds are back to the calibrated ones."))
            return redirect("screening:thresholds")
        if form.is_valid():
            edited = _thresholds(form)
            if request.POST.get("action") == "save":
                try:
                    services.save_thresholds(
                        admin=request.user, thresholds=edited, model_version=card["model"]
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    messages.success(request, _("The thresholds are saved and apply to new posts now."))
                    return redirect("screening:thresholds")
    context = {
        "card": card,
        "form": form,
        "preview": selectors.preview(card, edited),
        "current": selectors.preview(card, effective),
        "surge": services.surge_status(),
        "nav": "moderation",
    }
    if request.headers.get("HX-Request"):
        return render(request, "screening/partials/preview.html", context)
    return render(request, "screening/thresholds.html", context)
