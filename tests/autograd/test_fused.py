"""dots, a layer's W x + b: the same nodes as one dot per row, whatever the inputs are."""

from __future__ import annotations

import pytest

import autograd
from autograd import Value, dot, dots


def _layer(inputs_are_values: bool, mixed: bool = False):
    rows = [[Value(0.5 * i - j) for i in range(3)] for j in range(4)]
    biases = [Value(0.25 * j) for j in range(4)]
    inputs = [Value(x) if inputs_are_values else x for x in (0.3, -1.2, 2.0)]
    if mixed:
        inputs[1] = -1.2  # a number among Values: a constant, not a parent
    return rows, inputs, biases


@pytest.mark.parametrize(
    "inputs_are_values, mixed",
    [(True, False), (False, False), (True, True)],
    ids=["value inputs", "float inputs", "mixed inputs"],
)
def test_dots_makes_the_nodes_one_dot_per_row_makes(inputs_are_values: bool, mixed: bool) -> None:
    rows, inputs, biases = _layer(inputs_are_values, mixed)
    fused = dots(rows, inputs, biases)
    single = [dot(w, inputs, b) for w, b in zip(rows, biases)]
    assert [y.data for y in fused] == [y.data for y in single]
    assert [y.parents for y in fused] == [y.parents for y in single]
    assert all(y.op == "dot" for y in fused)

    grads = []
    for outputs in (fused, single):
        for p in [*sum(rows, []), *biases, *inputs]:
            if isinstance(p, Value):
                p.grad = 0.0
        autograd.sum_values([y * (k + 1.0) for k, y in enumerate(outputs)]).backward()
        grads.append([p.grad for p in [*sum(rows, []), *biases, *inputs] if isinstance(p, Value)])
    assert grads[0] == grads[1]


def test_dots_reads_any_iterables_and_a_row_of_numbers_stays_constant() -> None:
    x = [Value(1.0), Value(2.0)]
    (y,) = dots(iter([(3.0, Value(4.0))]), iter(x), iter([0.5]))
    assert (
        y.data == 3.0 + 8.0 + 0.5 and len(y.parents) == 3
    )  # w1, x0, x1; 3.0 and 0.5 are constants


def test_dots_names_what_does_not_fit() -> None:
    w = [Value(1.0), Value(2.0)]
    with pytest.raises(ValueError, match="a bias per row, got 2 rows and 1 biases"):
        dots([w, w], [1.0, 2.0], [Value(0.0)])
    with pytest.raises(ValueError, match="3 weights and 2 inputs"):
        dots([w, [*w, Value(3.0)]], [1.0, 2.0], [0.0, 0.0])


def test_dots_of_no_rows_is_an_empty_list() -> None:
    assert dots([], [1.0, 2.0], []) == []
