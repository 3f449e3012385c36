"""Gradients of gradients: the table's rules run on Values, so the backward pass is a graph.

With create_graph the chain rule is the same loop as backprop's, but each node's rule
runs on `VALUES`, an arithmetic whose operations make Value nodes; the gradient that comes
out is a graph over the same leaves, which backward(), grad() and hessian() can
differentiate again, to any order. Numbers (constants, params) stay plain floats.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from . import _floats as F
from .backprop import grad, topological_order
from .value import Value, as_floats, op_form, rule_operands, to_parents


def _lifted(name: str) -> Callable[[Any], Any]:
    """f(x) as the Value op f on a Value, and as the float function on a number."""
    method = getattr(Value, name)
    on_float = getattr(F, name)

    def apply(x: Any) -> Any:
        return method(x) if isinstance(x, Value) else on_float(x)

    return apply


def _data(x: Any) -> float:
    return x.data if isinstance(x, Value) else x


class VALUES:
    """The rules' arithmetic for create_graph: `+ - * / **` on Values already record nodes;
    these are the named functions. A branch is decided on the data, once, as PyTorch's
    double backward decides it; sign() is a constant (its derivative is 0)."""

    exp, log, sqrt, sin, cos = map(_lifted, ("exp", "log", "sqrt", "sin", "cos"))
    sigmoid, erf = _lifted("sigmoid"), _lifted("erf")

    @staticmethod
    def div(a: Any, b: Any) -> Any:
        return a / b if isinstance(a, Value) or isinstance(b, Value) else F.div(a, b)

    @staticmethod
    def pow(x: Any, y: Any) -> Any:
        return x**y if isinstance(x, Value) or isinstance(y, Value) else F.pow(x, y)

    @staticmethod
    def pow_scalar(x: Any, c: float) -> Any:
        return x**c if isinstance(x, Value) else F.pow_scalar(x, c)

    @staticmethod
    def sign(x: Any) -> float:
        return F.sign(_data(x))

    @staticmethod
    def eq(a: Any, b: Any) -> bool:
        return _data(a) == _data(b)

    # these only select and multiply, which Values already do: the float versions serve
    where = staticmethod(F.where)
    scale = staticmethod(F.scale)
    repeat = staticmethod(F.repeat)
    one_hot = staticmethod(F.one_hot)


def grad_graph(output: Value, inputs: Sequence[Value]) -> list[Value]:
    """d output / d x for each x in inputs, as Values that are graphs over the leaves.

    Only nodes on a path from output to an input are visited. `.grad` is never touched.
    """
    order = topological_order(output)
    wanted = set(inputs)
    on_path = set()
    for node in order:  # parents first: a node leads to an input if one of its parents does
        if node in wanted or any(p in on_path for p in node.parents):
            on_path.add(node)
    grads: dict[Value, Any] = {output: 1.0}
    for node in reversed(order):
        g = grads.get(node)
        if g is None or not node.op or node not in on_path:
            continue
        rule = op_form(node).op.rule  # type: ignore[union-attr]
        sends = to_parents(node, rule(VALUES, g, node, *rule_operands(node)))
        for parent, send in zip(node.parents, sends):
            if parent not in on_path:
                continue
            so_far = grads.get(parent)
            grads[parent] = send if so_far is None else so_far + send
    results = []
    for x in inputs:
        d = grads.get(x, 0.0)
        results.append(d if isinstance(d, Value) else Value(d))
    return results


def hessian(f: Callable[..., Value], xs: Sequence[float]) -> list[list[float]]:
    """The n x n matrix d^2 f / dx_i dx_j at xs, as lists of floats.

    f is called with one Value per number in xs and must return a Value.
    """
    values = [Value(x) for x in as_floats(xs, "hessian()", what="xs to be a")]
    out = f(*values)
    if not isinstance(out, Value):
        raise TypeError(f"hessian() expects f to return a Value, got {type(out).__name__}")
    return [grad(d, values) for d in grad_graph(out, values)]
