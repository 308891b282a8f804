"""Relevance of a few hundred candidate posts to the query's words, computed the same way on both engines.

The engines find the matching posts; ranking the newest MAX_RESULTS of them needs only their texts. BM25 over
the candidates (term frequency with length normalisation; inverse document frequency within the candidates),
where a post's word counts as a query word when it is the word, shares its English or German stem, or (for the
word still being typed) starts with it.
"""

from __future__ import annotations

import math
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import lru_cache

import snowballstemmer

from agora.search.query import words_of

K1 = 1.2
B = 0.75


@lru_cache(maxsize=2)
def _stemmer(language: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(language)


@lru_cache(maxsize=65536)
def _forms(word: str) -> frozenset[str]:
    return frozenset({word, _stemmer("english").stemWord(word), _stemmer("german").stemWord(word)})


# A token that only starts with the word being typed ("coffeeretro" for "coffee") is a weaker match than the
# word itself or a form of it, so it counts as this fraction of an occurrence.
PREFIX_ONLY_WEIGHT = 0.3


def _match_weight(token: str, wanted: frozenset[str], word: str, prefix: bool) -> float:
    # Stems share their first letters with the word; checking that first spares stemming most tokens.
    if token[:3] == word[:3] and _forms(token) & wanted:
        return 1.0
    if prefix and token.startswith(word):
        return PREFIX_ONLY_WEIGHT
    return 0.0


def text_scores(
    words: Sequence[str], prefix: str | None, texts: Mapping[uuid.UUID, str]
) -> dict[uuid.UUID, float]:
    """BM25 score of each text for the words (higher is better); empty when there are no words."""
    unique = list(dict.fromkeys(words))
    if not unique or not texts:
        return {}
    wanted = {word: _forms(word) for word in unique}
    tokens = {post_id: words_of(text) for post_id, text in texts.items()}
    # Posts share most of their words: weigh each distinct token once.
    weights: dict[str, list[float]] = {}
    frequencies: dict[uuid.UUID, dict[str, float]] = {}
    document_frequency = dict.fromkeys(unique, 0)
    for post_id, post_tokens in tokens.items():
        counts = [0.0] * len(unique)
        for token, times in Counter(post_tokens).items():
            token_weights = weights.get(token)
            if token_weights is None:
                token_weights = weights[token] = [
                    _match_weight(token, wanted[word], word, word == prefix) for word in unique
                ]
            for index, weight in enumerate(token_weights):
                if weight:
                    counts[index] += weight * times
        frequencies[post_id] = dict(zip(unique, counts, strict=True))
        for word, count in zip(unique, counts, strict=True):
            document_frequency[word] += count > 0
    total = len(texts)
    average_length = sum(len(t) for t in tokens.values()) / total or 1.0
    scores: dict[uuid.UUID, float] = {}
    for post_id, post_counts in frequencies.items():
        length_norm = 1 - B + B * len(tokens[post_id]) / average_length
        score = 0.0
        for word, frequency in post_counts.items():
            if frequency:
                idf = math.log(
                    1 + (total - document_frequency[word] + 0.5) / (document_frequency[word] + 0.5)
                )
                score += idf * frequency * (K1 + 1) / (frequency + K1 * length_norm)
        scores[post_id] = score
    return scores
