"""Many-input ops as one node: dot (w . x + b) and sum_values (a + b + ...).

Built from binary ops, a neuron with n inputs is 2n nodes; fused, it is one node with
n to 2n + 1 parents. The math is unchanged (the gradient to each operand is the other
operand's value times the upstream gradient); there are just fewer nodes to create,
sort and free, and a neuron's graph reads as one step. Numbers among the operands are
constants, not graph nodes.
"""

from __future__ import annotations

import operator
from itertools import compress
from typing import Iterable, List, Sequence, Tuple

from .value import Operand, Value, _as_float, _node


def _split(operands: Sequence[Operand]) -> Tuple[List[bool], List[float]]:
    """Which operands are Values, and every operand's float."""
    is_value = [isinstance(x, Value) for x in operands]
    floats = [x.data if v else _as_float(x) for x, v in zip(operands, is_value)]
    return is_value, floats


def dot(weights: Iterable[Operand], inputs: Iterable[Operand], bias: Operand = 0.0) -> Value:
    """sum_i w_i x_i + bias as one node; d/dw_i = x_i, d/dx_i = w_i, d/dbias = 1."""
    weights, inputs = list(weights), list(inputs)
    if len(weights) != len(inputs):
        raise ValueError(f"dot() needs equal lengths, got {len(weights)} weights and {len(inputs)} inputs")
    w_is_value, w = _split(weights)
    x_is_value, x = _split(inputs)
    b_is_value, (b,) = _split([bias])
    data = sum(map(operator.mul, w, x), 0.0) + b
    parents = (*compress(weights, w_is_value), *compress(inputs, x_is_value))
    local = (*compress(x, w_is_value), *compress(w, x_is_value))
    if b_is_value[0]:
        parents, local = parents + (bias,), local + (1.0,)
    # local derivatives are floats saved at forward time, as PyTorch saves tensors
    return _node(data, parents, "dot", _dot_back, local)


def _dot_back(out: Value, g: float) -> List[float]:
    return [g * d for d in out._saved]


def sum_values(values: Iterable[Operand]) -> Value:
    """a + b + ... as one node; d/d(each) = 1. Numbers among the values are constants."""
    values = list(values)
    is_value, floats = _split(values)
    return _node(sum(floats, 0.0), tuple(compress(values, is_value)), "sum", _sum_back)


def _sum_back(out: Value, g: float) -> Tuple[float, ...]:
    return (g,) * len(out.parents)
