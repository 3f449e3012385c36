"""PyTorch float64 as the oracle for random programs: run a program on chainrule and on torch
side by side and compare every node, values and gradients, with tolerances that follow the
floating point (ulps for one op, a path-sum scale for gradients), not guesses.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as TF

import autograd
from autograd.ops import OPS, Op
from autograd.value import constants
from tests.strategies import Program, Step, ValueBackend, split_dot


def _tensor(x: object) -> torch.Tensor:
    return x if isinstance(x, torch.Tensor) else torch.tensor(x, dtype=torch.float64)


def _left_to_right(terms: Sequence[object]) -> torch.Tensor:
    total = _tensor(0.0)
    for term in terms:
        total = total + term
    return total


# The torch float64 twin of every op in the engine's table, by its key, spelled as
# chainrule computes: c / x a true division (Tensor.__rtruediv__ is 1/x * c), fused ops
# the left-to-right sums they are, max and min over a stack as torch.max(dim) (the
# gradient to the first extreme). Operands may be tensors or numbers; a param follows.
# tests/autograd/test_op_table.py checks that the keys are exactly the table's.
TWINS: dict[str, Callable[..., torch.Tensor]] = {
    "+": lambda a, b: a + b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: torch.div(_tensor(a), b),
    "**": lambda a, b: torch.pow(a, b),
    "pow_scalar": lambda a, c: torch.pow(a, c),
    "exp": torch.exp,
    "log": torch.log,
    "sqrt": torch.sqrt,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "relu": torch.relu,
    "sin": torch.sin,
    "cos": torch.cos,
    "abs": torch.abs,
    "log1p": torch.log1p,
    "softplus": TF.softplus,
    "silu": TF.silu,
    "erf": torch.erf,
    "gelu": TF.gelu,
    "atan": torch.atan,
    "leaky_relu": TF.leaky_relu,
    "elu": TF.elu,
    "dot": lambda ws, xs, b: _left_to_right([*(w * x for w, x in zip(ws, xs)), b]),
    "sum": _left_to_right,
    "max": lambda xs: torch.stack([_tensor(x) for x in xs]).max(0).values,
    "min": lambda xs: torch.stack([_tensor(x) for x in xs]).min(0).values,
}


def twin(op: Op, *operands: object) -> torch.Tensor:
    """op applied to tensors or numbers by its torch twin (a fused op's operands: see Step)."""
    if op.arity > 0:
        return TWINS[op.key](*operands)
    return TWINS[op.key](*split_dot(operands)) if op.name == "dot" else TWINS[op.key](operands)


class TorchBackend:
    """torch float64 through TWINS, intermediate gradients retained."""

    @staticmethod
    def const(c: float) -> torch.Tensor:
        return torch.tensor(c, dtype=torch.float64)

    @staticmethod
    def leaf(x: float) -> torch.Tensor:
        return torch.tensor(x, dtype=torch.float64, requires_grad=True)

    @staticmethod
    def keep(t: torch.Tensor) -> torch.Tensor:
        t.retain_grad()
        return t

    @staticmethod
    def unary(name: str, a: torch.Tensor, *params: float) -> torch.Tensor:
        return TWINS[name](a, *params)

    @staticmethod
    def binary(name: str, a: object, b: object) -> torch.Tensor:
        if name == "**" and not isinstance(b, torch.Tensor):
            name = "pow_scalar"
        return TWINS[name](a, b)

    @staticmethod
    def fused(name: str, operands: Sequence) -> torch.Tensor:
        return twin(OPS[name], *operands)

    @staticmethod
    def grad(t: torch.Tensor) -> float:
        return 0.0 if t.grad is None else t.grad.item()  # None: no path to the output


# --- running a program on both engines, in lockstep ----------------------------------


def same_float(a: float, b: float, scale: float = 0.0, ulps: int = 2) -> bool:
    """Equal to within a few units in the last place of max(|a|, |b|, scale) (the same
    sign, for zeros), both nan, or the same infinity. torch's exp, log, sqrt, tanh, sin
    and cos (Intel MKL) are within 1 ulp of the correctly rounded result, not always on it."""
    if a == b:
        return a != 0.0 or math.copysign(1.0, a) == math.copysign(1.0, b)
    if math.isnan(a) or math.isnan(b) or math.isinf(a) or math.isinf(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= ulps * math.ulp(max(abs(a), abs(b), scale))


def _summands(step: Step, nodes: Sequence[autograd.Value]) -> list[float]:
    """The terms a fused op adds up (its rounding error scales with their size), else []."""
    xs = [nodes[a].data if isinstance(a, int) else a for a in step.args]
    if step.op == "dot":
        k = (len(xs) - 1) // 2
        return [w * x for w, x in zip(xs[:k], xs[k : 2 * k])] + [xs[-1]]
    return xs if step.op == "sum" else []


def magnitude_bounds(root: autograd.Value) -> dict[autograd.Value, float]:
    """For each node behind root, a bound on the size of what its value was summed from:
    |a| + |b| for a sum, |a| |b| for a product, |value| otherwise. A gradient's graph adds
    numbers that may cancel (1 + y - 1); its value is then tiny, but its rounding is of the
    order of the terms, and this bound keeps them."""
    bound: dict[autograd.Value, float] = {}
    for node in autograd.topological_order(root):
        terms = [bound[p] for p in node.parents] + [abs(c) for c in constants(node)]
        if node.op == "+":
            b = math.fsum(terms)
        elif node.op == "*":
            b = math.prod(terms)
        else:
            b = abs(node.data)
        bound[node] = math.inf if math.isnan(b) else max(b, abs(node.data))
    return bound


def gradient_scales(root: autograd.Value, bounded: bool = False) -> dict[autograd.Value, float]:
    """Sum over paths of |product of local derivatives|, for every node behind root.

    Backward sums a node's gradient over paths in an engine-specific order, so rounding
    error is of order eps times this scale, not eps times the gradient (which a sum with
    cancellation can make tiny). The local derivatives are what each node sends back for
    an upstream gradient of 1, edge by edge; this overwrites the graph's .grad fields.
    `bounded` (for a gradient's own graph): a product's local derivative is the bound on
    the other factor's terms (magnitude_bounds), not its value after cancellation.
    """
    bounds = magnitude_bounds(root) if bounded else {}
    scale = {root: 1.0}
    for node in reversed(autograd.topological_order(root)):
        upstream = scale.get(node, 0.0)
        if upstream == 0.0:  # nothing flows through here, even along an infinite slope
            continue
        sends = next(autograd.backward_steps(node)).sends
        parents = node.parents
        if bounded and node.op == "*" and len(parents) == 2:
            sends = ((parents[0], bounds[parents[1]]), (parents[1], bounds[parents[0]]))
        for parent, local in sends:
            if local != 0.0:  # a zero slope (relu < 0) stops even a nan upstream
                scale[parent] = scale.get(parent, 0.0) + upstream * abs(local)
    return scale


def agree(a: float, b: float, tolerance: float) -> bool:
    """Within tolerance, or both nan, or the same infinity.

    An infinite tolerance means an infinite slope (a pole) lies on a path, where the order
    of summation decides between 0 * inf = nan and tiny * inf = inf: then only whether
    the two results are finite must agree.
    """
    if tolerance == math.inf:
        return math.isfinite(a) == math.isfinite(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= tolerance


def assert_matches_torch(program: Program, rel: float = 1e-12) -> None:
    """Run program on chainrule and on torch float64 side by side, then backward from the
    last node, and check every node against torch.

    Values: each op, given the same inputs, agrees to 2 ulps (same_float); torch's node is
    then given chainrule's value, so that 1-ulp differences in torch's math library do not
    grow along the program. Gradients: within rel of their scale (see gradient_scales).
    """
    be = TorchBackend()
    ours = [ValueBackend.leaf(x) for x in program.inputs]
    theirs = [be.leaf(x) for x in program.inputs]
    for step in program.steps:
        node, tensor = step.apply(ValueBackend, ours), step.apply(be, theirs)
        # a fused sum may round differently (Python >= 3.12's sum() is compensated)
        i, terms = len(ours), _summands(step, ours)
        assert same_float(node.data, tensor.item(), sum(map(abs, terms)), 2 + len(terms)), (
            f"v{i} = {step.source()}: chainrule computes {node.data!r}, torch "
            f"{tensor.item()!r} from the same inputs\n{program!r}"
        )
        tensor.data.fill_(node.data)  # .data: the saved result changes too, untracked
        ours.append(node)
        theirs.append(be.keep(tensor))
    ours[-1].backward()
    theirs[-1].backward()
    grads = [node.grad for node in ours]
    scales = gradient_scales(ours[-1])
    for i, (mine, tensor) in enumerate(zip(grads, theirs)):
        tolerance = rel * scales.get(ours[i], 0.0)
        tolerance = 0.0 if math.isnan(tolerance) else tolerance  # a nan slope: exact only
        theirs_grad = be.grad(tensor)
        assert agree(mine, theirs_grad, tolerance), (
            f"d out/d v{i}: chainrule {mine!r}, torch {theirs_grad!r} (tolerance "
            f"{tolerance:.3g})\n{program!r}"
        )
