"""The structural facts behind chainrule's speed, checked without timing anything.

No reference cycles (a dropped graph is freed by reference counting alone), a neuron is
one or two nodes, a 1,000,000-deep chain runs at the default recursion limit, and a node
costs under 450 bytes. `python -m benchmarks` measures the times these facts buy.
"""

from __future__ import annotations

import gc
import sys
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

import nn
from autograd import Value, dot, topological_order


@contextmanager
def _collector_off() -> Iterator[None]:
    """Cyclic collector off, and nothing left over from before for it to find."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _interior_nodes(root: Value) -> list:
    return [node for node in topological_order(root) if node.parents]


def _training_step(model: nn.MLP, X: list, y: list) -> float:
    """The benchmark's step: hinge loss + 1e-4 L2, backward, SGD."""
    params = model.parameters()
    scores = [model(x) for x in X]
    loss = nn.losses.hinge(scores, [2.0 * label - 1.0 for label in y]) + 1e-4 * dot(params, params)
    model.zero_grad()
    loss.backward()
    for p in params:
        p.data -= 0.05 * p.grad
    return loss.data


def _values_alive() -> int:
    return sum(type(o) is Value for o in gc.get_objects())


def test_a_training_step_leaves_no_cyclic_garbage_and_frees_its_graph() -> None:
    model = nn.MLP(2, [16, 16, 1], seed=0)
    X, y = nn.data.moons(20, noise=0.1, seed=1)
    with _collector_off():
        before = _values_alive()
        _training_step(model, X, y)
        assert _values_alive() == before, "the step's graph outlived the step"
        assert gc.collect() == 0, "the step's graph held reference cycles"


def test_every_op_frees_its_graph_without_the_collector() -> None:
    with _collector_off():
        x, w = Value(0.7), Value(-1.3)
        y = (x * w + x / w - w**2 + 2.0**x).exp().log().sqrt().tanh().sigmoid()
        y = y.relu() + abs(-y).sin().cos() + dot([x, w, 1.0], [w, 2.0, x], w)
        y.backward()
        del y
        assert gc.collect() == 0, "some op's node refers back to itself"


@pytest.mark.parametrize("activation, nodes", [("relu", 2), ("tanh", 2), ("linear", 1)])
def test_a_neuron_of_n_inputs_is_one_or_two_nodes(activation: str, nodes: int) -> None:
    neuron = nn.Neuron(16, activation=activation, seed=0)
    for x in ([0.1 * i for i in range(16)], [Value(0.1 * i) for i in range(16)]):
        out = neuron(x)
        assert len(_interior_nodes(out)) == nodes, (
            "a neuron should be dot (+ activation), not 2n nodes"
        )


def test_an_mlp_forward_is_one_dot_and_one_activation_per_neuron() -> None:
    out = nn.MLP(2, [16, 16, 1], seed=0)([0.5, -0.5])
    ops = [node.op for node in _interior_nodes(out)]
    assert ops.count("dot") == 33 and ops.count("relu") == 32 and len(ops) == 65


def test_a_million_deep_chain_of_mixed_ops_at_the_default_recursion_limit() -> None:
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)  # CPython's default, whatever the test runner set
    try:
        with _collector_off():  # only to keep the test quick; the graph makes no cycles
            x0, w = Value(0.5), Value(0.9)
            x = x0
            for _ in range(250_000):  # 4 nodes per round: Value * Value, + constant, tanh, exp
                x = (x * w + 0.3).tanh().exp()
            x.backward()
            assert 1.7 < x.data < 2.7 and w.grad > 0.0 and x0.grad == pytest.approx(0.0, abs=1e-300)
            del x  # freeing a deep chain must not recurse either
            assert gc.collect() == 0
    finally:
        sys.setrecursionlimit(limit)


def test_a_value_times_value_node_costs_under_450_bytes() -> None:
    n = 10_000
    w, x = Value(1.0), Value(0.5)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(n):
            x = x * w
        per_node = (tracemalloc.get_traced_memory()[0] - before) / n
    finally:
        tracemalloc.stop()
    assert per_node <= 450, f"{per_node:.0f} bytes per node (micrograd: about 688)"


def _graph_objects() -> int:
    """Objects the cyclic collector tracks that make up graphs: Values, and tuples of them
    (counted by kind, so that other threads' objects don't count)."""
    return sum(
        type(o) is Value or (type(o) is tuple and any(type(i) is Value for i in o))
        for o in gc.get_objects()
    )


def _tracked_objects_per_node(make_node) -> float:
    """Graph objects the cyclic collector tracks, per node made by make_node(previous node)."""
    n = 1_000
    with _collector_off():
        x = Value(0.5)
        before = _graph_objects()
        for _ in range(n):
            x = make_node(x)
        return (_graph_objects() - before) / n


W = Value(0.9)
ONE_OR_TWO_PARENTS = {
    "exp": Value.exp,
    "tanh": Value.tanh,
    "relu": Value.relu,
    "abs": abs,
    "times a number": lambda x: x * 1.0001,
    "plus a number": lambda x: x + 0.001,
    "times a Value": lambda x: x * W,
    "plus a Value": lambda x: x + W,
    "divided by a Value": lambda x: x / W,
    "to a Value's power": lambda x: x**W,
}


@pytest.mark.parametrize("op", ONE_OR_TWO_PARENTS)
def test_a_node_of_one_or_two_parents_is_a_single_object_for_the_collector(op: str) -> None:
    make = ONE_OR_TWO_PARENTS[op]
    # the cyclic collector walks every tracked object again and again as a graph grows;
    # parents kept in a tuple per node would double the objects it walks
    assert _tracked_objects_per_node(make) == 1.0
    assert len(make(Value(0.5)).parents) in (1, 2)


def test_a_fused_node_is_two_objects_for_the_collector() -> None:
    assert (
        _tracked_objects_per_node(lambda x: dot([W, W], [x, x], W)) == 2.0
    )  # the node and its parents tuple
