"""Community jury records: juror standing, calibration, gold (known-answer) cases, juries and their docket
items (votes), the fitted viewpoint model and the per-category circuit breakers.

The jury never owns a decision record of its own: a jury's outcome is a moderation `Decision` with
`decided_by=jury` (and its statement of reasons), linked from `Jury.decision`. Everything jury-specific lives
here so the moderation models stay as they are.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agora.core.models import AgoraModel
from agora.moderation.dsa import Category


class Verdict(models.TextChoices):
    VIOLATES = "violates", _("Violates the rule")
    DOES_NOT_VIOLATE = "not", _("Does not violate the rule")
    UNSURE = "unsure", _("Unsure")


class JurorProfile(AgoraModel):
    """A person's standing as a juror: the Beta posterior of their gold record and the fitted viewpoint."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="juror")
    opted_out = models.BooleanField(_("do not invite me to juries"), default=False)
    # Beta(alpha, beta) over "answers a known-answer case correctly"; misses weigh more than hits.
    alpha = models.FloatField(default=1.0)
    beta = models.FloatField(default=1.0)
    gold_answered = models.PositiveIntegerField(default=0)
    gold_missed = models.PositiveIntegerField(default=0)
    ineligible_since = models.DateTimeField(null=True, blank=True)
    ineligible_reason = models.CharField(max_length=300, blank=True)
    # The last fit of rating = mu + i_u + i_n + f_u*f_n; None until the juror has enough votes to be modelled.
    viewpoint = models.FloatField(null=True, blank=True)
    intercept = models.FloatField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Juror {self.user_id}"

    @property
    def reliability(self) -> float:
        return self.alpha / (self.alpha + self.beta)


class GoldCase(AgoraModel):
    """A known-answer case: content whose correct verdict under a rule is settled (incitement that must go,
    lawful controversial speech that must stay). Used for calibration tests and mixed blind into dockets."""

    rule = models.ForeignKey("moderation.Rule", on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=80, choices=Category.choices)
    text = models.TextField(max_length=5000)
    violates = models.BooleanField()
    explanation = models.TextField(max_length=2000, help_text=_("Shown to jurors after they answered."))
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Gold case {self.id} ({'violates' if self.violates else 'fine'})"


class Calibration(AgoraModel):
    """One attempt at the calibration test of a rule (known-answer cases); passing opens the rule's juries."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    rule = models.ForeignKey("moderation.Rule", on_delete=models.CASCADE, related_name="+")
    correct = models.PositiveSmallIntegerField()
    total = models.PositiveSmallIntegerField()
    passed = models.BooleanField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Calibration of {self.user_id} on rule {self.rule_id}: {self.correct}/{self.total}"


class Jury(AgoraModel):
    """A panel drawn by lot for one case (or for an appeal against a jury decision)."""

    class Kind(models.TextChoices):
        CASE = "case", _("First decision")
        APPEAL = "appeal", _("Appeal")

    class Mode(models.TextChoices):
        DECIDE = "decide", _("May remove or keep")
        ESCALATE_ONLY = "escalate_only", _("May escalate, may not release")
        ADVISORY = "advisory", _("Advisory (jury power switched off)")

    class State(models.TextChoices):
        VOTING = "voting", _("Voting")
        DECIDED = "decided", _("Decided by the jury")
        ESCALATED = "escalated", _("Sent to staff")
        AWAITING_SIGNOFF = "awaiting_signoff", _("Awaiting staff sign-off")
        SIGNED_OFF = "signed_off", _("Signed off by staff")
        SUPERSEDED = "superseded", _("Decided by staff meanwhile")

    class Outcome(models.TextChoices):
        REMOVE = "remove", _("Remove")
        KEEP = "keep", _("Keep")
        ESCALATE = "escalate", _("Staff decides")

    case = models.ForeignKey("moderation.Case", on_delete=models.CASCADE, related_name="juries")
    appeal = models.ForeignKey(
        "moderation.Appeal", null=True, blank=True, on_delete=models.CASCADE, related_name="juries"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.CASE)
    mode = models.CharField(max_length=16, choices=Mode.choices)
    state = models.CharField(max_length=20, choices=State.choices, default=State.VOTING)
    category = models.CharField(max_length=80, choices=Category.choices)
    rule = models.ForeignKey("moderation.Rule", null=True, on_delete=models.PROTECT, related_name="+")
    size = models.PositiveSmallIntegerField()
    stratified = models.BooleanField(default=False)
    opened_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    # The count: reliability-weighted share for "violates", the bridging fit of "keep", and why it went so.
    p_violates = models.FloatField(null=True, blank=True)
    keep_intercept = models.FloatField(null=True, blank=True)
    keep_factor = models.FloatField(null=True, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    decision = models.ForeignKey(
        "moderation.Decision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name_plural = "juries"
        indexes = [models.Index(fields=["state", "deadline"], name="jury_open")]

    def __str__(self) -> str:
        return f"Jury {self.id} on {self.case_id} ({self.state})"


class DocketItem(AgoraModel):
    """One thing on a juror's docket: a seat on a jury, or a gold case mixed in blind. Holds the vote."""

    juror = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="docket")
    jury = models.ForeignKey(Jury, null=True, blank=True, on_delete=models.CASCADE, related_name="seats")
    gold = models.ForeignKey(GoldCase, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    stratum = models.CharField(max_length=8, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateTimeField()
    verdict = models.CharField(max_length=8, choices=Verdict.choices, blank=True)
    rule = models.ForeignKey(
        "moderation.Rule", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(max_length=1000, blank=True)
    voted_at = models.DateTimeField(null=True, blank=True)
    # Gold answers only: right or wrong, and whether it counts toward the category's circuit breaker (a
    # juror's first known-answer cases are probation and do not).
    correct = models.BooleanField(null=True, blank=True)
    counts_for_breaker = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["jury", "juror"], condition=models.Q(jury__isnull=False), name="one_seat_per_jury"
            ),
            models.CheckConstraint(
                condition=models.Q(jury__isnull=False, gold__isnull=True)
                | models.Q(jury__isnull=True, gold__isnull=False),
                name="docket_item_is_seat_or_gold",
            ),
        ]
        indexes = [models.Index(fields=["juror", "voted_at"], name="docket_pending")]

    def __str__(self) -> str:
        return f"Docket item {self.id} of {self.juror_id}"

    @property
    def is_gold(self) -> bool:
        return self.gold_id is not None

    @property
    def is_open(self) -> bool:
        return self.voted_at is None and self.deadline > timezone.now()


class ViewpointFit(AgoraModel):
    """One fit of the viewpoint model on the vote history (the newest is the one in use)."""

    mu = models.FloatField()
    raters = models.PositiveIntegerField()
    items = models.PositiveIntegerField()
    ratings = models.PositiveIntegerField()
    pool_variance = models.FloatField(help_text="variance of f_u over modelled eligible jurors")
    # `ratings`: votes in the history the fit saw (modelled or not), to know when the next fit is due.
    fitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-fitted_at", "-id"]

    def __str__(self) -> str:
        return f"Viewpoint fit at {self.fitted_at:%Y-%m-%d %H:%M}"


class CategoryBreaker(AgoraModel):
    """Jury power per rule category: switched off automatically when gold accuracy falls below threshold."""

    class State(models.TextChoices):
        ON = "on", _("Jury active")
        TRIPPED = "tripped", _("Tripped: staff decides")

    category = models.CharField(max_length=80, choices=Category.choices, unique=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.ON)
    threshold = models.FloatField()
    accuracy = models.FloatField(null=True, blank=True)
    sample = models.PositiveIntegerField(default=0)
    reason = models.TextField(blank=True)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["category"]

    def __str__(self) -> str:
        return f"Breaker {self.category} ({self.state})"
