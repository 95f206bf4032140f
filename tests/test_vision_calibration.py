"""Tests for cvcards.vision.calibration: loop references and synthetic data."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cvcards.vision.calibration import (
    apply_temperature,
    expected_calibration_error,
    fit_temperature,
    negative_log_likelihood,
    reliability_bins,
    softmax,
)

PROPERTY = settings(max_examples=50, deadline=None)


def reference_softmax(row: list[float]) -> list[float]:
    top = max(row)
    exps = [math.exp(v - top) for v in row]
    return [e / sum(exps) for e in exps]


def reference_ece(conf: list[float], correct: list[bool], n_bins: int) -> float:
    """ECE with explicit right-closed bins; confidence 0 goes to the first bin."""
    total = 0.0
    for b in range(n_bins):
        low, high = b / n_bins, (b + 1) / n_bins
        members = [
            i for i, c in enumerate(conf) if (low < c <= high) or (b == 0 and c == 0)
        ]
        if members:
            accuracy = sum(correct[i] for i in members) / len(members)
            confidence = sum(conf[i] for i in members) / len(members)
            total += len(members) / len(conf) * abs(accuracy - confidence)
    return total


def synthetic_logits(
    seed: int, temperature: float, count: int = 20000
) -> tuple[np.ndarray, np.ndarray]:
    """Logits whose best temperature is ``temperature`` by construction.

    Labels are drawn from softmax(z), so z is calibrated; the model reports
    z * temperature, which dividing by ``temperature`` undoes.
    """
    rng = np.random.default_rng(seed)
    z = rng.normal(0.0, 2.0, size=(count, 5))
    probabilities = softmax(z)
    cumulative = probabilities.cumsum(axis=1)
    labels = (rng.random((count, 1)) > cumulative).sum(axis=1)
    return z * temperature, labels


def test_softmax_matches_reference_and_survives_large_logits() -> None:
    logits = [[1.0, 2.0, 3.0], [1000.0, 1000.0, -1000.0]]

    got = softmax(logits)

    np.testing.assert_allclose(got, [reference_softmax(row) for row in logits])
    np.testing.assert_allclose(softmax(np.array(logits).T, axis=0), got.T)


@PROPERTY
@given(
    st.lists(st.floats(-50, 50), min_size=2, max_size=6),
    st.floats(-100, 100),
)
def test_softmax_is_a_distribution_unchanged_by_shifts(
    row: list[float], shift: float
) -> None:
    probabilities = softmax(row)

    assert probabilities.sum() == pytest.approx(1.0)
    assert (probabilities >= 0).all()
    np.testing.assert_allclose(softmax(np.add(row, shift)), probabilities, atol=1e-12)


def test_reliability_bins_count_and_average() -> None:
    conf = [0.0, 0.05, 0.1, 0.15, 0.95, 1.0]
    correct = [False, True, True, False, True, True]

    bins = reliability_bins(conf, correct, n_bins=4)

    np.testing.assert_allclose(bins.edges, [0, 0.25, 0.5, 0.75, 1])
    assert bins.counts.tolist() == [4, 0, 0, 2]
    np.testing.assert_allclose(bins.accuracy[[0, 3]], [0.5, 1.0])
    np.testing.assert_allclose(bins.confidence[[0, 3]], [0.075, 0.975])
    assert np.isnan(bins.accuracy[1:3]).all()
    assert np.isnan(bins.confidence[1:3]).all()


@PROPERTY
@given(
    st.lists(st.tuples(st.floats(0, 1), st.booleans()), min_size=1, max_size=40),
    st.integers(1, 15),
)
def test_ece_matches_reference(pairs: list[tuple[float, bool]], n_bins: int) -> None:
    conf = [c for c, _ in pairs]
    correct = [k for _, k in pairs]

    got = expected_calibration_error(conf, correct, n_bins)

    assert got == pytest.approx(reference_ece(conf, correct, n_bins), abs=1e-12)
    assert 0 <= got <= 1


@pytest.mark.parametrize("n_bins", [3, 7, 10], ids=lambda n: f"{n}-bins")
def test_confidences_on_bin_edges_go_to_the_lower_bin(n_bins: int) -> None:
    conf = [k / n_bins for k in range(n_bins + 1)]
    correct = [k % 2 == 0 for k in range(n_bins + 1)]

    bins = reliability_bins(conf, correct, n_bins)

    assert bins.counts.tolist() == [2] + [1] * (n_bins - 1)
    assert expected_calibration_error(conf, correct, n_bins) == pytest.approx(
        reference_ece(conf, correct, n_bins), abs=1e-12
    )


def test_ece_of_an_exactly_calibrated_construction_is_zero() -> None:
    # In bin b every prediction has confidence (b + 0.5) / 10 and exactly that
    # share of 20 predictions is right.
    conf, correct = [], []
    for b in range(10):
        right = 2 * b + 1
        conf += [(b + 0.5) / 10] * 20
        correct += [True] * right + [False] * (20 - right)

    assert expected_calibration_error(conf, correct) == pytest.approx(0.0, abs=1e-12)


def test_ece_of_sampled_calibrated_predictions_is_small() -> None:
    rng = np.random.default_rng(5)
    conf = rng.uniform(0, 1, 50000)
    correct = rng.random(50000) < conf

    assert expected_calibration_error(conf, correct) < 0.01


def test_ece_of_an_overconfident_model() -> None:
    correct = [True] * 7 + [False] * 3

    assert expected_calibration_error([1.0] * 10, correct) == pytest.approx(0.3)


@pytest.mark.parametrize("temperature", [0.5, 1.0, 2.5], ids=lambda t: f"T={t}")
def test_fit_temperature_recovers_a_known_temperature(temperature: float) -> None:
    logits, labels = synthetic_logits(11, temperature)

    fitted = fit_temperature(logits, labels)

    assert fitted == pytest.approx(temperature, rel=0.05)
    assert fit_temperature(logits, labels) == fitted
    scaled = apply_temperature(logits, fitted)
    assert negative_log_likelihood(scaled, labels) <= negative_log_likelihood(
        logits, labels
    )


def test_fit_temperature_finds_the_nll_minimum() -> None:
    logits, labels = synthetic_logits(12, 1.7, count=3000)

    fitted = fit_temperature(logits, labels)

    best = negative_log_likelihood(apply_temperature(logits, fitted), labels)
    for nearby in (fitted * 0.98, fitted * 1.02):
        assert best <= negative_log_likelihood(
            apply_temperature(logits, nearby), labels
        )


def test_fit_temperature_stops_at_the_bound_when_sharper_is_always_better() -> None:
    logits = np.array([[5.0, 0.0], [0.0, 5.0]])

    assert fit_temperature(logits, np.array([0, 1]), t_min=0.1) == pytest.approx(0.1)


def test_temperature_keeps_the_prediction() -> None:
    logits, _ = synthetic_logits(13, 3.0, count=200)

    scaled = apply_temperature(logits, 3.0)

    np.testing.assert_array_equal(scaled.argmax(axis=1), logits.argmax(axis=1))
    assert softmax(scaled).max(axis=1).mean() < softmax(logits).max(axis=1).mean()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        pytest.param(lambda: softmax([1.0, np.inf]), "finite", id="softmax-inf"),
        pytest.param(
            lambda: reliability_bins([0.5], [True, False]), "one of each", id="lengths"
        ),
        pytest.param(lambda: reliability_bins([], []), "at least one", id="empty"),
        pytest.param(lambda: reliability_bins([1.5], [True]), "logits", id="range"),
        pytest.param(lambda: reliability_bins([0.5], [2]), "booleans", id="correct"),
        pytest.param(lambda: reliability_bins([0.5], [True], 0), "n_bins", id="bins"),
        pytest.param(
            lambda: apply_temperature([1.0], 0.0), "temperature", id="zero-temperature"
        ),
        pytest.param(
            lambda: fit_temperature([[1.0, 2.0]], [2]), r"\[0, 2\)", id="label-range"
        ),
        pytest.param(
            lambda: fit_temperature([[1.0, 2.0]], [0.0]), "integer", id="label-dtype"
        ),
        pytest.param(
            lambda: fit_temperature([1.0, 2.0], [0]), "shape", id="logits-shape"
        ),
        pytest.param(
            lambda: fit_temperature([[1.0, 2.0]], [0], t_min=2, t_max=1),
            "t_min",
            id="bounds",
        ),
    ],
)
def test_bad_input_is_rejected(call: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()  # type: ignore[operator]
