"""Moderation writes: reports, cases, decisions with their statements of reasons, appeals, strikes, account
restrictions, law-enforcement notices, reporter standing, rules and muted words.

Every function checks who may do it (a moderator, an admin, the affected person), runs in one transaction and
writes an `AuditEvent` for every moderation-relevant change in that same transaction. In-app notices to the
people involved are rows written with the change; e-mail to logged-out notifiers goes out after commit.

Seams for later issues:
- `open_or_join_case(source=Case.Source.SCREENING, screening=ScreeningInput(...))` is how screening opens or
  joins a case (model name@version, scores, and whether it acted automatically, which makes statements say
  `automated_detection: Yes` and `automated_decision: AUTOMATED_DECISION_PARTIALLY` once a person confirms).
- The jury calls `decide_case(..., decided_by=Decision.DecidedBy.JURY, moderator=None)`; everything after the
  decision (state change, statement, strikes, notices, audit) is the same as for a moderator.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agora.accounts.models import User
from agora.core.exceptions import NotAllowed, NotFound
from agora.moderation import dsa, sor
from agora.moderation.models import (
    AccountRestriction,
    Appeal,
    AuditEvent,
    Case,
    CaseNote,
    Decision,
    LawEnforcementNotice,
    ModerationNotice,
    MutedWord,
    Report,
    ReporterStanding,
    Rule,
    ScreeningResult,
    StatementOfReasons,
    Strike,
)
from agora.notifications.models import Notification
from agora.posts.models import ModerationState, Post
from agora.posts.selectors import can_view_post

APPEAL_WINDOW = datetime.timedelta(days=183)  # six months (Art. 20(1) DSA)
MAX_MUTED_WORDS = 100


@dataclass(frozen=True)
class ScreeningInput:
    """One classifier's verdict on a subject, as screening hands it to a case."""

    model_name: str
    model_version: str
    scores: dict[str, float] = field(default_factory=dict)
    automated: bool = False


# -- permissions and the audit log ------------------------------------------------------------------------


def require_moderator(user: User | None) -> User:
    if user is None or not user.is_authenticated or not user.is_active or not user.is_moderator:
        raise NotAllowed(_("Only moderators may do this."))
    return user


def require_admin(user: User | None) -> User:
    if user is None or not user.is_authenticated or not user.is_active:
        raise NotAllowed(_("Only administrators may do this."))
    if not (user.role == User.Role.ADMIN or user.is_superuser):
        raise NotAllowed(_("Only administrators may do this."))
    return user


def record_event(
    *,
    event: str,
    actor: User | None,
    actor_kind: str = "moderator",
    case: Case | None = None,
    reason: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    subject_user_id: Any = None,
    subject_post_id: Any = None,
) -> AuditEvent:
    """Append one event to the audit log (call inside the transaction of the change it records)."""
    if case is not None:
        subject_post_id = subject_post_id or case.post_id
        subject_user_id = subject_user_id or case.account_id
    return AuditEvent.objects.create(
        event=event,
        actor=actor,
        actor_name=actor.username if actor is not None else "",
        actor_kind=actor_kind if actor is not None or actor_kind != "moderator" else "system",
        case=case,
        reason=reason,
        before=before or {},
        after=after or {},
        subject_post_id=subject_post_id,
        subject_user_id=subject_user_id,
    )


def _notice(recipient: User | None, kind: str, case: Case, **links: Any) -> None:
    """An in-app notice, and an entry in the person's notifications so the badge shows it."""
    if recipient is None:
        return
    ModerationNotice.objects.create(recipient=recipient, kind=kind, case=case, **links)
    # The actor is the recipient: a notice from "the moderators" must not name a moderator.
    Notification.objects.create(recipient=recipient, actor=recipient, kind=Notification.Kind.MODERATION)


# -- rules ------------------------------------------------------------------------------------------------


def save_rule(*, admin: User, rule: Rule | None = None, **fields: Any) -> Rule:
    """Create or change an instance rule (admins only). Illegal-content rules must name the law."""
    require_admin(admin)
    before = _rule_state(rule) if rule is not None else {}
    rule = rule or Rule()
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.category_specification = [k for k in dict.fromkeys(rule.category_specification or [])]
    unknown = [k for k in rule.category_specification if k not in dsa.KEYWORDS]
    if unknown:
        raise ValidationError({"category_specification": _("Unknown keywords: %s") % ", ".join(unknown)})
    if rule.ground == dsa.Ground.ILLEGAL and not rule.legal_ground.strip():
        raise ValidationError(
            {"legal_ground": _("A rule against illegal content must name the law it enforces.")}
        )
    rule.full_clean()
    with transaction.atomic():
        rule.save()
        record_event(event="rule.saved", actor=admin, before=before, after=_rule_state(rule))
    return rule


def _rule_state(rule: Rule) -> dict[str, Any]:
    return {
        "number": rule.number,
        "title": rule.title,
        "category": rule.category,
        "category_specification": list(rule.category_specification),
        "ground": rule.ground,
        "legal_ground": rule.legal_ground,
        "is_active": rule.is_active,
    }


# -- reports and cases ------------------------------------------------------------------------------------


def _deadline_tier(category: str, *, illegal: bool) -> str:
    if dsa.SEVERITY.get(category, 1) >= 5:
        return "urgent"
    if illegal or dsa.SEVERITY.get(category, 1) >= 3:
        return "illegal"
    return "other"


def _reach(post: Post | None, account: User | None) -> int:
    """How many people the subject reaches: the author's followers plus the post's reposts and likes."""
    reach = account.followers_count if account is not None else 0
    if post is not None:
        reach += 5 * post.reposts_count + post.likes_count
    return reach


def compute_priority(severity: int, reach: int) -> int:
    """Priority = severity x reach factor (1 for nobody, +1 per tenfold audience)."""
    return round(severity * (1 + math.log10(1 + reach)) * 100)


def _snapshot(post: Post | None, account: User | None) -> dict[str, Any]:
    if post is not None:
        return {
            "text": post.text,
            "spoiler_text": post.spoiler_text,
            "language": post.language,
            "visibility": post.visibility,
            "created_at": post.created_at.isoformat(),
            "author": post.author.username,
        }
    assert account is not None
    return {
        "username": account.username,
        "display_name": account.display_name,
        "bio": account.bio,
        "created_at": account.date_joined.isoformat(),
    }


def open_or_join_case(
    *,
    source: str,
    category: str,
    post: Post | None = None,
    account: User | None = None,
    report: Report | None = None,
    screening: ScreeningInput | None = None,
    illegal: bool = False,
    deprioritised: bool = False,
    actor: User | None = None,
) -> Case:
    """The live case for this subject, opened if there is none; reports and screening results join it.

    Severity, reach, priority and deadline only ever go up (the earliest deadline wins), so a second, graver
    report speeds a case up and a muted reporter's report never slows one down.
    """
    if post is not None:
        if post.repost_of_id is not None:
            post = post.repost_of
        assert post is not None
        account = post.author
    if account is None:
        raise ValidationError(_("A case needs a post or an account."))
    if category not in dsa.Category.values:
        raise ValidationError({"category": _("Choose a category.")})
    severity = 1 if deprioritised else dsa.SEVERITY.get(category, 1)
    tier = "other" if deprioritised else _deadline_tier(category, illegal=illegal)
    now = timezone.now()
    deadline = now + datetime.timedelta(hours=settings.AGORA_MODERATION_DEADLINE_HOURS[tier])
    reach = _reach(post, account)
    subject = (
        Q(subject_type=Case.SubjectType.POST, post=post)
        if post
        else Q(subject_type=Case.SubjectType.ACCOUNT, account=account)
    )
    with transaction.atomic():
        case = Case.objects.select_for_update().filter(subject).exclude(state=Case.State.DECIDED).first()
        if case is None:
            try:
                with transaction.atomic():
                    case = Case.objects.create(
                        subject_type=Case.SubjectType.POST if post else Case.SubjectType.ACCOUNT,
                        post=post,
                        account=account,
                        source=source,
                        category=category,
                        severity=severity,
                        reach=reach,
                        priority=compute_priority(severity, reach),
                        deadline=deadline,
                        snapshot=_snapshot(post, account),
                        opened_at=now,
                    )
            except IntegrityError:
                # Another request opened it a moment ago: join that one.
                case = (
                    Case.objects.select_for_update().filter(subject).exclude(state=Case.State.DECIDED).get()
                )
            else:
                record_event(
                    event="case.opened",
                    actor=actor,
                    actor_kind="reporter" if source == Case.Source.REPORT else source,
                    case=case,
                    after={"category": category, "severity": severity, "deadline": deadline.isoformat()},
                )
                case._just_opened = True  # type: ignore[attr-defined]
        if not getattr(case, "_just_opened", False):
            before = {
                "severity": case.severity,
                "priority": case.priority,
                "deadline": case.deadline.isoformat(),
            }
            if severity > case.severity:
                case.severity, case.category = severity, category
            case.reach = max(case.reach, reach)
            case.priority = compute_priority(case.severity, case.reach)
            case.deadline = min(case.deadline, deadline)
            case.save(update_fields=["severity", "category", "reach", "priority", "deadline"])
            record_event(
                event="case.joined",
                actor=actor,
                actor_kind="reporter" if source == Case.Source.REPORT else source,
                case=case,
                before=before,
                after={
                    "severity": case.severity,
                    "priority": case.priority,
                    "deadline": case.deadline.isoformat(),
                },
            )
        if report is not None:
            report.case = case
            report.save()
        if screening is not None:
            ScreeningResult.objects.create(
                case=case,
                model_name=screening.model_name,
                model_version=screening.model_version,
                scores=screening.scores,
                automated=screening.automated,
            )
            record_event(
                event="screening.recorded",
                actor=None,
                actor_kind="screening",
                case=case,
                after={
                    "model": f"{screening.model_name}@{screening.model_version}",
                    "scores": screening.scores,
                },
            )
    return case


def create_report(
    *,
    reporter: User | None,
    category: str,
    explanation: str,
    post: Post | None = None,
    account: User | None = None,
    rules: Iterable[Rule] = (),
    reporter_name: str = "",
    reporter_email: str = "",
    url: str = "",
    is_illegal_notice: bool = False,
    bona_fide: bool = False,
) -> Report:
    """File a report on a post or an account; it joins the subject's live case (or opens one).

    Logged-in people report what they can see; a logged-out notifier (Art. 16 DSA) may leave name and e-mail
    out. Side effects: an in-app receipt for a signed-in reporter, after commit an e-mail receipt to a
    notifier who gave an address.
    """
    if reporter is not None and not reporter.is_authenticated:
        reporter = None
    explanation = explanation.strip()
    if not explanation:
        raise ValidationError({"explanation": _("Tell the moderators what is wrong.")})
    if len(explanation) > 2000:
        raise ValidationError({"explanation": _("At most 2000 characters.")})
    if post is None and account is None:
        raise ValidationError(_("Say which post or account you report."))
    if post is not None and not can_view_post(reporter, post):
        raise NotFound(post.pk)
    if account is not None and (not account.is_active):
        raise NotFound(account.pk)
    if reporter is not None and (account or (post.author if post else None)) == reporter:
        raise ValidationError(_("You cannot report yourself."))
    if reporter is None and not is_illegal_notice:
        raise NotAllowed(_("Log in to report."))
    if is_illegal_notice and not bona_fide:
        raise ValidationError({"bona_fide": _("Please confirm that your notice is accurate and complete.")})
    rules = list(rules)
    if any(not rule.is_active for rule in rules):
        raise ValidationError({"rules": _("That rule is no longer in force.")})
    illegal = is_illegal_notice or any(rule.ground == dsa.Ground.ILLEGAL for rule in rules)
    deprioritised = (
        reporter is not None and ReporterStanding.objects.filter(user=reporter, muted=True).exists()
    )
    with transaction.atomic():
        report = Report(
            reporter=reporter,
            reporter_name=reporter_name.strip()[:200],
            reporter_email=reporter_email.strip(),
            category=category,
            explanation=explanation,
            url=url.strip()[:500],
            is_illegal_notice=is_illegal_notice,
            bona_fide=bona_fide,
            deprioritised=deprioritised,
        )
        case = open_or_join_case(
            source=Case.Source.REPORT,
            category=category,
            post=post,
            account=account,
            illegal=illegal,
            deprioritised=deprioritised,
            actor=reporter,
        )
        report.case = case
        report.full_clean(exclude=["case"])
        report.save()
        report.rules.set(rules)
        record_event(
            event="report.created",
            actor=reporter,
            actor_kind="reporter" if reporter else "notifier",
            case=case,
            reason=explanation,
            after={
                "report": str(report.pk),
                "category": category,
                "rules": [rule.number for rule in rules],
                "illegal_notice": is_illegal_notice,
                "deprioritised": deprioritised,
            },
        )
        _notice(reporter, ModerationNotice.Kind.REPORT_RECEIVED, case)
        if reporter is None and report.reporter_email:
            address = report.reporter_email
            transaction.on_commit(lambda: _mail_receipt(address))
    return report


def _mail_receipt(address: str) -> None:
    send_mail(
        subject=_("We received your notice"),
        message=_(
            "Thank you. The moderators of %(name)s will review your notice and tell you what they decided."
        )
        % {"name": settings.AGORA_INSTANCE_NAME},
        from_email=None,
        recipient_list=[address],
        fail_silently=True,
    )


def _mail_outcome(address: str, outcome: str) -> None:
    send_mail(
        subject=_("Outcome of your notice"),
        message=outcome,
        from_email=None,
        recipient_list=[address],
        fail_silently=True,
    )


def _live_case(case: Case) -> Case:
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not case.is_live:
        raise ValidationError(_("This case is already decided."))
    return case


def claim_case(*, moderator: User, case: Case, assignee: User | None = None) -> Case:
    """Assign a case to a moderator (oneself by default)."""
    require_moderator(moderator)
    assignee = assignee or moderator
    require_moderator(assignee)
    with transaction.atomic():
        case = _live_case(case)
        before = {"assigned_to": str(case.assigned_to_id) if case.assigned_to_id else None}
        case.assigned_to = assignee
        case.save(update_fields=["assigned_to"])
        record_event(
            event="case.assigned",
            actor=moderator,
            case=case,
            before=before,
            after={"assigned_to": assignee.username},
        )
    return case


def add_case_note(*, moderator: User, case: Case, text: str) -> CaseNote:
    require_moderator(moderator)
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write a note.")})
    with transaction.atomic():
        note = CaseNote(case=case, author=moderator, text=text)
        note.full_clean()
        note.save()
        record_event(event="case.note", actor=moderator, case=case, reason=text)
    return note


def record_law_enforcement_notice(
    *,
    moderator: User,
    case: Case,
    authority: str,
    reference: str = "",
    notified_at: datetime.datetime | None = None,
) -> LawEnforcementNotice:
    """Mark a case a threat to life or safety and record that authorities were told (Art. 18 DSA)."""
    require_moderator(moderator)
    if not authority.strip():
        raise ValidationError({"authority": _("Name the authority you informed.")})
    notified_at = notified_at or timezone.now()
    if notified_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"notified_at": _("That time is in the future.")})
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        case.threat_to_life = True
        case.save(update_fields=["threat_to_life"])
        notice = LawEnforcementNotice.objects.create(
            case=case,
            authority=authority.strip()[:200],
            reference=reference.strip()[:200],
            notified_at=notified_at,
            recorded_by=moderator,
        )
        record_event(
            event="law_enforcement.notified",
            actor=moderator,
            case=case,
            after={
                "authority": notice.authority,
                "reference": notice.reference,
                "notified_at": notified_at.isoformat(),
            },
        )
    return notice


# -- decisions --------------------------------------------------------------------------------------------


def _post_state(post: Post | None) -> dict[str, Any]:
    if post is None:
        return {}
    return {
        "moderation_state": post.moderation_state,
        "sensitive": post.sensitive,
        "spoiler_text": post.spoiler_text,
    }


def _account_state(user: User | None) -> dict[str, Any]:
    if user is None:
        return {}
    return {"is_active": user.is_active}


def decide_case(
    *,
    case: Case,
    action: str,
    explanation: str,
    rule: Rule | None = None,
    moderator: User | None = None,
    decided_by: str = Decision.DecidedBy.MODERATOR,
    duration: datetime.timedelta | None = None,
    content_warning: str = "",
    reverses: Decision | None = None,
    close: bool = True,
) -> Decision:
    """Decide a case: apply the action to the post or account, record the decision with the state before and
    after, and for a restrictive action write the statement of reasons, a strike and a notice to the affected
    person; reporters are told the outcome. Takes effect within the transaction, so the very next read (this
    request's included) already goes through the visibility rule with the new state.
    """
    if decided_by == Decision.DecidedBy.MODERATOR:
        require_moderator(moderator)
    if action not in Decision.Action.values:
        raise ValidationError({"action": _("Choose an action.")})
    explanation = explanation.strip()
    if not explanation:
        raise ValidationError({"explanation": _("Explain the decision; the people involved will read it.")})
    if action not in (Decision.Action.DISMISS, Decision.Action.RESTORE) and rule is None:
        raise ValidationError({"rule": _("Name the rule that was broken.")})
    if rule is not None and not rule.is_active:
        raise ValidationError({"rule": _("That rule is no longer in force.")})
    post = case.post
    if action in (
        Decision.Action.LABEL,
        Decision.Action.LIMIT,
        Decision.Action.HOLD,
        Decision.Action.REMOVE,
    ) and (post is None):
        raise ValidationError({"action": _("This action needs a post; the case is about an account.")})
    if (
        action in (Decision.Action.FREEZE, Decision.Action.SUSPEND)
        and duration is not None
        and duration <= datetime.timedelta(0)
    ):
        raise ValidationError({"duration": _("The period must be positive.")})
    if action in Decision.ACCOUNT_ACTIONS and case.account_id is None:
        raise ValidationError({"action": _("The account no longer exists.")})
    if action == Decision.Action.FREEZE and duration is None:
        raise ValidationError({"duration": _("Say how long posting stays frozen.")})
    if action == Decision.Action.TERMINATE and duration is not None:
        duration = None
    with transaction.atomic():
        if close:
            case = _live_case(case)
        account = User.objects.select_for_update().get(pk=case.account_id) if case.account_id else None
        if post is not None:
            post = Post.objects.select_for_update().get(pk=post.pk)
        now = timezone.now()
        before = {"post": _post_state(post), "account": _account_state(account)}
        ends_at = now + duration if duration is not None else None
        # A post screening held (no decision of ours) is released by a restore or a dismissal.
        held_without_decision = (
            post is not None
            and post.moderation_state != ModerationState.PUBLISHED
            and _last_restrictive_decision(case) is None
        )
        if action == Decision.Action.RESTORE:
            reverses = reverses or _last_restrictive_decision(case)
            if reverses is None and not held_without_decision:
                raise ValidationError({"action": _("There is nothing to restore.")})
        decision = Decision.objects.create(
            case=case,
            action=action,
            decided_by=decided_by,
            moderator=moderator,
            rule=rule,
            explanation=explanation,
            ends_at=ends_at,
            reverses=reverses,
            before=before,
            created_at=now,
        )
        _apply(
            decision,
            post=post,
            account=account,
            content_warning=content_warning,
            now=now,
            release_held=held_without_decision,
        )
        decision.after = {"post": _post_state(post), "account": _account_state(account)}
        decision.save(update_fields=["after"])
        if (
            post is not None
            and post.is_published
            and before["post"]["moderation_state"] != post.moderation_state
        ):
            from agora.posts.services import post_published  # posts imports moderation: import here

            post_published(post=post)
        if close:
            case.state = Case.State.DECIDED
            case.closed_at = now
            case.save(update_fields=["state", "closed_at"])
        record_event(
            event=f"decision.{action}",
            actor=moderator,
            actor_kind=decided_by,
            case=case,
            reason=explanation,
            before=before,
            after={
                **decision.after,
                "rule": rule.number if rule else None,
                "ends_at": ends_at.isoformat() if ends_at else None,
            },
        )
        if getattr(decision, "revoked_strikes", 0):
            record_event(
                event="strike.revoked",
                actor=moderator,
                actor_kind=decided_by,
                case=case,
                after={"strikes": decision.revoked_strikes},  # type: ignore[attr-defined]
            )
        if decision.is_restrictive:
            _issue_statement(decision, account)
            _add_strike(decision, account, now)
        if account is not None and action in (Decision.Action.WARN, Decision.Action.RESTORE):
            _notice(account, ModerationNotice.Kind.DECISION, case, decision=decision)
        if close:
            _tell_reporters(case, decision)
    return decision


def _last_restrictive_decision(case: Case) -> Decision | None:
    """The newest restrictive decision on this case's subject that is not yet undone."""
    subject = (
        Q(case__post=case.post)
        if case.post_id
        else Q(case__account=case.account, case__subject_type="account")
    )
    for decision in Decision.objects.filter(subject).order_by("-created_at", "-id"):
        if decision.action == Decision.Action.RESTORE:
            return None
        if decision.is_restrictive:
            return decision
    return None


def _apply(
    decision: Decision,
    *,
    post: Post | None,
    account: User | None,
    content_warning: str,
    now: datetime.datetime,
    release_held: bool = False,
) -> None:
    action = decision.action
    if action == Decision.Action.LABEL:
        assert post is not None
        post.sensitive = True
        post.spoiler_text = (content_warning.strip() or post.spoiler_text or _("Sensitive content"))[:200]
        post.save(update_fields=["sensitive", "spoiler_text"])
    elif action in (Decision.Action.LIMIT, Decision.Action.HOLD, Decision.Action.REMOVE):
        assert post is not None
        states: dict[str, str] = {
            Decision.Action.LIMIT: ModerationState.LIMITED,
            Decision.Action.HOLD: ModerationState.HELD,
            Decision.Action.REMOVE: ModerationState.REMOVED,
        }
        post.moderation_state = states[action]
        post.save(update_fields=["moderation_state"])
    elif action in (Decision.Action.FREEZE, Decision.Action.SUSPEND, Decision.Action.TERMINATE):
        assert account is not None
        AccountRestriction.objects.create(
            user=account, kind=action, decision=decision, starts_at=now, ends_at=decision.ends_at
        )
        if action != Decision.Action.FREEZE and account.is_active:
            # An inactive author's posts leave every timeline and page through the visibility rule.
            account.is_active = False
            account.save(update_fields=["is_active"])
    elif action == Decision.Action.RESTORE:
        _undo(decision.reverses, post=post, account=account, now=now, by=decision)
    if release_held and post is not None and action in (Decision.Action.RESTORE, Decision.Action.DISMISS):
        post.moderation_state = ModerationState.PUBLISHED
        post.save(update_fields=["moderation_state"])


def _undo(
    reversed_decision: Decision | None,
    *,
    post: Post | None,
    account: User | None,
    now: datetime.datetime,
    by: Decision,
) -> None:
    """Put the subject back as before `reversed_decision`, lift its restrictions, revoke its strikes."""
    if reversed_decision is None:
        return
    earlier = reversed_decision.before.get("post") or {}
    if post is not None and earlier:
        # "Held" means pending review; once a restore has reviewed it, the post is published.
        state = earlier.get("moderation_state", ModerationState.PUBLISHED)
        post.moderation_state = ModerationState.PUBLISHED if state == ModerationState.HELD else state
        post.sensitive = earlier.get("sensitive", post.sensitive)
        post.spoiler_text = earlier.get("spoiler_text", post.spoiler_text)
        post.save(update_fields=["moderation_state", "sensitive", "spoiler_text"])
    for restriction in reversed_decision.restrictions.filter(lifted_at__isnull=True):
        restriction.lifted_at = now
        restriction.save(update_fields=["lifted_at"])
    still_suspended = (
        AccountRestriction.objects.filter(
            user=account, kind__in=["suspend", "terminate"], lifted_at__isnull=True
        )
        .exclude(ends_at__lt=now)
        .exists()
    )
    if (
        account is not None
        and reversed_decision.action in (Decision.Action.SUSPEND, Decision.Action.TERMINATE)
        and not still_suspended
    ):
        account.is_active = True
        account.save(update_fields=["is_active"])
    # Recorded by decide_case right after the decision itself, so the log reads cause before effect.
    by.revoked_strikes = reversed_decision.strikes.filter(revoked_at__isnull=True).update(  # type: ignore[attr-defined]
        revoked_at=now
    )


def _issue_statement(decision: Decision, account: User | None) -> StatementOfReasons:
    statement = StatementOfReasons(decision=decision, user=account, created_at=decision.created_at)
    statement.puid = f"agora-sor-{statement.pk.hex}"
    statement.record = sor.build_record(decision, puid=statement.puid)
    statement.save()
    record_event(
        event="statement.issued",
        actor=decision.moderator,
        actor_kind=decision.decided_by,
        case=decision.case,
        after={"puid": statement.puid},
    )
    _notice(account, ModerationNotice.Kind.DECISION, decision.case, decision=decision)
    if account is not None and account.email:
        # A suspended person cannot log in to read the notice: the statement also goes by e-mail.
        address, decision_id = account.email, str(decision.pk)
        transaction.on_commit(lambda: _mail_statement(address, decision_id))
    return statement


def _mail_statement(address: str, decision_id: str) -> None:
    from django.urls import reverse

    scheme = "https" if settings.AGORA_HTTPS else "http"
    link = f"{scheme}://{settings.AGORA_DOMAIN}{reverse('moderation:statement', args=[decision_id])}"
    send_mail(
        subject=_("A moderation decision about your account on %(name)s")
        % {"name": settings.AGORA_INSTANCE_NAME},
        message=_(
            "The moderators took a decision about your content or account. Read the statement of reasons, "
            "and appeal if you disagree, here: %(link)s"
        )
        % {"link": link},
        from_email=None,
        recipient_list=[address],
        fail_silently=True,
    )


def _add_strike(decision: Decision, account: User | None, now: datetime.datetime) -> None:
    rule = decision.rule
    if account is None or rule is None or decision.action == Decision.Action.LABEL:
        # A content warning is a correction, not a mark against the person.
        return
    strike = Strike.objects.create(
        user=account,
        decision=decision,
        rule=rule,
        severity=rule.strike_severity,
        created_at=now,
        expires_at=now + datetime.timedelta(days=rule.strike_expiry_days),
    )
    record_event(
        event="strike.added",
        actor=decision.moderator,
        actor_kind=decision.decided_by,
        case=decision.case,
        after={"severity": strike.severity, "expires_at": strike.expires_at.isoformat()},
    )


def _tell_reporters(case: Case, decision: Decision) -> None:
    now = timezone.now()
    for report in case.reports.filter(outcome_notified_at__isnull=True):
        if report.reporter_id is not None:
            _notice(report.reporter, ModerationNotice.Kind.REPORT_OUTCOME, case, decision=decision)
        elif report.reporter_email:
            address = report.reporter_email
            outcome = _outcome_text(decision)
            transaction.on_commit(lambda a=address, o=outcome: _mail_outcome(a, o))  # type: ignore[misc]
        report.outcome_notified_at = now
        report.save(update_fields=["outcome_notified_at"])
    record_event(
        event="reporters.notified", actor=decision.moderator, actor_kind=decision.decided_by, case=case
    )


def _outcome_text(decision: Decision) -> str:
    if decision.action == Decision.Action.DISMISS:
        return _(
            "The moderators reviewed the content you reported and found that it does not break the rules or "
            "the law. You can appeal this decision within six months from your account, or contact us."
        )
    return _("The moderators reviewed the content you reported and took action: %(action)s.") % {
        "action": decision.get_action_display()
    }


# -- appeals ----------------------------------------------------------------------------------------------


def file_appeal(*, appellant: User, decision: Decision, text: str) -> Appeal:
    """Appeal a decision (Art. 20 DSA): the affected person against a restriction or warning, a reporter
    against a dismissal or any outcome of their report. Within six months; goes to a moderator other than
    the one who decided. Side effects: the case re-enters the queue as appealed; receipt notice.
    """
    case = decision.case
    is_affected = case.account_id == appellant.pk
    is_reporter = case.reports.filter(reporter=appellant).exists()
    if not (is_affected or is_reporter):
        raise NotFound(decision.pk)
    if is_affected and decision.action in (Decision.Action.DISMISS, Decision.Action.RESTORE):
        raise ValidationError(_("There is nothing to appeal: no action was taken against you."))
    if decision.reversed_by.exists() or Appeal.objects.filter(resulting_decision=decision).exists():
        raise ValidationError(_("This decision was already reviewed on appeal."))
    if timezone.now() - decision.created_at > APPEAL_WINDOW:
        raise ValidationError(_("Appeals are possible for six months after a decision; this one is older."))
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Tell us why the decision is wrong.")})
    if len(text) > 2000:
        raise ValidationError({"text": _("At most 2000 characters.")})
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if Appeal.objects.filter(decision=decision, appellant=appellant).exists():
            raise ValidationError(_("You already appealed this decision."))
        if case.is_live and case.state != Case.State.APPEALED:
            raise ValidationError(_("This case is open again; wait for its new decision."))
        appeal = Appeal.objects.create(
            decision=decision,
            appellant=appellant,
            is_reporter=not is_affected,
            text=text,
            assigned_to=_appeal_reviewer(decision),
        )
        before = {"state": case.state}
        case.state = Case.State.APPEALED
        case.deadline = timezone.now() + datetime.timedelta(
            hours=settings.AGORA_MODERATION_DEADLINE_HOURS[_deadline_tier(case.category, illegal=False)]
        )
        case.assigned_to = appeal.assigned_to
        case.save(update_fields=["state", "deadline", "assigned_to"])
        record_event(
            event="appeal.filed",
            actor=appellant,
            actor_kind="reporter" if appeal.is_reporter else "affected",
            case=case,
            reason=text,
            before=before,
            after={
                "state": case.state,
                "assigned_to": appeal.assigned_to.username if appeal.assigned_to else None,
            },
        )
        _notice(appellant, ModerationNotice.Kind.APPEAL_RECEIVED, case, decision=decision, appeal=appeal)
    return appeal


def _appeal_reviewer(decision: Decision) -> User | None:
    """The least busy active moderator who did not take the decision."""
    candidates = (
        User.objects.filter(is_active=True)
        .filter(Q(role__in=[User.Role.MODERATOR, User.Role.ADMIN]) | Q(is_superuser=True))
        .exclude(id__in=[decision.moderator_id] if decision.moderator_id else [])
    )
    pending = dict(
        Appeal.objects.filter(state=Appeal.State.PENDING)
        .values_list("assigned_to")
        .annotate(n=Count("id"))
        .values_list("assigned_to", "n")
    )
    ordered = sorted(candidates, key=lambda user: (pending.get(user.pk, 0), user.pk))
    return ordered[0] if ordered else None


def decide_appeal(
    *,
    moderator: User,
    appeal: Appeal,
    reverse: bool,
    reasons: str,
    action: str | None = None,
    rule: Rule | None = None,
    duration: datetime.timedelta | None = None,
) -> Appeal:
    """Resolve an appeal. Never by the moderator who took the decision (Art. 20 DSA: a fresh look).

    Reversing an affected person's appeal restores the content or account and revokes the strikes; reversing a
    reporter's appeal takes `action` under `rule` after all. Side effects: outcome notices to the appellant
    and the affected person, statement of reasons for a new restriction.
    """
    require_moderator(moderator)
    reasons = reasons.strip()
    if not reasons:
        raise ValidationError({"reasons": _("Give the reasons for the outcome.")})
    if appeal.decision.moderator_id == moderator.pk:
        raise NotAllowed(_("Another moderator must review an appeal against your own decision."))
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
        if appeal.state != Appeal.State.PENDING:
            raise ValidationError(_("This appeal is already resolved."))
        case = appeal.decision.case
        resulting: Decision | None = None
        if reverse:
            if appeal.is_reporter:
                if action is None or action in (Decision.Action.DISMISS, Decision.Action.RESTORE):
                    raise ValidationError({"action": _("Choose the action to take instead.")})
                resulting = decide_case(
                    case=case,
                    action=action,
                    rule=rule,
                    explanation=reasons,
                    moderator=moderator,
                    duration=duration,
                    close=False,
                )
            else:
                resulting = decide_case(
                    case=case,
                    action=Decision.Action.RESTORE,
                    explanation=reasons,
                    moderator=moderator,
                    reverses=appeal.decision,
                    close=False,
                )
        appeal.state = Appeal.State.REVERSED if reverse else Appeal.State.UPHELD
        appeal.resolved_by = moderator
        appeal.resolution = reasons
        appeal.resolved_at = timezone.now()
        appeal.resulting_decision = resulting
        appeal.save()
        case = Case.objects.select_for_update().get(pk=case.pk)
        if not Appeal.objects.filter(decision__case=case, state=Appeal.State.PENDING).exists():
            case.state = Case.State.DECIDED
            case.closed_at = timezone.now()
            case.save(update_fields=["state", "closed_at"])
        record_event(
            event="appeal.reversed" if reverse else "appeal.upheld",
            actor=moderator,
            case=case,
            reason=reasons,
            after={"appeal": str(appeal.pk), "state": appeal.state},
        )
        _notice(
            appeal.appellant,
            ModerationNotice.Kind.APPEAL_OUTCOME,
            case,
            decision=resulting or appeal.decision,
            appeal=appeal,
        )
        if reverse:
            # Everyone whose report led to the case learns that the outcome changed.
            for report in case.reports.exclude(reporter__isnull=True).exclude(reporter=appeal.appellant):
                _notice(report.reporter, ModerationNotice.Kind.REPORT_OUTCOME, case, decision=resulting)
            if (
                appeal.is_reporter
                and case.account is not None
                and resulting is not None
                and not resulting.is_restrictive
            ):
                _notice(case.account, ModerationNotice.Kind.DECISION, case, decision=resulting)
            record_event(event="reporters.notified", actor=moderator, case=case)
    return appeal


# -- account state ----------------------------------------------------------------------------------------


def lift_expired_restrictions(*, now: datetime.datetime | None = None) -> int:
    """End freezes and suspensions whose period is over; reactivate accounts no other suspension holds."""
    now = now or timezone.now()
    lifted = 0
    with transaction.atomic():
        for restriction in AccountRestriction.objects.select_for_update().filter(
            lifted_at__isnull=True, ends_at__isnull=False, ends_at__lte=now
        ):
            restriction.lifted_at = now
            restriction.save(update_fields=["lifted_at"])
            user = restriction.user
            still_held = AccountRestriction.objects.filter(
                user=user, kind__in=["suspend", "terminate"], lifted_at__isnull=True
            ).filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
            if (
                restriction.kind == AccountRestriction.Kind.SUSPEND
                and not still_held.exists()
                and not user.is_active
            ):
                user.is_active = True
                user.save(update_fields=["is_active"])
            record_event(
                event="restriction.expired",
                actor=None,
                actor_kind="system",
                case=restriction.decision.case,
                subject_user_id=user.pk,
                after={"kind": restriction.kind},
            )
            lifted += 1
    return lifted


def set_reporter_muted(*, moderator: User, user: User, muted: bool, reason: str) -> ReporterStanding:
    """Mute (or unmute) a reporter who keeps filing unfounded reports: their reports stop raising priority."""
    require_moderator(moderator)
    reason = reason.strip()
    if muted and not reason:
        raise ValidationError({"reason": _("Say why this reporter is muted.")})
    with transaction.atomic():
        standing, _created = ReporterStanding.objects.select_for_update().get_or_create(user=user)
        before = {"muted": standing.muted}
        standing.muted = muted
        standing.reason = reason
        standing.save()
        record_event(
            event="reporter.muted" if muted else "reporter.unmuted",
            actor=moderator,
            reason=reason,
            subject_user_id=user.pk,
            before=before,
            after={"muted": muted},
        )
    return standing


def add_muted_word(*, user: User, word: str) -> MutedWord:
    """Hide posts containing `word` (case-insensitive) from one's own timelines."""
    word = " ".join(word.split()).lower()
    if not word:
        raise ValidationError({"word": _("Enter a word or phrase.")})
    if len(word) > 100:
        raise ValidationError({"word": _("At most 100 characters.")})
    if MutedWord.objects.filter(user=user).count() >= MAX_MUTED_WORDS:
        raise ValidationError(
            {"word": _("You can mute at most %(count)d words.") % {"count": MAX_MUTED_WORDS}}
        )
    muted, _created = MutedWord.objects.get_or_create(user=user, word=word)
    return muted


def remove_muted_word(*, user: User, word_id: Any) -> None:
    deleted, _rows = MutedWord.objects.filter(user=user, pk=word_id).delete()
    if not deleted:
        raise NotFound(word_id)


def mark_notices_read(*, user: User) -> int:
    return ModerationNotice.objects.filter(recipient=user, is_read=False).update(is_read=True)
