"""Many-input ops as one node: dot (w . x + b), dots (a layer's W x + b) and sum_values.

Built from binary ops, a neuron with n inputs is 2n nodes; fused, it is one node with
n to 2n + 1 parents. The math is unchanged (the gradient to each operand is the other
operand's value times the upstream gradient); there are just fewer nodes to create,
sort and free, and a neuron's graph reads as one step. Numbers among the operands are
constants, not graph nodes.
"""

from __future__ import annotations

import operator
from itertools import compress, repeat
from typing import Callable, Iterable, Iterator, List, Optional, Sequence, Tuple

from .value import Operand, Value, _as_float, _node

_JUST_FLOAT = {float}


def _split(operands: Sequence[Operand]) -> Tuple[List[bool], List[float]]:
    """Which operands are Values, and every operand's float."""
    is_value = [isinstance(x, Value) for x in operands]
    floats = [x.data if v else _as_float(x) for x, v in zip(operands, is_value)]
    return is_value, floats


def dot(weights: Iterable[Operand], inputs: Iterable[Operand], bias: Operand = 0.0) -> Value:
    """sum_i w_i x_i + bias as one node; d/dw_i = x_i, d/dx_i = w_i, d/dbias = 1."""
    return dots([weights], inputs, [bias])[0]


def dots(rows: Iterable[Iterable[Operand]], inputs: Iterable[Operand],
         biases: Iterable[Operand]) -> List[Value]:
    """A layer's W x + b: dot(w, inputs, b) for each row w of weights and its bias b.

    One node per row, as dot makes; the inputs are read once for all the rows.
    """
    inputs = inputs if type(inputs) is list else list(inputs)
    rows, biases = list(rows), list(biases)
    if len(rows) != len(biases):
        raise ValueError(f"dots() needs a bias per row, got {len(rows)} rows and {len(biases)} biases")
    x = [v.data for v in inputs if type(v) is Value]
    if len(x) == len(inputs):  # all Values (a hidden layer's inputs): each is a parent
        x_parents: Optional[list] = inputs
    elif not x and set(map(type, inputs)) <= _JUST_FLOAT:  # all floats (a first layer's): constants
        x, x_parents = inputs, []
    else:  # a mix, sorted out operand by operand below
        x_parents = None
    out = []
    for weights, bias in zip(rows, biases):
        weights = weights if type(weights) is list else list(weights)
        if len(weights) != len(inputs):
            raise ValueError(f"dot() needs equal lengths, got {len(weights)} weights and {len(inputs)} inputs")
        w = [v.data for v in weights if type(v) is Value]
        if x_parents is not None and len(w) == len(weights) and type(bias) is Value:  # a neuron
            b, parents = bias.data, (*weights, *x_parents, bias)
            local = (*x, *w, 1.0) if x_parents else (*x, 1.0)
            row_x = x
        else:
            w, row_x, b, parents, local = _dot_operands(weights, inputs, bias)
        data = sum(map(operator.mul, w, row_x), 0.0) + b
        # local derivatives are floats saved at forward time, as PyTorch saves tensors
        out.append(_node(data, parents, "dot", _dot_back, local))
    return out


def _dot_operands(weights: list, inputs: list, bias: Operand) -> tuple:
    """For any mix of Values and numbers: the floats w, x and b; the Values among the
    operands (the parents), in order weights, inputs, bias; and d dot / d parent for
    each: x_i, w_i or 1."""
    w_is_value, w = _split(weights)
    x_is_value, x = _split(inputs)
    b_is_value, (b,) = _split([bias])
    parents = (*compress(weights, w_is_value), *compress(inputs, x_is_value), *compress([bias], b_is_value))
    local = (*compress(x, w_is_value), *compress(w, x_is_value), *compress([1.0], b_is_value))
    return w, x, b, parents, local


def _dot_back(out: Value, g: float) -> Iterator[float]:
    return map(operator.mul, repeat(g), out._saved)  # lazy: consumed once, by the chain rule


def sum_values(values: Iterable[Operand]) -> Value:
    """a + b + ... as one node; d/d(each) = 1. Numbers among the values are constants."""
    values = list(values)
    is_value, floats = _split(values)
    return _node(sum(floats, 0.0), tuple(compress(values, is_value)), "sum", _sum_back)


def _sum_back(out: Value, g: float) -> Iterator[float]:
    return repeat(g, len(out._parents))


def max_values(values: Iterable[Operand]) -> Value:
    """The largest of values as one node; the gradient goes to the first largest operand
    (nan counts as largest, as PyTorch's max propagates it)."""
    return _extreme(values, "max", operator.gt)


def min_values(values: Iterable[Operand]) -> Value:
    """The smallest of values as one node; the gradient goes to the first smallest operand."""
    return _extreme(values, "min", operator.lt)


def _extreme(values: Iterable[Operand], op: str, beats: Callable[[float, float], bool]) -> Value:
    values = list(values)
    if not values:
        raise ValueError(f"{op}_values() needs at least one value, got none")
    is_value, floats = _split(values)
    best = 0
    for k in range(1, len(floats)):
        x = floats[k]
        if floats[best] != floats[best]:  # nan already won: it propagates
            break
        if x != x or beats(x, floats[best]):
            best = k
    parents = tuple(compress(values, is_value))
    winner = sum(is_value[:best]) if is_value[best] else -1  # its place among the parents
    return _node(floats[best], parents, op, _extreme_back, winner)


def _extreme_back(out: Value, g: float) -> List[float]:
    sends = [0.0] * len(out._parents)
    if out._saved >= 0:
        sends[out._saved] = g
    return sends
