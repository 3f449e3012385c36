"""Hypothesis strategies: floats by domain, and random programs (DAGs) over every op.

The ops are the engine's op table (autograd/ops.py), read, not listed: a new op is drawn
as soon as it is defined. A program is a list of steps over numbered nodes, each applied
by a backend, so it runs on chainrule Values and on torch float64 tensors alike
(tinygrad's habit). tests/torch_oracle.py runs a program on both engines side by side and
compares every node.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from hypothesis import assume
from hypothesis import strategies as st

import autograd
from autograd import ops

INF = math.inf
NAN = math.nan
MIN_NORMAL = 2.2250738585072014e-308
SUBNORMALS = (5e-324, -5e-324, 1e-310, -1e-310, MIN_NORMAL / 2)
# IEEE edges, and where exp, sigmoid and pow overflow or underflow
EDGE_VALUES = (
    0.0,
    -0.0,
    1e308,
    -1e308,
    INF,
    -INF,
    NAN,
    *SUBNORMALS,
    MIN_NORMAL,
    -MIN_NORMAL,
    1.0,
    -1.0,
    0.5,
    -0.5,
    2.0,
    -2.0,
    3.0,
    -3.0,
    709.0,
    710.0,
    -745.0,
    1e-300,
    1e154,
)
# exponents where pow takes a shortcut (x*x, sqrt, 1/x, ...) or changes behaviour
SPECIAL_EXPONENTS = (0.0, -0.0, 1.0, 2.0, 3.0, 0.5, -0.5, -1.0, -2.0, 2.5, -1.5, 5.0, -3.0)


# --- floats by domain ---------------------------------------------------------------


def reals(low: float = -4.0, high: float = 4.0) -> st.SearchStrategy[float]:
    """Finite floats in [low, high]: the normal range."""
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def positives(low: float = 0.1, high: float = 4.0) -> st.SearchStrategy[float]:
    """Floats in [low, high] with low > 0: inside the domain of log, sqrt and x**y."""
    return reals(low, high)


def away_from_zero(low: float = 0.1, high: float = 4.0) -> st.SearchStrategy[float]:
    """Floats with low <= |x| <= high, either sign: off the kinks of relu and abs, off poles."""
    return st.builds(lambda x, negative: -x if negative else x, reals(low, high), st.booleans())


def op_inputs(op: ops.Op, n: int = 3) -> st.SearchStrategy[tuple[float, ...]]:
    """Operands for op drawn from its table domain (n of them for a many-input op)."""
    domains = op.domain if op.arity > 0 else op.domain * n
    return st.tuples(*[reals(low, high) for low, high in domains])


def edge_floats() -> st.SearchStrategy[float]:
    """Any float, often an IEEE edge: 0, -0.0, +-1e308, +-inf, nan, subnormals."""
    return st.one_of(st.sampled_from(EDGE_VALUES), reals(-10.0, 10.0), st.floats())


# --- the ops: the engine's op table, applied through a backend ------------------------
# Each backend (ValueBackend here, torch_oracle.TorchBackend) applies a table op by name;
# "neg" and "-" are Value's derived operators, spelled the same for both engines.

Ref = int | float  # an int names an earlier node; a float is a constant operand

PARAM_VALUES = (0.01, 0.2, 1.0, 1.7)  # leaky_relu's slope and elu's alpha, when drawn
DERIVED_UNARY: dict[str, Callable] = {"neg": lambda be, a: -a}
DERIVED_BINARY: dict[str, Callable] = {"-": lambda be, a, b: a - b}
UNARY: dict[str, Callable] = {
    **DERIVED_UNARY,
    **{
        op.name: (lambda be, a, *params, _name=op.name: be.unary(_name, a, *params))
        for op in ops.UNARY
    },
}
BINARY: dict[str, Callable] = {  # either side may be a constant
    **{
        op.name: (lambda be, a, b, _name=op.name: be.binary(_name, a, b))
        for op in ops.OPS.values()
        if op.arity == 2 and op.key == op.name
    },
    **DERIVED_BINARY,
}
FUSED = tuple(op.name for op in ops.OPS.values() if op.arity < 0)  # dot, sum, max, min
ALL_OPS = tuple(UNARY) + tuple(BINARY) + FUSED


@dataclass(frozen=True)
class Step:
    """One node: an op and its operands (node indices or constants; a unary op's param,
    such as leaky_relu's slope, follows its operand)."""

    op: str
    args: tuple[Ref, ...]

    def apply(self, be: object, nodes: Sequence) -> object:
        operands = [nodes[a] if isinstance(a, int) else a for a in self.args]
        if self.op in UNARY:
            return UNARY[self.op](be, *operands)
        if self.op in BINARY:
            return BINARY[self.op](be, *operands)
        return be.fused(self.op, operands)

    def source(self) -> str:
        r = [f"v{a}" if isinstance(a, int) else repr(a) for a in self.args]
        if self.op in UNARY:
            return f"-{r[0]}" if self.op == "neg" else f"{self.op}({', '.join(r)})"
        if self.op in BINARY:
            return f"{r[0]} {self.op} {r[1]}"
        if self.op == "dot":
            k = (len(r) - 1) // 2
            return f"dot([{', '.join(r[:k])}], [{', '.join(r[k : 2 * k])}], {r[-1]})"
        return f"{ops.OPS[self.op].function}([{', '.join(r)}])"


def split_dot(operands: Sequence) -> tuple[Sequence, Sequence, object]:
    """A dot step's operands as (weights, inputs, bias): k weights, k inputs, the bias."""
    k = (len(operands) - 1) // 2
    return operands[:k], operands[k : 2 * k], operands[-1]


@dataclass(frozen=True, repr=False)
class Program:
    """Inputs v0..v(n-1), then one node per step; the last node is the output."""

    inputs: tuple[float, ...]
    steps: tuple[Step, ...]

    def __repr__(self) -> str:
        lines = [f"v{i} = {x!r}" for i, x in enumerate(self.inputs)]
        lines += [f"v{len(self.inputs) + i} = {s.source()}" for i, s in enumerate(self.steps)]
        return "Program:\n    " + "\n    ".join(lines)

    def _repr_pretty_(self, printer: object, cycle: bool) -> None:  # hypothesis prints this
        printer.text(repr(self))

    def run(self, be: object, leaves: Sequence | None = None) -> list:
        """Every node, inputs first, built with backend `be` (ValueBackend, TorchBackend)
        from the given leaves, or from new leaves holding the inputs."""
        nodes = [be.leaf(x) for x in self.inputs] if leaves is None else list(leaves)
        for step in self.steps:
            nodes.append(be.keep(step.apply(be, nodes)))
        return nodes


class ValueBackend:
    """chainrule: each table op as the Value method, operator or autograd function that
    makes it (the table names the method and the function)."""

    leaf = staticmethod(autograd.Value)
    keep = staticmethod(lambda node: node)
    _OPERATORS = {"+": operator.add, "*": operator.mul, "/": operator.truediv, "**": operator.pow}

    @staticmethod
    def unary(name: str, a: autograd.Value, *params: float) -> autograd.Value:
        return getattr(a, ops.OPS[name].method)(*params)

    @classmethod
    def binary(cls, name: str, a: object, b: object) -> autograd.Value:
        return cls._OPERATORS[name](a, b)

    @staticmethod
    def fused(name: str, operands: Sequence) -> autograd.Value:
        function = getattr(autograd, ops.OPS[name].function)
        return function(*split_dot(operands)) if name == "dot" else function(operands)


# --- random programs ------------------------------------------------------------------

Guard = Callable[[Step, Sequence[float], float], bool]


def _well_conditioned(step: Step, operands: Sequence[float], result: float) -> bool:
    """The normal range: off poles and domain edges, no overflow, moderate slopes."""
    if not (math.isfinite(result) and abs(result) <= 1e3):
        return False
    op = step.op
    table = ops.OPS.get(op)
    low = table.domain[0][0] if table is not None and table.arity == 1 else -math.inf
    if abs(low) < 1.0:  # a domain that starts near 0 stops short of a pole or an edge
        return operands[0] >= low - 0.05  # log and sqrt at 0, log1p at -1
    if op == "exp":
        return operands[0] <= 5.0
    if op == "/":
        return abs(operands[1]) >= 0.05
    if op == "**":
        base, exponent = operands  # a negative base only for a constant integer exponent
        integer = exponent == math.floor(exponent) and isinstance(step.args[1], float)
        return abs(exponent) <= 4.0 and (base >= 0.05 or (integer and abs(base) >= 0.05))
    return True


def _anything(step: Step, operands: Sequence[float], result: float) -> bool:
    return True


@st.composite
def _programs(
    draw,
    number: st.SearchStrategy[float],
    exponent: st.SearchStrategy[float],
    guard: Guard,
    max_nodes: int,
) -> Program:
    inputs = tuple(draw(st.lists(number, min_size=1, max_size=4)))
    # values alongside, so that a guard can refuse an op where it is ill-conditioned
    with autograd.no_grad():
        values = [autograd.Value(x) for x in inputs]
        steps: list[Step] = []
        n_steps = draw(st.integers(1, max_nodes - 1 - len(inputs)))
        for _ in range(4 * n_steps):  # a refused op is redrawn, a few times at most
            if len(steps) == n_steps:
                break
            step = _draw_step(draw, len(values), number, exponent)
            node = step.apply(ValueBackend, values)
            operands = [values[a].data if isinstance(a, int) else a for a in step.args]
            if guard(step, operands, node.data):
                steps.append(step)
                values.append(node)
    assume(steps)
    sinks = _sinks(len(inputs), steps)
    if len(sinks) > 1:  # every node reaches the output, so every gradient is tested
        steps.append(Step("sum", tuple(sinks)))
    return Program(inputs, tuple(steps))


def _draw_step(
    draw, n: int, number: st.SearchStrategy[float], exponent: st.SearchStrategy[float]
) -> Step:
    node = st.integers(0, n - 1)
    op = draw(st.sampled_from(ALL_OPS))
    if op in UNARY:
        params = ops.OPS[op].params if op in ops.OPS else ()
        return Step(op, (draw(node), *[draw(st.sampled_from(PARAM_VALUES)) for _ in params]))
    if op in FUSED:
        k = draw(st.integers(1, 3))
        size = 2 * k + 1 if op == "dot" else k + 1
        refs = draw(st.lists(st.one_of(node, node, number), min_size=size, max_size=size))
        if not any(isinstance(r, int) for r in refs):
            refs[0] = draw(node)
        return Step(op, tuple(refs))
    a = draw(node)
    shape = draw(st.sampled_from(("nodes", "same node", "constant right", "constant left")))
    constant = exponent if op == "**" else number
    if shape == "nodes":
        return Step(op, (a, draw(node)))
    if shape == "same node":  # one node used twice by one op: a + a, a * a, a ** a
        return Step(op, (a, a))
    if shape == "constant right":
        return Step(op, (a, draw(constant)))
    return Step(op, (draw(number), a))


def _sinks(n_inputs: int, steps: Sequence[Step]) -> list[int]:
    used = {a for s in steps for a in s.args if isinstance(a, int)}
    return [i for i in range(n_inputs + len(steps)) if i not in used]


def normal_programs(max_nodes: int = 40) -> st.SearchStrategy[Program]:
    """Random DAGs of 2 to max_nodes nodes in the normal range: finite, off poles and
    domain edges (kinks are allowed: both engines take PyTorch's one-sided slopes)."""
    exponent = st.one_of(st.sampled_from(SPECIAL_EXPONENTS), reals(-3.0, 3.0))
    return _programs(reals(-3.0, 3.0), exponent, _well_conditioned, max_nodes)


def edge_programs(max_nodes: int = 12) -> st.SearchStrategy[Program]:
    """Random DAGs whose inputs and constants are often IEEE edges (0, -0.0, inf, nan, ...)."""
    exponent = st.one_of(st.sampled_from(SPECIAL_EXPONENTS), edge_floats())
    return _programs(edge_floats(), exponent, _anything, max_nodes)
