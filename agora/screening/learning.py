"""Learning from moderators, and champion/challenger promotion of retrained models.

`moderator_examples()` reads the moderation app's decisions (never changing them): the last decision a person
(a moderator or the jury) made on each post case that screening or a report opened becomes one labelled
example, in the language of the post, with the rule it was decided under:
- removed, held or limited under a violence rule (DSA categories violence, risk for public security) -> 1;
- dismissed or restored -> 0 (screening or a reporter was wrong);
- restrictive decisions under other rules say nothing about violence and are left out.
The text is the case's snapshot (what was screened when the case opened).

`compare()` decides whether a challenger may replace the champion: on every fixed evaluation set both have
scores for, the challenger's ROC-AUC (of the final, combined score) may not drop by more than `MAX_SET_DROP`,
and its mean AUC over the sets may not drop by more than `MAX_MEAN_DROP`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agora.screening.language import detect_language
from agora.screening.normalise import normalise

MAX_SET_DROP = 0.02
MAX_MEAN_DROP = 0.002


@dataclass(frozen=True)
class Example:
    text: str
    language: str
    label: int
    rule: str
    decision_id: str


def moderator_examples() -> list[Example]:
    from agora.moderation import dsa
    from agora.moderation.models import Case, Decision

    violence = {dsa.Category.VIOLENCE, dsa.Category.RISK_FOR_PUBLIC_SECURITY}
    positive = {Decision.Action.REMOVE, Decision.Action.HOLD, Decision.Action.LIMIT}
    negative = {Decision.Action.DISMISS, Decision.Action.RESTORE}
    latest: dict[str, Any] = {}
    decisions = (
        Decision.objects.filter(
            case__subject_type=Case.SubjectType.POST,
            case__source__in=[Case.Source.SCREENING, Case.Source.REPORT],
            decided_by__in=[Decision.DecidedBy.MODERATOR, Decision.DecidedBy.JURY],
        )
        .select_related("case", "rule")
        .order_by("created_at", "id")
    )
    for decision in decisions:
        subject = str(decision.case.post_id or decision.case_id)
        latest[subject] = decision  # later decisions (a restore after a removal) win
    examples = []
    for decision in latest.values():
        snapshot = decision.case.snapshot or {}
        text = "\n".join(
            part for part in (snapshot.get("spoiler_text", ""), snapshot.get("text", "")) if part
        )
        if not text.strip():
            continue
        if decision.action in negative:
            label = 0
        elif decision.action in positive and decision.rule is not None and decision.rule.category in violence:
            label = 1
        else:
            continue
        language = detect_language(normalise(text), snapshot.get("language", ""))
        if not language:
            continue
        rule = f"{decision.rule.number}. {decision.rule.title}" if decision.rule else decision.action
        examples.append(Example(text, language, label, rule, str(decision.pk)))
    return examples


def _aucs(card: dict[str, Any]) -> dict[str, float]:
    stage = "combined" if card.get("stage2_model") else "stage1"
    out = {}
    for key, metrics in (card.get("evaluation") or {}).items():
        value = (metrics.get(stage) or {}).get("auc")
        if value is not None:
            out[key] = float(value)
    return out


def compare(challenger: dict[str, Any], champion: dict[str, Any] | None) -> tuple[bool, str]:
    """(promote?, why) for two model cards."""
    if champion is None:
        return True, "no current model"
    new, old = _aucs(challenger), _aucs(champion)
    common = sorted(set(new) & set(old))
    if not common:
        return True, "no evaluation set in common with the current model"
    drops = {key: old[key] - new[key] for key in common}
    worst = max(drops, key=lambda k: drops[k])
    mean_drop = sum(drops.values()) / len(drops)
    if drops[worst] > MAX_SET_DROP:
        return False, f"AUC on {worst} drops by {drops[worst]:.3f} (more than {MAX_SET_DROP})"
    if mean_drop > MAX_MEAN_DROP:
        return False, f"mean AUC drops by {mean_drop:.3f} (more than {MAX_MEAN_DROP})"
    return (
        True,
        f"mean AUC {'+' if mean_drop <= 0 else '-'}{abs(mean_drop):.3f}; no set worse than {MAX_SET_DROP}",
    )


def report(challenger: dict[str, Any], champion: dict[str, Any] | None, promoted: bool, why: str) -> str:
    """A markdown evaluation report: new vs current on the fixed sets."""
    lines = [
        "# Screening model evaluation report",
        "",
        f"- challenger: {challenger['model']}"
        + (f" + {challenger['stage2_model']}" if challenger.get("stage2_model") else ""),
        f"- current: {champion['model'] if champion else 'none'}"
        + (f" + {champion['stage2_model']}" if champion and champion.get("stage2_model") else ""),
        f"- trained at {challenger['trained_at']}; moderator examples: "
        f"{challenger['data'].get('moderator_examples', 0)}",
        f"- decision: {'promoted' if promoted else 'kept the current model'} ({why})",
        "",
        "| set | stage | AUC new / current | R@5%FPR new / current | hold R / FPR new | review R / FPR new |",
        "|---|---|---|---|---|---|",
    ]

    def fmt(value: Any) -> str:
        return "-" if value is None else f"{value:.3f}"

    for key, metrics in (challenger.get("evaluation") or {}).items():
        old_metrics = ((champion or {}).get("evaluation") or {}).get(key, {})
        for stage in ("stage1", "combined"):
            m = metrics.get(stage)
            if not m:
                continue
            o = old_metrics.get(stage) or {}
            lines.append(
                f"| {metrics['name']} | {stage} | {fmt(m['auc'])} / {fmt(o.get('auc'))} | "
                f"{fmt(m['recall_at_5_fpr'])} / {fmt(o.get('recall_at_5_fpr'))} | "
                f"{m['hold']['recall']:.2f} / {100 * m['hold']['fpr']:.1f} % | "
                f"{m['review']['recall']:.2f} / {100 * m['review']['fpr']:.1f} % |"
            )
    return "\n".join(lines) + "\n"


def record_promotion(
    *, challenger: dict[str, Any], champion: dict[str, Any] | None, promoted: bool, why: str
) -> None:
    """The moderation audit log says which model screens posts from now on (or that a challenger lost)."""
    from agora.moderation.services import record_event

    record_event(
        event="screening.model_promoted" if promoted else "screening.model_rejected",
        actor=None,
        actor_kind="screening",
        reason=why,
        before={
            "model": champion["model"] if champion else None,
            "stage2_model": (champion or {}).get("stage2_model"),
        },
        after={"model": challenger["model"], "stage2_model": challenger.get("stage2_model")},
    )
