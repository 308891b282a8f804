"""Moderation forms: they parse and present input; the rules live in `services.py`."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from agora.moderation import dsa
from agora.moderation.models import Decision, Rule

# The categories a person picks from when reporting, plainly worded; each is a DSA category key.
REPORT_CATEGORIES = [
    (dsa.Category.VIOLENCE, _("Threat or call to violence")),
    (dsa.Category.RISK_FOR_PUBLIC_SECURITY, _("Terrorism or violent extremism")),
    (dsa.Category.PROTECTION_OF_MINORS, _("Child safety")),
    (dsa.Category.ILLEGAL_OR_HARMFUL_SPEECH, _("Hate speech")),
    (dsa.Category.CYBER_VIOLENCE, _("Harassment, bullying or stalking")),
    (dsa.Category.DATA_PROTECTION_AND_PRIVACY_VIOLATIONS, _("Private information or intimate images")),
    (dsa.Category.SELF_HARM, _("Suicide or self-harm")),
    (dsa.Category.SCAMS_AND_FRAUD, _("Spam, scam or fake account")),
    (dsa.Category.INTELLECTUAL_PROPERTY_INFRINGEMENTS, _("Copyright or trademark")),
    (dsa.Category.NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS, _("Election manipulation")),
    (dsa.Category.OTHER_VIOLATION_TC, _("Something else that breaks the rules")),
]
NOTICE_CATEGORIES = [
    *REPORT_CATEGORIES[:-1],
    (dsa.Category.NOT_SPECIFIED_NOTICE, _("Other illegal content")),
]


class RuleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Rule) -> str:  # type: ignore[override]
        return f"{obj.number}. {obj.title}"


class ReportForm(forms.Form):
    category = forms.ChoiceField(
        label=_("What is wrong?"), choices=REPORT_CATEGORIES, widget=forms.RadioSelect
    )
    rules = RuleChoiceField(
        label=_("Which rules does it break?"),
        queryset=Rule.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    explanation = forms.CharField(
        label=_("Explain"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the moderators should know: who is targeted, context, why it breaks the rules."),
    )


class NoticeForm(forms.Form):
    """A notice of illegal content (Art. 16 DSA) that anyone can send, logged in or not."""

    url = forms.URLField(
        label=_("Exact address (URL) of the content"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Open the post or profile and copy the address from the browser."),
    )
    category = forms.ChoiceField(label=_("Type of illegal content"), choices=NOTICE_CATEGORIES)
    explanation = forms.CharField(
        label=_("Why is it illegal?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("A substantiated explanation; name the law if you can."),
    )
    name = forms.CharField(label=_("Your name (optional)"), max_length=200, required=False)
    email = forms.EmailField(
        label=_("Your e-mail address (optional)"),
        required=False,
        help_text=_("We send you a receipt and our decision."),
    )
    bona_fide = forms.BooleanField(
        label=_("I believe in good faith that the information in this notice is accurate and complete."),
        required=True,
    )


class DecisionForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), choices=Decision.Action.choices)
    rule = forms.ModelChoiceField(
        label=_("Rule"), queryset=Rule.objects.filter(is_active=True), required=False, empty_label=_("(none)")
    )
    explanation = forms.CharField(
        label=_("Explanation for the people involved"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Plain language: what you found and why it breaks the rule. The affected person reads this."
        ),
    )
    content_warning = forms.CharField(label=_("Content warning (for labels)"), max_length=200, required=False)
    duration_days = forms.IntegerField(
        label=_("Period in days (freeze, suspend; empty = indefinite suspension)"),
        min_value=1,
        max_value=3650,
        required=False,
    )

    def __init__(self, *args: Any, subject_type: str = "post", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rule"].label_from_instance = lambda rule: f"{rule.number}. {rule.title}"  # type: ignore[attr-defined]
        if subject_type == "account":
            self.fields["action"].choices = [  # type: ignore[attr-defined]
                choice for choice in Decision.Action.choices
                if choice[0] in {"dismiss", "restore", "warn", "freeze", "suspend", "terminate"}
            ]  # fmt: skip

    @property
    def duration(self) -> datetime.timedelta | None:
        days = self.cleaned_data.get("duration_days")
        return datetime.timedelta(days=days) if days else None


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note for the other moderators"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class LawEnforcementForm(forms.Form):
    authority = forms.CharField(
        label=_("Authority informed"),
        max_length=200,
        help_text=_("E.g. the police of the Land, BKA, Europol."),
    )
    reference = forms.CharField(label=_("Their reference"), max_length=200, required=False)
    notified_at = forms.DateTimeField(
        label=_("When"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Leave empty for now."),
    )


class AppealForm(forms.Form):
    text = forms.CharField(
        label=_("Why is the decision wrong?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5})
    )


class AppealDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("uphold", _("Uphold the decision")), ("reverse", _("Reverse the decision"))],
        widget=forms.RadioSelect,
    )
    reasons = forms.CharField(label=_("Reasons"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    action = forms.ChoiceField(
        label=_("Action instead (reporter appeals only)"),
        choices=[("", "—"), *[c for c in Decision.Action.choices if c[0] not in {"dismiss", "restore"}]],
        required=False,
    )
    rule = forms.ModelChoiceField(
        label=_("Rule"), queryset=Rule.objects.filter(is_active=True), required=False
    )


class RuleForm(forms.ModelForm):
    category_specification = forms.MultipleChoiceField(
        label=_("DSA specification keywords"),
        choices=dsa.KEYWORD_CHOICES,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    class Meta:
        model = Rule
        fields = [
            "number",
            "title",
            "description",
            "category",
            "category_specification",
            "ground",
            "legal_ground",
            "strike_severity",
            "strike_expiry_days",
            "is_active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class ReporterMuteForm(forms.Form):
    reason = forms.CharField(label=_("Why?"), max_length=2000, required=False)


class MutedWordForm(forms.Form):
    word = forms.CharField(label=_("Word or phrase"), max_length=100)


class AuditFilterForm(forms.Form):
    event = forms.CharField(label=_("Event"), required=False)
    actor = forms.CharField(label=_("By"), required=False)
    case = forms.CharField(label=_("Case id"), required=False)
