"""The op table: every primitive op defined once, its forward beside its derivative rule.

A rule is written against an arithmetic `m` rather than against floats:
`rule(m, g, out, *operands, *params)` returns the gradient sent to each operand (bare for
a one-operand op, else one per operand), where `g` is the upstream gradient and `out` the
op's result. The same rule runs on three arithmetics: `_floats` for the ordinary backward
(floats in, floats out), `higher.VALUES` for create_graph (Values in, a graph of the
gradient out) and compile's symbols (names in, Python source out). Branches on data go
through `m.where` and `m.eq`, so each arithmetic decides them at its own time.

Everything that lists ops (Value's methods, the command line's functions, the drawing's
symbols, the tests' tables, README) reads this table; a test walks them all.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import _floats as F

Interval = tuple[float, float]
WIDE: Interval = (-4.0, 4.0)
POSITIVE: Interval = (0.1, 4.0)

SQRT1_2 = 0.7071067811865476  # 1 / sqrt(2), as C's M_SQRT1_2
TWO_OVER_SQRTPI = 1.1283791670955126  # 2 / sqrt(pi), as C's M_2_SQRTPI


@dataclass(frozen=True)
class Op:
    """One primitive op: what it computes, its derivative, and what its consumers need.

    name: the node's `op` ("+", "tanh"); method: the Value method that makes it ("" for
    operators and many-input ops); cli: the function name `chainrule graph` accepts ("" for
    none); symbol: what the drawing's op circle shows; domain: an interval per operand,
    off kinks and poles, that tests sample from; params: named constants with defaults
    (leaky_relu's slope); arity: operands, or -1 for a many-input op.
    """

    name: str
    arity: int
    forward: Callable[..., float]
    rule: Callable[..., Any]
    symbol: str
    method: str = ""
    cli: str = ""
    domain: tuple[Interval, ...] = (WIDE,)
    params: tuple[tuple[str, float], ...] = ()
    doc: str = ""
    function: str = ""  # the autograd function that makes a many-input op
    key: str = field(default="")  # the table's key; the name, but for pow's scalar form

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", self.key or self.name)


OPS: dict[str, Op] = {}


def _define(op: Op) -> Op:
    OPS[op.key] = op
    return op


# The table. Each row: name, forward, derivative rule, then what the consumers need.
# fmt: off

# --- two operands; either may be a number (a constant, not a node) --------------------

def _binary(name: str, forward: Callable[..., float], rule: Callable[..., Any], symbol: str,
            doc: str, domain: tuple[Interval, ...] = (WIDE, WIDE), key: str = "") -> Op:
    return _define(Op(name, 2, forward, rule, symbol, domain=domain, doc=doc, key=key))


ADD = _binary("+", operator.add, lambda m, g, out, x, y: (g, g), "+", "d(x + y) = (1, 1)")
MUL = _binary("*", operator.mul, lambda m, g, out, x, y: (g * y, g * x), "×", "d(x y) = (y, x)")
# d/dy = -x / y^2, computed as -(x / y) / y from the output, as PyTorch does
DIV = _binary("/", F.div, lambda m, g, out, x, y: (m.div(g, y), -g * m.div(out, y)), "÷",
              "d(x / y) = (1 / y, -x / y^2)", domain=(WIDE, (0.5, 4.0)))


def _pow_rule(m: Any, g: Any, out: Any, x: Any, y: Any) -> tuple[Any, Any]:
    # PyTorch's conventions: d/dx is 0 where y == 0; d/dy is 0 where x == 0 and y >= 0
    dx = m.where(m.eq(y, 0.0), 0.0, g * (y * m.pow(x, y - 1.0)))
    dy = g * m.where(m.eq(x, 0.0) & (y >= 0.0), 0.0, out * m.log(x))
    return dx, dy


def _pow_scalar_rule(m: Any, g: Any, out: Any, x: Any, c: float) -> tuple[Any, float]:
    return m.where(c == 0.0, 0.0, g * (c * m.pow_scalar(x, c - 1.0))), 0.0


POW = _binary("**", F.pow, _pow_rule, "^", "d(x^y) = (y x^(y-1), x^y log x)",
              domain=(POSITIVE, WIDE))
# x ** c for a number c takes PyTorch's shortcuts (x*x for 2, sqrt for 0.5, ...) both ways
POW_SCALAR = _binary("**", F.pow_scalar, _pow_scalar_rule, "^", "d(x^c) = c x^(c-1)",
                     domain=(POSITIVE, WIDE), key="pow_scalar")

# --- one operand ----------------------------------------------------------------------


def _unary(name: str, forward: Callable[..., float], rule: Callable[..., Any], doc: str,
           symbol: str = "", domain: Interval = WIDE, method: str = "",
           params: tuple[tuple[str, float], ...] = ()) -> Op:
    return _define(Op(name, 1, forward, rule, symbol or name, method=method or name, cli=name,
                      domain=(domain,), params=params, doc=doc))


_EXP20 = F.exp(20.0)


def _softplus_rule(m: Any, g: Any, out: Any, x: Any) -> Any:
    # d/dx = e^x / (e^x + 1), written as PyTorch's kernel writes it. At the threshold
    # itself e^x is a constant, so the second derivative there is PyTorch's 0 (its double
    # backward tests x < 20 where the first derivative tests x > 20)
    z = m.where(m.eq(x, 20.0), _EXP20, m.exp(x))
    return m.where(x > 20.0, g, m.div(g * z, z + 1.0))


def _silu_rule(m: Any, g: Any, out: Any, x: Any) -> Any:
    s = m.sigmoid(x)
    return g * s * (1.0 + x * (1.0 - s))


def _gelu_rule(m: Any, g: Any, out: Any, x: Any) -> Any:
    cdf = 0.5 * (1.0 + m.erf(x * SQRT1_2))
    pdf = 0.5 * TWO_OVER_SQRTPI * SQRT1_2 * m.exp(x * x * -0.5)
    return g * (cdf + x * pdf)


def _elu_rule(m: Any, g: Any, out: Any, x: Any, alpha: float) -> Any:
    # at 0, e^x is the constant 1: PyTorch's double backward tests x < 0, not x <= 0
    return m.where(x <= 0.0, g * alpha * m.where(x < 0.0, m.exp(x), 1.0), g)


_unary("exp", F.exp, lambda m, g, out, x: g * out, "e^x; d/dx = e^x")
_unary("log", F.log, lambda m, g, out, x: m.div(g, x), "natural log; d/dx = 1/x",
       domain=POSITIVE)
_unary("sqrt", F.sqrt, lambda m, g, out, x: m.div(g, 2.0 * out),
       "square root; d/dx = 1 / (2 sqrt x), inf at 0", symbol="√", domain=POSITIVE)
# 1 - t^2 factored: no cancellation as |t| -> 1
_unary("tanh", F.tanh, lambda m, g, out, x: g * ((1.0 - out) * (1.0 + out)),
       "hyperbolic tangent; d/dx = 1 - tanh(x)^2", domain=(-3.0, 3.0))
_unary("sigmoid", F.sigmoid, lambda m, g, out, x: g * (1.0 - out) * out,
       "logistic s(x) = 1 / (1 + e^-x); d/dx = s (1 - s)", symbol="σ", domain=(-8.0, 8.0))
_unary("relu", F.relu, lambda m, g, out, x: m.where(out <= 0.0, 0.0, g),
       "max(x, 0); d/dx = 1 for x > 0, else 0 (0 at the kink)")
_unary("sin", F.sin, lambda m, g, out, x: g * m.cos(x), "sin x; d/dx = cos x")
_unary("cos", F.cos, lambda m, g, out, x: g * -m.sin(x), "cos x; d/dx = -sin x")
_unary("abs", abs, lambda m, g, out, x: g * m.sign(x), "|x|; d/dx = sign x (0 at the kink)",
       symbol="|·|", method="__abs__")
_unary("log1p", F.log1p, lambda m, g, out, x: m.div(g, x + 1.0),
       "log(1 + x), exact for small x; d/dx = 1 / (1 + x)", domain=(-0.5, 4.0))
_unary("softplus", F.softplus, _softplus_rule,
       "log(1 + e^x), x itself past 20 (PyTorch's threshold); d/dx = sigmoid x")
_unary("silu", F.silu, _silu_rule, "x sigmoid(x); d/dx = s (1 + x (1 - s))")
# x ** 2 rather than x * x, as PyTorch's formula: its double backward is nan where 2x overflows
_unary("erf", F.erf, lambda m, g, out, x: g * (TWO_OVER_SQRTPI * m.exp(-m.pow_scalar(x, 2.0))),
       "error function; d/dx = 2/sqrt(pi) e^(-x^2)")
_unary("gelu", F.gelu, _gelu_rule,
       "x Phi(x), Phi the normal CDF (erf form); d/dx = Phi(x) + x phi(x)")
_unary("atan", F.atan, lambda m, g, out, x: m.div(g, x * x + 1.0),
       "arctangent; d/dx = 1 / (1 + x^2)")
_unary("leaky_relu", F.leaky_relu, lambda m, g, out, x, slope: m.where(x > 0.0, g, g * slope),
       "x for x > 0, else slope x; d/dx = 1 or slope (slope at 0)", params=(("slope", 0.01),))
_unary("elu", F.elu, _elu_rule, "x for x > 0, else alpha (e^x - 1); d/dx = 1 or alpha e^x",
       params=(("alpha", 1.0),))

UNARY = tuple(op for op in OPS.values() if op.arity == 1)

# --- many operands as one node: the rule's operands are per-op (see fused.py) ----------


def _many(name: str, forward: Callable[..., float], rule: Callable[..., Any], symbol: str,
          function: str, doc: str, cli: str = "") -> Op:
    return _define(Op(name, -1, forward, rule, symbol, cli=cli, function=function, doc=doc))


DOT = _many("dot", F.dot, lambda m, g, out, partners: m.scale(g, partners), "w·x+b", "dot",
            "sum w_i x_i + b; d/dw_i = x_i, d/dx_i = w_i, d/db = 1")
SUM = _many("sum", F.total, lambda m, g, out, n: m.repeat(g, n), "Σ", "sum_values",
            "a + b + ...; d/d(each) = 1", cli="sum")


def _to_winner(m: Any, g: Any, out: Any, n: int, winner: int) -> Any:
    """max and min: the whole gradient to the winning operand, 0 to the others."""
    return m.one_hot(g, n, winner)


MAX = _many("max", F.largest, _to_winner, "max", "max_values",
            "the largest; the gradient goes to the first largest", cli="max")
MIN = _many("min", F.smallest, _to_winner, "min", "min_values",
            "the smallest; the gradient goes to the first smallest", cli="min")

# fmt: on


# --- the ordinary backward: each rule on floats, read from the node --------------------
# A node keeps its first parent in `_parents`, its second in `_second`, a number operand
# or a param in `_saved`; these adapters feed the rule those floats. FORMS maps an
# adapter back to its op and to which operand, if any, is a number.


@dataclass(frozen=True)
class Form:
    """How a node of `op` holds its operands: 'x' one Value (and its params), 'xy' two
    Values, 'xc' a Value and a number, 'cx' a number and a Value, 'many' a fused op's
    tuple, whose `operands(node)` gives its rule's operands (see fused.py)."""

    op: Op
    layout: str
    operands: Callable[[Any], tuple[Any, ...]] | None = None


FORMS: dict[Callable[..., Any], Form] = {}


def _form(
    op: Op,
    layout: str,
    back: Callable[..., Any],
    operands: Callable[[Any], tuple[Any, ...]] | None = None,
) -> Callable[..., Any]:
    FORMS[back] = Form(op, layout, operands)
    return back


def many_form(
    op: Op, back: Callable[..., Any], operands: Callable[[Any], tuple[Any, ...]]
) -> Callable[..., Any]:
    """Register a fused op's float backward and how to read its rule's operands off a node."""
    return _form(op, "many", back, operands)


def _float_backs(op: Op) -> dict[str, Callable[..., Any]]:
    rule = op.rule
    if op.arity == 1 and op.params:
        return {
            "x": _form(
                op, "x", lambda node, g: rule(F, g, node.data, node._parents.data, node._saved)
            )
        }
    if op.arity == 1:
        return {"x": _form(op, "x", lambda node, g: rule(F, g, node.data, node._parents.data))}
    return {
        "xy": _form(
            op, "xy", lambda node, g: rule(F, g, node.data, node._parents.data, node._second.data)
        ),
        "xc": _form(
            op, "xc", lambda node, g: rule(F, g, node.data, node._parents.data, node._saved)[0]
        ),
        "cx": _form(
            op, "cx", lambda node, g: rule(F, g, node.data, node._saved, node._parents.data)[1]
        ),
    }


BACKS: dict[str, dict[str, Callable[..., Any]]] = {
    key: _float_backs(op) for key, op in OPS.items() if op.arity > 0
}


def form_of(rule: Callable[..., Any] | None) -> Form | None:
    """The op and operand layout behind a node's backward function (None for a leaf)."""
    return None if rule is None else FORMS.get(rule)
