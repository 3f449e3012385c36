"""Random DAGs against PyTorch float64: the value and gradient of every node, inputs and
intermediates alike, on graphs of 2 to 40 nodes with shared subexpressions."""

from __future__ import annotations

import math

from hypothesis import given, settings

from autograd import Value
from autograd.ops import OPS
from tests.strategies import ALL_OPS, UNARY, Program, Step, ValueBackend, normal_programs
from tests.torch_oracle import assert_matches_torch


@settings(max_examples=150)
@given(normal_programs(max_nodes=40))
def test_random_dag_values_and_every_nodes_gradient_match_torch(program: Program) -> None:
    """Each node's value to 2 ulps, each gradient (retain_grad in torch) to 1e-12 of its scale."""
    assert_matches_torch(program, rel=1e-12)


@settings(max_examples=100)
@given(normal_programs(max_nodes=40))
def test_random_dags_have_2_to_40_nodes_and_all_reach_the_output(program: Program) -> None:
    """The generator keeps its promise: sizes in range, and no node is cut off from the
    output, so every gradient compared is a real one."""
    nodes = program.run(ValueBackend)
    assert 2 <= len(nodes) <= 40, f"{len(nodes)} nodes\n{program!r}"
    used = {a for step in program.steps for a in step.args if isinstance(a, int)}
    dangling = [i for i in range(len(nodes) - 1) if i not in used]
    assert not dangling, f"nodes {dangling} do not reach the output\n{program!r}"


# ops of the table (autograd/ops.py) that the generator does not draw yet; each is checked
# against torch per op elsewhere. Drawing one here means deleting it from this set.
NOT_DRAWN = {"log1p", "softplus", "silu", "erf", "gelu", "atan", "leaky_relu", "elu", "max", "min"}


def test_random_programs_draw_every_op_of_the_table() -> None:
    """Run each op the generator can draw on Values and collect the ops of the nodes made:
    together they are the op table's ops, but for the few listed in NOT_DRAWN."""
    made = set()
    for op in ALL_OPS:
        arity = 1 if op in UNARY else 3 if op == "dot" else 2
        program = Program(tuple(0.5 + i for i in range(arity)), (Step(op, tuple(range(arity))),))
        made.add(program.run(ValueBackend)[-1].op)
    table = {op.name for op in OPS.values()}
    assert NOT_DRAWN <= table, f"not ops of the table: {NOT_DRAWN - table}"
    assert made == table - NOT_DRAWN, (
        f"the table has ops the generator never makes: {table - NOT_DRAWN - made}; "
        f"the generator makes ops the table lacks: {made - table}"
    )


def test_node_reached_by_a_short_and_a_long_path_gets_its_whole_gradient() -> None:
    """out = a + a*a with a = 2x: a's gradient must be complete before it flows to x.

    A topological sort that marks nodes visited when pushed rather than when expanded
    sends a's gradient on before a*a has contributed; this shape is where it shows.
    """
    x = Value(3.0)
    a = x * 2.0
    out = a + a * a
    out.backward()
    assert math.isclose(x.grad, 2.0 + 2.0 * 2.0 * 6.0, rel_tol=1e-15), x.grad  # 2 + 2*2a
    assert math.isclose(a.grad, 1.0 + 2.0 * 6.0, rel_tol=1e-15), a.grad


def test_difference_of_a_node_with_itself_sends_no_gradient_back() -> None:
    """v1 - v1 with v1 = -v0, beside other uses of v0: v0's gradient counts only those."""
    program = Program(
        (0.5,),
        (Step("neg", (0,)), Step("neg", (0,)), Step("-", (1, 1)), Step("sum", (2, 3))),
    )
    nodes = program.run(ValueBackend)
    nodes[-1].backward()
    assert math.isclose(nodes[0].grad, -1.0, rel_tol=1e-15), nodes[0].grad
    assert_matches_torch(program)
