"""Central differences as an independent oracle for the engine's gradients.

numeric_grad perturbs each input by +-eps and never touches the graph machinery;
gradcheck compares it with backprop and, on failure, says which inputs disagree.
"""

from __future__ import annotations

from typing import Callable, List, Sequence

from .backprop import grad
from .grad_mode import no_grad
from .value import Operand, Value, _as_float


def _floats(xs: Sequence[Operand]) -> List[float]:
    return [x.data if isinstance(x, Value) else _as_float(x) for x in xs]


def numeric_grad(f: Callable[..., object], xs: Sequence[Operand], eps: float = 1e-6) -> List[float]:
    """(f(x + eps) - f(x - eps)) / (2 eps) for each number in xs; f gets Values under no_grad."""
    base = _floats(xs)
    slopes = []
    with no_grad():
        for i in range(len(base)):
            shifted = []
            for step in (eps, -eps):
                point = list(base)
                point[i] += step
                shifted.append(float(f(*[Value(v) for v in point])))
            slopes.append((shifted[0] - shifted[1]) / (2.0 * eps))
    return slopes


def gradcheck(
    f: Callable[..., object],
    xs: Sequence[Operand],
    rtol: float = 1e-6,
    atol: float = 1e-8,
    eps: float = 1e-6,
) -> bool:
    """True if backprop's gradients of f(*xs) match central differences, else AssertionError.

    Inputs agree when |analytic - numeric| <= atol + rtol * |numeric|. The error has a
    per-input table (index, analytic, numeric, difference) with the failures starred.
    """
    inputs = [Value(x) for x in _floats(xs)]
    out = f(*inputs)
    analytic = grad(out, inputs) if isinstance(out, Value) else [0.0] * len(inputs)
    numeric = numeric_grad(f, xs, eps)
    bad = [
        i for i, (a, n) in enumerate(zip(analytic, numeric))
        if not abs(a - n) <= atol + rtol * abs(n)
    ]
    if not bad:
        return True
    rows = [f"{'input':>7}  {'analytic':>14}  {'numeric':>14}  {'difference':>11}"]
    for i, (a, n) in enumerate(zip(analytic, numeric)):
        mark = "*" if i in bad else " "
        rows.append(f"{i:>6}{mark}  {a:>14.6e}  {n:>14.6e}  {abs(a - n):>11.2e}")
    hints = [
        f"input {i}: the engine's gradient is 0 but the function does change with it; was a "
        "value computed outside the graph (under no_grad, through float() or .data)?"
        for i in bad if analytic[i] == 0.0 and numeric[i] != 0.0
    ]
    raise AssertionError(
        f"gradcheck failed for input(s) {', '.join(map(str, bad))} of {len(inputs)} "
        f"(rtol={rtol:g}, atol={atol:g}, eps={eps:g}):\n" + "\n".join(rows + hints)
    )
