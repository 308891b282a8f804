"""Forms of the search pages: they turn query strings into clean values or field errors, never a 500."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from agora.posts.models import ModerationState
from agora.search.query import MAX_QUERY_CHARS


class ModeratorSearchForm(forms.Form):
    q = forms.CharField(label=_("Words"), required=False, max_length=MAX_QUERY_CHARS)
    author = forms.CharField(label=_("Author (username)"), required=False, max_length=30)
    since = forms.DateField(
        label=_("From (day)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until (day)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    states = forms.MultipleChoiceField(
        label=_("Moderation state"),
        required=False,
        choices=ModerationState.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: all states."),
    )

    screening_score = forms.RegexField(
        label=_("Screening score"),
        required=False,
        max_length=50,
        regex=r"^\w+$",
        help_text=_("The name of a classifier score, e.g. violence."),
        error_messages={"invalid": _("Use the score's name: letters, digits and underscores.")},
    )
    min_score = forms.FloatField(label=_("At least"), required=False, min_value=0, max_value=1)

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:  # type: ignore[operator]
            raise forms.ValidationError(_("The start day must not be after the end day."))
        if cleaned.get("min_score") is not None and not cleaned.get("screening_score"):
            self.add_error("screening_score", _("Name the score the minimum applies to."))
        return cleaned


class TrendSettingsForm(forms.Form):
    review_first = forms.BooleanField(
        label=_("Review trends first"),
        required=False,
        help_text=_("Only hashtags and posts a moderator approved appear in trends."),
    )
