"""nn.data: deterministic plain-list datasets with scikit-learn's shapes and label convention."""

from __future__ import annotations

import math
import random
from collections import Counter

import pytest

from nn import data

MAKERS = {
    "moons": lambda **kw: data.moons(**kw),
    "circles": lambda **kw: data.circles(**kw),
    "spiral": lambda **kw: data.spiral(**kw),
}


@pytest.mark.parametrize("name", list(MAKERS))
def test_plain_lists_of_points_and_class_indices(name):
    X, y = MAKERS[name](n=31, seed=0)
    assert type(X) is list and type(y) is list and len(X) == len(y) == 31
    assert all(type(p) is list and len(p) == 2 and all(type(c) is float for c in p) for p in X)
    assert all(type(label) is int for label in y)
    k = 3 if name == "spiral" else 2
    assert set(y) == set(range(k))
    counts = Counter(y).values()
    assert max(counts) - min(counts) <= 1, "classes are balanced"


@pytest.mark.parametrize("name", list(MAKERS))
def test_same_seed_same_data_other_seed_other_data_global_rng_untouched(name):
    random.seed(7)
    state = random.getstate()
    assert MAKERS[name](seed=3) == MAKERS[name](seed=3)
    assert MAKERS[name](seed=3) != MAKERS[name](seed=4)
    MAKERS[name]()
    assert random.getstate() == state


def test_xor_is_the_four_corners():
    X, y = data.xor()
    assert [[int(a), int(b)] for a, b in X] == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert y == [int(a) ^ int(b) for a, b in X]


def test_noiseless_moons_lie_on_two_unit_half_circles():
    X, y = data.moons(50, noise=0.0, seed=0)
    for (a, b), label in zip(X, y):
        if label == 0:  # upper moon centred at (0, 0)
            assert math.isclose(math.hypot(a, b), 1.0) and b >= -1e-12
        else:  # lower moon centred at (1, 0.5)
            assert math.isclose(math.hypot(a - 1.0, b - 0.5), 1.0) and b <= 0.5 + 1e-12
    assert Counter(y) == {0: 25, 1: 25}


def test_noiseless_circles_have_radius_one_and_factor():
    X, y = data.circles(40, noise=0.0, factor=0.3, seed=0)
    for (a, b), label in zip(X, y):
        assert math.isclose(math.hypot(a, b), 1.0 if label == 0 else 0.3)


def test_spiral_arms_start_at_the_centre_and_stay_in_the_unit_disc():
    X, y = data.spiral(90, classes=3, noise=0.0, seed=0)
    assert Counter(y) == {0: 30, 1: 30, 2: 30}
    assert all(math.hypot(a, b) <= 1.0 + 1e-12 for a, b in X)
    assert sum(1 for a, b in X if a == 0.0 and b == 0.0) == 3, "each arm starts at the origin"


def test_noise_moves_points_off_the_curves():
    clean, _ = data.moons(20, noise=0.0, seed=1)
    noisy, _ = data.moons(20, noise=0.1, seed=1)
    assert clean != noisy


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: data.moons(0), "n must be an int >= 1"),
        (lambda: data.moons(10, noise=-0.1), "noise must be >= 0"),
        (lambda: data.circles(10, factor=1.0), r"factor .* must be in \[0, 1\)"),
        (lambda: data.spiral(10, classes=0), "classes must be an int >= 1"),
        (lambda: data.spiral(2, classes=3), "n must be an int >= 3"),
        (lambda: data.moons(10.5), "n must be an int"),
    ],
)
def test_bad_arguments_are_a_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_digits_are_scikit_learns_8x8_images_scaled_to_0_1():
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    X, y = data.digits()
    assert len(X) == len(y) == 1797
    assert all(len(x) == 1 and len(x[0]) == 8 and all(len(row) == 8 for row in x[0]) for x in X)
    pixels = [v for x in X for row in x[0] for v in row]
    assert all(type(v) is float and 0.0 <= v <= 1.0 for v in pixels) and max(pixels) == 1.0
    assert set(y) == set(range(10)) and all(type(label) is int for label in y)
    reference = sklearn_datasets.load_digits()
    assert [v * 16 for row in X[5][0] for v in row] == reference.data[5].tolist()
    assert y == reference.target.tolist()


def test_digits_without_scikit_learn_names_the_install_command(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match=r"pip install 'chainrule\[digits\]'"):
        data.digits()
