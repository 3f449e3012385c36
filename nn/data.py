"""Small datasets as plain lists: X is a list of [x1, x2] points (digits: [1][8][8] images),
y a list of class indices 0..k-1 (scikit-learn's convention). The toy sets draw from their own
random.Random(seed), so the same seed gives the same data and the global RNG is never touched.
"""

from __future__ import annotations

import math
import random

Dataset = tuple[list[list[float]], list[int]]


def _check(n: int, noise: float, minimum: int = 1) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < minimum:
        raise ValueError(f"n must be an int >= {minimum}, got {n!r}")
    if not noise >= 0.0:
        raise ValueError(f"noise must be >= 0 (a standard deviation), got {noise!r}")


def linspace(start: float, stop: float, n: int, endpoint: bool = True) -> list[float]:
    """n evenly spaced numbers from start to stop, as numpy.linspace."""
    steps = (n - 1 if endpoint else n) or 1
    return [start + (stop - start) * i / steps for i in range(n)]


def _finish(points: list[tuple[float, float, int]], noise: float, rng: random.Random) -> Dataset:
    """Shuffle (as scikit-learn does), then add Gaussian noise to each coordinate."""
    rng.shuffle(points)
    X = [[x1 + rng.gauss(0.0, noise), x2 + rng.gauss(0.0, noise)] for x1, x2, _ in points]
    return X, [label for _, _, label in points]


def xor() -> Dataset:
    """The four corners of the unit square, labelled x1 XOR x2: not linearly separable."""
    X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    return X, [0, 1, 1, 0]


def moons(n: int = 100, noise: float = 0.1, seed: int | None = None) -> Dataset:
    """Two interleaving half circles (scikit-learn's make_moons): n // 2 points of class 0
    on the upper moon, the rest of class 1 on the lower one, with Gaussian noise."""
    _check(n, noise)
    rng = random.Random(seed)
    n_out = n // 2
    outer = [(math.cos(t), math.sin(t), 0) for t in linspace(0.0, math.pi, n_out)]
    inner = [(1.0 - math.cos(t), 0.5 - math.sin(t), 1) for t in linspace(0.0, math.pi, n - n_out)]
    return _finish(outer + inner, noise, rng)


def circles(
    n: int = 100, noise: float = 0.1, factor: float = 0.5, seed: int | None = None
) -> Dataset:
    """A circle of radius 1 (class 0) around one of radius `factor` (class 1), as make_circles."""
    _check(n, noise)
    if not 0.0 <= factor < 1.0:
        raise ValueError(
            f"factor is the inner radius over the outer one and must be in [0, 1), got {factor!r}"
        )
    rng = random.Random(seed)
    n_out = n // 2
    outer = [
        (math.cos(t), math.sin(t), 0) for t in linspace(0.0, 2 * math.pi, n_out, endpoint=False)
    ]
    inner = [
        (factor * math.cos(t), factor * math.sin(t), 1)
        for t in linspace(0.0, 2 * math.pi, n - n_out, endpoint=False)
    ]
    return _finish(outer + inner, noise, rng)


def spiral(n: int = 100, classes: int = 3, noise: float = 0.2, seed: int | None = None) -> Dataset:
    """`classes` interleaved spiral arms (CS231n's dataset), n points in all, split as evenly
    as possible; `noise` perturbs each point's angle, in radians."""
    if isinstance(classes, bool) or not isinstance(classes, int) or classes < 1:
        raise ValueError(f"classes must be an int >= 1, got {classes!r}")
    _check(n, noise, minimum=classes)
    rng = random.Random(seed)
    points = []
    for k in range(classes):
        count = n // classes + (1 if k < n % classes else 0)
        radii = linspace(0.0, 1.0, count)
        for r, t in zip(radii, linspace(4.0 * k, 4.0 * (k + 1), count)):
            t += rng.gauss(0.0, noise)
            points.append((r * math.sin(t), r * math.cos(t), k))
    rng.shuffle(points)
    return [[x1, x2] for x1, x2, _ in points], [k for _, _, k in points]


def digits() -> tuple[list[list[list[list[float]]]], list[int]]:
    """The 1,797 8x8 handwritten digits that scikit-learn ships (load_digits; no download):
    X[i] is an image [1][8][8] of floats in [0, 1] (the 0..16 grey levels over 16), y[i] in 0..9."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise ImportError(
            "nn.data.digits() reads the digits that scikit-learn ships, and scikit-learn is not "
            "installed; install it with: pip install 'chainrule[digits]' "
            "(or pip install scikit-learn)"
        ) from None
    bunch = load_digits()
    X = [[[[float(v) / 16.0 for v in row] for row in image]] for image in bunch.images.tolist()]
    return X, [int(label) for label in bunch.target.tolist()]
