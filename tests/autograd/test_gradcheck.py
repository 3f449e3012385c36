"""numeric_grad and gradcheck: central differences as an oracle, and failures that say which
input disagrees, by how much, and why a gradient may be missing."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings

from autograd import Value, gradcheck, is_grad_enabled, no_grad, numeric_grad
from tests.strategies import reals


def _composite(a: Value, b: Value) -> Value:
    return (a * b + a.sin()).tanh() / (b * b + 1.0) + (a.exp() + b.sigmoid()).log()


@settings(max_examples=50)
@given(reals(-2.0, 2.0), reals(-2.0, 2.0))
def test_gradcheck_passes_for_the_engines_gradients_of_a_composite(a: float, b: float) -> None:
    assert gradcheck(_composite, [a, b]) is True


def test_numeric_grad_matches_known_derivatives() -> None:
    """d/dx x^3 = 3x^2 = 12 at 2; d(xy)/dx = y, d(xy)/dy = x."""
    (slope,) = numeric_grad(lambda x: x**3, [2.0])
    assert math.isclose(slope, 12.0, rel_tol=1e-8), slope
    dx, dy = numeric_grad(lambda x, y: x * y, [3.0, 4.0])
    assert math.isclose(dx, 4.0, rel_tol=1e-8) and math.isclose(dy, 3.0, rel_tol=1e-8), (dx, dy)


def test_numeric_grad_calls_f_with_values_under_no_grad() -> None:
    seen = []

    def f(x: Value) -> Value:
        seen.append((type(x), is_grad_enabled()))
        return x * x

    numeric_grad(f, [1.5])
    assert seen and all(kind is Value and not enabled for kind, enabled in seen), seen
    assert is_grad_enabled()


def test_numeric_grad_accepts_f_returning_a_plain_number() -> None:
    (slope,) = numeric_grad(lambda x: float(x) ** 2, [3.0])
    assert math.isclose(slope, 6.0, rel_tol=1e-8), slope


def test_numeric_grad_accepts_values_and_numbers_and_leaves_values_untouched() -> None:
    x = Value(2.0)
    x.grad = 7.0
    dx, dy = numeric_grad(lambda a, b: a * b, [x, 5])
    assert math.isclose(dx, 5.0, rel_tol=1e-8) and math.isclose(dy, 2.0, rel_tol=1e-8)
    assert (x.data, x.grad) == (2.0, 7.0)


def test_numeric_grad_takes_the_step_size_eps() -> None:
    """The central difference of x^3 is 3x^2 + eps^2 exactly: the step shows in the slope."""
    (slope,) = numeric_grad(lambda x: x**3, [0.0], eps=0.5)
    assert math.isclose(slope, 0.25, rel_tol=1e-12), slope


def test_gradcheck_leaves_the_callers_values_untouched() -> None:
    x = Value(0.3)
    gradcheck(lambda v: v.tanh(), [x])
    assert (x.data, x.grad) == (0.3, 0.0)


def _rows(message: str) -> dict:
    """The failure table as {index: (starred, analytic, numeric, difference)}."""
    rows = {}
    for line in message.splitlines():
        fields = line.split()
        if len(fields) == 4 and fields[0].rstrip("*").isdigit():
            rows[int(fields[0].rstrip("*"))] = (fields[0].endswith("*"), *map(float, fields[1:]))
    return rows


def test_failure_table_stars_only_the_disagreeing_input_with_analytic_numeric_and_difference() -> (
    None
):
    """b * float(b) hides one factor of b from the graph: d/db is b, not 2b."""
    with pytest.raises(AssertionError) as caught:
        gradcheck(lambda a, b: a * 2.0 + b * float(b), [1.0, 3.0])
    message = str(caught.value)
    assert "input(s) 1 of 2" in message, message
    rows = _rows(message)
    assert set(rows) == {0, 1}, message
    starred, analytic, numeric, difference = rows[1]
    assert starred and math.isclose(analytic, 3.0) and math.isclose(numeric, 6.0, rel_tol=1e-6)
    assert math.isclose(difference, 3.0, rel_tol=1e-3), message
    assert not rows[0][0] and math.isclose(rows[0][1], 2.0), message
    assert "gradient is 0" not in message and "kink" not in message, message  # not zero


def test_hint_when_an_input_was_used_under_no_grad() -> None:
    def f(x: Value) -> Value:
        with no_grad():
            y = x * x
        return y * 1.0

    with pytest.raises(AssertionError, match="input 0 does not reach the output") as caught:
        gradcheck(f, [2.0])
    assert "no_grad" in str(caught.value), caught.value


def test_hint_when_f_returns_a_float_instead_of_a_value() -> None:
    with pytest.raises(AssertionError, match="f returned a float, not a Value"):
        gradcheck(lambda x: float(x * x), [2.0])


def test_hint_when_the_input_sits_on_a_kink() -> None:
    """relu at 0: the engine's slope is 0 (PyTorch's), central differences give 1/2."""
    with pytest.raises(AssertionError) as caught:
        gradcheck(lambda x: x.relu(), [0.0])
    message = str(caught.value)
    assert "kink" in message and "input 0: the engine's gradient is 0" in message, message
    assert math.isclose(_rows(message)[0][2], 0.5), message


def _half_hidden_square(x: Value) -> Value:
    """x * float(x): the engine sees slope x, central differences 2x."""
    return x * float(x)


def test_rtol_is_relative_to_the_numeric_gradient() -> None:
    """Analytic 2 against numeric 4: a difference of half the numeric gradient."""
    assert gradcheck(_half_hidden_square, [2.0], rtol=0.51)
    with pytest.raises(AssertionError):
        gradcheck(_half_hidden_square, [2.0], rtol=0.49)


def test_atol_absorbs_small_absolute_differences() -> None:
    """Analytic 1e-5 against numeric 2e-5."""
    assert gradcheck(_half_hidden_square, [1e-5], atol=2e-5)
    with pytest.raises(AssertionError):
        gradcheck(_half_hidden_square, [1e-5])
