"""Many-input ops as one node: dot (w . x + b), dots (a layer's W x + b), sum_values,
max_values and min_values. Their forwards and rules are in the op table (ops.py).

Built from binary ops, a neuron with n inputs is 2n nodes; fused, it is one node with
n to 2n + 1 parents. The math is unchanged (the gradient to each operand is the other
operand's value times the upstream gradient); there are just fewer nodes to create,
sort and free, and a neuron's graph reads as one step. Numbers among the operands are
constants, not graph nodes.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from itertools import compress
from typing import Any

from . import _floats as F
from . import ops
from .value import Operand, Value, as_float, make_node

_JUST_FLOAT = {float}
_SWAPPED = object()  # a dot node's marker: parents (*w, *x, b), all Values; see _dot_partners


def _split(operands: Sequence[Operand]) -> tuple[list[bool], list[float]]:
    """Which operands are Values, and every operand's float."""
    is_value = [isinstance(x, Value) for x in operands]
    floats = [x.data if v else as_float(x) for x, v in zip(operands, is_value)]
    return is_value, floats


# --- dot: the partner of each parent (x_i for w_i, w_i for x_i, 1 for b) ---------------
# The ordinary backward reads the partners' floats, saved at forward time as PyTorch
# saves tensors (`_saved`). A gradient of the gradient, and compile, need the operands
# themselves (Values, numbers in place): a neuron's are its own parents (`_second` marks
# which layout, no allocation); only a mix of Values and numbers keeps them in a tuple.


def _dot_back(node: Value, g: float) -> Any:
    return ops.DOT.rule(F, g, node.data, node._saved)


def forward_operands(node: Value) -> tuple[Any, ...]:
    """The operands of a fused node's forward as graph objects (Values, and floats for
    numbers), in the forward's order: (w, x, b) for dot, (values,) for sum, max and min."""
    if node.op != "dot":
        return (list(node._second or node._parents),)
    parents, layout = node._parents, node._second
    if layout is None:  # a neuron on constant inputs: parents (*w, b), saved (*x, 1.0)
        return list(parents[:-1]), list(node._saved[:-1]), parents[-1]
    if layout is _SWAPPED:  # a neuron on Value inputs: parents (*w, *x, b)
        n = (len(parents) - 1) // 2
        return list(parents[:n]), list(parents[n : 2 * n]), parents[-1]
    return layout  # type: ignore[return-value]  # a mix: (w, x, b) kept as given


def _dot_partners(node: Value) -> tuple[Any]:
    """The rule's operand: each parent's partner, in parent order (the parents being the
    Values among w, then x, then b)."""
    w, x, b = forward_operands(node)
    partners = (
        *(xi for wi, xi in zip(w, x) if isinstance(wi, Value)),
        *(wi for wi, xi in zip(w, x) if isinstance(xi, Value)),
        *((1.0,) if isinstance(b, Value) else ()),
    )
    return (partners,)


_DOT_BACK = ops.many_form(ops.DOT, _dot_back, _dot_partners)


def dot(weights: Iterable[Operand], inputs: Iterable[Operand], bias: Operand = 0.0) -> Value:
    """sum_i w_i x_i + bias as one node; d/dw_i = x_i, d/dx_i = w_i, d/dbias = 1."""
    return dots([weights], inputs, [bias])[0]


def dots(
    rows: Iterable[Iterable[Operand]], inputs: Iterable[Operand], biases: Iterable[Operand]
) -> list[Value]:
    """A layer's W x + b: dot(w, inputs, b) for each row w of weights and its bias b.

    One node per row, as dot makes; the inputs are read once for all the rows.
    """
    inputs = inputs if type(inputs) is list else list(inputs)
    rows, biases = list(rows), list(biases)
    if len(rows) != len(biases):
        raise ValueError(
            f"dots() needs a bias per row, got {len(rows)} rows and {len(biases)} biases"
        )
    x = [v.data for v in inputs if type(v) is Value]
    if len(x) == len(inputs):  # all Values (a hidden layer's inputs): each is a parent
        x_parents: list | None = inputs
    elif not x and set(map(type, inputs)) <= _JUST_FLOAT:  # all floats (a first layer's): constants
        x, x_parents = inputs, []
    else:  # a mix, sorted out operand by operand below
        x_parents = None
    forward = ops.DOT.forward
    out = []
    for weights, bias in zip(rows, biases):
        weights = weights if type(weights) is list else list(weights)
        if len(weights) != len(inputs):
            raise ValueError(
                f"dot() needs equal lengths, got {len(weights)} weights and {len(inputs)} inputs"
            )
        w = [v.data for v in weights if type(v) is Value]
        if x_parents is not None and len(w) == len(weights) and type(bias) is Value:  # a neuron
            b, parents = bias.data, (*weights, *x_parents, bias)
            local = (*x, *w, 1.0) if x_parents else (*x, 1.0)
            row_x, layout = x, (_SWAPPED if x_parents else None)
        else:
            w, row_x, b, parents, local, layout = _dot_operands(weights, inputs, bias)
        out.append(make_node(forward(w, row_x, b), parents, "dot", _DOT_BACK, local, layout))
    return out


def _dot_operands(weights: list, inputs: list, bias: Operand) -> tuple:
    """For any mix of Values and numbers: the floats w, x and b; the Values among the
    operands (the parents), in order weights, inputs, bias; each parent's partner's float
    (x_i, w_i or 1); and the operands (w, x, b) as given, numbers as floats."""
    w_is_value, w = _split(weights)
    x_is_value, x = _split(inputs)
    b_is_value, (b,) = _split([bias])
    parents = (
        *compress(weights, w_is_value),
        *compress(inputs, x_is_value),
        *compress([bias], b_is_value),
    )
    local = (*compress(x, w_is_value), *compress(w, x_is_value), *compress([1.0], b_is_value))
    operands = (  # numbers as floats, Values as they are
        [v if is_v else f for v, is_v, f in zip(weights, w_is_value, w)],
        [v if is_v else f for v, is_v, f in zip(inputs, x_is_value, x)],
        bias if b_is_value[0] else b,
    )
    return w, x, b, parents, local, operands


# --- sum, max, min ---------------------------------------------------------------------


def _sum_back(node: Value, g: float) -> Any:
    return ops.SUM.rule(F, g, node.data, len(node._parents))


_SUM_BACK = ops.many_form(ops.SUM, _sum_back, lambda node: (len(node._parents),))


def sum_values(values: Iterable[Operand]) -> Value:
    """a + b + ... as one node; d/d(each) = 1. Numbers among the values are constants."""
    values = list(values)
    is_value, floats = _split(values)
    return make_node(
        ops.SUM.forward(floats),
        tuple(compress(values, is_value)),
        "sum",
        _SUM_BACK,
        second=_with_numbers(values, is_value, floats),
    )


def _with_numbers(values: list, is_value: list[bool], floats: list[float]) -> tuple | None:
    """All of a sum's (max's, min's) operands, numbers as floats, when some are numbers
    (they are not parents); None when all are Values. Read by forward_operands."""
    if all(is_value):
        return None
    return tuple(v if keep else f for v, keep, f in zip(values, is_value, floats))


def _extreme_operands(node: Value) -> tuple[int, int]:
    """max's and min's rule operands: how many parents, and the winner's place among them."""
    return len(node._parents), node._saved


def _extreme_backward(op: ops.Op) -> Any:
    rule = op.rule
    return ops.many_form(
        op, lambda node, g: rule(F, g, node.data, *_extreme_operands(node)), _extreme_operands
    )


_MAX_BACK, _MIN_BACK = _extreme_backward(ops.MAX), _extreme_backward(ops.MIN)


def max_values(values: Iterable[Operand]) -> Value:
    """The largest of values as one node; the gradient goes to the first largest operand
    (a nan is the largest: it propagates, as in PyTorch's max)."""
    return _extreme(values, ops.MAX, operator.gt, _MAX_BACK)


def min_values(values: Iterable[Operand]) -> Value:
    """The smallest of values as one node; the gradient goes to the first smallest operand."""
    return _extreme(values, ops.MIN, operator.lt, _MIN_BACK)


def _extreme(values: Iterable[Operand], op: ops.Op, beats: Any, back: Any) -> Value:
    values = list(values)
    if not values:
        raise ValueError(f"{op.name}_values() needs at least one value, got none")
    is_value, floats = _split(values)
    best = F.first_extreme(floats, beats)
    parents = tuple(compress(values, is_value))
    winner = sum(is_value[:best]) if is_value[best] else -1  # its place among the parents
    return make_node(
        floats[best], parents, op.name, back, winner, _with_numbers(values, is_value, floats)
    )
