"""Measure screening on the fixed evaluation sets: `uv run python bench/screening_bench.py [--out DIR]`.

Needs the model `agora screening train` built (without one it measures the pattern layer alone) and the
shared data folder (AGORA_SCREENING_DATA_DIR; see data/eval/README.md). Per set, per stage and combined, as a
markdown table: ROC-AUC, recall at 5 % FPR, precision / recall / F1 / real FPR at the policy's review and hold
tiers, and for the German sets macro-F1 at the best-F1 threshold chosen on the validation split (comparable
with GermEval) and at the review tier. Then throughput on one thread and peak memory per stage (each in a
child process), and ROC curves as PNG (drawn with Pillow). Nothing here trains or tunes: thresholds come from
the validation split of the training data, as stored in the model; the admins' edited thresholds are not
applied.

- stage 1: the TF-IDF model's score, with the explicit-threat patterns on top (score 1.0 / 0.7 for a hold /
  review rule), and stage 1's own tiers;
- stage 2 alone: the encoder head's score on all positives and `--negatives` random negatives per set (AUC and
  recall at 5 % FPR are unbiased; precision is not, so it is not shown);
- combined: what a post ends with: the combined score for the posts stage 2 re-scores, stage 1's (on the same
  calibrated scale) for the rest, patterns on top, and the combined tiers.
Embeddings come from the training cache (<model dir>/embeddings) where present.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agora.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PATTERN_SCORE = {0: 0.0, 1: 0.7, 2: 1.0}


def _fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _tiers(flags: dict[str, Any]) -> str:
    return (
        f"{flags['precision']:.2f} / {flags['recall']:.2f} / {flags['f1']:.2f} / {100 * flags['fpr']:.1f} %"
    )


def roc_png(path: Path, title: str, curves: dict[str, tuple[list[float], list[float]]]) -> None:
    """A small ROC plot with Pillow: one polyline per curve, the 5 % FPR line dashed."""
    from PIL import Image, ImageDraw

    size, margin = 420, 40
    image = Image.new("RGB", (size + 2 * margin, size + 2 * margin), "white")
    draw = ImageDraw.Draw(image)

    def xy(fpr: float, tpr: float) -> tuple[float, float]:
        return margin + fpr * size, margin + (1 - tpr) * size

    draw.rectangle([xy(0, 1), xy(1, 0)], outline="black")
    draw.line([xy(0, 0), xy(1, 1)], fill=(200, 200, 200))
    for y in range(0, size, 8):
        draw.line([xy(0.05, y / size), xy(0.05, (y + 4) / size)], fill=(150, 150, 150))
    colours = [(31, 119, 180), (214, 39, 40), (44, 160, 44)]
    for n, (name, (fpr, tpr)) in enumerate(curves.items()):
        colour = colours[n % len(colours)]
        draw.line([xy(f, t) for f, t in zip(fpr, tpr, strict=True)], fill=colour, width=2)
        draw.text((margin + 8, margin + size - 16 * (len(curves) - n)), name, fill=colour)
    draw.text((margin, 12), title, fill="black")
    draw.text((margin, margin + size + 8), "false-positive rate ->   (dashed: 5 %)", fill="black")
    image.save(path)


def throughput(stage: str, texts: list[str]) -> dict[str, float]:
    """Posts per CPU-second on one thread and peak RSS, measured in this (fresh) process."""
    import django

    django.setup()
    from agora.screening.services import screen

    sample = texts[:3000] if stage == "1" else texts[:150]
    screen(sample[:5], policies={})  # load the models
    out: dict[str, float] = {}
    if stage == "1":
        start = time.process_time()
        screen(sample, policies={})
        out["batched"] = len(sample) / (time.process_time() - start)
        start = time.process_time()
        for text in sample[:300]:
            screen([text], policies={})
        out["single_ms"] = 1000 * (time.process_time() - start) / 300
    else:
        from agora.screening.normalise import normalise
        from agora.screening.stage2 import RescoreInput, load_rescorer

        rescorer = load_rescorer()
        if rescorer is None:
            return {}
        items = [RescoreInput(normalise(t), "de" if n % 2 else "en", 0.5) for n, t in enumerate(sample)]
        rescorer.rescore(items[:4])
        start = time.process_time()
        for chunk in range(0, len(items), 32):
            rescorer.rescore(items[chunk : chunk + 32])
        out["batched"] = len(items) / (time.process_time() - start)
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data", type=Path, default=None, help="The shared data folder.")
    parser.add_argument("--out", type=Path, default=Path("bench/screening-results"), help="PNGs and JSON.")
    parser.add_argument("--negatives", type=int, default=300, help="Negatives per set for stage 2 alone.")
    parser.add_argument("--throughput", choices=["1", "2"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.throughput:
        texts = json.loads(sys.stdin.read())
        print(json.dumps(throughput(args.throughput, texts)))
        return
    import django

    django.setup()
    import numpy as np
    from django.conf import settings
    from sklearn.metrics import roc_curve

    from agora.screening import model as stage1
    from agora.screening import policy, stage2
    from agora.screening.encoders import EmbeddingCache, get_encoder
    from agora.screening.evaluation import auc as roc_auc
    from agora.screening.evaluation import evaluation_sets, flag_metrics, macro_f1, recall_at_fpr
    from agora.screening.services import screen

    data = args.data or settings.AGORA_SCREENING_DATA_DIR
    args.out.mkdir(parents=True, exist_ok=True)
    trained1 = stage1.load()
    trained2 = stage2.load()
    encoder = get_encoder() if trained2 else None
    cache = EmbeddingCache(stage1.model_dir() / "embeddings", encoder) if encoder and trained2 else None
    print(f"stage 1: {f'{trained1.name}@{trained1.version}' if trained1 else 'none (patterns only)'}")
    print(f"stage 2: {f'{trained2.name}@{trained2.version} ({trained2.encoder})' if trained2 else 'none'}\n")
    print(
        "| set | n (pos) | stage | AUC | R@5%FPR | review: P / R / F1 / FPR | hold: P / R / F1 / FPR "
        "| mF1 (val-F1 thr / review) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    rng = np.random.default_rng(20261126)
    all_texts: list[str] = []
    results_json: dict[str, Any] = {}
    for subset in evaluation_sets(data):
        lang, labels = subset.language, subset.labels
        first = screen(subset.texts, language_hints=[lang] * len(subset.texts), policies={})
        pattern = [r.scores["threat_pattern"] for r in first]
        s1 = np.array([r.scores.get("violence", 0.0) for r in first])
        t1 = (
            trained1.languages[lang].thresholds
            if trained1 and lang in trained1.languages
            else policy.FALLBACK_THRESHOLDS
        )
        rows: dict[str, dict[str, Any]] = {}
        curves: dict[str, tuple[list[float], list[float]]] = {}

        def add(
            stage: str,
            scores: list[float],
            tiers: list[int] | None,
            f1_flags: list[bool] | None,
            y: list[int],
            curves: dict[str, tuple[list[float], list[float]]] = curves,
            rows: dict[str, dict[str, Any]] = rows,
        ) -> None:
            area = roc_auc(y, scores)
            entry: dict[str, Any] = {"auc": area, "r5": recall_at_fpr(y, scores), "n": len(y), "pos": sum(y)}
            if tiers is not None:
                entry["review"] = flag_metrics([t >= 1 for t in tiers], y)
                entry["hold"] = flag_metrics([t >= 2 for t in tiers], y)
                entry["mf1_review"] = macro_f1([t >= 1 for t in tiers], y)
            if f1_flags is not None:
                entry["mf1_val"] = macro_f1(f1_flags, y)
            rows[stage] = entry
            if area is not None:
                fpr, tpr, _ = roc_curve(y, scores)
                curves[stage] = (list(fpr), list(tpr))

        add(
            "stage 1",
            [max(float(s), p) for s, p in zip(s1, pattern, strict=True)],
            [policy.TIERS.index(r.decision) for r in first],
            [float(s) >= t1.get("f1", t1["review"]) for s in s1],
            labels,
        )
        s2_lang = trained2.languages.get(lang) if trained2 else None
        if s2_lang is not None and cache is not None and trained1 is not None:
            normalised = [r.normalised for r in first]
            positives = [i for i, y in enumerate(labels) if y == 1]
            negatives = [i for i, y in enumerate(labels) if y == 0]
            picked = sorted(
                positives
                + list(rng.choice(negatives, size=min(args.negatives, len(negatives)), replace=False))
            )
            alone = s2_lang.stage2_scores(cache.embed([normalised[i] for i in picked]))
            add("stage 2 alone", [float(a) for a in alone], None, None, [labels[i] for i in picked])
            wanted = [i for i, r in enumerate(first) if r.needs_stage2]
            final = s2_lang.stage1_only(s1)
            combined = np.full(len(first), -1.0)
            if wanted:
                values = s2_lang.combine(s1[wanted], cache.embed([normalised[i] for i in wanted]))
                final[wanted] = values
                combined[wanted] = values
            t2 = s2_lang.thresholds
            tiers = [
                policy.decide(
                    pattern_score=pattern[i],
                    model_score=float(combined[i]) if combined[i] >= 0 else float(s1[i]),
                    thresholds=t2 if combined[i] >= 0 else t1,
                    neutralised=first[i].neutralised,
                )
                for i in range(len(first))
            ]
            add(
                "combined",
                [max(float(f), p) for f, p in zip(final, pattern, strict=True)],
                tiers,
                [float(c) >= t2["f1"] for c in combined],
                labels,
            )
            cache.save()
            rows["combined"]["rescored_share"] = len(wanted) / len(first)
        for stage, entry in rows.items():
            mf1 = "-"
            if lang == "de" and "mf1_val" in entry:
                mf1 = f"{entry['mf1_val']:.2f} / {entry['mf1_review']:.2f}"
            review = _tiers(entry["review"]) if "review" in entry else "-"
            hold = _tiers(entry["hold"]) if "hold" in entry else "-"
            print(
                f"| {subset.name} | {entry['n']} ({entry['pos']}) | {stage} | {_fmt(entry['auc'])} | "
                f"{_fmt(entry['r5'], 2)} | {review} | {hold} | {mf1} |"
            )
        if curves:
            roc_png(args.out / f"roc-{subset.key}.png", f"ROC: {subset.name}", curves)
        results_json[subset.key] = rows
        if "rescored_share" in rows.get("combined", {}):
            results_json[subset.key]["combined"]["rescored_share"] = rows["combined"]["rescored_share"]
        all_texts += subset.texts
    print()
    for stage in ("1", "2"):
        if stage == "2" and trained2 is None:
            continue
        child = subprocess.run(
            [sys.executable, __file__, "--throughput", stage],
            input=json.dumps(all_texts[::3]),
            capture_output=True,
            text=True,
            check=True,
        )
        numbers = json.loads(child.stdout.strip().splitlines()[-1])
        results_json[f"throughput_stage{stage}"] = numbers
        if not numbers:
            continue
        extra = f"; {numbers['single_ms']:.2f} ms per post one at a time" if "single_ms" in numbers else ""
        print(
            f"stage {stage} throughput, one thread: {numbers['batched']:,.1f} posts/s batched{extra}; "
            f"peak RSS {numbers['peak_mb']:.0f} MB"
        )
    (args.out / "results.json").write_text(json.dumps(results_json, indent=1, default=float))
    sizes = {p.name: p.stat().st_size / 1e6 for p in stage1.serving_dir().glob("*.pkl")}
    print("model files: " + ", ".join(f"{name} {mb:.1f} MB" for name, mb in sorted(sizes.items())))
    print(f"ROC plots: {args.out}/roc-*.png")


if __name__ == "__main__":
    main()
