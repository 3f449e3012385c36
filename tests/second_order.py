"""First and second derivatives of a function on chainrule (create_graph) and on PyTorch
float64 (double backward: torch.autograd.grad with create_graph=True), and how to compare
them: values to a few ulps, derivatives to 1e-12 of their path-sum scale, and nan, inf
and the sign of zero exactly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch

import autograd
from autograd import Value
from tests.torch_oracle import gradient_scales, same_float

REL = 1e-12


@dataclass
class Derivatives:
    """f's value, gradient and Hessian at one point; scales: each entry's path sum."""

    value: float
    grad: list[float]
    hessian: list[list[float]]
    grad_scale: list[float] | None = None
    hessian_scale: list[list[float]] | None = None


def ours(f: Callable[..., Value], xs: Sequence[float]) -> Derivatives:
    leaves = [Value(x) for x in xs]
    out = f(*leaves)
    grads = autograd.grad(out, leaves, create_graph=True)
    assert all(isinstance(g, Value) for g in grads), grads
    hessian = [autograd.grad(g, leaves) for g in grads]
    first = gradient_scales(out)
    second = [gradient_scales(g, bounded=True) for g in grads]
    return Derivatives(
        out.data,
        [g.data for g in grads],
        hessian,
        [first.get(x, 0.0) for x in leaves],
        [[scale.get(x, 0.0) for x in leaves] for scale in second],
    )


def theirs(f: Callable[..., torch.Tensor], xs: Sequence[float]) -> Derivatives:
    leaves = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    out = f(*leaves)
    grads = torch.autograd.grad(out, leaves, create_graph=True, allow_unused=True)
    hessian = []
    for g in grads:
        if g is None or not g.requires_grad:  # constant in every input
            hessian.append([0.0] * len(xs))
            continue
        row = torch.autograd.grad(g, leaves, allow_unused=True, retain_graph=True)
        hessian.append([0.0 if h is None else h.item() for h in row])
    return Derivatives(out.item(), [0.0 if g is None else g.item() for g in grads], hessian)


def agree(a: float, b: float, tolerance: float, zeros: bool = True) -> bool:
    """nan with nan, the same infinity, zeros of the same sign (unless zeros is False);
    else within tolerance (infinite or nan where an infinite slope lies on a path: then
    any finite pair)."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    if a == 0.0 and b == 0.0:
        return not zeros or math.copysign(1.0, a) == math.copysign(1.0, b)
    if not math.isfinite(tolerance):
        return True
    return abs(a - b) <= tolerance or same_float(a, b)


def mismatches(
    mine: Derivatives, torch_: Derivatives, rel: float = REL, zeros: bool = True
) -> list[str]:
    """What differs between the two, as lines naming the entry; [] when they agree.
    zeros=False lets a zero's sign differ (a sum that cancels exactly)."""
    found = []
    if not (
        same_float(mine.value, torch_.value, ulps=4)  # a composite: a few roundings
        or math.isclose(mine.value, torch_.value, rel_tol=1e-14)
    ):
        found.append(f"value {mine.value!r} != torch {torch_.value!r}")

    def check(what: str, a: float, b: float, scale: float) -> None:
        if not zeros and a == 0.0 and b == 0.0:
            return
        if not agree(a, b, rel * scale):
            found.append(f"{what} {a!r} != torch {b!r} (scale {scale:.3g})")

    for i, (a, b) in enumerate(zip(mine.grad, torch_.grad)):
        check(f"d/dx{i}", a, b, mine.grad_scale[i])
    for i, (row, torch_row) in enumerate(zip(mine.hessian, torch_.hessian)):
        for j, (a, b) in enumerate(zip(row, torch_row)):
            check(f"d2/dx{i}dx{j}", a, b, mine.hessian_scale[i][j])
    return found
