"""Gradients of gradients: grad(create_graph=True) and hessian() on random DAGs against
torch.autograd.functional.hessian, a gradient penalty against PyTorch, and the contract:
.grad untouched, results differentiable again, deep graphs, unused inputs, bad input."""

from __future__ import annotations

import math
import sys

import pytest
import torch
from hypothesis import given, settings

import autograd
from autograd import Value
from tests.second_order import agree, ours
from tests.strategies import Program, ValueBackend, normal_programs
from tests.torch_oracle import TorchBackend


class _TorchFunction(TorchBackend):
    """torch as a plain function of its leaves (no retained gradients)."""

    keep = staticmethod(lambda t: t)


def _our_output(program: Program):
    return lambda *leaves: program.run(ValueBackend, leaves)[-1]


def _torch_hessian(program: Program):
    leaves = tuple(torch.tensor(x, dtype=torch.float64) for x in program.inputs)
    h = torch.autograd.functional.hessian(lambda *ts: program.run(_TorchFunction(), ts)[-1], leaves)
    n = len(leaves)
    return [[h[i][j].item() for j in range(n)] for i in range(n)]


@settings(max_examples=60)
@given(normal_programs(max_nodes=16))
def test_hessian_of_a_random_dag_matches_torch(program: Program) -> None:
    """Every op, fused dot, sum, max and min too, shared nodes, number operands: each
    entry within 1e-10 of its path-sum scale (torch's forward differs by ulps along the
    DAG), nan and inf alike."""
    f = _our_output(program)
    hessian = autograd.hessian(f, program.inputs)
    mine = ours(f, program.inputs)
    assert hessian == mine.hessian or all(  # the same floats as grad() of grad()
        agree(a, b, 0.0) for r, s in zip(hessian, mine.hessian) for a, b in zip(r, s)
    )
    expected = _torch_hessian(program)
    n = len(program.inputs)
    for i in range(n):
        for j in range(n):
            scale = mine.hessian_scale[i][j]
            # zeros of either sign: torch builds zeros into its graphs (max's scatter)
            assert agree(hessian[i][j], expected[i][j], 1e-10 * scale, zeros=False), (
                f"d2/dv{i}dv{j}: chainrule {hessian[i][j]!r}, torch {expected[i][j]!r} "
                f"(scale {scale:.3g})\n{program!r}"
            )


def test_gradient_penalty_matches_torch() -> None:
    """d/dw of |dL/dx|^2 for a small tanh network, the WGAN-GP regulariser: double backward
    through dot, tanh, sigmoid, max_values and pow."""
    xs, ws = [0.3, -1.2], [0.5, -0.7, 1.1, 0.2, -0.4, 0.9, 0.05]

    def loss(be_dot, x, w):
        h0 = (be_dot(w[0:2], x, w[4])).tanh()
        h1 = (be_dot(w[2:4], x, w[5])).sigmoid()
        return (h0 * w[6] + h1 - 0.25) ** 2

    x = [Value(v) for v in xs]
    w = [Value(v) for v in ws]
    dx = autograd.grad(loss(autograd.dot, x, w), x, create_graph=True)
    penalty = autograd.sum_values([d * d for d in dx])
    mine = autograd.grad(penalty, w)

    tx = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in xs]
    tw = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in ws]
    t_dot = lambda w_, x_, b: w_[0] * x_[0] + w_[1] * x_[1] + b  # noqa: E731
    tdx = torch.autograd.grad(loss(t_dot, tx, tw), tx, create_graph=True)
    expected = torch.autograd.grad(sum(d * d for d in tdx), tw)
    for i, (a, b) in enumerate(zip(mine, expected)):
        assert math.isclose(a, b.item(), rel_tol=1e-12, abs_tol=1e-15), (i, a, b.item())
    assert any(abs(a) > 1e-3 for a in mine), "a penalty that depends on the weights"


def test_create_graph_leaves_every_grad_as_it_was() -> None:
    x, y = Value(0.7, label="x"), Value(-1.3, label="y")
    h = (x * y).tanh()
    out = autograd.max_values([h * x, y.exp(), 0.1]) + autograd.dot([x, y], [h, 2.0], 0.5)
    nodes = autograd.topological_order(out)
    for k, node in enumerate(nodes):
        node.grad = 0.25 * k - 1.0  # something backward would never leave
    before = [node.grad for node in nodes]
    grads = autograd.grad(out, [x, y], create_graph=True)
    autograd.grad(grads[0], [x, y])
    autograd.hessian(lambda a, b: (a * b).tanh(), [0.7, -1.3])
    assert [node.grad for node in nodes] == before


def test_results_of_create_graph_are_values_that_backward_grad_and_hessian_accept() -> None:
    """d/dx of x^3 sin x, to the third order, by each entry point."""

    def f(v):
        return v**3 * v.sin()

    x0 = 0.8
    s, c = math.sin(x0), math.cos(x0)
    d2 = 6 * x0 * s + 6 * x0**2 * c - x0**3 * s
    d3 = 6 * s + 18 * x0 * c - 9 * x0**2 * s - x0**3 * c

    x = Value(x0)
    (g,) = autograd.grad(f(x), [x], create_graph=True)
    assert isinstance(g, Value) and g.parents
    (h,) = autograd.grad(g, [x], create_graph=True)
    assert math.isclose(autograd.grad(g, [x])[0], d2, rel_tol=1e-12)
    g.backward()
    assert math.isclose(x.grad, d2, rel_tol=1e-12)
    h.backward()
    assert math.isclose(x.grad, d2 + d3, rel_tol=1e-12)
    third = autograd.hessian(lambda v: autograd.grad(f(v), [v], create_graph=True)[0], [x0])
    assert math.isclose(third[0][0], d3, rel_tol=1e-12)


def test_an_input_the_output_does_not_depend_on_gets_a_constant_zero_value() -> None:
    x, z = Value(2.0), Value(5.0)
    out = x * x
    dx, dz = autograd.grad(out, [x, z], create_graph=True)
    assert isinstance(dz, Value) and dz.data == 0.0 and dz.parents == () and dz is not z
    assert dx.data == 4.0 and autograd.grad(dz, [x, z]) == [0.0, 0.0]
    (dz2,) = autograd.grad(dx, [z], create_graph=True)  # z is not in dx's graph either
    assert dz2.data == 0.0
    assert autograd.hessian(lambda a, b: a * a, [2.0, 5.0]) == [[2.0, 0.0], [0.0, 0.0]]
    assert autograd.hessian(lambda a: Value(3.0), [1.0]) == [[0.0]]


def test_second_derivative_of_a_100000_deep_chain_at_the_default_recursion_limit() -> None:
    """x^100000 as 99,999 products: d2/dx2 at 1 is n (n - 1), each gradient graph as deep."""
    assert sys.getrecursionlimit() <= 10_000
    n = 100_000
    x = Value(1.0)
    y = x
    for _ in range(n - 1):
        y = y * x
    (g,) = autograd.grad(y, [x], create_graph=True)
    assert g.data == n
    assert autograd.grad(g, [x]) == [n * (n - 1)]


# --- bad input: TypeError naming what was wrong ----------------------------------------


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: autograd.hessian(lambda a: 2.0, [1.0]), r"f to return a Value, got float"),
        (lambda: autograd.hessian(lambda a: [a], [1.0]), r"f to return a Value, got list"),
        (lambda: autograd.hessian(lambda a, b: a * b, [1.0, "2"]), r"got str '2' at position 1"),
        (lambda: autograd.hessian(lambda a: a, [None]), r"got NoneType None at position 0"),
        (lambda: autograd.hessian(lambda a: a, [Value(1.0)]), r"got a Value at position 0"),
        (lambda: autograd.hessian(lambda a: a, 3.0), r"xs to be a sequence of numbers, got float"),
        (lambda: autograd.grad(Value(1.0), [1.0]), r"inputs to be Values, got float 1.0 at posi"),
        (
            lambda: autograd.grad(Value(1.0), [Value(1.0), "x"], create_graph=True),
            r"got str 'x' at position 1",
        ),
        (lambda: autograd.grad(Value(1.0), Value(1.0), create_graph=True), r"got one Value"),
        (lambda: autograd.grad(2.0, [Value(1.0)], create_graph=True), r"output to be a Value"),
        (
            lambda: Value(1.0).leaky_relu("0.1"),
            r"leaky_relu\(\) slope must be a real number, got str",
        ),
        (lambda: Value(1.0).leaky_relu(slope=None), r"slope must be a real number, got NoneType"),
        (lambda: Value(1.0).leaky_relu(True), r"slope must be a real number, got bool"),
        (lambda: Value(1.0).elu(Value(1.0)), r"elu\(\) alpha must be a real number, got Value"),
        (lambda: Value(1.0).elu(1j), r"alpha must be a real number, got complex"),
        (lambda: Value(1.0).elu(beta=1.0), r"elu\(\) takes one optional argument alpha"),
    ],
    ids=[
        "hessian-float",
        "hessian-list",
        "xs-str",
        "xs-None",
        "xs-Value",
        "xs-not-a-sequence",
        "grad-float-input",
        "grad-str-input",
        "grad-one-Value",
        "grad-float-output",
        "slope-str",
        "slope-None",
        "slope-bool",
        "alpha-Value",
        "alpha-complex",
        "alpha-wrong-name",
    ],
)
def test_bad_input_is_a_type_error_naming_it(call, message) -> None:
    with pytest.raises(TypeError, match=message):
        call()
