"""Measure stage-1 screening on the fixed evaluation sets: `uv run python bench/screening_bench.py`.

Needs a model built by `agora screening train` (without one it measures the pattern layer alone) and the
shared data folder (AGORA_SCREENING_DATA_DIR; see data/eval/README.md). For each set it prints, as a markdown
table: ROC-AUC and recall at 5 % FPR of the combined stage-1 score (the larger of the model's violence score
and the pattern score), precision / recall / F1 / real FPR at the policy's review and hold tiers, macro-F1
at the review tier for the German sets, and how many positives the pattern layer alone holds. Then
throughput on one thread (batched and one post at a time) and peak memory. Nothing here trains or tunes:
thresholds come from the validation split carved from training data.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agora.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _read(path: Path, delimiter: str) -> list[dict[str, str]]:
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=delimiter))


def evaluation_sets(data: Path) -> dict[str, tuple[str, list[str], list[int]]]:
    """name -> (language, texts, labels), exactly as data/eval/README.md defines them."""
    sets: dict[str, tuple[str, list[str], list[int]]] = {}
    rows = _read(data / "eval" / "de_violence.tsv", "\t")
    sets["DE violence (GermEval VIO)"] = ("de", [r["text"] for r in rows], [int(r["label"]) for r in rows])
    rows = _read(data / "eval" / "de_call_to_action.tsv", "\t")
    sets["DE call to action (C2A)"] = ("de", [r["text"] for r in rows], [int(r["label"]) for r in rows])
    rows = _read(data / "gab_hate_corpus" / "ghc_test.tsv", "\t")
    sets["EN Gab cv"] = ("en", [r["text"] for r in rows], [int(r["cv"] or 0) for r in rows])
    threats = {"threat_dir_h", "threat_norm_h"}
    for name, lang, path in (
        ("EN HateCheck threats", "en", data / "hatecheck_en" / "test_suite_cases.csv"),
        ("DE HateCheck threats", "de", data / "hatecheck_de" / "hatecheck_cases_final_german.csv"),
    ):
        rows = [
            r for r in _read(path, ",") if r["functionality"] in threats or r["label_gold"] == "non-hateful"
        ]
        sets[name] = (
            lang,
            [r["test_case"] for r in rows],
            [int(r["functionality"] in threats) for r in rows],
        )
    return sets


def _tier_metrics(flags: list[bool], labels: list[int]) -> tuple[float, float, float, float]:
    tp = sum(f and y == 1 for f, y in zip(flags, labels, strict=True))
    fp = sum(f and y == 0 for f, y in zip(flags, labels, strict=True))
    positives, negatives = sum(labels), len(labels) - sum(labels)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / positives if positives else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, fp / negatives if negatives else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None, help="The shared data folder.")
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from sklearn.metrics import f1_score, roc_auc_score, roc_curve

    from agora.screening import model as stage1
    from agora.screening.services import screen

    data = args.data or settings.AGORA_SCREENING_DATA_DIR
    trained = stage1.load()
    print(f"model: {f'{trained.name}@{trained.version}' if trained else 'none (patterns only)'}\n")
    print(
        "| set | n (pos) | AUC | R@5%FPR | review: P / R / F1 / FPR | hold: P / R / F1 / FPR | mF1 "
        "| patterns hold |"
    )
    print("|---|---|---|---|---|---|---|---|")
    all_texts: list[str] = []
    for name, (lang, texts, labels) in evaluation_sets(data).items():
        results = screen(texts, language_hints=[lang] * len(texts))
        scores = [max(r.scores.values()) for r in results]
        auc = roc_auc_score(labels, scores)
        fpr, tpr, _ = roc_curve(labels, scores)
        r_at_5 = max(t for f, t in zip(fpr, tpr, strict=True) if f <= 0.05)
        review = [r.decision != "allow" for r in results]
        hold = [r.decision == "hold" for r in results]
        rv, hd = _tier_metrics(review, labels), _tier_metrics(hold, labels)
        mf1 = f"{f1_score(labels, review, average='macro'):.2f}" if lang == "de" else "-"
        pattern_hits = sum(
            r.scores["threat_pattern"] >= 1 and y == 1 for r, y in zip(results, labels, strict=True)
        )
        pattern_fp = sum(
            r.scores["threat_pattern"] >= 1 and y == 0 for r, y in zip(results, labels, strict=True)
        )
        print(
            f"| {name} | {len(labels)} ({sum(labels)}) | {auc:.3f} | {r_at_5:.2f} | "
            f"{rv[0]:.2f} / {rv[1]:.2f} / {rv[2]:.2f} / {100 * rv[3]:.1f} % | "
            f"{hd[0]:.2f} / {hd[1]:.2f} / {hd[2]:.2f} / {100 * hd[3]:.1f} % | {mf1} | "
            f"{pattern_hits} TP, {pattern_fp} FP |"
        )
        all_texts += texts
    sample = all_texts[:3000]
    start = time.process_time()
    screen(sample)
    batched = len(sample) / (time.process_time() - start)
    start = time.process_time()
    for text in sample[:300]:
        screen([text])
    single_ms = 1000 * (time.process_time() - start) / 300
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\nstage 1 throughput, one thread: {batched:,.0f} posts/s batched; {single_ms:.2f} ms per post one "
        f"at a time; peak RSS {peak_mb:.0f} MB"
    )


if __name__ == "__main__":
    main()
