"""backward and grad on named graph shapes (HIPS style), each checked against PyTorch."""

from __future__ import annotations

import gc
import math
import sys

import torch

import autograd
from autograd import Value


def tensor(x: float) -> torch.Tensor:
    return torch.tensor(x, dtype=torch.float64, requires_grad=True)


def test_fan_out_sums_the_gradient_of_every_use() -> None:
    x = Value(1.5)
    y = x.sin() + x.exp() + x * 3.0
    y.backward()
    t = tensor(1.5)
    (t.sin() + t.exp() + t * 3.0).backward()
    assert math.isclose(x.grad, t.grad.item(), rel_tol=1e-12)


def test_a_plus_a_gives_two() -> None:
    a = Value(4.0)
    (a + a).backward()
    assert a.grad == 2.0


def test_node_used_twice_by_one_op_gets_both_contributions() -> None:
    a = Value(3.0)
    (a * a).backward()
    assert a.grad == 6.0
    b = Value(2.0)
    (b**b).backward()
    t = tensor(2.0)
    torch.pow(t, t).backward()
    assert math.isclose(b.grad, t.grad.item(), rel_tol=1e-12)


def test_diamond_sums_over_both_paths() -> None:
    x = Value(0.7)
    left, right = x.tanh(), x.sigmoid()
    top = left * right
    top.backward()
    t = tensor(0.7)
    t_left, t_right = t.tanh(), t.sigmoid()
    t_left.retain_grad()
    t_right.retain_grad()
    (t_left * t_right).backward()
    assert math.isclose(x.grad, t.grad.item(), rel_tol=1e-12)
    assert math.isclose(left.grad, t_left.grad.item(), rel_tol=1e-12)
    assert math.isclose(right.grad, t_right.grad.item(), rel_tol=1e-12)
    # the sum over paths, written out: d top/dx = right * tanh'(x) + left * sigmoid'(x)
    by_paths = right.data * (1 - left.data**2) + left.data * right.data * (1 - right.data)
    assert math.isclose(x.grad, by_paths, rel_tol=1e-14)


def test_constant_output_has_unit_grad_and_no_inputs() -> None:
    x = Value(2.0)
    out = Value(5.0)
    out.backward()
    assert out.grad == 1.0 and x.grad == 0.0
    assert autograd.grad(out, [x]) == [0.0]


def test_output_independent_of_an_input_leaves_it_at_zero() -> None:
    x, unused = Value(2.0), Value(9.0)
    (x * x).backward()
    assert unused.grad == 0.0
    assert autograd.grad(x * x, [x, unused]) == [4.0, 0.0]


def test_repeated_backward_accumulates_leaves_and_recomputes_the_rest() -> None:
    x = Value(3.0)
    y = x**3
    mid = y * 1.0
    mid.backward()
    mid.backward()
    t = tensor(3.0)
    t_y = t**3
    t_y.retain_grad()
    (t_y * 1.0).backward(retain_graph=True)
    (t_y * 1.0).backward()
    assert x.grad == 54.0 == t.grad.item()
    assert y.grad == 1.0  # non-leaf: recomputed, not accumulated (torch's retain_grad sums)
    assert t_y.grad.item() == 2.0


def test_backward_seed_scales_every_gradient() -> None:
    x = Value(2.0)
    (x * x).backward(grad=0.5)
    assert x.grad == 2.0


def test_grad_returns_floats_and_leaves_every_grad_untouched() -> None:
    x, w = Value(1.5), Value(-2.0)
    x.grad, w.grad = 7.0, 8.0
    mid = x * w
    out = mid.tanh()
    gx, gw, gmid = autograd.grad(out, [x, w, mid])
    assert (x.grad, w.grad, mid.grad, out.grad) == (7.0, 8.0, 0.0, 0.0)
    t_x, t_w = tensor(1.5), tensor(-2.0)
    tgx, tgw = torch.autograd.grad(torch.tanh(t_x * t_w), [t_x, t_w])
    assert math.isclose(gx, tgx.item(), rel_tol=1e-12)
    assert math.isclose(gw, tgw.item(), rel_tol=1e-12)
    assert math.isclose(gmid, 1 - out.data**2, rel_tol=1e-12)
    assert all(type(g) is float for g in (gx, gw, gmid))


def test_million_deep_chain_at_the_default_recursion_limit() -> None:
    assert sys.getrecursionlimit() <= 10_000
    x = Value(0.5)
    y = x
    for _ in range(1_000_000):
        y = y * 1.0 + 0.0  # two nodes per step; value and gradient stay exactly 0.5 and 1
    y.backward()
    assert y.data == 0.5 and x.grad == 1.0
    alive = _live_values()
    del y  # two million nodes freed one after another by reference counting
    assert alive - _live_values() == 2_000_000, "dropping the chain frees every node"


def _live_values() -> int:
    return sum(1 for obj in gc.get_objects() if type(obj) is Value)


def test_discarded_graph_is_freed_without_the_cyclic_collector() -> None:
    gc.collect()
    gc.disable()
    try:
        x = Value(0.3)
        y = x
        for _ in range(2000):
            y = (y * x).tanh() + x.sigmoid() / (x + 1.0)
        y.backward()
        before = len(gc.get_objects())
        del y
        after = len(gc.get_objects())
        assert before - after > 2000 * 5, "dropping the graph did not free its nodes"
        assert gc.collect() == 0, "the graph left reference cycles for the cyclic collector"
    finally:
        gc.enable()


def test_backward_steps_leaves_the_same_gradients_as_backward() -> None:
    def build():
        a, b = Value(1.2, label="a"), Value(-0.4, label="b")
        c = a * b + a.exp()
        return a, b, (c * c).tanh()

    a1, b1, out1 = build()
    out1.backward()
    a2, b2, out2 = build()
    steps = list(autograd.backward_steps(out2))
    assert (a2.grad, b2.grad) == (a1.grad, b1.grad)
    assert steps[0].node is out2 and steps[0].grad == 1.0
    # every node appears once, after all of its children
    nodes = [s.node for s in steps]
    assert len(nodes) == len(set(nodes)) == len(autograd.topological_order(out2))
    for step in steps:
        assert [p for p, _ in step.sends] == list(step.node.parents)
        assert step.grad == step.node.grad


def test_node_reached_by_a_short_and_a_long_path_is_ordered_after_both() -> None:
    # b feeds d directly and through exp: b must send its gradient only once it is complete
    a = Value(1.0)
    b = a * 2.0
    d = b + b.exp()
    order = autograd.topological_order(d)
    assert order.index(b) < order.index(d.parents[1]) < order.index(d)
    d.backward()
    assert math.isclose(a.grad, 2.0 * (1.0 + math.exp(2.0)), rel_tol=1e-15)
