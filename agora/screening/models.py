"""What screening said about each version of a post: kept per screening (create and every edit)."""

from __future__ import annotations

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

    def __str__(self) -> str:
        return f"{self.decision} by {self.model} on {self.post_id}"
