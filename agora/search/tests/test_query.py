"""The query language: what each operator turns into, and that odd input never raises anything but a clear
ValidationError."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from agora.search.query import parse_query


def test_operators_are_recognised() -> None:
    parsed = parse_query(
        'Café "Exact Phrase" -bad -"not this" #Tag -#other @Bob @eve@Example.org from:alice has:media '
        "before:2025-01-31 after:2024-12-01"
    )
    assert parsed.words == ["café"]
    assert parsed.phrases == ["Exact Phrase"]
    assert parsed.excluded_words == ["bad"]
    assert parsed.excluded_phrases == ["not this"]
    assert parsed.hashtags == ["tag"] and parsed.excluded_hashtags == ["other"]
    assert parsed.mentions == [("bob", None), ("eve", "example.org")]
    assert parsed.authors == [("alice", None)]
    assert parsed.has_media
    assert parsed.before == date(2025, 1, 31) and parsed.after == date(2024, 12, 1)
    assert parsed.text_words == ["café", "exact", "phrase"]


def test_only_the_word_being_typed_is_a_prefix() -> None:
    assert parse_query("hello wor").prefix == "wor"
    assert parse_query("hello wor ").prefix is None
    assert parse_query("hello wo").prefix is None  # too short to be worth a prefix scan
    assert parse_query('"quoted wor"').prefix is None


def test_a_bad_date_is_a_clear_validation_error() -> None:
    with pytest.raises(ValidationError, match="needs a date like"):
        parse_query("before:tomorrow")


def test_an_unclosed_quote_runs_to_the_end_and_excluded_terms_alone_are_empty() -> None:
    assert parse_query('say "hello world').phrases == ["hello world"]
    assert parse_query("-alone").is_empty
    assert parse_query("   ").is_empty
