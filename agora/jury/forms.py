"""Forms of the jury pages: a vote, a calibration test, staff sign-off on an appeal jury, a breaker reset."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from agora.jury.models import GoldCase, Verdict
from agora.moderation.models import Decision, Rule


class VoteForm(forms.Form):
    verdict = forms.ChoiceField(label=_("Your verdict"), choices=Verdict.choices, widget=forms.RadioSelect)
    rule = forms.ModelChoiceField(
        label=_("Rule"),
        queryset=Rule.objects.filter(is_active=True).order_by("number"),
        required=False,
        help_text=_("Which rule it breaks (needed when you say it violates)."),
    )
    reason = forms.CharField(
        label=_("Reason (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        required=False,
    )


class CalibrationForm(forms.Form):
    def __init__(self, *args: Any, items: list[GoldCase], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [
            (Verdict.VIOLATES, Verdict.VIOLATES.label),
            (Verdict.DOES_NOT_VIOLATE, Verdict.DOES_NOT_VIOLATE.label),
        ]
        for number, item in enumerate(items, start=1):
            self.fields[str(item.pk)] = forms.ChoiceField(
                label=f"{number}. {item.text}", choices=choices, widget=forms.RadioSelect
            )
        self.items = items


class SignOffForm(forms.Form):
    reverse = forms.TypedChoiceField(
        label=_("Outcome"),
        choices=[("0", _("Uphold the decision")), ("1", _("Reverse the decision"))],
        coerce=lambda value: value == "1",
    )
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    action = forms.ChoiceField(
        label=_("Action instead (reporter's appeal)"),
        choices=[("", "—"), *[(k, v) for k, v in Decision.Action.choices if k not in ("dismiss", "restore")]],
        required=False,
    )
    rule = forms.ModelChoiceField(
        label=_("Rule"), queryset=Rule.objects.filter(is_active=True).order_by("number"), required=False
    )


class BreakerResetForm(forms.Form):
    reason = forms.CharField(label=_("Why the jury may decide again"), max_length=2000)
