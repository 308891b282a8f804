"""What screening said about each version of a post or profile, the admins' thresholds, and surge periods."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from agora.core.models import AgoraModel


class Decision(models.TextChoices):
    ALLOW = "allow", _("Allow")
    REVIEW = "review", _("Review")
    HOLD = "hold", _("Hold")


class PostScreening(AgoraModel):
    """One automated screening of a post's text (and content warning): model@version, scores, tier, rules."""

    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, related_name="screenings")
    model = models.CharField(max_length=120, help_text="name@version of what scored the text")
    language = models.CharField(max_length=8, blank=True)
    scores = models.JSONField(default=dict)
    decision = models.CharField(max_length=8, choices=Decision.choices)
    stage = models.PositiveSmallIntegerField(default=1)
    matched_patterns = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["decision", "created_at"], name="screening_decision_time")]

    def __str__(self) -> str:
        return f"{self.decision} by {self.model} on {self.post_id}"


class ProfileScreening(AgoraModel):
    """One automated screening of a profile text (display name or bio) that was saved."""

    class Field(models.TextChoices):
        DISPLAY_NAME = "display_name", _("Display name")
        BIO = "bio", _("Bio")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    field = models.CharField(max_length=16, choices=Field.choices)
    model = models.CharField(max_length=120)
    language = models.CharField(max_length=8, blank=True)
    scores = models.JSONField(default=dict)
    decision = models.CharField(max_length=8, choices=Decision.choices)
    matched_patterns = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.decision} of {self.field} of {self.user_id}"


class ThresholdPolicy(AgoraModel):
    """Review/hold thresholds an admin set for one category, language and stage (see policy.py)."""

    class Stage(models.TextChoices):
        STAGE1 = "stage1", _("Stage 1 (in the request)")
        COMBINED = "combined", _("Stage 2 (combined score)")

    category = models.CharField(max_length=32, default="violence")
    language = models.CharField(max_length=8)
    stage = models.CharField(max_length=16, choices=Stage.choices)
    review = models.FloatField()
    hold = models.FloatField()
    model_version = models.CharField(max_length=120, blank=True, help_text="the model these were set for")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["category", "language", "stage"], name="unique_threshold_policy"),
            models.CheckConstraint(
                condition=models.Q(review__gte=0, hold__lte=1) & models.Q(review__lte=models.F("hold")),
                name="threshold_policy_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category}/{self.language}/{self.stage}: {self.review}/{self.hold}"


class SurgePeriod(AgoraModel):
    """A period of surge mode: many high-risk posts in a short window (at most one is open)."""

    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    trigger_count = models.PositiveIntegerField()
    peak_count = models.PositiveIntegerField()
    # True while open, NULL once ended: the unique index lets only one period be open at a time.
    is_open = models.BooleanField(null=True, default=True, unique=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"surge from {self.started_at:%Y-%m-%d %H:%M}"
