"""The expression language of `chainrule graph`, in process: what it builds, and every kind
of text it refuses (the table in tests/refused.py), with the column it reports. (Exit codes:
tests/test_cli.py.)"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import autograd
from autograd import Value
from autograd.expr import ExprError, build, parse, parse_assignments
from autograd.ops import OPS
from tests.refused import REFUSED, Refused

AT = {"x": 1.0, "w": -3.0, "b": 2.0}


def test_neuron_expression_builds_the_graph_and_its_gradients():
    out, leaves = build("tanh(x*w + b)", AT)
    out.backward()
    t = math.tanh(1.0 * -3.0 + 2.0)
    assert out.data == pytest.approx(t)
    assert leaves["x"].grad == pytest.approx(-3.0 * (1 - t * t))
    assert leaves["w"].grad == pytest.approx(1.0 * (1 - t * t))
    assert leaves["b"].grad == pytest.approx(1 - t * t)
    assert {v.label for v in leaves.values()} == {"x", "w", "b"}, "variables are labelled"


def test_a_variable_used_twice_is_one_node():
    out, leaves = build("x*x", {"x": 3.0})
    assert out.parents == (leaves["x"], leaves["x"])
    out.backward()
    assert leaves["x"].grad == 6.0


def test_every_operator_and_function_is_accepted():
    source = (
        "exp(x) + log(x) - sqrt(x) * tanh(x) / sigmoid(x) ** relu(x) "
        "+ sin(x) + cos(x) + abs(-x) + +x + 2 ** x"
    )
    out, leaves = build(source, {"x": 0.5})
    x = 0.5
    sig = 1 / (1 + math.exp(-x))
    expected = (
        math.exp(x)
        + math.log(x)
        - math.sqrt(x) * math.tanh(x) / sig**x
        + math.sin(x)
        + math.cos(x)
        + x
        + x
        + 2**x
    )
    assert out.data == pytest.approx(expected)


@pytest.mark.parametrize("op", [op for op in OPS.values() if op.cli], ids=lambda op: op.cli)
def test_every_function_of_the_op_table_builds_its_op(op):
    """Each function the table gives a command-line name: called on variables it builds
    one node of its op, with the value Value's own method or function computes."""
    x, y = Value(0.5), Value(-1.25)
    if op.arity < 0:
        out, leaves = build(f"{op.cli}(x, y, 2)", {"x": 0.5, "y": -1.25})
        expected = getattr(autograd, op.function)([x, y, 2.0])
    else:
        out, leaves = build(f"{op.cli}(x)", {"x": 0.5})
        expected = getattr(x, op.method)()
    assert out.op == op.name and out.data == expected.data


def test_numbers_are_operands_not_nodes_and_fold_together():
    out, leaves = build("2*3*x", {"x": 1.5})
    assert out.parents == (leaves["x"],) and out._saved == 6.0


def test_number_only_parts_follow_ieee_instead_of_raising():
    out, _ = build("1/0 + x + 2**10000 + 10**400 + exp(1000)", {"x": 1.0})
    assert out.data == math.inf
    out, _ = build("log(-1) * x", {"x": 1.0})
    assert math.isnan(out.data)


def test_an_expression_without_variables_is_a_single_constant_node():
    out, _ = build("3 * 4", {})
    assert out.data == 12.0 and out.parents == ()


def test_long_chains_build_without_recursion():
    n = 2000  # Python's own parser stops near 3000 (a clear error, tested below)
    out, leaves = build("x" + "+x" * n, {"x": 1.0})
    out.backward()
    assert out.data == n + 1 and leaves["x"].grad == n + 1


@pytest.mark.parametrize("row", REFUSED, ids=[row.id() for row in REFUSED])
def test_refused_text_is_named_with_its_column(row: Refused, tmp_path: Path) -> None:
    mark = tmp_path / "pwned"
    with pytest.raises(ExprError) as err:
        build(row.expression.replace("MARK", str(mark)), parse_assignments(row.at))
    message = str(err.value)
    assert message.startswith(row.where), message
    assert row.words in message, message
    assert "\n" not in message, "one line"
    assert not mark.exists(), "nothing in the expression may run"


def test_parse_without_variables_checks_only_the_shape():
    assert parse("tanh(z * q)").body is not None
    with pytest.raises(ExprError, match="attribute access"):
        parse("z.q")


def test_assignments_parse_numbers_including_ieee_spellings():
    assert parse_assignments("x=1,w=-3, b = 2.5e0") == {"x": 1.0, "w": -3.0, "b": 2.5}
    values = parse_assignments("p=inf,q=1e400")
    assert values == {"p": math.inf, "q": math.inf}
    assert math.isnan(parse_assignments("n=nan")["n"])


def test_assignments_accumulate_across_flags_and_refuse_a_repeat():
    values = parse_assignments("x=1")
    parse_assignments("w=2", into=values)
    assert values == {"x": 1.0, "w": 2.0}
    with pytest.raises(ExprError, match="--at column 1: variable 'x' is given twice"):
        parse_assignments("x=5", into=values)
