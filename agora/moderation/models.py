"""Moderation records: rules, reports, cases, decisions, statements of reasons, appeals, the audit log, and
the account-level state moderation keeps (strikes, restrictions, reporter standing, muted words, notices).

Seams for later issues:
- Screening opens or joins a case through `services.open_or_join_case(source=Case.Source.SCREENING,
  screening=ScreeningInput(...))`; each result is a `ScreeningResult` row (model name, version, scores,
  whether it acted automatically) and makes the case's statements say `automated_detection: Yes`.
- The jury decides through the same `services.decide_case(..., decided_by=Decision.DecidedBy.JURY)`; a case it
  is drawn for moves through `Case.State` (a `jury_drawn` state slots in between `open` and `decided`).
- Transparency reports read only `Case`, `Decision`, `StatementOfReasons`, `Appeal` and `AuditEvent`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agora.core.models import AgoraModel
from agora.moderation.dsa import Category, Ground


class Rule(AgoraModel):
    """One numbered rule of this server, mapped to the DSA vocabulary so decisions citing it export 1:1."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    category = models.CharField(_("DSA category"), max_length=80, choices=Category.choices)
    category_specification = models.JSONField(_("DSA specification keywords"), default=list, blank=True)
    ground = models.CharField(_("ground"), max_length=40, choices=Ground.choices, default=Ground.INCOMPATIBLE)
    legal_ground = models.CharField(
        _("law"),
        max_length=500,
        blank=True,
        help_text=_("The provision of law the rule enforces, e.g. “§ 241 StGB”; needed for illegal content."),
    )
    strike_severity = models.PositiveSmallIntegerField(_("strike severity"), default=1)
    strike_expiry_days = models.PositiveSmallIntegerField(_("strikes expire after (days)"), default=90)
    is_active = models.BooleanField(_("in force"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Case(AgoraModel):
    """Everything about one subject (a post or an account) that needs a moderator's look, until decided."""

    class SubjectType(models.TextChoices):
        POST = "post", _("Post")
        ACCOUNT = "account", _("Account")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        APPEALED = "appealed", _("Under appeal")
        DECIDED = "decided", _("Decided")

    class Source(models.TextChoices):
        REPORT = "report", _("Report")
        SCREENING = "screening", _("Automated screening")
        JURY = "jury", _("Community jury")
        MODERATOR = "moderator", _("Moderator's own initiative")

    subject_type = models.CharField(max_length=16, choices=SubjectType.choices)
    # The post keeps its case when deleted (SET_NULL): the decision record must outlive the content.
    post = models.ForeignKey(
        "posts.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="moderation_cases"
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="moderation_cases"
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN)
    source = models.CharField(max_length=16, choices=Source.choices)
    category = models.CharField(max_length=80, choices=Category.choices)
    severity = models.PositiveSmallIntegerField(default=1)
    reach = models.PositiveIntegerField(default=0)
    priority = models.PositiveIntegerField(default=0)
    deadline = models.DateTimeField()
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    threat_to_life = models.BooleanField(default=False)
    # The content as it read when the case opened: the record must survive edits and deletion.
    snapshot = models.JSONField(default=dict, blank=True)
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "deadline"], name="case_queue")]
        constraints = [
            models.UniqueConstraint(
                fields=["post"],
                condition=models.Q(subject_type="post") & ~models.Q(state="decided"),
                name="one_live_case_per_post",
            ),
            models.UniqueConstraint(
                fields=["account"],
                condition=models.Q(subject_type="account") & ~models.Q(state="decided"),
                name="one_live_case_per_account",
            ),
        ]

    def __str__(self) -> str:
        return f"Case {self.id} ({self.subject_type}, {self.state})"

    @property
    def is_live(self) -> bool:
        return self.state != self.State.DECIDED

    @property
    def is_overdue(self) -> bool:
        return self.is_live and self.deadline < timezone.now()

    @property
    def automated_detection(self) -> bool:
        return self.screening_results.exists()


class Report(AgoraModel):
    """A notice from a person (Art. 16 DSA) about a post or an account, with a category, rules and reasons."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports_made",
    )
    reporter_name = models.CharField(max_length=200, blank=True)
    reporter_email = models.EmailField(blank=True)
    category = models.CharField(max_length=80, choices=Category.choices)
    rules: models.ManyToManyField[Rule, Any] = models.ManyToManyField(Rule, blank=True, related_name="+")
    explanation = models.TextField(max_length=2000)
    url = models.CharField(max_length=500, blank=True)
    is_illegal_notice = models.BooleanField(default=False)
    bona_fide = models.BooleanField(default=False)
    # Reports from a muted reporter still join the case but no longer raise its priority (Art. 23(2) DSA).
    deprioritised = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    outcome_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Report {self.id} on {self.case_id}"


class ScreeningResult(AgoraModel):
    """What an automated classifier said about the case's subject (filled by the screening issue)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="screening_results")
    model_name = models.CharField(max_length=100)
    model_version = models.CharField(max_length=50)
    scores = models.JSONField(default=dict)
    automated = models.BooleanField(
        default=False, help_text="The classifier acted (e.g. held) without a person."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.model_name}@{self.model_version} on {self.case_id}"


class CaseNote(AgoraModel):
    """A note between moderators on a case; never shown to the people involved."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Note on {self.case_id}"


class Decision(AgoraModel):
    """What was decided on a case, by whom, under which rule, with the subject's state before and after."""

    class Action(models.TextChoices):
        DISMISS = "dismiss", _("Dismiss (no action)")
        LABEL = "label", _("Label sensitive / add content warning")
        LIMIT = "limit", _("Limit reach")
        HOLD = "hold", _("Hide pending review")
        REMOVE = "remove", _("Remove")
        RESTORE = "restore", _("Restore")
        WARN = "warn", _("Warn the account")
        FREEZE = "freeze", _("Freeze posting")
        SUSPEND = "suspend", _("Suspend the account")
        TERMINATE = "terminate", _("Terminate the account")

    class DecidedBy(models.TextChoices):
        MODERATOR = "moderator", _("Moderator")
        JURY = "jury", _("Community jury")
        AUTOMATIC = "automatic", _("Automatic")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="decisions")
    action = models.CharField(max_length=16, choices=Action.choices)
    decided_by = models.CharField(max_length=16, choices=DecidedBy.choices, default=DecidedBy.MODERATOR)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rule = models.ForeignKey(Rule, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions")
    explanation = models.TextField(max_length=2000)
    ends_at = models.DateTimeField(null=True, blank=True)
    # The decision an appeal or a restore undoes.
    reverses = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reversed_by"
    )
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    RESTRICTIVE: ClassVar[frozenset[str]] = frozenset(
        {"label", "limit", "hold", "remove", "freeze", "suspend", "terminate"}
    )
    ACCOUNT_ACTIONS: ClassVar[frozenset[str]] = frozenset({"warn", "freeze", "suspend", "terminate"})

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.action} on {self.case_id}"

    @property
    def is_restrictive(self) -> bool:
        return self.action in self.RESTRICTIVE


class StatementOfReasons(AgoraModel):
    """The Art. 17 DSA statement for a restrictive decision: what the affected person reads, and `record`, the
    same statement in the EU Transparency Database schema (no personal data), ready to export.
    """

    decision = models.OneToOneField(Decision, on_delete=models.CASCADE, related_name="statement")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="statements_of_reasons"
    )
    puid = models.CharField(max_length=500, unique=True)
    record = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Statement {self.puid}"


class Appeal(AgoraModel):
    """An internal complaint (Art. 20 DSA) against a decision, by the affected person or a reporter."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        UPHELD = "upheld", _("Decision upheld")
        REVERSED = "reversed", _("Decision reversed")

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="appeals")
    appellant = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_reporter = models.BooleanField(default=False)
    text = models.TextField(max_length=2000)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.TextField(max_length=2000, blank=True)
    resulting_decision = models.OneToOneField(
        Decision, null=True, blank=True, on_delete=models.SET_NULL, related_name="from_appeal"
    )
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "appellant"], name="one_appeal_per_person_and_decision"
            )
        ]

    def __str__(self) -> str:
        return f"Appeal {self.id} against {self.decision_id}"


class LawEnforcementNotice(AgoraModel):
    """That, when, to whom and under which reference authorities learned of a threat to life (Art. 18)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="law_enforcement_notices")
    authority = models.CharField(max_length=200)
    reference = models.CharField(max_length=200, blank=True)
    notified_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["notified_at"]

    def __str__(self) -> str:
        return f"Notice to {self.authority} on {self.case_id}"


class Strike(AgoraModel):
    """A mark against an account for a broken rule; counts toward suspension until it expires or goes."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="strikes")
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="strikes")
    rule = models.ForeignKey(Rule, null=True, on_delete=models.SET_NULL, related_name="+")
    severity = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Strike on {self.user_id} ({self.severity})"


class AccountRestriction(AgoraModel):
    """A freeze (no posting), suspension or termination of an account, for a period or for good."""

    class Kind(models.TextChoices):
        FREEZE = "freeze", _("Posting frozen")
        SUSPEND = "suspend", _("Suspended")
        TERMINATE = "terminate", _("Terminated")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="restrictions")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="restrictions")
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(null=True, blank=True)
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return f"{self.kind} of {self.user_id}"


class ReporterStanding(AgoraModel):
    """How much weight a person's reports carry; a muted reporter's reports are deprioritised (Art. 23(2))."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reporter_standing"
    )
    muted = models.BooleanField(default=False)
    reason = models.TextField(max_length=2000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Reporter standing of {self.user_id}"


class MutedWord(AgoraModel):
    """A word or phrase a person does not want to see: posts containing it leave their own timelines."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="muted_words")
    word = models.CharField(_("word or phrase"), max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["word"]
        constraints = [models.UniqueConstraint(fields=["user", "word"], name="unique_muted_word")]

    def __str__(self) -> str:
        return self.word


class ModerationNotice(AgoraModel):
    """An in-app message from the moderation team to one person: a receipt, an outcome, a decision."""

    class Kind(models.TextChoices):
        REPORT_RECEIVED = "report_received", _("We received your report")
        REPORT_OUTCOME = "report_outcome", _("Outcome of your report")
        DECISION = "decision", _("Decision about your content or account")
        APPEAL_RECEIVED = "appeal_received", _("We received your appeal")
        APPEAL_OUTCOME = "appeal_outcome", _("Outcome of your appeal")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderation_notices"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    decision = models.ForeignKey(Decision, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    appeal = models.ForeignKey(Appeal, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    is_read = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "is_read"], name="moderation_notice_unread")]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_id}"


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """The audit log is append-only: bulk updates and deletes are refused."""

    def update(self, **kwargs: Any) -> int:
        raise PermissionError("The moderation audit log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The moderation audit log is append-only.")


class AuditEvent(AgoraModel):
    """One moderation event: who did what, when, why, to what, with the state before and after."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text too: the record says who acted even after that account is deleted.
    actor_name = models.CharField(max_length=100, blank=True)
    actor_kind = models.CharField(max_length=16, default="moderator")
    event = models.CharField(max_length=50, db_index=True)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    # Plain ids, not foreign keys: the record stays whole when a post or account is deleted.
    subject_post_id = models.UUIDField(null=True, blank=True)
    subject_user_id = models.UUIDField(null=True, blank=True)
    reason = models.TextField(blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects: ClassVar[models.Manager[AuditEvent]] = AuditEventQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.event} at {self.created_at:%Y-%m-%d %H:%M:%S}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("The moderation audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("The moderation audit log is append-only.")
