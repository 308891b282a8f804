"""Stage 1's fitted TF-IDF + logistic regression, scored with numpy alone.

scikit-learn fits the model (`model.fit_language`); serving it through scikit-learn would cost every web
process about 70 MB for the import and 60 MB for the vocabularies as Python dicts (a quarter of a million
n-grams). This class keeps, per feature set, the n-grams' hashes in one sorted int64 array beside their idf
and coefficient, and reproduces what the fitted pipeline computes: the same analyzers (lowercase; word
1-2-grams of `\\b\\w\\w+\\b` tokens; character n-grams inside word boundaries), sublinear tf, idf, l2 norm
per feature set, then the logistic function of the weighted sum. The scores equal scikit-learn's to float
rounding (a test compares them).

Pickled, it stores the n-grams themselves (joined by newlines; none holds a newline), not their hashes:
Python's string hash differs from process to process, so the hashes are made when the model is loaded.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

_WHITE_SPACES = re.compile(r"\s\s+")


@dataclass
class _FeatureSet:
    analyzer: str  # "word" or "char_wb"
    ngram_range: tuple[int, int]
    token_pattern: str
    sublinear_tf: bool
    ngrams: list[str]  # in the fitted vectorizer's column order; dropped once hashed
    idf: np.ndarray
    coef: np.ndarray

    def __post_init__(self) -> None:
        self._tokens = re.compile(self.token_pattern).findall
        self._hash()

    def _hash(self) -> None:
        hashes = np.fromiter((hash(g) for g in self.ngrams), dtype=np.int64, count=len(self.ngrams))
        order = np.argsort(hashes, kind="stable")
        self.keys = hashes[order]
        if len(self.keys) > 1 and bool((self.keys[1:] == self.keys[:-1]).any()):
            raise ValueError("two n-grams share a hash")  # 64-bit: a quarter of a million keys never do
        self.idf = np.asarray(self.idf, dtype=np.float64)[order]
        self.coef = np.asarray(self.coef, dtype=np.float64)[order]
        self._joined = "\n".join(self.ngrams[i] for i in order)
        self.ngrams = []

    def analyse(self, text: str) -> list[str]:
        text = text.lower()
        low, high = self.ngram_range
        if self.analyzer == "word":
            tokens = self._tokens(text)
            grams = list(tokens) if low == 1 else []
            for n in range(max(low, 2), min(high + 1, len(tokens) + 1)):
                grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
            return grams
        grams = []
        for word in _WHITE_SPACES.sub(" ", text).split():
            word = " " + word + " "
            length = len(word)
            for n in range(low, high + 1):
                offset = 0
                grams.append(word[offset : offset + n])
                while offset + n < length:
                    offset += 1
                    grams.append(word[offset : offset + n])
                if offset == 0:  # a short word counts once, as scikit-learn counts it
                    break
        return grams

    def contribution(self, text: str) -> float:
        """This feature set's share of the decision function for one (normalised) text."""
        counts = Counter(self.analyse(text))
        if not counts:
            return 0.0
        hashes = np.fromiter((hash(g) for g in counts), dtype=np.int64, count=len(counts))
        where = np.searchsorted(self.keys, hashes)
        where[where == len(self.keys)] = 0
        known = self.keys[where] == hashes
        if not known.any():
            return 0.0
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))[known]
        if self.sublinear_tf:
            tf = np.log(tf) + 1.0
        columns = where[known]
        weights = tf * self.idf[columns]
        norm = math.sqrt(float(weights @ weights))
        return float(weights @ self.coef[columns]) / norm if norm else 0.0

    def __getstate__(self) -> dict[str, Any]:
        state = {k: v for k, v in self.__dict__.items() if k not in {"_tokens", "keys", "ngrams", "_joined"}}
        state["ngrams_joined"] = self._joined
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        joined = state.pop("ngrams_joined")
        self.__dict__.update(state)
        self.ngrams = joined.split("\n") if joined else []
        self.__post_init__()


class CompactTfidfLR:
    """`predict_proba` of a fitted Pipeline([("features", FeatureUnion of TfidfVectorizers), ("classifier",
    LogisticRegression)]) without scikit-learn."""

    def __init__(self, feature_sets: list[_FeatureSet], intercept: float) -> None:
        self.feature_sets = feature_sets
        self.intercept = intercept

    @classmethod
    def from_pipeline(cls, pipeline: Any) -> CompactTfidfLR:
        union, classifier = pipeline.named_steps["features"], pipeline.named_steps["classifier"]
        coef = np.asarray(classifier.coef_, dtype=np.float64).reshape(-1)
        feature_sets, start = [], 0
        for _name, vectorizer in union.transformer_list:
            if vectorizer.analyzer not in {"word", "char_wb"} or vectorizer.norm != "l2":
                raise ValueError(f"cannot compact {vectorizer.analyzer!r}, norm {vectorizer.norm!r}")
            if not vectorizer.lowercase or vectorizer.strip_accents or vectorizer.stop_words:
                raise ValueError("only lowercase vectorizers without accent stripping or stop words")
            ngrams = [""] * len(vectorizer.vocabulary_)
            for gram, column in vectorizer.vocabulary_.items():
                ngrams[column] = gram
            size = len(ngrams)
            feature_sets.append(
                _FeatureSet(
                    analyzer=vectorizer.analyzer,
                    ngram_range=tuple(vectorizer.ngram_range),
                    token_pattern=vectorizer.token_pattern,
                    sublinear_tf=bool(vectorizer.sublinear_tf),
                    ngrams=ngrams,
                    idf=np.asarray(vectorizer.idf_, dtype=np.float64),
                    coef=coef[start : start + size],
                )
            )
            start += size
        if start != len(coef):
            raise ValueError("the classifier's coefficients do not match the features")
        return cls(feature_sets, float(np.asarray(classifier.intercept_).reshape(-1)[0]))

    def decision_function(self, texts: list[str]) -> np.ndarray:
        return np.array(
            [self.intercept + sum(f.contribution(text) for f in self.feature_sets) for text in texts],
            dtype=np.float64,
        )

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        positive = 1.0 / (1.0 + np.exp(-self.decision_function(texts)))
        return np.column_stack([1.0 - positive, positive])
