"""IEEE-754 edges: README's promises (inf, nan, no exception) and the kinks and poles, one
named test per row, against torch.

No op may raise ZeroDivisionError, OverflowError or a math domain error; values and
gradients must be what PyTorch float64 gives (inf, nan and the sign of zero included).
"""

from __future__ import annotations

import math

import pytest
import torch

from autograd import Value

INF, NAN = math.inf, math.nan


def same(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if a == 0.0 and b == 0.0:
        return math.copysign(1.0, a) == math.copysign(1.0, b)
    return math.isclose(a, b, rel_tol=1e-15)


def t(x: float) -> torch.Tensor:
    return torch.tensor(x, dtype=torch.float64, requires_grad=True)


def c(x: float) -> torch.Tensor:
    return torch.tensor(x, dtype=torch.float64)


# (name, inputs, chainrule function, torch function); a number stays a number in both
ROWS = [
    ("one_over_zero_is_inf", [0.0], lambda x: 1 / x, lambda x: torch.div(c(1.0), x)),
    ("one_over_minus_zero_is_minus_inf", [-0.0], lambda x: 1 / x, lambda x: torch.div(c(1.0), x)),
    ("zero_over_zero_is_nan", [0.0, 0.0], lambda a, b: a / b, torch.div),
    ("minus_one_over_zero_value_is_minus_inf", [-1.0, 0.0], lambda a, b: a / b, torch.div),
    ("log_zero_is_minus_inf", [0.0], lambda x: x.log(), torch.log),
    ("log_minus_one_is_nan", [-1.0], lambda x: x.log(), torch.log),
    ("exp_1000_is_inf", [1000.0], lambda x: x.exp(), torch.exp),
    ("exp_minus_1000_is_zero", [-1000.0], lambda x: x.exp(), torch.exp),
    (
        "sigmoid_minus_1000_is_zero_with_finite_grad",
        [-1000.0],
        lambda x: x.sigmoid(),
        torch.sigmoid,
    ),
    ("sigmoid_1000_is_one", [1000.0], lambda x: x.sigmoid(), torch.sigmoid),
    ("tanh_1000_is_one_with_zero_grad", [1000.0], lambda x: x.tanh(), torch.tanh),
    ("sqrt_minus_one_is_nan", [-1.0], lambda x: x.sqrt(), torch.sqrt),
    ("sqrt_grad_at_zero_is_inf", [0.0], lambda x: x.sqrt(), torch.sqrt),
    ("relu_grad_at_zero_is_zero", [0.0], lambda x: x.relu(), torch.relu),
    ("relu_of_nan_is_nan", [NAN], lambda x: x.relu(), torch.relu),
    ("relu_of_minus_zero_is_minus_zero", [-0.0], lambda x: x.relu(), torch.relu),
    ("abs_grad_at_zero_is_zero", [0.0], lambda x: abs(x), torch.abs),
    ("sin_of_inf_is_nan", [INF], lambda x: x.sin(), torch.sin),
    ("cos_of_minus_inf_is_nan", [-INF], lambda x: x.cos(), torch.cos),
    ("product_overflows_to_inf", [1e308], lambda x: x * 10.0, lambda x: x * 10.0),
    ("sum_of_infinities_is_nan", [INF], lambda x: x + (-INF), lambda x: x + (-INF)),
    ("two_to_the_2000_is_inf", [2000.0], lambda x: 2.0**x, lambda x: torch.pow(c(2.0), x)),
    ("pow_overflows_to_inf", [1e200, 2.5], lambda a, b: a**b, torch.pow),
    ("negative_base_pow_overflows_to_minus_inf", [-1e200, 3.0], lambda a, b: a**b, torch.pow),
    ("zero_to_minus_one_is_inf", [0.0], lambda x: x**-1, lambda x: x**-1),
    ("minus_zero_to_minus_three_is_minus_inf", [-0.0], lambda x: x**-3, lambda x: x**-3),
    ("zero_to_minus_half_value_is_inf", [0.0, -0.5], lambda a, b: a**b, torch.pow),
    ("pow_exponent_grad_at_zero_base_is_zero", [0.0, 2.0], lambda a, b: a**b, torch.pow),
    ("pow_exponent_grad_at_zero_base_zero_exponent", [0.0, 0.0], lambda a, b: a**b, torch.pow),
    ("pow_exponent_grad_at_zero_base_negative_exponent", [0.0, -1.0], lambda a, b: a**b, torch.pow),
    ("pow_base_grad_at_zero_exponent_is_zero", [0.0], lambda x: x**0, lambda x: x**0),
    ("negative_base_integer_exponent", [-2.0, 3.0], lambda a, b: a**b, torch.pow),
    ("negative_base_non_integer_exponent_is_nan", [-8.0, 1 / 3], lambda a, b: a**b, torch.pow),
    (
        "negative_base_constant_non_integer_exponent_is_nan",
        [-8.0],
        lambda x: x**2.5,
        lambda x: x**2.5,
    ),
    ("minus_zero_to_the_half_is_minus_zero", [-0.0], lambda x: x**0.5, lambda x: x**0.5),
    ("minus_inf_to_the_half_is_nan", [-INF], lambda x: x**0.5, lambda x: x**0.5),
    ("zero_base_constant_to_value", [-1.0], lambda x: 0.0**x, lambda x: torch.pow(c(0.0), x)),
    (
        "negative_constant_base_to_value",
        [2.0],
        lambda x: (-3.0) ** x,
        lambda x: torch.pow(c(-3.0), x),
    ),
    ("nan_propagates_through_mul", [NAN, 2.0], lambda a, b: a * b, torch.mul),
]


@pytest.mark.parametrize("name, inputs, fn, torch_fn", ROWS, ids=[r[0] for r in ROWS])
def test_edge_value_and_gradient_match_torch(name, inputs, fn, torch_fn) -> None:
    xs = [Value(x) for x in inputs]
    out = fn(*xs)  # must not raise
    out.backward()
    ts = [t(x) for x in inputs]
    t_out = torch_fn(*ts)
    t_out.backward()
    assert same(out.data, t_out.item()), (name, out.data, t_out.item())
    for i, (x, tx) in enumerate(zip(xs, ts)):
        expected = 0.0 if tx.grad is None else tx.grad.item()
        assert same(x.grad, expected), (name, i, x.grad, expected)


def test_spec_table_values() -> None:
    assert (1 / Value(0)).data == INF
    assert Value(0).log().data == -INF
    assert math.isnan(Value(-1).log().data)
    assert Value(1000).exp().data == INF
    s = Value(-1000).sigmoid()
    x = s.parents[0]
    s.backward()
    assert s.data == 0.0 and math.isfinite(x.grad)
