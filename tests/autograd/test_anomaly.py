"""detect_anomaly: the first nan or inf, forward or backward, raises FloatingPointError naming
the op, its input values and the line of user code that created the node."""

from __future__ import annotations

import math
import sys
import threading

import pytest

import autograd
import nn
from autograd import Value, detect_anomaly, no_grad

HERE = __file__


def _next_line() -> int:
    """The line after the caller's: where the op under test is written."""
    return sys._getframe(1).f_lineno + 1


def _site(line: int) -> str:
    return f"{HERE}:{line}"


def test_anomaly_detection_is_off_by_default() -> None:
    """Without detect_anomaly, IEEE results come back as values, as README promises."""
    assert Value(0.0).log().data == -math.inf
    assert math.isnan(Value(-1.0).sqrt().data)


def test_forward_nan_names_the_op_its_input_and_the_user_line() -> None:
    with detect_anomaly():
        with pytest.raises(FloatingPointError) as caught:
            line = _next_line()
            Value(-1.0).log()
    message = str(caught.value)
    assert "log returned nan" in message and "(-1.0)" in message, message
    assert _site(line) in message, message


def test_forward_inf_names_a_constant_operand_too() -> None:
    """1e308 * 10: both numbers appear, the constant marked as such."""
    with detect_anomaly():
        with pytest.raises(FloatingPointError) as caught:
            line = _next_line()
            Value(1e308) * 10
    message = str(caught.value)
    assert "*" in message and "inf" in message, message
    assert "1e+308" in message and "10.0 (constant)" in message, message
    assert _site(line) in message, message


def test_division_by_zero_and_overflowing_exp_are_anomalies() -> None:
    for make, op in ((lambda: 1.0 / Value(0.0), "/"), (lambda: Value(1000.0).exp(), "exp")):
        with detect_anomaly(), pytest.raises(FloatingPointError, match="inf") as caught:
            make()
        assert f"{op} returned inf" in str(caught.value), caught.value


def test_nan_leaf_is_caught_at_the_first_op_that_uses_it() -> None:
    with detect_anomaly():
        x = Value(math.nan)  # making a leaf is not an op
        with pytest.raises(FloatingPointError, match=r"tanh returned nan from inputs \(nan\)"):
            x.tanh()


def test_site_skips_frames_inside_the_autograd_package() -> None:
    """dot and sum_values run inside autograd; the site is the line that called them."""
    with detect_anomaly():
        with pytest.raises(FloatingPointError) as caught:
            line = _next_line()
            autograd.dot([Value(1e308)], [Value(10.0)], 0.0)
    assert "dot" in str(caught.value) and _site(line) in str(caught.value), caught.value
    with detect_anomaly():
        with pytest.raises(FloatingPointError) as caught:
            line = _next_line()
            autograd.sum_values([Value(math.inf), 1.0])
    assert _site(line) in str(caught.value), caught.value


def test_site_skips_frames_inside_the_nn_package() -> None:
    """An inf fed to an MLP fails inside nn; the site is the user's call of the model."""
    model = nn.MLP(2, [3, 1], seed=0)
    with detect_anomaly():
        with pytest.raises(FloatingPointError) as caught:
            line = _next_line()
            model([math.inf, 1.0])
    assert _site(line) in str(caught.value), caught.value


def _user_helper(v: Value) -> Value:
    return v.sqrt()  # the innermost user frame


HELPER_LINE = _user_helper.__code__.co_firstlineno + 1


def test_site_is_the_innermost_user_frame_not_its_caller() -> None:
    with detect_anomaly(), pytest.raises(FloatingPointError) as caught:
        _user_helper(Value(-4.0))
    assert _site(HELPER_LINE) in str(caught.value), caught.value


def test_backward_inf_names_the_op_its_input_and_the_line_that_created_it() -> None:
    with detect_anomaly():
        x = Value(0.0)
        line = _next_line()
        y = x.sqrt()  # sqrt(0) = 0 is fine; its slope 1 / (2 sqrt(0)) is inf
        with pytest.raises(FloatingPointError) as caught:
            y.backward()
    message = str(caught.value)
    assert "backward of sqrt" in message and "sent inf" in message, message
    assert "0.0" in message and _site(line) in message, message


def test_backward_nan_from_a_zero_gradient_times_an_infinite_slope() -> None:
    with detect_anomaly():
        x = Value(0.0)
        line = _next_line()
        s = x.sqrt()
        y = s * 0.0
        with pytest.raises(FloatingPointError) as caught:
            y.backward()
    assert "backward of sqrt sent nan" in str(caught.value), caught.value
    assert _site(line) in str(caught.value), caught.value


def test_backward_of_a_graph_built_outside_detect_anomaly_says_so() -> None:
    x = Value(0.0)
    y = x.sqrt()
    with detect_anomaly(), pytest.raises(FloatingPointError) as caught:
        y.backward()
    assert "outside detect_anomaly" in str(caught.value), caught.value


def test_backward_without_detect_anomaly_returns_the_ieee_gradient() -> None:
    x = Value(0.0)
    x.sqrt().backward()
    assert x.grad == math.inf


def test_grad_function_checks_the_backward_pass_too() -> None:
    with detect_anomaly():
        x = Value(0.0)
        y = x.sqrt()
        with pytest.raises(FloatingPointError, match="backward of sqrt"):
            autograd.grad(y, [x])


def test_backward_steps_checks_the_backward_pass_too() -> None:
    """Stepping through backward under detect_anomaly stops at the same op as backward()."""
    with detect_anomaly():
        x = Value(0.0)
        y = x.sqrt()
        with pytest.raises(FloatingPointError, match="backward of sqrt"):
            list(autograd.backward_steps(y))


def test_no_grad_inside_detect_anomaly_still_checks_forward_values() -> None:
    with detect_anomaly(), no_grad():
        with pytest.raises(FloatingPointError, match=r"log returned -inf from inputs \(0\.0\)"):
            Value(0.0).log()
        with pytest.raises(FloatingPointError, match=r"/ returned inf from inputs \(1\.0, 0\.0\)"):
            Value(1.0) / Value(0.0)


def test_finite_programs_give_the_same_values_and_gradients_under_detect_anomaly() -> None:
    def run() -> tuple:
        a, b = Value(0.7), Value(-1.3)
        out = (a * b + a.sin()).tanh() / (b * b + 1.0) + (a ** b.sigmoid()).log()
        out.backward()
        return out.data, a.grad, b.grad

    plain = run()
    with detect_anomaly():
        checked = run()
    assert plain == checked, (plain, checked)


def test_detect_anomaly_nests_and_restores_the_previous_mode() -> None:
    with detect_anomaly():
        with detect_anomaly():
            pass
        with pytest.raises(FloatingPointError):  # still on after the inner block
            Value(0.0).log()
    assert Value(0.0).log().data == -math.inf  # off again after the outer block


def test_detect_anomaly_is_restored_after_an_exception_escapes() -> None:
    with pytest.raises(FloatingPointError):
        with detect_anomaly():
            Value(0.0).log()
    assert Value(0.0).log().data == -math.inf


def test_detect_anomaly_works_as_a_decorator() -> None:
    @detect_anomaly()
    def bad() -> Value:
        return Value(-1.0).sqrt()

    with pytest.raises(FloatingPointError, match="sqrt returned nan"):
        bad()
    assert math.isnan(Value(-1.0).sqrt().data)  # off outside the decorated call


def test_detect_anomaly_in_one_thread_does_not_affect_another() -> None:
    results: list = []

    def other_thread() -> None:
        results.append(Value(0.0).log().data)  # must not raise

    with detect_anomaly():
        worker = threading.Thread(target=other_thread)
        worker.start()
        worker.join()
        with pytest.raises(FloatingPointError):  # this thread is still checked
            Value(0.0).log()
    assert results == [-math.inf], results


def test_detect_anomaly_in_another_thread_does_not_turn_it_on_here() -> None:
    errors: list = []

    def other_thread() -> None:
        with detect_anomaly():
            try:
                Value(0.0).log()
            except FloatingPointError as e:
                errors.append(e)

    worker = threading.Thread(target=other_thread)
    worker.start()
    worker.join()
    assert len(errors) == 1, errors
    assert Value(0.0).log().data == -math.inf
