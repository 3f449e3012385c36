"""autograd.compile: the generated code equals trace + backward() bit for bit, for every op
of the op table (read from the table, so a new op is covered without touching this file),
at new inputs including inf, nan and the other side of kinks; the code is readable,
deterministic and names labels; bad calls fail clearly."""

from __future__ import annotations

import builtins
import math
import operator
import struct
import subprocess
import sys
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value, compile, ops
from tests.strategies import EDGE_VALUES

OPERATORS = {"+": operator.add, "*": operator.mul, "/": operator.truediv, "**": operator.pow}


def same(a: float, b: float) -> bool:
    """Bit for bit, except that any nan equals any nan (nan payloads are not portable)."""
    if a != a or b != b:
        return a != a and b != b
    return struct.pack("<d", a) == struct.pack("<d", b)


def traced(f: Callable[..., Value], xs: Sequence[float]) -> tuple[float, list[float]]:
    values = [Value(x) for x in xs]
    out = f(*values)
    out.backward()
    return out.data, [v.grad for v in values]


def assert_same_as_traced(
    f: Callable[..., Value], c: autograd.Compiled, xs: Sequence[float]
) -> None:
    value, grads = c(xs)
    want_value, want_grads = traced(f, xs)
    assert same(value, want_value), f"value at {xs}: {value!r} != {want_value!r}\n{c.source}"
    for i, (got, want) in enumerate(zip(grads, want_grads)):
        assert same(got, want), f"grad {i} at {xs}: {got!r} != {want!r}\n{c.source}"


# --- one step of a random program per op of the table ----------------------------------

Operand = Any  # an int: an earlier node; a float: a constant


def apply(op: ops.Op, operands: Sequence[Any], params: Sequence[float]) -> Value:
    """op on Values (and numbers), through the API a user calls."""
    if op.arity == 1:
        return getattr(operands[0], op.method)(*params)
    if op.arity == 2:
        return OPERATORS[op.name](*operands)
    if op.function == "dot":
        k = (len(operands) - 1) // 2
        return autograd.dot(operands[:k], operands[k : 2 * k], operands[-1])
    return getattr(autograd, op.function)(operands)


@st.composite
def step(draw: Any, n: int) -> tuple[str, tuple[Operand, ...], tuple[float, ...]]:
    key = draw(st.sampled_from(sorted(ops.OPS)))
    op = ops.OPS[key]
    node = st.integers(0, n - 1)
    number = st.one_of(st.sampled_from(EDGE_VALUES), st.floats(-4, 4))
    if op.arity == 1:
        params = tuple(draw(st.floats(-2, 2)) for _ in op.params)
        return key, (draw(node),), params
    if op.arity == 2:
        if key == "pow_scalar":  # Value ** number
            return key, (draw(node), draw(number)), ()
        shape = draw(st.sampled_from(("nodes", "same", "number right", "number left")))
        a = draw(node)
        pair = {
            "nodes": (a, draw(node)),
            "same": (a, a),
            "number right": (a, draw(number)),
            "number left": (draw(number), a),
        }[shape]
        return key, pair, ()
    k = draw(st.integers(1, 3))
    size = 2 * k + 1 if op.function == "dot" else k + 1
    refs = draw(st.lists(st.one_of(node, node, number), min_size=size, max_size=size))
    if not any(isinstance(r, int) for r in refs):
        refs[0] = draw(node)
    return key, tuple(refs), ()


@st.composite
def programs(draw: Any) -> tuple[int, list]:
    n_inputs = draw(st.integers(1, 3))
    steps = [draw(step(n_inputs + i)) for i in range(draw(st.integers(1, 8)))]
    return n_inputs, steps


def program_function(n_inputs: int, steps: list) -> Callable[..., Value]:
    def f(*xs: Value) -> Value:
        nodes: list[Any] = list(xs)
        for key, refs, params in steps:
            operands = [nodes[r] if isinstance(r, int) else r for r in refs]
            nodes.append(apply(ops.OPS[key], operands, params))
        used = {r for _, refs, _ in steps for r in refs if isinstance(r, int)}
        sinks = [v for i, v in enumerate(nodes) if i not in used and isinstance(v, Value)]
        return autograd.sum_values(sinks) if len(sinks) > 1 else nodes[-1]

    return f


def new_inputs(xs: Sequence[float], draw: Any) -> list[list[float]]:
    """The trace point, its mirror (the other side of every kink at 0), zeros of both
    signs, the inputs reversed (another winner of max and min), IEEE edges, random."""
    n = len(xs)
    edge = st.lists(st.one_of(st.sampled_from(EDGE_VALUES), st.floats()), min_size=n, max_size=n)
    return [
        list(xs),
        [-x for x in xs],
        [0.0] * n,
        [-0.0] * n,
        list(reversed(xs)),
        *(draw(edge) for _ in range(10)),
    ]


@settings(max_examples=300, deadline=None)
@given(programs(), st.data())
def test_random_graphs_over_every_op_equal_trace_and_backward_bit_for_bit(
    program: Any, data: Any
) -> None:
    n_inputs, steps = program
    xs = data.draw(st.lists(st.floats(-3, 3), min_size=n_inputs, max_size=n_inputs))
    f = program_function(n_inputs, steps)
    c = compile(f, xs)
    for new in new_inputs(xs, data.draw):
        assert_same_as_traced(f, c, new)


@pytest.mark.parametrize("key", sorted(ops.OPS))
def test_each_op_of_the_table_compiles_and_matches_at_edges(key: str) -> None:
    """Every op, alone and with a number operand, at IEEE edges and on both sides of 0."""
    op = ops.OPS[key]
    if op.arity == 1:
        fs = [lambda x, y: apply(op, [x], ()), lambda x, y: apply(op, [x * y], ())]
    elif key == "pow_scalar":
        fs = [lambda x, y, c=c: x**c for c in (2.0, 3.0, 0.5, -0.5, -1.0, -2.0, 0.0, 2.5)]
    elif op.arity == 2:
        fs = [
            lambda x, y: apply(op, [x, y], ()),
            lambda x, y: apply(op, [2.0, x], ()),
            lambda x, y: apply(op, [x, x], ()),
        ]
    else:
        dot = op.function == "dot"
        fs = [
            lambda x, y: apply(op, [x, 1.5, y, x, 2.0] if dot else [x, y, 0.5], ()),
            lambda x, y: apply(op, [y, x, 0.5] if dot else [x, 2.0, y, y], ()),
        ]
    points = [(1.5, -0.5), (-1.5, 0.5), (0.0, 0.0), (-0.0, 1.0), (0.5, 0.5), (2.0, -2.0)]
    points += [(a, b) for a in EDGE_VALUES[:10] for b in (1.0, -0.0, math.inf, math.nan)]
    for f in fs:
        c = compile(f, [1.0, 2.0])
        for point in points:
            assert_same_as_traced(f, c, point)


def test_branches_inside_ops_are_decided_when_the_code_runs() -> None:
    """relu, abs, max and pow's x == 0 case traced on one side, run on the other."""

    def f(x: Value, y: Value) -> Value:
        return x.relu() + abs(y) + autograd.max_values([x, y, 0.25]) + x**y

    c = compile(f, [2.0, 3.0])
    for point in ([2.0, 3.0], [-2.0, -3.0], [0.0, 0.0], [0.0, 2.0], [0.1, 0.25], [math.nan, 1.0]):
        assert_same_as_traced(f, c, point)


def test_python_control_flow_in_f_is_frozen_at_trace_time() -> None:
    """As torch.jit.trace: an `if` on the data takes the trace's branch every time."""

    def f(x: Value) -> Value:
        return x * 2.0 if x.data > 0 else x * -3.0

    c = compile(f, [1.0])
    assert c([-1.0]) == (-2.0, [2.0])  # traced: x * 2.0


def test_gradients_of_a_node_used_many_times_sum_in_backward_order() -> None:
    """Long sums split across lines keep the engine's order of summation."""

    def f(x: Value, w: Value) -> Value:
        for _ in range(300):
            x = (x * w + 0.3).tanh()
        return x

    c = compile(f, [0.5, 0.9])
    for point in ([0.5, 0.9], [-0.7, 1.1], [3.0, -0.2]):
        assert_same_as_traced(f, c, point)


def test_output_may_be_an_input_or_a_constant() -> None:
    assert compile(lambda x, y: x, [3.0, 4.0])([5.0, 6.0]) == (5.0, [1.0, 0.0])
    assert compile(lambda x: Value(2.0), [3.0])([5.0]) == (2.0, [0.0])


# --- the source ------------------------------------------------------------------------


def _neuron(x: Value, w: Value, b: Value) -> Value:
    z = x * w + b
    z.label = "z"
    h = z.tanh()
    h.label = "hidden out!"
    return autograd.dot([h, h], [w, 2.0], b)


def test_source_is_one_line_per_node_named_after_labels_with_the_rule_visible() -> None:
    c = compile(_neuron, [1.0, 2.0, 3.0])
    lines = c.source.splitlines()
    assert "def forward_backward(x, w, b):" in lines
    assert any(line.strip().startswith("z = v1 + b") for line in lines)
    assert any(line.strip().startswith("hidden_out_ = F.tanh(z)") for line in lines)
    dot_lines = [line for line in lines if "F.dot(" in line]
    assert len(dot_lines) == 1 and "F.dot([hidden_out_, hidden_out_], [w, 2.0], b)" in dot_lines[0]
    tanh_grad = [line for line in lines if line.strip().startswith("g_z = ")]
    assert tanh_grad == [
        "    g_z = 0.0 + g_hidden_out_ * ((1.0 - hidden_out_) * "
        "(1.0 + hidden_out_))  # from hidden_out_"
    ]
    builtins.compile(c.source, "<test>", "exec")


def test_labels_are_sanitised_and_deduplicated() -> None:
    def f(x: Value) -> Value:
        a, b, c = x * 2.0, x * 3.0, x * 4.0
        a.label, b.label, c.label = "a b", "a b", "class"
        return a + b + c

    src = compile(f, [1.0]).source
    targets = {line.split(" = ")[0].strip() for line in src.splitlines() if " = x * " in line}
    assert targets == {"a_b", "a_b_2", "class_2"}


SCRIPT = """
import autograd
from tests.autograd.test_compile import _neuron
print(autograd.compile(_neuron, [1.0, 2.0, 3.0]).source)
"""


def test_source_is_the_same_in_two_processes() -> None:
    runs = [
        subprocess.run(
            [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True
        ).stdout
        for _ in range(2)
    ]
    assert runs[0] == runs[1] == compile(_neuron, [1.0, 2.0, 3.0]).source + "\n"


def test_inf_and_nan_constants_read_back() -> None:
    def f(x: Value) -> Value:
        return (x + math.inf) * 0.0 + x * -math.inf + autograd.max_values([x, math.nan])

    c = compile(f, [1.0])
    assert "inf" in c.source and "nan" in c.source
    for point in ([1.0], [-1.0], [0.0], [math.inf]):
        assert_same_as_traced(f, c, point)


# --- errors ----------------------------------------------------------------------------


def test_wrong_number_of_inputs_is_a_value_error() -> None:
    c = compile(lambda x, y: x * y, [1.0, 2.0])
    with pytest.raises(ValueError, match="takes 2 inputs, got 3"):
        c([1.0, 2.0, 3.0])


@pytest.mark.parametrize(
    "bad, message",
    [(["a", 1.0], "got str 'a' at position 0"), ([1.0, None], "got NoneType None at position 1")],
)
def test_a_non_number_is_a_type_error(bad: list, message: str) -> None:
    c = compile(lambda x, y: x * y, [1.0, 2.0])
    with pytest.raises(TypeError, match=message):
        c(bad)
    with pytest.raises(TypeError, match=message):
        compile(lambda x, y: x * y, bad)


def test_a_value_as_input_is_a_type_error_naming_data() -> None:
    with pytest.raises(TypeError, match="pass its .data"):
        compile(lambda x: x, [1.0])([Value(1.0)])


def test_f_returning_a_non_value_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="expects f to return a Value, got float"):
        compile(lambda x: 1.0, [1.0])
    with pytest.raises(TypeError, match="expects a sequence of numbers, got float"):
        compile(lambda x: x, 1.0)


def test_chainrule_graph_code_prints_the_generated_source(capsys: Any) -> None:
    from nn.cli import main

    assert main(["graph", "tanh(x*w + b)", "--at", "x=1,w=-3,b=2", "--code"]) == 0
    printed = capsys.readouterr().out
    assert "def forward_backward(x, w, b):" in printed
    assert "g_v2 = 0.0 + g_v3 * ((1.0 - v3) * (1.0 + v3))" in printed
    namespace: dict = {"F": autograd._floats}
    exec(printed, namespace)  # the printed code runs as it stands
    x, w, b = Value(1.0), Value(-3.0), Value(2.0)
    out = (x * w + b).tanh()
    out.backward()
    assert namespace["forward_backward"](1.0, -3.0, 2.0) == (out.data, [x.grad, w.grad, b.grad], [])
    assert f"#   d/dw = {w.grad!r}" in printed


def test_a_training_step_graph_replays_backward_at_new_weights_and_data() -> None:
    """An MLP step on a batch (dots over Value inputs, and the l2
    term's dot(params, params) with a number bias), compiled once, at other weights and data."""
    import random

    import nn

    rng = random.Random(4)
    model = nn.MLP(2, [5, 4, 1], seed=2)
    params = model.parameters()

    def step_graph(xs: list[list[Any]]) -> Value:
        scores = [model(x) for x in xs]
        return nn.losses.hinge(scores, [1.0, -1.0, 1.0]) + 1e-3 * autograd.dot(params, params)

    data = [[Value(rng.uniform(-2, 2)) for _ in range(2)] for _ in range(3)]
    flat = [v for x in data for v in x]
    c = autograd.compile_graph(step_graph(data), params, data=flat)
    for _ in range(5):
        weights = [rng.uniform(-1, 1) for _ in params]
        points = [rng.uniform(-2, 2) for _ in flat]
        for p, w in zip(params, weights):
            p.data, p.grad = w, 0.0
        loss = step_graph([[Value(points[2 * i]), Value(points[2 * i + 1])] for i in range(3)])
        loss.backward()
        value, grads = c(weights + points)
        assert same(value, loss.data) and all(map(same, grads, [p.grad for p in params]))


def test_compile_graph_checks_its_inputs() -> None:
    x, y = Value(1.0), Value(2.0)
    out = x * y
    with pytest.raises(TypeError, match="must be leaf Values"):
        autograd.compile_graph(out, [out])
    with pytest.raises(ValueError, match="same Value twice"):
        autograd.compile_graph(out, [x, x])
    with pytest.raises(ValueError, match="extras must be nodes of the output's graph"):
        autograd.compile_graph(out, [x], extras=[Value(3.0) * 2.0])
    with pytest.raises(TypeError, match="expects the output to be a Value"):
        autograd.compile_graph(1.0, [x])  # type: ignore[arg-type]


def test_one_forward_line_per_op_node_and_one_backward_line_per_gradient() -> None:
    def f(x: Value, y: Value) -> Value:
        return (x * y).exp() + autograd.max_values([x, y]) * 2.0

    source = compile(f, [1.0, 2.0]).source
    forward = source.split("# forward\n")[1].split("# backward")[0].splitlines()
    backward = source.split("backward()'s order\n")[1].splitlines()[:-1]
    # 5 op nodes: *, exp, max (its winner's place on a line of its own), *, +
    assert len([line for line in forward if line.strip() and "_at = " not in line]) == 5
    assert len(backward) == 5 + 2  # each op node's gradient, then x's and y's


def test_a_gradient_graph_made_with_create_graph_compiles_too() -> None:
    """grad(..., create_graph=True) builds its graph from table ops, so it compiles: the
    generated code of a derivative, differentiated once more."""

    def slope(x: Value) -> Value:
        return autograd.grad((x * x * x).sin(), [x], create_graph=True)[0]

    c = compile(slope, [0.7])
    for point in ([0.7], [1.3], [-2.0], [0.0]):
        assert_same_as_traced(slope, c, point)
