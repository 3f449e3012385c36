"""Backpropagation: a topological order of the graph, then one loop of the chain rule.

The order matters because a node's gradient must be complete, summed over every path
to the root, before it flows on to the node's parents. Visiting nodes in reverse
topological order guarantees that every child has sent its share first. Both the walk
and the loop are iterative, so graph depth is limited by memory, not by recursion.
This is the only module that accumulates into `.grad`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from . import anomaly
from .grad_mode import mode
from .value import Value, as_float, per_parent

_PLACE = object()  # on the stack just above a node whose parents are being placed


def topological_order(root: Value) -> list[Value]:
    """Every node reachable from root, each listed after all of its parents.

    A post-order depth-first walk over an explicit stack: the first time a node is
    popped it is expanded, pushed back with a _PLACE marker above it and its parents
    above that; popping the marker means those parents are all placed, so the node
    under it goes next. (A marker rather than (node, expanded) pairs: no tuple per node.)
    """
    order: list[Value] = []
    visited = set()
    stack: list = [root]
    while stack:
        node = stack.pop()
        if node is _PLACE:  # every parent of the node under the marker is placed
            order.append(stack.pop())
            continue
        if node in visited:  # reached again by another path: already placed or in progress
            continue
        # Mark on expansion, not on push: a node pushed but not yet expanded may be pushed
        # again by a node expanded before it, and must then be placed before that node.
        visited.add(node)
        if node._rule is None:  # a leaf has no parents to place first
            order.append(node)
            continue
        stack.append(node)
        stack.append(_PLACE)
        parents = node._parents
        if type(parents) is not tuple:  # one parent or two, stored bare
            if parents not in visited:
                stack.append(parents)
            second = node._second
            if second is not None and second not in visited:
                stack.append(second)
            continue
        if visited.issuperset(parents):  # often so, as when layer inputs feed many neurons
            continue
        for parent in parents:
            if parent not in visited:
                stack.append(parent)
    return order


def _prepare(root: Value, grad: float) -> list[Value]:
    """Order the graph, zero the non-leaf gradients and seed the root."""
    seed = as_float(grad)
    order = topological_order(root)
    for node in order:
        if node._rule is not None:
            node.grad = 0.0  # non-leaf: recomputed on every call; leaves accumulate
    root.grad = seed if root._rule is not None else root.grad + seed
    return order


def _chain_rule(order: Sequence[Value]) -> None:
    """Children before parents: each edge adds local derivative x upstream gradient."""
    if mode.anomaly:  # the same walk, checked one step at a time
        for _ in _steps(order):
            pass
        return
    for node in reversed(order):
        rule = node._rule
        if rule is None:  # a leaf: nothing further back
            continue
        sends = rule(node, node.grad)
        parents = node._parents
        if type(parents) is not tuple:  # one parent or two, stored bare
            second = node._second
            if second is None:  # a lone parent's gradient comes bare too
                parents.grad += sends
                continue
            to_first, to_second = sends
            parents.grad += to_first
            second.grad += to_second  # after the first's: they may be one node (x * x)
            continue
        for parent, contribution in zip(parents, sends):
            parent.grad += contribution  # the sum over every path happens here


def backward(root: Value, grad: float = 1.0) -> None:
    """Fill every node reachable from root with d root / d node, summed over every path.

    As in PyTorch, leaf gradients accumulate across calls until zeroed; the gradients
    of intermediate nodes are recomputed from zero on each call.
    """
    _chain_rule(_prepare(root, grad))


def grad(output: Value, inputs: Sequence[Value], create_graph: bool = False) -> list[Any]:
    """d output / d x for each x in inputs; every `.grad` is left as it was.

    As floats; or, with create_graph, as Values that are graphs themselves and can be
    differentiated again (see higher.py). An input that output does not depend on gets
    0.0 (a constant Value(0.0) with create_graph).
    """
    if not isinstance(output, Value):
        raise TypeError(f"grad() expects output to be a Value, got {type(output).__name__}")
    inputs = _checked_inputs(inputs)
    if create_graph:
        from .higher import grad_graph  # higher builds on this module

        return grad_graph(output, inputs)
    order = topological_order(output)
    kept = [node.grad for node in order]
    try:
        for node in order:
            # leaves too: only this call's contributions; -0.0 is the identity of +, so a
            # lone -0.0 keeps its sign, as PyTorch's first contribution does
            node.grad = -0.0
        output.grad = 1.0
        _chain_rule(order)
        in_graph = set(order)
        return [x.grad if x in in_graph else 0.0 for x in inputs]
    finally:
        for node, g in zip(order, kept):
            node.grad = g


def _checked_inputs(inputs: object) -> list[Value]:
    if isinstance(inputs, Value):
        raise TypeError(
            "grad() expects inputs to be a list of Values, got one Value; "
            "wrap it in a list: grad(out, [x])"
        )
    try:
        listed = list(inputs)  # type: ignore[call-overload]
    except TypeError:
        raise TypeError(
            f"grad() expects inputs to be a list of Values, got {type(inputs).__name__}"
        ) from None
    for i, x in enumerate(listed):
        if not isinstance(x, Value):
            raise TypeError(
                f"grad() expects inputs to be Values, got {type(x).__name__} "
                f"{x!r:.40} at position {i}"
            )
    return listed


class Step(NamedTuple):
    """One node's turn in backward: its finished gradient and what it sent to each parent."""

    node: Value
    grad: float
    sends: tuple[tuple[Value, float], ...]


def backward_steps(root: Value, grad: float = 1.0) -> Iterator[Step]:
    """backward() one node at a time, in backward order, for teaching and drawing.

    Each step is yielded after the node has sent its gradient on; leaves send nothing.
    Run to the end, it leaves the same gradients as root.backward(grad).
    """
    yield from _steps(_prepare(root, grad))


def _steps(order: Sequence[Value]) -> Iterator[Step]:
    """_chain_rule's loop, yielding each node's step, and checking it under detect_anomaly."""
    check = anomaly.check_backward if mode.anomaly else None
    for node in reversed(order):
        sends: tuple[tuple[Value, float], ...] = ()
        if node._rule is not None:
            contributions = per_parent(node)
            if check is not None:
                check(node, contributions)
            sends = tuple(zip(node.parents, contributions))
            for parent, contribution in sends:
                parent.grad += contribution
        yield Step(node, node.grad, sends)
