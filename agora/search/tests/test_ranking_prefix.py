"""Ranking: the word itself outranks a longer word that merely starts with it."""

from __future__ import annotations

import uuid

from agora.search.ranking import text_scores


def test_whole_word_outranks_a_word_that_only_starts_with_it() -> None:
    whole, prefixed = uuid.uuid4(), uuid.uuid4()
    scores = text_scores(
        ["coffee"],
        "coffee",
        {whole: "A good cup of coffee helps on a long and rainy week.", prefixed: "@coffeeretro Welcome!"},
    )
    assert scores[whole] > scores[prefixed] > 0
