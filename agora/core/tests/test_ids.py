"""The one id generator: time-ordered, valid UUIDv8, 64 unpredictable bits in every id."""

from __future__ import annotations

import itertools
import time
import uuid

import pytest

from agora.accounts.models import User
from agora.core.ids import id_floor_for_time_ms, id_random_bits, id_timestamp_ms, new_id
from agora.posts.models import Post
from agora.posts.services import create_post

RANDOM_BITS = 64


@pytest.fixture
def thousand_post_ids(alice: User) -> list[uuid.UUID]:
    """Ids of 1,000 posts made through the service, in the order they were made."""
    return [create_post(author=alice, text=f"post {n}").pk for n in range(1000)]


def test_ids_of_a_thousand_posts_are_unique(thousand_post_ids: list[uuid.UUID]) -> None:
    assert len(set(thousand_post_ids)) == 1000
    assert Post.objects.count() == 1000


def test_ids_sort_in_creation_order_in_python_and_in_the_database(thousand_post_ids: list[uuid.UUID]) -> None:
    assert sorted(thousand_post_ids) == thousand_post_ids
    assert sorted(str(value) for value in thousand_post_ids) == [str(value) for value in thousand_post_ids]
    assert list(Post.objects.order_by("id").values_list("id", flat=True)) == thousand_post_ids


def test_every_id_has_sixty_four_distinct_random_bits(thousand_post_ids: list[uuid.UUID]) -> None:
    random_parts = [id_random_bits(value) for value in thousand_post_ids]
    assert len(set(random_parts)) == 1000
    assert all(0 <= part < 1 << RANDOM_BITS for part in random_parts)


def test_every_random_bit_position_varies_across_ids(thousand_post_ids: list[uuid.UUID]) -> None:
    random_parts = [id_random_bits(value) for value in thousand_post_ids]
    always_set = (1 << RANDOM_BITS) - 1
    ever_set = 0
    for part in random_parts:
        always_set &= part
        ever_set |= part
    # A bit stuck at 0 or 1 in 1,000 ids would mean fewer than 64 random bits.
    assert always_set == 0
    assert ever_set == (1 << RANDOM_BITS) - 1


def test_ids_are_rfc_9562_version_8_uuids(thousand_post_ids: list[uuid.UUID]) -> None:
    for value in thousand_post_ids:
        assert value.variant == uuid.RFC_4122
        assert value.version == 8
        assert str(value)[14] == "8"
        assert str(value)[19] in "89ab"


def test_the_next_id_cannot_be_predicted_from_the_previous_one(thousand_post_ids: list[uuid.UUID]) -> None:
    random_parts = [id_random_bits(value) for value in thousand_post_ids]
    pairs = list(itertools.pairwise(random_parts))
    assert all(following not in (previous, previous + 1) for previous, following in pairs)
    # Independent random 64-bit values differ in 32 bits on average; a counter or a weak generator would not.
    mean_changed_bits = sum((previous ^ following).bit_count() for previous, following in pairs) / len(pairs)
    assert 28 < mean_changed_bits < 36


def test_id_carries_its_creation_time() -> None:
    before_ms = time.time_ns() // 1_000_000
    value = new_id()
    after_ms = time.time_ns() // 1_000_000
    assert before_ms <= id_timestamp_ms(value) <= after_ms


def test_ids_made_in_one_millisecond_still_sort_in_order() -> None:
    values = [new_id() for _ in range(5000)]
    assert sorted(values) == values
    assert len(set(values)) == len(values)


def test_id_floor_sorts_below_every_id_made_at_or_after_that_time() -> None:
    value = new_id()
    floor = id_floor_for_time_ms(id_timestamp_ms(value))
    assert floor <= value
    assert id_floor_for_time_ms(id_timestamp_ms(value) + 1) > value
    assert id_timestamp_ms(floor) == id_timestamp_ms(value)


def test_models_get_their_primary_key_from_the_generator(alice: User) -> None:
    assert alice.pk.version == 8
