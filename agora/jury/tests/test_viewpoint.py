"""The viewpoint model finds the camp axis in a vote history and scores a new item against it."""

from __future__ import annotations

from agora.jury import viewpoint


def _history() -> list[tuple[str, str, float]]:
    """Camp A keeps its own camp's items and removes B's; camp B the reverse; neutral items everyone keeps."""
    ratings = []
    for rater in range(12):
        camp = "a" if rater < 6 else "b"
        for item in range(20):
            side = "a" if item % 2 else "b"
            rating = 1.0 if item >= 16 or side == camp else 0.0
            ratings.append((f"{camp}{rater}", f"item{item}", rating))
    return ratings


def test_fit_separates_the_camps_on_the_factor_axis() -> None:
    fit = viewpoint.fit(_history(), lambda_intercept=0.15, lambda_factor=0.03, min_ratings_per_rater=10)
    a = [f for rater, f in fit.rater_factor.items() if str(rater).startswith("a")]
    b = [f for rater, f in fit.rater_factor.items() if str(rater).startswith("b")]
    assert (min(a) > 0 and max(b) < 0) or (max(a) < 0 and min(b) > 0)
    # Items everyone keeps have a high intercept and no factor; camp-split items the opposite.
    assert fit.item_intercept["item17"] > 0.3 and abs(fit.item_factor["item17"]) < 0.2
    assert abs(fit.item_factor["item0"]) > 0.5


def test_raters_with_too_few_ratings_are_not_modelled() -> None:
    history = [*_history(), ("newcomer", "item0", 1.0)]
    fit = viewpoint.fit(history, lambda_intercept=0.15, lambda_factor=0.03, min_ratings_per_rater=10)
    assert "newcomer" not in fit.rater_factor


def test_score_item_tells_bridging_support_from_a_one_sided_split() -> None:
    both_poles = [(1.0, 0.0, 0.6), (1.0, 0.0, -0.6), (1.0, 0.0, 0.5), (1.0, 0.0, -0.5), (1.0, 0.0, 0.4)]
    intercept, factor = viewpoint.score_item(both_poles, mu=0.5, lambda_intercept=0.15, lambda_factor=0.03)
    assert intercept >= 0.4 and abs(factor) < 0.5
    one_sided = [(1.0, 0.0, 0.6), (1.0, 0.0, 0.6), (1.0, 0.0, 0.5), (0.0, 0.0, -0.6), (0.0, 0.0, -0.5)]
    _intercept, factor = viewpoint.score_item(one_sided, mu=0.5, lambda_intercept=0.15, lambda_factor=0.03)
    assert abs(factor) >= 0.5
