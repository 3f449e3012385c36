"""Central differences as an independent oracle for the engine's gradients.

numeric_grad perturbs each input by +-eps and never touches the graph machinery;
gradcheck compares it with backprop and, on failure, says which inputs disagree and why
a gradient may be missing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from .backprop import grad, topological_order
from .grad_mode import no_grad
from .value import Operand, Value, as_float


def _floats(xs: Sequence[Operand]) -> list[float]:
    return [x.data if isinstance(x, Value) else as_float(x) for x in xs]


def _check_tolerance(name: str, x: object, positive: bool = False) -> None:
    ok = isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)
    if not ok or x < 0 or (positive and x == 0):
        kind = "a positive" if positive else "a non-negative"
        raise ValueError(f"{name} must be {kind} finite number, got {x!r}")


def _number(result: object) -> float:
    """f's result as a float: a Value's data or a real number; TypeError for anything else."""
    if isinstance(result, Value):
        return result.data
    try:
        return as_float(result)
    except TypeError:
        raise TypeError(
            f"f must return a Value or a real number, got {type(result).__name__}"
        ) from None


def numeric_grad(f: Callable[..., object], xs: Sequence[Operand], eps: float = 1e-6) -> list[float]:
    """(f(x + eps) - f(x - eps)) / (2 eps) for each number in xs; f gets Values under no_grad."""
    _check_tolerance("eps", eps, positive=True)
    base = _floats(xs)
    slopes = []
    with no_grad():
        for i in range(len(base)):
            shifted = []
            for step in (eps, -eps):
                point = list(base)
                point[i] += step
                shifted.append(_number(f(*[Value(v) for v in point])))
            slopes.append((shifted[0] - shifted[1]) / (2.0 * eps))
    return slopes


def _hints(
    out: object,
    inputs: Sequence[Value],
    bad: Sequence[int],
    analytic: Sequence[float],
    numeric: Sequence[float],
) -> list[str]:
    """Why an analytic gradient may be 0 where the numeric one is not."""
    missing = [i for i in bad if analytic[i] == 0.0 and numeric[i] != 0.0]
    if not missing:
        return []
    if not isinstance(out, Value):
        return [
            f"f returned a {type(out).__name__}, not a Value, so no gradient reaches "
            "any input: return the Value itself, not float(v) or v.data"
        ]
    in_graph = set(topological_order(out))
    hints = []
    for i in missing:
        if inputs[i] not in in_graph:
            hints.append(
                f"input {i} does not reach the output through the graph: was it used "
                "through float(), .data, or under no_grad?"
            )
        else:
            hints.append(
                f"input {i}: the engine's gradient is 0 but the function changes with it: "
                "part of the computation may run outside the graph (float(), .data, "
                "no_grad), or the input sits on a kink (relu or abs at 0) where the two "
                "one-sided slopes differ"
            )
    return hints


def gradcheck(
    f: Callable[..., object],
    xs: Sequence[Operand],
    rtol: float = 1e-6,
    atol: float = 1e-8,
    eps: float = 1e-6,
) -> bool:
    """True if backprop's gradients of f(*xs) match central differences, else AssertionError.

    Inputs agree when |analytic - numeric| <= atol + rtol * |numeric|. The error has a
    per-input table (index, analytic, numeric, difference) with the failures starred,
    and a hint for each input whose gradient is 0 where the numeric one is not.
    """
    _check_tolerance("rtol", rtol)
    _check_tolerance("atol", atol)
    inputs = [Value(x) for x in _floats(xs)]
    out = f(*inputs)
    _number(out)
    analytic = grad(out, inputs) if isinstance(out, Value) else [0.0] * len(inputs)
    numeric = numeric_grad(f, xs, eps)
    bad = [
        i
        for i, (a, n) in enumerate(zip(analytic, numeric))
        if not abs(a - n) <= atol + rtol * abs(n)
    ]
    if not bad:
        return True
    rows = [f"{'input':>7}  {'analytic':>14}  {'numeric':>14}  {'difference':>11}"]
    for i, (a, n) in enumerate(zip(analytic, numeric)):
        mark = "*" if i in bad else " "
        rows.append(f"{i:>6}{mark}  {a:>14.6e}  {n:>14.6e}  {abs(a - n):>11.2e}")
    raise AssertionError(
        f"gradcheck failed for input(s) {', '.join(map(str, bad))} of {len(inputs)} "
        f"(rtol={rtol:g}, atol={atol:g}, eps={eps:g}):\n"
        + "\n".join(rows + _hints(out, inputs, bad, analytic, numeric))
    )
