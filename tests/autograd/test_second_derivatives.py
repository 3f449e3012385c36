"""Every op's first and second derivative against PyTorch float64 double backward: at
ordinary points of each op's table domain, at kinks, near poles and at inf and nan; third
derivatives of tanh and sigmoid; the new ops' second derivatives against central
differences of their first."""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Sequence

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value, ops
from tests.cases import CASES, Case
from tests.second_order import mismatches, ours, theirs
from tests.strategies import EDGE_VALUES
from tests.torch_oracle import TWINS

INF, NAN = math.inf, math.nan
# near the poles and thresholds: log and 1/x at 0, log1p at -1, x*x's overflow, softplus's 20
NEAR_POLES = (
    1e-8,
    -1e-8,
    1e-150,
    -0.9999999,
    -1.0 + 2.0**-52,
    -1.0,
    1.5e154,
    20.0,
    19.99,
    20.01,
    30.0,
    -800.0,
)
POINTS = EDGE_VALUES + NEAR_POLES
PAIRS = (0.0, -0.0, 1.0, -1.0, 2.0, 0.5, -3.0, INF, -INF, NAN, 1e308, 5e-324, 1e-300)


def _draw(case: Case) -> st.SearchStrategy:
    parts = []
    for low, high in case.domains:
        x = st.floats(low, high, allow_nan=False, allow_infinity=False)
        if case.signed:
            x = st.tuples(x, st.sampled_from([1.0, -1.0])).map(lambda p: p[0] * p[1])
        parts.append(x)
    return st.tuples(*parts)


def _compare(case: Case, xs: Sequence[float], zeros: bool = True) -> list[str]:
    return mismatches(ours(case.fn, xs), theirs(case.torch_fn or case.fn, xs), zeros=zeros)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_first_and_second_derivatives_match_torch_double_backward(case: Case) -> None:
    """The table's ops over their domains, and the hand cases (number operands, pow's
    shortcuts, a param, max ties, a layer, a composite): gradient and full Hessian."""

    @settings(max_examples=15)
    @given(_draw(case))
    def check(xs):
        # zeros may differ in sign: a Hessian entry that cancels exactly in one engine
        found = _compare(case, xs, zeros=False)
        assert not found, (case.name, xs, found)

    check()


# Where chainrule's second derivative is, knowingly, not torch's: each entry says where
# and why, and what chainrule gives instead (asserted too).
def _pow_branch_not_taken(case: Case, xs: Sequence[float]) -> bool:
    # torch's pow double backward differentiates both branches of the where() in its
    # rule, and 0 * inf (log 0, 0 ** -1) in the branch not taken makes nan or -0.0;
    # chainrule's where chooses a branch first, as its first derivative does: 0
    return case.name in ("**", "pow_value_integer_exponent") and (
        xs[0] == 0.0 or xs[1] == 0.0 or xs[0] == 1e-300
    )


def _gelu_overflow(case: Case, xs: Sequence[float]) -> bool:
    # torch's closed form (2 - x^2) phi(x) is inf * 0 = nan once x * x overflows; the
    # limit, which chainrule gives, is 0
    return case.name == "gelu" and abs(xs[0]) >= 1.4e154


KNOWN: list[Callable[[Case, Sequence[float]], bool]] = [_pow_branch_not_taken, _gelu_overflow]


def _edge_points(case: Case) -> list[tuple]:
    if case.arity == 1:
        return [(x,) for x in POINTS]
    if case.arity == 2:
        return list(itertools.product(PAIRS, PAIRS))
    n = len(PAIRS)  # many operands: 40 spread combinations, ties among them
    return [tuple(PAIRS[(i * k) % n] for k in range(1, case.arity + 1)) for i in range(40)]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_derivatives_at_inf_nan_zeros_and_near_poles_match_torch(case: Case) -> None:
    """nan, inf and the sign of zero exactly; finite numbers to 1e-12 of their scale."""
    for xs in _edge_points(case):
        # tanh''(0): torch's -2 t g is -0.0, chainrule's (1 - t)(1 + t) rule cancels to +0.0
        found = _compare(case, xs, zeros=not (case.name == "tanh" and xs[0] == 0.0))
        if any(known(case, xs) for known in KNOWN):  # values and gradients still agree
            found = [f for f in found if not re.match(r"d2/dx\ddx\d 0\.0 != torch (nan|-0\.0) ", f)]
        assert not found, (case.name, xs, found)


def test_known_differences_are_what_they_say() -> None:
    """torch really gives nan there, and chainrule the limit 0."""
    pow_case = next(c for c in CASES if c.name == "**")
    mine, torch_ = ours(pow_case.fn, (0.0, 2.0)), theirs(pow_case.torch_fn, (0.0, 2.0))
    assert math.isnan(torch_.hessian[1][1]) and mine.hessian[1][1] == 0.0
    assert mine.grad == torch_.grad == [0.0, 0.0]
    gelu = next(c for c in CASES if c.name == "gelu")
    mine, torch_ = ours(gelu.fn, (1e300,)), theirs(gelu.torch_fn, (1e300,))
    assert math.isnan(torch_.hessian[0][0]) and mine.hessian == [[0.0]]


# --- kinks: PyTorch's one-sided choices, in both orders ---------------------------------


@pytest.mark.parametrize("x", [0.0, -0.0])
@pytest.mark.parametrize(
    "name, fn, torch_fn",
    [
        ("relu", lambda a: a.relu(), torch.relu),
        ("abs", abs, torch.abs),
        ("leaky_relu", lambda a: a.leaky_relu(0.3), lambda a: TWINS["leaky_relu"](a, 0.3)),
        ("elu", lambda a: a.elu(2.0), lambda a: TWINS["elu"](a, 2.0)),
        ("elu_default", lambda a: a.elu(), TWINS["elu"]),
    ],
)
def test_kinks_take_torchs_slopes_to_second_order(name, fn, torch_fn, x) -> None:
    mine, torch_ = ours(fn, (x,)), theirs(torch_fn, (x,))
    assert not mismatches(mine, torch_), (name, x, mismatches(mine, torch_))
    assert mine.hessian == [[0.0]]  # elu'' at 0 is 0 (torch tests x < 0), not alpha


def test_max_and_min_ties_send_the_gradient_to_the_first_extreme_operand() -> None:
    """max_values(a, b, a, c) at a tie between a and c, and between a and a."""
    for fn, twin, xs in [
        (
            lambda a, b, c: autograd.max_values([a, b, a, c]) ** 3,
            lambda a, b, c: TWINS["max"]([a, b, a, c]) ** 3,
            (2.0, -1.0, 2.0),
        ),
        (
            lambda a, b, c: autograd.min_values([b, c, a, c]).exp() * a,
            lambda a, b, c: TWINS["min"]([b, c, a, c]).exp() * a,
            (0.5, 0.5, 1.0),
        ),
    ]:
        mine, torch_ = ours(fn, xs), theirs(twin, xs)
        assert not mismatches(mine, torch_), mismatches(mine, torch_)
    out = autograd.max_values([Value(1.0), Value(1.0)])
    first, second = out.parents
    assert autograd.grad(out, [first, second]) == [1.0, 0.0]


# --- third derivatives ---------------------------------------------------------------


def _third(fn, x: float) -> float:
    v = Value(x)
    (d1,) = autograd.grad(fn(v), [v], create_graph=True)
    (d2,) = autograd.grad(d1, [v], create_graph=True)
    return autograd.grad(d2, [v])[0]


def _torch_third(fn, x: float) -> float:
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    (d1,) = torch.autograd.grad(fn(t), t, create_graph=True)
    (d2,) = torch.autograd.grad(d1, t, create_graph=True)
    return torch.autograd.grad(d2, t)[0].item()


@settings(max_examples=40)
@given(st.floats(-6.0, 6.0))
def test_third_derivatives_of_tanh_and_sigmoid_match_torch_and_closed_forms(x) -> None:
    t, s = math.tanh(x), 1.0 / (1.0 + math.exp(-x))
    for fn, torch_fn, closed in [
        (lambda v: v.tanh(), torch.tanh, -2.0 * (1 - t * t) * (1 - 3 * t * t)),
        (lambda v: v.sigmoid(), torch.sigmoid, s * (1 - s) * (1 - 6 * s + 6 * s * s)),
    ]:
        mine = _third(fn, x)
        assert math.isclose(mine, _torch_third(torch_fn, x), rel_tol=1e-9, abs_tol=1e-14)
        assert math.isclose(mine, closed, rel_tol=1e-8, abs_tol=1e-14)


# --- the new ops against central differences --------------------------------------------

NEW = ("log1p", "softplus", "silu", "gelu", "erf", "atan", "leaky_relu", "elu")


@pytest.mark.parametrize("name", NEW)
def test_new_ops_second_derivative_agrees_with_central_differences(name: str) -> None:
    op = ops.OPS[name]

    def first(x: float) -> float:
        v = Value(x)
        return autograd.grad(getattr(v, op.method)(), [v])[0]

    @settings(max_examples=20)
    @given(st.floats(*op.domain[0]))
    def check(x):
        h = 1e-5
        if op.params and abs(x) < 2 * h:  # the kink at 0
            return
        numeric = (first(x + h) - first(x - h)) / (2 * h)
        v = Value(x)
        (d1,) = autograd.grad(getattr(v, op.method)(), [v], create_graph=True)
        (d2,) = autograd.grad(d1, [v])
        assert math.isclose(d2, numeric, rel_tol=1e-5, abs_tol=1e-6), (x, d2, numeric)

    check()
