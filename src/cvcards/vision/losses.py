"""Classification losses written in terms of the probability of the true class.

Writing cross-entropy and focal loss as functions of ``p``, the probability the
model gave the correct class, makes their relationship plain: focal loss is
cross-entropy scaled by ``(1 - p) ** gamma``, which shrinks the loss of examples
the model already gets right so that training concentrates on the hard ones.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from cvcards.vision.boxes import FloatArray

PROBABILITY_EPSILON = 1e-12
"""Probabilities are clipped up to this before the logarithm.

A probability of exactly 0 would give an infinite loss; clipping caps it at
``-log(1e-12)``, about 27.6, a finite value far above any loss a trained model
produces, so the cap never hides a real difference.
"""


def cross_entropy(p_true: ArrayLike) -> FloatArray:
    """Cross-entropy loss ``-log(p)`` for each example.

    Args:
        p_true: Probabilities of the true class, any shape, each in ``[0, 1]``.

    Returns:
        The losses, same shape as ``p_true``, each non-negative.

    Raises:
        ValueError: If a probability lies outside ``[0, 1]`` or is NaN.
    """
    p = _validate_probabilities(p_true)
    return np.asarray(-np.log(np.clip(p, PROBABILITY_EPSILON, 1.0)))


def focal_loss(
    p_true: ArrayLike,
    *,
    gamma: float = 2.0,
    alpha: ArrayLike | None = None,
) -> FloatArray:
    """Focal loss ``-alpha * (1 - p) ** gamma * log(p)`` for each example.

    With ``gamma = 0`` and no ``alpha`` it equals :func:`cross_entropy`. The
    original detector used ``gamma = 2`` and ``alpha = 0.25`` for the foreground
    class; here ``alpha`` is whatever weight belongs to each example's true class.

    Args:
        p_true: Probabilities of the true class, any shape, each in ``[0, 1]``.
        gamma: Focusing exponent, non-negative; larger values down-weight easy
            examples more.
        alpha: Optional class-balancing weight in ``[0, 1]``, a number or an
            array broadcastable to ``p_true``.

    Returns:
        The losses, same shape as ``p_true`` broadcast with ``alpha``.

    Raises:
        ValueError: If a probability or ``alpha`` lies outside ``[0, 1]``, or
            ``gamma`` is negative or not finite.
    """
    p = _validate_probabilities(p_true)
    if not (np.isfinite(gamma) and gamma >= 0):
        raise ValueError(f"gamma must be a non-negative number, got {gamma}")

    loss = (1.0 - p) ** gamma * cross_entropy(p)
    if alpha is not None:
        loss = _validate_probabilities(alpha, name="alpha") * loss
    return np.asarray(loss, dtype=np.float64)


def _validate_probabilities(values: ArrayLike, *, name: str = "p_true") -> FloatArray:
    """Return values as float64, raising ValueError unless all lie in [0, 1]."""
    try:
        p = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numbers in [0, 1] ({exc})") from exc

    # ``not (0 <= p <= 1)`` also catches NaN, which fails every comparison.
    outside = ~((p >= 0.0) & (p <= 1.0))
    if outside.any():
        first = p[outside].reshape(-1)[0]
        raise ValueError(
            f"{name} must lie in [0, 1], found {first}; pass probabilities, "
            "not logits (apply a softmax or sigmoid first)"
        )
    return p
