"""Confidence calibration: softmax, reliability bins, ECE and temperature scaling.

A classifier is calibrated when, among predictions made with confidence ``c``,
a fraction ``c`` is correct. Reliability bins compare the two per confidence
band, the expected calibration error (ECE) summarises the gap, and temperature
scaling fixes the usual over-confidence of deep networks by dividing the logits
by one scalar fitted on held-out data. Everything here is NumPy only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cvcards.vision.boxes import FloatArray

_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0


@dataclass(frozen=True)
class ReliabilityBins:
    """Accuracy against confidence in equal-width confidence bins.

    Bin ``i`` holds the predictions with confidence in
    ``(edges[i], edges[i + 1]]``; the first bin also holds confidence 0.

    Attributes:
        edges: ``(n_bins + 1,)`` bin edges from 0 to 1.
        counts: ``(n_bins,)`` number of predictions per bin.
        accuracy: ``(n_bins,)`` fraction correct per bin; NaN for empty bins.
        confidence: ``(n_bins,)`` mean confidence per bin; NaN for empty bins.
    """

    edges: FloatArray
    counts: NDArray[np.int64]
    accuracy: FloatArray
    confidence: FloatArray


def softmax(logits: ArrayLike, axis: int = -1) -> FloatArray:
    """Turn logits into probabilities along ``axis``.

    The maximum is subtracted first; the result is unchanged mathematically but
    ``exp`` can no longer overflow for large logits.

    Args:
        logits: Real-valued scores, any shape.
        axis: The class axis.

    Returns:
        Probabilities of the same shape, summing to 1 along ``axis``.

    Raises:
        ValueError: If a logit is NaN or infinite.
    """
    values = np.asarray(logits, dtype=np.float64)
    if not np.isfinite(values).all():
        raise ValueError("logits must be finite numbers")

    shifted = values - values.max(axis=axis, keepdims=True)
    exponentials = np.exp(shifted)
    return np.asarray(exponentials / exponentials.sum(axis=axis, keepdims=True))


def reliability_bins(
    confidences: ArrayLike, correct: ArrayLike, n_bins: int = 10
) -> ReliabilityBins:
    """Group predictions into equal-width confidence bins.

    Args:
        confidences: ``(N,)`` confidence of each prediction, in ``[0, 1]``
            (usually the top softmax probability).
        correct: ``(N,)`` whether each prediction was right (booleans or 0/1).
        n_bins: Number of bins over ``[0, 1]``.

    Returns:
        The bins, with counts, accuracy and mean confidence per bin.

    Raises:
        ValueError: On mismatched lengths, no predictions, confidences outside
            ``[0, 1]``, non-binary ``correct`` or ``n_bins < 1``.
    """
    conf, hits = _validate_predictions(confidences, correct)
    if int(n_bins) < 1:
        raise ValueError(f"n_bins must be a positive integer, got {n_bins}")

    # k / n rather than linspace's k * (1 / n): a confidence of exactly 0.3 must
    # meet the edge 0.3, not 0.30000000000000004, to land in the bin it names.
    edges = np.arange(int(n_bins) + 1) / int(n_bins)
    # Right-closed bins; confidence 0 lands in the first bin instead of none.
    index = np.clip(np.searchsorted(edges, conf, side="left") - 1, 0, n_bins - 1)
    counts = np.bincount(index, minlength=n_bins).astype(np.int64)
    correct_sum = np.bincount(index, weights=hits, minlength=n_bins)
    confidence_sum = np.bincount(index, weights=conf, minlength=n_bins)

    accuracy = np.full(n_bins, np.nan)
    confidence = np.full(n_bins, np.nan)
    filled = counts > 0
    accuracy[filled] = correct_sum[filled] / counts[filled]
    confidence[filled] = confidence_sum[filled] / counts[filled]
    return ReliabilityBins(edges, counts, accuracy, confidence)


def expected_calibration_error(
    confidences: ArrayLike, correct: ArrayLike, n_bins: int = 10
) -> float:
    """ECE: the bin-count-weighted mean gap between accuracy and confidence.

    ``ECE = sum over bins of (n_b / N) * |accuracy_b - confidence_b|`` with the
    equal-width bins of :func:`reliability_bins`. Empty bins contribute nothing.
    The value depends on the number of bins, so compare ECEs only at equal
    ``n_bins``.

    Args:
        confidences: ``(N,)`` confidences in ``[0, 1]``.
        correct: ``(N,)`` booleans or 0/1.
        n_bins: Number of equal-width bins.

    Returns:
        The ECE, in ``[0, 1]``.

    Raises:
        ValueError: As for :func:`reliability_bins`.
    """
    bins = reliability_bins(confidences, correct, n_bins)
    filled = bins.counts > 0
    gaps = np.abs(bins.accuracy[filled] - bins.confidence[filled])
    weights = bins.counts[filled] / bins.counts.sum()
    return float(np.sum(weights * gaps))


def apply_temperature(logits: ArrayLike, temperature: float) -> FloatArray:
    """Divide logits by a temperature; ``T > 1`` softens, ``T < 1`` sharpens.

    The argmax, and so the accuracy, is unchanged: only confidence moves.

    Args:
        logits: Real-valued scores, any shape.
        temperature: A positive, finite scalar.

    Returns:
        ``logits / temperature`` as float64.

    Raises:
        ValueError: If the temperature is not positive and finite.
    """
    if not (math.isfinite(temperature) and temperature > 0):
        raise ValueError(f"temperature must be positive and finite, got {temperature}")
    return np.asarray(np.asarray(logits, dtype=np.float64) / temperature)


def fit_temperature(
    logits: ArrayLike,
    labels: ArrayLike,
    *,
    t_min: float = 0.01,
    t_max: float = 100.0,
    tolerance: float = 1e-6,
) -> float:
    """Fit the temperature that minimises the negative log-likelihood.

    The NLL of ``softmax(logits / T)`` is convex in ``1 / T``, so it has a
    single minimum along ``log T`` as well. The search is deterministic: a grid
    over ``log T`` in ``[t_min, t_max]`` brackets the minimum, and a
    golden-section search narrows it to ``tolerance`` (relative, on ``T``). If
    the minimum lies at a bound (for example when every prediction is already
    right, where sharper is always better), that bound is returned.

    Args:
        logits: ``(N, C)`` held-out logits.
        labels: ``(N,)`` true class indices in ``[0, C)``.
        t_min: Smallest temperature considered; positive.
        t_max: Largest temperature considered; above ``t_min``.
        tolerance: Relative precision of the returned temperature.

    Returns:
        The fitted temperature.

    Raises:
        ValueError: On mismatched shapes, bad labels or bad search bounds.
    """
    scores, targets = _validate_logits(logits, labels)
    if not (0 < t_min < t_max and math.isfinite(t_max)):
        raise ValueError(f"need 0 < t_min < t_max, got t_min={t_min} and t_max={t_max}")
    if not (tolerance > 0):
        raise ValueError(f"tolerance must be positive, got {tolerance}")

    def nll(log_t: float) -> float:
        return _nll(scores, targets, math.exp(log_t))

    # A coarse grid first, so the golden-section search starts on a bracket.
    grid = np.linspace(math.log(t_min), math.log(t_max), 41)
    values = [nll(float(x)) for x in grid]
    best = int(np.argmin(values))
    low = float(grid[max(best - 1, 0)])
    high = float(grid[min(best + 1, len(grid) - 1)])

    inner_low = high - _GOLDEN * (high - low)
    inner_high = low + _GOLDEN * (high - low)
    value_low, value_high = nll(inner_low), nll(inner_high)
    while high - low > tolerance:
        if value_low <= value_high:
            high, inner_high, value_high = inner_high, inner_low, value_low
            inner_low = high - _GOLDEN * (high - low)
            value_low = nll(inner_low)
        else:
            low, inner_low, value_low = inner_low, inner_high, value_high
            inner_high = low + _GOLDEN * (high - low)
            value_high = nll(inner_high)

    # The grid point can beat the interior when the minimum sits on a bound.
    candidates = [
        (values[best], float(grid[best])),
        (nll((low + high) / 2), (low + high) / 2),
    ]
    return math.exp(min(candidates)[1])


def negative_log_likelihood(logits: ArrayLike, labels: ArrayLike) -> float:
    """Mean negative log-likelihood of the true labels under ``softmax(logits)``.

    Args:
        logits: ``(N, C)`` logits.
        labels: ``(N,)`` true class indices.

    Returns:
        The mean NLL in nats.

    Raises:
        ValueError: On mismatched shapes or bad labels.
    """
    scores, targets = _validate_logits(logits, labels)
    return _nll(scores, targets, 1.0)


def _nll(scores: FloatArray, targets: NDArray[np.intp], temperature: float) -> float:
    """Mean NLL of validated logits at a temperature, via a stable log-softmax."""
    scaled = scores / temperature
    shifted = scaled - scaled.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(shifted).sum(axis=1))
    picked = shifted[np.arange(len(targets)), targets]
    return float(np.mean(log_norm - picked))


def _validate_predictions(
    confidences: ArrayLike, correct: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Confidences in [0, 1] and 0/1 correctness, as float64 vectors."""
    conf = np.asarray(confidences, dtype=np.float64).reshape(-1)
    raw = np.asarray(correct).reshape(-1)
    if conf.shape != raw.shape:
        raise ValueError(
            f"confidences has {conf.size} values but correct has {raw.size}; "
            "give one of each per prediction"
        )
    if conf.size == 0:
        raise ValueError("calibration needs at least one prediction")
    if not ((conf >= 0) & (conf <= 1)).all():
        raise ValueError(
            "confidences must lie in [0, 1]; pass probabilities, not logits"
        )
    if raw.dtype != np.bool_ and not np.isin(raw, (0, 1)).all():
        raise ValueError("correct must hold booleans or 0/1")
    return conf, raw.astype(np.float64)


def _validate_logits(
    logits: ArrayLike, labels: ArrayLike
) -> tuple[FloatArray, NDArray[np.intp]]:
    """``(N, C)`` finite logits and ``(N,)`` labels in ``[0, C)``."""
    scores = np.asarray(logits, dtype=np.float64)
    if scores.ndim != 2 or scores.shape[0] == 0 or scores.shape[1] < 2:
        raise ValueError(
            f"logits must have shape (N, C) with N >= 1 and C >= 2, got {scores.shape}"
        )
    if not np.isfinite(scores).all():
        raise ValueError("logits must be finite numbers")
    raw = np.asarray(labels)
    if raw.shape != (scores.shape[0],):
        raise ValueError(
            f"labels must have shape ({scores.shape[0]},) to match logits, "
            f"got {raw.shape}"
        )
    if not np.issubdtype(raw.dtype, np.integer):
        raise ValueError(f"labels must be integer class indices, got dtype {raw.dtype}")
    if ((raw < 0) | (raw >= scores.shape[1])).any():
        raise ValueError(f"labels must lie in [0, {scores.shape[1]})")
    return scores, raw.astype(np.intp)
