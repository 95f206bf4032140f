"""Tests for cvcards.vision.losses against math.log, one example at a time."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cvcards.vision.losses import PROBABILITY_EPSILON, cross_entropy, focal_loss

PROPERTY = settings(max_examples=60, deadline=None)

probability = st.floats(min_value=0.0, max_value=1.0)


@pytest.mark.parametrize("p", [1.0, 0.9, 0.5, 0.1, 1e-6], ids=str)
def test_cross_entropy_is_minus_log(p: float) -> None:
    assert cross_entropy(p) == pytest.approx(-math.log(p), rel=1e-15)


def test_losses_keep_the_input_shape() -> None:
    p = np.full((2, 3), 0.5)

    assert cross_entropy(p).shape == (2, 3)
    assert focal_loss(p, alpha=0.25).shape == (2, 3)


def test_zero_probability_gives_a_finite_capped_loss() -> None:
    loss = float(cross_entropy(0.0))

    assert loss == pytest.approx(-math.log(PROBABILITY_EPSILON))
    assert math.isfinite(float(focal_loss(0.0)))


@pytest.mark.parametrize(
    ("p", "gamma", "alpha"),
    [
        pytest.param(0.9, 2.0, None, id="easy-example"),
        pytest.param(0.1, 2.0, None, id="hard-example"),
        pytest.param(0.6, 0.5, 0.25, id="alpha-quarter"),
        pytest.param(0.3, 5.0, 0.75, id="large-gamma"),
    ],
)
def test_focal_loss_formula(p: float, gamma: float, alpha: float | None) -> None:
    expected = -((1 - p) ** gamma) * math.log(p) * (1.0 if alpha is None else alpha)

    assert focal_loss(p, gamma=gamma, alpha=alpha) == pytest.approx(expected, rel=1e-14)


def test_focal_loss_takes_per_example_alpha() -> None:
    p = np.array([0.2, 0.8])

    got = focal_loss(p, gamma=1.0, alpha=[0.25, 0.75])

    np.testing.assert_allclose(
        got, [0.25 * 0.8 * -math.log(0.2), 0.75 * 0.2 * -math.log(0.8)]
    )


@PROPERTY
@given(st.lists(probability, min_size=1, max_size=20))
def test_focal_with_gamma_zero_is_cross_entropy(values: list[float]) -> None:
    np.testing.assert_array_equal(focal_loss(values, gamma=0.0), cross_entropy(values))


@PROPERTY
@given(
    st.lists(probability, min_size=1, max_size=20), st.floats(min_value=0, max_value=10)
)
def test_focal_never_exceeds_cross_entropy(values: list[float], gamma: float) -> None:
    assert (focal_loss(values, gamma=gamma) <= cross_entropy(values)).all()


@PROPERTY
@given(
    st.floats(min_value=0.01, max_value=0.98),
    st.floats(min_value=0.001, max_value=0.01),
)
def test_focal_loss_falls_as_confidence_rises(p: float, step: float) -> None:
    assert focal_loss(p + step) < focal_loss(p)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        pytest.param(lambda: cross_entropy([0.5, 1.2]), "1.2", id="above-one"),
        pytest.param(lambda: cross_entropy(-0.1), "logits", id="negative"),
        pytest.param(lambda: cross_entropy(np.nan), "nan", id="nan"),
        pytest.param(lambda: focal_loss(0.5, gamma=-1.0), "gamma", id="negative-gamma"),
        pytest.param(
            lambda: focal_loss(0.5, gamma=np.inf), "gamma", id="infinite-gamma"
        ),
        pytest.param(lambda: focal_loss(0.5, alpha=2.0), "alpha", id="alpha"),
        pytest.param(lambda: cross_entropy("high"), "numbers", id="text"),
    ],
)
def test_losses_reject_bad_input(call: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()  # type: ignore[operator]
